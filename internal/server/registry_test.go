package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
)

// registration builds a registration body; over replaces top-level fields.
func registration(over map[string]any) string {
	body := map[string]any{
		"given_name": "محمد", "family_name": "رحیمی", "given_name_latin": "Mohammad", "family_name_latin": "Rahimi",
		"sex": "male", "age_min": 15, "age_max": 16, "nationalities": []string{"AF"}, "languages": []string{"fa-AF", "ps"},
		"protection_status": "unaccompanied", "vulnerabilities": []string{"trauma_signs"},
		"trafficking_indicators": []string{"relation_unverified"},
		"arrival": map[string]any{
			"arrived_at": time.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339), "how_found": "border_check",
			"accompanying_adults": []map[string]any{{"relation": "uncle", "verified": false}},
			"documents":           []map[string]any{{"type": "tazkira", "country": "AF"}},
		},
	}
	for k, v := range over {
		if v == nil {
			delete(body, k)
		} else {
			body[k] = v
		}
	}
	b, _ := json.Marshal(body)
	return string(b)
}

type registered struct {
	ChildID            int64  `json:"child_id"`
	RegistrationNumber string `json:"registration_number"`
	NewChild           bool   `json:"new_child"`
}

func decode[T any](t *testing.T, res *http.Response) T {
	t.Helper()
	var v T
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatalf("decode %T: %v", v, err)
	}
	return v
}

func childCount(t *testing.T, app *apptest.App) int64 {
	t.Helper()
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM children`)
	return n
}

func TestRegisterReadUpdate(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b1 := "Bearer " + app.Token(t, "border1")
	res := app.Do(t, nil, "POST", "/api/v1/registrations", registration(nil), "Authorization", b1)
	if res.StatusCode != 201 {
		t.Fatalf("register: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	reg := decode[registered](t, res)
	if !regexp.MustCompile(`^AL-\d{4}-\d{6}$`).MatchString(reg.RegistrationNumber) || !reg.NewChild {
		t.Fatalf("registration: %+v", reg)
	}
	path := fmt.Sprintf("/api/v1/children/%d", reg.ChildID)
	res = app.Do(t, nil, "GET", path, "", "Authorization", b1)
	if res.StatusCode != 200 {
		t.Fatalf("read back: %d", res.StatusCode)
	}
	etag := res.Header.Get("ETag")
	var child struct {
		GivenName, GivenNameLatin, BorderPostCode, Sex string
		BirthDateFrom                                  string   `json:"birth_date_from"`
		Nationalities                                  []string `json:"nationalities"`
		Arrivals                                       []struct {
			BorderPostCode     string `json:"border_post_code"`
			AccompanyingAdults []struct {
				Relation string `json:"relation"`
			} `json:"accompanying_adults"`
		} `json:"arrivals"`
	}
	body := apptest.Body(t, res)
	if err := json.Unmarshal([]byte(body), &child); err != nil {
		t.Fatal(err)
	}
	if len(child.Arrivals) != 1 || child.Arrivals[0].BorderPostCode != "KAK" || len(child.Arrivals[0].AccompanyingAdults) != 1 || child.Arrivals[0].AccompanyingAdults[0].Relation != "uncle" {
		t.Fatalf("the arrival defaults to the officer's post and keeps the adults: %s", body)
	}
	// Edit the identity with If-Match; a second writer with the old ETag gets 412. The identity
	// replaces every identity field, and a border officer may not change the needs
	// (auth/fields.go), so they are sent back as registered.
	patch := `{"identity": {"given_name": "محمد", "family_name": "رحیمی", "given_name_latin": "Mohammad", "family_name_latin": "Rahimi",
		"aliases": ["Mamad"], "sex": "male", "birth_date": "2010-03-01", "nationalities": ["AF"], "languages": ["fa-AF"],
		"protection_status": "unaccompanied", "vulnerabilities": ["trauma_signs"], "trafficking_indicators": ["relation_unverified"]}}`
	res = app.Do(t, nil, "PATCH", path, patch, "Authorization", b1, "If-Match", etag)
	if res.StatusCode != 200 {
		t.Fatalf("edit: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	if res := app.Do(t, nil, "PATCH", path, patch, "Authorization", b1, "If-Match", etag); res.StatusCode != 412 {
		t.Fatalf("stale edit: %d", res.StatusCode)
	}
	if res := app.Do(t, nil, "PATCH", path, patch, "Authorization", b1, apptest.InvalidRequest, "no If-Match"); res.StatusCode != 428 {
		t.Fatalf("edit without If-Match: %d", res.StatusCode)
	}
	var changes string
	app.Scan(t, &changes, `SELECT changes::text FROM audit_events WHERE action = 'child.update' AND entity_id = ?`, fmt.Sprint(reg.ChildID))
	if !strings.Contains(changes, `"aliases"`) || !strings.Contains(changes, `"birth_date"`) || strings.Contains(changes, "Mamad") {
		t.Fatalf("the edit's audit row names the changed fields and withholds their values: %s", changes)
	}
	// The alias is now searchable (in the body, never the URL).
	res = app.Do(t, nil, "POST", "/api/v1/children/search", `{"name":"Mamad"}`, "Authorization", b1)
	page := decode[struct {
		Items []struct{ ID int64 } `json:"items"`
	}](t, res)
	if len(page.Items) != 1 || page.Items[0].ID != reg.ChildID {
		t.Fatalf("search by alias: %+v", page.Items)
	}
}

func TestRegistrationValidation(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b1 := "Bearer " + app.Token(t, "border1")
	before := childCount(t, app)
	future := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	tests := []struct {
		name  string
		over  map[string]any
		field string
	}{
		{"no name and no alias", map[string]any{"given_name": "", "family_name": "", "given_name_latin": "", "family_name_latin": ""}, "given_name"},
		{"birth date in the future", map[string]any{"birth_date": future, "age_min": nil, "age_max": nil}, "birth_date"},
		{"impossible age", map[string]any{"age_min": 24, "age_max": 30}, "age_max"},
		{"neither birth date nor age", map[string]any{"age_min": nil, "age_max": nil}, "birth_date"},
		{"unknown nationality", map[string]any{"nationalities": []string{"QQQ"}}, "nationalities"},
		{"unknown language", map[string]any{"languages": []string{"not a language!"}}, "languages"},
		{"unknown sex", map[string]any{"sex": "x"}, "sex"},
		{"unknown indicator", map[string]any{"trafficking_indicators": []string{"made_up"}}, "trafficking_indicators"},
		{"arrival in the future", map[string]any{"arrival": map[string]any{"arrived_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "how_found": "border_check"}}, "arrived_at"},
		{"another officer's post", map[string]any{"arrival": map[string]any{"border_post_code": "KAP", "how_found": "border_check"}}, "border_post_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := app.Do(t, nil, "POST", "/api/v1/registrations", registration(tt.over), "Authorization", b1, "Accept-Language", "sq", apptest.InvalidRequest, tt.name)
			if res.StatusCode != 422 {
				t.Fatalf("status %d: %s", res.StatusCode, apptest.Body(t, res))
			}
			p := decodeProblem(t, res)
			found := false
			for _, f := range p.Errors {
				if f.Field == tt.field && f.Message != "" && !strings.HasPrefix(f.Message, "validation.") {
					found = true
				}
			}
			if !found || p.Title != "Disa fusha duhen korrigjuar" {
				t.Fatalf("want a localized error on %q, got %+v", tt.field, p)
			}
		})
	}
	if after := childCount(t, app); after != before {
		t.Fatalf("invalid registrations wrote %d children", after-before)
	}
}

func TestDuplicateWarningAndSecondArrival(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b1 := "Bearer " + app.Token(t, "border1")
	first := decode[registered](t, app.Do(t, nil, "POST", "/api/v1/registrations", registration(nil), "Authorization", b1))

	// Days later at another post, a variant spelling in Latin script only.
	b2 := "Bearer " + app.Token(t, "border2")
	variant := map[string]any{"given_name": "Muhammad", "family_name": "Rahimi", "given_name_latin": "", "family_name_latin": "",
		"arrival": map[string]any{"how_found": "presented_at_border"}}
	res := app.Do(t, nil, "POST", "/api/v1/registrations", registration(variant), "Authorization", b2)
	if res.StatusCode != 409 {
		t.Fatalf("a likely duplicate must be flagged before saving: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	p := decodeProblem(t, res)
	if p.Type != "urn:kujdes:problem:possible-duplicates" || len(p.Candidates) == 0 || p.Candidates[0].ChildID != first.ChildID || len(p.Candidates[0].Reasons) == 0 {
		t.Fatalf("candidates: %+v", p)
	}
	// The same check is its own call.
	res = app.Do(t, nil, "POST", "/api/v1/duplicate-check", `{"given_name":"Mohamed","family_name":"Rahimi","sex":"male","age_min":15,"age_max":16,"nationalities":["AF"]}`, "Authorization", b2)
	dc := decode[struct {
		Candidates []struct {
			ChildID int64   `json:"child_id"`
			Band    string  `json:"band"`
			Score   float64 `json:"score"`
		} `json:"candidates"`
	}](t, res)
	if len(dc.Candidates) == 0 || dc.Candidates[0].ChildID != first.ChildID || dc.Candidates[0].Score <= 0 {
		t.Fatalf("duplicate-check: %+v", dc)
	}
	// border2 cannot read the child yet (registered at KAK)…
	path := fmt.Sprintf("/api/v1/children/%d", first.ChildID)
	if res := app.Do(t, nil, "GET", path, "", "Authorization", b2); res.StatusCode != 404 {
		t.Fatalf("border2 before the arrival: %d", res.StatusCode)
	}
	// …records the arrival on the existing child: a sighting, which does not open the record…
	variant["existing_child_id"] = first.ChildID
	res = app.Do(t, nil, "POST", "/api/v1/registrations", registration(variant), "Authorization", b2)
	second := decode[registered](t, res)
	if res.StatusCode != 201 || second.ChildID != first.ChildID || second.NewChild {
		t.Fatalf("second arrival: %d %+v", res.StatusCode, second)
	}
	if res := app.Do(t, nil, "GET", path, "", "Authorization", b2); res.StatusCode != 404 {
		t.Fatalf("border2 after the sighting: %d, want 404", res.StatusCode)
	}
	// …and the office of the child sees both arrivals.
	res = app.Do(t, nil, "GET", path, "", "Authorization", b1)
	var c struct {
		Arrivals []struct {
			BorderPostCode string `json:"border_post_code"`
		} `json:"arrivals"`
	}
	if err := json.NewDecoder(res.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || len(c.Arrivals) != 2 || c.Arrivals[0].BorderPostCode != "KAP" {
		t.Fatalf("after the arrival at KAP: %d %+v", res.StatusCode, c)
	}
	// A different child with the same common name but another sex and age is a new child.
	other := registration(map[string]any{"given_name": "Mohammad", "family_name": "Rahimi", "sex": "female", "age_min": 10, "age_max": 11, "confirm_new": true})
	if res := app.Do(t, nil, "POST", "/api/v1/registrations", other, "Authorization", b1); res.StatusCode != 201 {
		t.Fatalf("confirm_new: %d", res.StatusCode)
	}
}

func TestRegistryScopeAndPermissions(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	reg := decode[registered](t, app.Do(t, nil, "POST", "/api/v1/registrations", registration(nil), "Authorization", "Bearer "+app.Token(t, "border1")))
	path := fmt.Sprintf("/api/v1/children/%d", reg.ChildID)
	for user, want := range map[string]int{"border1": 200, "protection1": 200, "border2": 404, "protection2": 404, "guardian1": 404, "monitor1": 404} {
		if res := app.Do(t, nil, "GET", path, "", "Authorization", "Bearer "+app.Token(t, user)); res.StatusCode != want {
			t.Errorf("%s reading a KAK child: %d, want %d", user, res.StatusCode, want)
		}
	}
	for _, user := range []string{"guardian1", "monitor1", "admin1"} {
		if res := app.Do(t, nil, "POST", "/api/v1/registrations", registration(nil), "Authorization", "Bearer "+app.Token(t, user)); res.StatusCode != 403 {
			t.Errorf("%s registering: %d, want 403", user, res.StatusCode)
		}
	}
	// Recording an arrival brings a child into scope, so it cannot be used to reach a child
	// that is neither in scope nor a duplicate candidate of the identity being registered.
	b2 := "Bearer " + app.Token(t, "border2")
	unrelated := registration(map[string]any{"given_name": "Tesfay", "family_name": "Gebre", "given_name_latin": "", "family_name_latin": "",
		"sex": "female", "nationalities": []string{"ER"}, "existing_child_id": reg.ChildID, "arrival": map[string]any{"how_found": "border_check"}})
	if res := app.Do(t, nil, "POST", "/api/v1/registrations", unrelated, "Authorization", b2); res.StatusCode != 404 {
		t.Errorf("arrival on an unrelated out-of-scope child: %d, want 404", res.StatusCode)
	}
	if res := app.Do(t, nil, "POST", fmt.Sprintf("/api/v1/children/%d/arrivals", reg.ChildID), `{"how_found":"border_check"}`, "Authorization", b2); res.StatusCode != 404 {
		t.Errorf("arrival on an out-of-scope child from its page: %d, want 404", res.StatusCode)
	}
	if res := app.Do(t, nil, "GET", path, "", "Authorization", b2); res.StatusCode != 404 {
		t.Errorf("the refused arrivals must not have opened the child to border2: %d", res.StatusCode)
	}
	// The needs-action queue shows the new child: no guardian yet.
	res := app.Do(t, nil, "GET", "/api/v1/children/needs-action", "", "Authorization", "Bearer "+app.Token(t, "protection1"))
	q := decode[struct {
		Items []struct {
			ID      int64    `json:"id"`
			Reasons []string `json:"reasons"`
		} `json:"items"`
	}](t, res)
	found := false
	for _, it := range q.Items {
		if it.ID == reg.ChildID && strings.Contains(strings.Join(it.Reasons, ","), "no_guardian") {
			found = true
		}
	}
	if !found {
		t.Fatalf("needs-action lacks the new child: %+v", q.Items)
	}
}

func TestMergeAndUndo(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b1 := "Bearer " + app.Token(t, "border1")
	a := decode[registered](t, app.Do(t, nil, "POST", "/api/v1/registrations", registration(nil), "Authorization", b1))
	bBody := registration(map[string]any{"given_name": "Bahram", "family_name": "Nazari", "given_name_latin": "Bahram", "family_name_latin": "Nazari", "confirm_new": true})
	b := decode[registered](t, app.Do(t, nil, "POST", "/api/v1/registrations", bBody, "Authorization", b1))
	p1 := "Bearer " + app.Token(t, "protection1")
	res := app.Do(t, nil, "POST", fmt.Sprintf("/api/v1/children/%d/merge", a.ChildID), fmt.Sprintf(`{"duplicate_id": %d, "reason": "Same tazkira number"}`, b.ChildID), "Authorization", p1)
	if res.StatusCode != 200 {
		t.Fatalf("merge: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	arrivals := func(id int64) int {
		var n int
		app.Scan(t, &n, `SELECT count(*) FROM arrivals WHERE child_id = ?`, id)
		return n
	}
	var status string
	app.Scan(t, &status, `SELECT status FROM children WHERE id = ?`, b.ChildID)
	if arrivals(a.ChildID) != 2 || arrivals(b.ChildID) != 0 || status != "duplicate" {
		t.Fatalf("after merge: %d/%d arrivals, status %s", arrivals(a.ChildID), arrivals(b.ChildID), status)
	}
	// The duplicate's name now finds the survivor.
	res = app.Do(t, nil, "POST", "/api/v1/children/search", `{"name":"Nazari"}`, "Authorization", p1)
	found := decode[struct {
		Items []struct{ ID int64 } `json:"items"`
	}](t, res)
	if len(found.Items) == 0 || found.Items[0].ID != a.ChildID {
		t.Fatalf("search after merge: %+v", found.Items)
	}
	res = app.Do(t, nil, "POST", fmt.Sprintf("/api/v1/children/%d/unmerge", b.ChildID), `{"reason": "Different fathers' names"}`, "Authorization", p1)
	if res.StatusCode != 200 {
		t.Fatalf("unmerge: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	app.Scan(t, &status, `SELECT status FROM children WHERE id = ?`, b.ChildID)
	if arrivals(a.ChildID) != 1 || arrivals(b.ChildID) != 1 || status != "active" {
		t.Fatalf("after unmerge: %d/%d arrivals, status %s", arrivals(a.ChildID), arrivals(b.ChildID), status)
	}
	if n := auditCount(t, app, `action IN ('child.merge','child.unmerge')`); n != 4 {
		t.Fatalf("merge and unmerge audit both records: %d rows", n)
	}
	// Border officers cannot merge.
	if res := app.Do(t, nil, "POST", fmt.Sprintf("/api/v1/children/%d/merge", a.ChildID), fmt.Sprintf(`{"duplicate_id": %d, "reason": "x"}`, b.ChildID), "Authorization", b1); res.StatusCode != 403 {
		t.Fatalf("border officer merge: %d", res.StatusCode)
	}
}
