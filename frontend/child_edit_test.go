package frontend_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// Two officers edit the same child: the second save, based on an older version, is refused
// with 409; the page shows what changed meanwhile and keeps what the second officer typed.
func TestChildEditConflictKeepsInput(t *testing.T) {
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2026-000001")
	form := func(version int, given, status string) url.Values {
		return url.Values{
			"version": {fmt.Sprint(version)}, "status": {status}, "child_region_code": {"GJI"},
			"given_name": {given}, "family_name": {"کریمی"}, "given_name_latin": {"Ahmad"}, "family_name_latin": {"Karimi"},
			"sex": {"male"}, "age_min": {"15"}, "age_max": {"16"}, "nationality_1": {"AF"}, "languages": {"fa-AF"},
			"protection_status": {"unaccompanied"},
		}
	}
	post := func(c *http.Client, v url.Values) *http.Response {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/children/%d", app.URL, id), strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "en")
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	first, second := app.Login(t, "protection1"), app.Login(t, "border1")
	if res := post(first, form(1, "احمد", "missing")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	res := post(second, form(1, "احمد شاه", "active"))
	body := apptest.Body(t, res)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: %d", res.StatusCode)
	}
	for _, want := range []string{"Someone else changed this record", "Changed meanwhile", "<li>Status</li>", `value="احمد شاه"`, `name="version" value="2"`} {
		if !strings.Contains(body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	var status string
	app.Scan(t, &status, `SELECT status FROM children WHERE id = ?`, id)
	if status != "missing" {
		t.Fatalf("the stale save overwrote the record: %s", status)
	}
}

// Refused forms on a child's page come back with the message at the field and nothing saved.
func TestChildPageFormsRefused(t *testing.T) {
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2026-000001")
	c := app.Login(t, "protection1")
	post := func(path string, v url.Values) (int, string) {
		req, _ := http.NewRequest("POST", app.URL+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		return res.StatusCode, apptest.Body(t, res)
	}
	status, body := post(fmt.Sprintf("/children/%d/merge", id), url.Values{"duplicate_number": {"AL-1999-999999"}, "reason": {"same tazkira"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="duplicate_id-error"`) || !strings.Contains(body, "AL-1999-999999") {
		t.Fatalf("merge with an unknown number: %d", status)
	}
	status, body = post(fmt.Sprintf("/children/%d/arrivals", id), url.Values{"arrived_at": {"2099-01-01T10:00"}, "how_found": {"border_check"}, "border_post_code": {"KAK"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="arrived_at-error"`) || !strings.Contains(body, `value="2099-01-01T10:00"`) {
		t.Fatalf("arrival in the future: %d", status)
	}
	var arrivals int
	app.Scan(t, &arrivals, `SELECT count(*) FROM arrivals WHERE child_id = ?`, id)
	if arrivals != 1 {
		t.Fatalf("a refused arrival was saved: %d arrivals", arrivals)
	}
}
