package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// The search body's paging fields follow the same rule as the list's query parameters
// (registry/page.go): out of range is refused with 422 naming the field, never clamped; an
// absent or 0 limit keeps the default page size.
func TestSearchBodyPagingRefusedNotClamped(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	prot := "Bearer " + app.Token(t, "protection1")
	for _, c := range []struct{ body, field, code string }{
		{`{"limit":-1}`, "limit", "query_limit_invalid"},
		{`{"limit":201}`, "limit", "query_limit_invalid"},
		{`{"limit":100000}`, "limit", "query_limit_invalid"},
		{`{"after":-1}`, "after", "query_after_invalid"},
		{`{"after":-5,"limit":500}`, "after", "query_after_invalid"},
	} {
		t.Run(c.body, func(t *testing.T) {
			res := app.Do(t, nil, "POST", "/api/v1/children/search", c.body, "Authorization", prot, "Accept-Language", "sq",
				apptest.InvalidRequest, "paging out of range")
			text := apptest.Body(t, res)
			if res.StatusCode != 422 {
				t.Fatalf("status %d, want 422: %.400s", res.StatusCode, text)
			}
			var p struct {
				Errors []struct{ Field, Code, Message string }
			}
			if err := json.Unmarshal([]byte(text), &p); err != nil {
				t.Fatal(err)
			}
			for _, f := range p.Errors {
				if f.Field == c.field && f.Code == c.code {
					if f.Message == "" || strings.HasPrefix(f.Message, "validation.") {
						t.Fatalf("message not localized: %q", f.Message)
					}
					return
				}
			}
			t.Fatalf("want %s on %s: %.400s", c.code, c.field, text)
		})
	}
	for _, c := range []struct {
		body string
		want int
	}{
		{`{}`, 50}, {`{"limit":0}`, 50}, {`{"limit":1}`, 1}, {`{"limit":200,"after":0}`, 200},
	} {
		t.Run("accepted "+c.body, func(t *testing.T) {
			res := app.Do(t, nil, "POST", "/api/v1/children/search", c.body, "Authorization", prot)
			text := apptest.Body(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %.400s", res.StatusCode, text)
			}
			var page struct {
				Items []json.RawMessage `json:"items"`
				Next  int64             `json:"next"`
			}
			if err := json.Unmarshal([]byte(text), &page); err != nil {
				t.Fatal(err)
			}
			if len(page.Items) > c.want {
				t.Fatalf("%d items, limit %d", len(page.Items), c.want)
			}
			if c.want == 1 && (len(page.Items) != 1 || page.Next == 0) {
				t.Fatalf("limit 1: %d items, next %d", len(page.Items), page.Next)
			}
		})
	}
}
