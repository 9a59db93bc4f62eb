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
	form := func(version int, given, family string) url.Values {
		return url.Values{
			"version":    {fmt.Sprint(version)},
			"given_name": {given}, "family_name": {family}, "given_name_latin": {"Ahmad"}, "family_name_latin": {"Karimi"},
			"sex": {"male"}, "age_min": {"15"}, "age_max": {"16"}, "nationality_1": {"AF"}, "languages": {"fa-AF"},
			"protection_status": {"unaccompanied"},
		}
	}
	first, second := app.Login(t, "protection1"), app.Login(t, "border1")
	if res := postForm(t, app, first, fmt.Sprintf("/children/%d", id), form(1, "احمد", "کریمی زاده")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	res := postForm(t, app, second, fmt.Sprintf("/children/%d", id), form(1, "احمد شاه", "کریمی"))
	body := apptest.Body(t, res)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: %d", res.StatusCode)
	}
	for _, want := range []string{"Someone else changed this record", "Changed meanwhile", "<li>Family name</li>", `value="احمد شاه"`, `name="version" value="2"`} {
		if !strings.Contains(body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	var family string
	if err := app.DB.Raw(`SELECT family_name FROM children WHERE id = ?`, id).Scan(&family).Error; err != nil {
		t.Fatal(err)
	}
	if family != "کریمی زاده" {
		t.Fatalf("the stale save overwrote the record: %s", family)
	}
}

// postForm posts a form in English without following the redirect.
func postForm(t *testing.T, app *apptest.App, c *http.Client, path string, v url.Values) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", app.URL+path, strings.NewReader(v.Encode()))
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

// The page face of the field permissions: a guardian's edit form has no region select, and a
// forged form that moves the child or sets its status is refused with 403 naming the fields,
// nothing saved. Protection officers see the status form and close the case through it.
func TestChildPageFieldPermissionsAndTransitions(t *testing.T) {
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2026-000001")
	page := fmt.Sprintf("/children/%d", id)
	g := app.Login(t, "guardian1")
	body := apptest.Body(t, app.Do(t, g, "GET", page, "", "Accept-Language", "en"))
	if strings.Contains(body, `name="child_region_code"`) || strings.Contains(body, `name="status"`) || strings.Contains(body, `action="`+page+`/transitions"`) {
		t.Fatal("the guardian's page offers the region, the status or a transition")
	}
	forged := url.Values{
		"version": {"1"}, "child_region_code": {"KOR"}, "status": {"closed"},
		"given_name": {"احمد"}, "family_name": {"کریمی"}, "given_name_latin": {"Ahmad"}, "family_name_latin": {"Karimi"},
		"sex": {"male"}, "age_min": {"15"}, "age_max": {"16"}, "nationality_1": {"AF"}, "languages": {"fa-AF", "ps"},
		"protection_status": {"unaccompanied"}, "vulnerabilities_assessed": {"true"},
	}
	res := postForm(t, app, g, page, forged)
	body = apptest.Body(t, res)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged region and status: %d, want 403: %.500s", res.StatusCode, body)
	}
	for _, want := range []string{"Nothing was saved: your role may not change these fields.", "<li>Region: Your role may not change this field.</li>", "<li>Status: Your role may not change this field.</li>"} {
		if !strings.Contains(body, want) {
			t.Errorf("refusal page lacks %q", want)
		}
	}
	var status, region string
	var version int
	if err := app.DB.Raw(`SELECT c.status, r.code, c.version FROM children c JOIN regions r ON r.id = c.region_id WHERE c.id = ?`, id).Row().Scan(&status, &region, &version); err != nil {
		t.Fatal(err)
	}
	if status != "active" || region != "GJI" || version != 1 {
		t.Fatalf("a refused edit changed the record: %s %s v%d", status, region, version)
	}

	p := app.Login(t, "protection1")
	body = apptest.Body(t, app.Do(t, p, "GET", page, "", "Accept-Language", "en"))
	if !strings.Contains(body, `action="`+page+`/transitions"`) || !strings.Contains(body, `<option value="close">Close the case → Closed</option>`) || strings.Contains(body, `value="reopen"`) {
		t.Fatalf("the protection officer's page lacks the close form: %.3000s", body)
	}
	res = postForm(t, app, p, page+"/transitions", url.Values{"version": {"1"}, "transition": {"close"}, "reason": {""}})
	if body := apptest.Body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="transition_reason-error"`) {
		t.Fatalf("close without a reason: %d", res.StatusCode)
	}
	res = postForm(t, app, p, page+"/transitions", url.Values{"version": {"1"}, "transition": {"close"}, "reason": {"Returned to family in Kabul"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	body = apptest.Body(t, app.Do(t, p, "GET", page, "", "Accept-Language", "en"))
	if !strings.Contains(body, `<option value="reopen">Reopen the case → Active</option>`) {
		t.Fatalf("a closed record offers no reopen: %.3000s", body)
	}
	if err := app.DB.Raw(`SELECT status FROM children WHERE id = ?`, id).Scan(&status).Error; err != nil {
		t.Fatal(err)
	}
	if status != "closed" {
		t.Fatalf("status after close: %s", status)
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
