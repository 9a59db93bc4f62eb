package frontend_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// ageChild is the first demo child of region GJI, which protection1 covers.
func ageChild(t *testing.T, app *apptest.App) int64 {
	t.Helper()
	var id int64
	if err := app.DB.Raw("SELECT id FROM children WHERE region_id = (SELECT id FROM regions WHERE code='GJI') ORDER BY id LIMIT 1").Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("no demo child in GJI: %v", err)
	}
	return id
}

type ageProblem struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Errors []struct {
		Field, Code, Message string
	} `json:"errors"`
}

// ageFieldCodes decodes a problem document and lists its "field:code" pairs.
func ageFieldCodes(t *testing.T, res *http.Response) []string {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want problem+json", ct)
	}
	var p ageProblem
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range p.Errors {
		if e.Message == "" || strings.HasPrefix(e.Message, "validation.") {
			t.Errorf("field %s: untranslated message %q", e.Field, e.Message)
		}
		out = append(out, e.Field+":"+e.Code)
	}
	slices.Sort(out)
	return out
}

type ageItem struct {
	ID        int64    `json:"id"`
	ChildID   int64    `json:"child_id"`
	Methods   []string `json:"methods"`
	Outcome   string   `json:"outcome"`
	ResultMin *int     `json:"result_min"`
	Version   int      `json:"version"`
}

func ageList(t *testing.T, app *apptest.App, c *http.Client, child int64) ([]ageItem, bool) {
	t.Helper()
	res := app.Do(t, c, http.MethodGet, fmt.Sprintf("/api/v1/children/%d/age-assessments", child), "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list = %d: %s", res.StatusCode, apptest.Body(t, res))
	}
	body := apptest.Body(t, res)
	var out struct {
		Items          []ageItem `json:"items"`
		TreatedAsChild bool      `json:"treated_as_child"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Items == nil {
		t.Fatalf("items must be a list, never null: %s", body)
	}
	return out.Items, out.TreatedAsChild
}

func TestAgeAssessmentAPI(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	c := app.Login(t, "protection1")
	child := ageChild(t, app)
	base := fmt.Sprintf("/api/v1/children/%d/age-assessments", child)

	before, treated := ageList(t, app, c, child)
	if !treated {
		t.Fatal("a demo child should be treated as a child")
	}

	// Medical without a written reason, as the only method: both refused, per field.
	res := app.Do(t, c, http.MethodPost, base, `{"reason":"Says 16","methods":["medical"]}`)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("medical only = %d", res.StatusCode)
	}
	if got := ageFieldCodes(t, res); !slices.Equal(got, []string{"medical_justification:age_medical_needs_justification", "methods:age_medical_last_resort"}) {
		t.Fatalf("medical only: %v", got)
	}
	res = app.Do(t, c, http.MethodPost, base, `{"reason":"","methods":["x-ray"]}`, apptest.InvalidRequest, "unknown method")
	if got := ageFieldCodes(t, res); !slices.Equal(got, []string{"methods:age_method_unknown", "reason:required"}) {
		t.Fatalf("unknown method and no reason: %v", got)
	}
	if res := app.Do(t, c, http.MethodPost, base, `{"reason":"x","methods":["interview"],"colour":"red"}`, apptest.InvalidRequest, "unknown field"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown JSON field = %d, want 400", res.StatusCode)
	}
	if items, _ := ageList(t, app, c, child); len(items) != len(before) {
		t.Fatal("a refused request wrote an assessment")
	}

	// Created.
	res = app.Do(t, c, http.MethodPost, base, `{"reason":"Says 16, papers say 19","methods":["interview","documents"],"professionals":"A. Hoxha, social worker"}`)
	body := apptest.Body(t, res)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("request = %d: %s", res.StatusCode, body)
	}
	var created ageItem
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	if created.ID == 0 || created.ChildID != child || created.Outcome != "pending" || !slices.Equal(created.Methods, []string{"documents", "interview"}) {
		t.Fatalf("created %s", body)
	}
	item := fmt.Sprintf("%s/%d", base, created.ID)
	if loc := res.Header.Get("Location"); loc != item {
		t.Errorf("Location = %q, want %q", loc, item)
	}
	if et := res.Header.Get("ETag"); et != `"1"` {
		t.Errorf("ETag = %q", et)
	}

	// Updates need the version they are based on.
	result := `{"result_min":16,"result_max":19,"outcome":"inconclusive"}`
	if res := app.Do(t, c, http.MethodPatch, item, result, apptest.InvalidRequest, "no If-Match"); res.StatusCode != http.StatusPreconditionRequired {
		t.Errorf("no If-Match = %d, want 428", res.StatusCode)
	}
	if res := app.Do(t, c, http.MethodPatch, item, result, "If-Match", `"7"`); res.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("stale If-Match = %d, want 412", res.StatusCode)
	}
	if res := app.Do(t, c, http.MethodPatch, item, result, "If-Match", `"abc"`); res.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("garbage If-Match = %d, want 412", res.StatusCode)
	}
	// Benefit of the doubt: no "adult" on a range reaching below 18.
	res = app.Do(t, c, http.MethodPatch, item, `{"result_min":17,"result_max":20,"outcome":"adult"}`, "If-Match", `"1"`)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("adult on 17–20 = %d", res.StatusCode)
	}
	if got := ageFieldCodes(t, res); !slices.Equal(got, []string{"outcome:age_benefit_of_doubt"}) {
		t.Fatalf("adult on 17–20: %v", got)
	}
	res = app.Do(t, c, http.MethodPatch, item, result, "If-Match", `"1"`)
	if res.StatusCode != http.StatusOK || res.Header.Get("ETag") != `"2"` {
		t.Fatalf("result = %d, ETag %q: %s", res.StatusCode, res.Header.Get("ETag"), apptest.Body(t, res))
	}
	// Someone who loaded version 1 is told, not overwritten.
	if res := app.Do(t, c, http.MethodPatch, item, `{"appeal_lodged_at":"2026-01-01T00:00:00Z"}`, "If-Match", `"1"`); res.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("second writer on version 1 = %d, want 412", res.StatusCode)
	}

	items, treated := ageList(t, app, c, child)
	if len(items) != len(before)+1 || !treated {
		t.Fatalf("after an inconclusive result: %d items, treated as child %v", len(items), treated)
	}

	// Scope and permission.
	var far int64
	app.Scan(t, &far, "SELECT id FROM children WHERE region_id = (SELECT id FROM regions WHERE code='SHK') ORDER BY id LIMIT 1")
	if far == 0 {
		t.Fatal("no demo child in SHK")
	}
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if res := app.Do(t, c, m, fmt.Sprintf("/api/v1/children/%d/age-assessments", far), `{"reason":"r","methods":["interview"]}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s out of scope = %d, want 404", m, res.StatusCode)
		}
	}
	if res := app.Do(t, c, http.MethodPatch, fmt.Sprintf("/api/v1/children/%d/age-assessments/%d", far, created.ID), result, "If-Match", `"2"`); res.StatusCode != http.StatusNotFound {
		t.Errorf("assessment under another child = %d, want 404", res.StatusCode)
	}
	g := app.Login(t, "guardian1")
	if res := app.Do(t, g, http.MethodPost, base, `{"reason":"r","methods":["interview"]}`); res.StatusCode != http.StatusForbidden {
		t.Errorf("guardian POST = %d, want 403", res.StatusCode)
	}
	if res := app.Do(t, g, http.MethodPatch, item, result, "If-Match", `"2"`); res.StatusCode != http.StatusForbidden {
		t.Errorf("guardian PATCH = %d, want 403", res.StatusCode)
	}
}

var ageVersionField = regexp.MustCompile(`action="/children/\d+/age-assessments/(\d+)"[^>]*>\s*<input type="hidden" name="version" value="(\d+)">`)

func TestAgeAssessmentPages(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	c := app.Login(t, "protection1")
	child := ageChild(t, app)
	page := fmt.Sprintf("/children/%d", child)

	status, body := adminGet(t, app, c, page)
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d", page, status)
	}
	for _, want := range []string{`<section id="age-assessments"`, `action="/children/` + fmt.Sprint(child) + `/age-assessments"`, "<legend>Methods</legend>",
		`value="medical"`, "Medical examination (last resort)", "Treated as a child."} {
		if !strings.Contains(body, want) {
			t.Errorf("child page lacks %q", want)
		}
	}

	// Refused: medical without justification. The page says why, at the field, and keeps the input.
	res := adminPost(t, app, c, page+"/age-assessments", url.Values{
		"reason": {"Says 15 <maybe>"}, "methods": {"interview", "medical"}, "professionals": {"Dr. Leka"},
	})
	body = apptest.Body(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused request = %d", res.StatusCode)
	}
	for _, want := range []string{
		`id="age-medical_justification-error"`, `aria-describedby="age-medical-hint age-medical_justification-error" aria-invalid="true"`,
		html.EscapeString("A medical examination is a last resort"), "Says 15 &lt;maybe&gt;</textarea>", "Dr. Leka</textarea>",
		`value="medical" checked`, `value="interview" checked`, "Nothing was saved.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("refused request page lacks %q", want)
		}
	}
	if strings.Contains(body, `value="documents" checked`) {
		t.Error("an unticked method came back ticked")
	}

	// Accepted: POST-redirect-GET to the section.
	res = adminPost(t, app, c, page+"/age-assessments", url.Values{"reason": {"Says 15, looks older"}, "methods": {"interview", "psychosocial"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"#age-assessments" {
		t.Fatalf("request = %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = adminGet(t, app, c, page)
	m := ageVersionField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no result form with a version on the page")
	}
	aid, version := m[1], m[2]
	if !strings.Contains(body, "Psychosocial assessment") || !strings.Contains(body, "Says 15, looks older") {
		t.Error("the new assessment is not listed")
	}
	result := page + "/age-assessments/" + aid

	// Benefit of the doubt, on the page.
	res = adminPost(t, app, c, result, url.Values{"version": {version}, "result_min": {"16"}, "result_max": {"19"}, "outcome": {"adult"}})
	body = apptest.Body(t, res)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Benefit of the doubt: “Adult” can be decided only when the whole range is 18 or over.") {
		t.Fatalf("adult on 16–19 = %d", res.StatusCode)
	}
	if !strings.Contains(body, fmt.Sprintf(`id="age-%s-outcome-error"`, aid)) || !strings.Contains(body, `name="result_min" type="number" min="0" max="30" inputmode="numeric" value="16"`) {
		t.Error("the refused result is not attached to the field, or the input is lost")
	}
	// Not a number: refused before the use case.
	res = adminPost(t, app, c, result, url.Values{"version": {version}, "result_min": {"sixteen"}, "outcome": {"minor"}})
	if body := apptest.Body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter a whole number of years.") {
		t.Errorf("non-numeric age = %d", res.StatusCode)
	}
	// Stale version: a conflict, the input kept, the next save based on what is shown now.
	res = adminPost(t, app, c, result, url.Values{"version": {"99"}, "result_min": {"15"}, "result_max": {"17"}, "outcome": {"minor"}})
	body = apptest.Body(t, res)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed this assessment") {
		t.Fatalf("stale version = %d", res.StatusCode)
	}
	if m := ageVersionField.FindStringSubmatch(body); m == nil || m[2] != version || !strings.Contains(body, `value="17"`) {
		t.Error("after a conflict the form should keep the input and carry the current version")
	}

	res = adminPost(t, app, c, result, url.Values{"version": {version}, "result_min": {"15"}, "result_max": {"17"}, "outcome": {"minor"}, "decided_at": {""}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("result = %d: %.500s", res.StatusCode, apptest.Body(t, res))
	}
	_, body = adminGet(t, app, c, page)
	for _, want := range []string{"15 to 17 years", "Child (under 18)", "Record an appeal"} {
		if !strings.Contains(body, want) {
			t.Errorf("decided assessment page lacks %q", want)
		}
	}

	// Arabic, right to left, translated.
	_, body = adminGet(t, app, c, page+"?lang=ar")
	if !strings.Contains(body, "تقييمات العمر") || !strings.Contains(body, "الفحص الطبي (الملاذ الأخير)") {
		t.Error("the Arabic page lacks the translated section")
	}

	// A guardian of the child reads the assessments but gets no form.
	g := app.Login(t, "guardian1")
	if status, body := adminGet(t, app, g, page); status == http.StatusOK {
		if !strings.Contains(body, `id="age-assessments"`) || strings.Contains(body, "Request an age assessment") || strings.Contains(body, `name="outcome"`) {
			t.Error("a guardian should see the assessments without the forms")
		}
	}
	if res := adminPost(t, app, g, page+"/age-assessments", url.Values{"reason": {"r"}, "methods": {"interview"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("guardian form post = %d, want 403", res.StatusCode)
	}
}

// ageAxe reports the accessibility violations inside the age-assessment section (the rest of
// the child page has its own tests), and duplicate ids anywhere, which the section's
// per-assessment ids could cause.
func ageAxe(t *testing.T, p *browsertest.Page) {
	t.Helper()
	for _, v := range p.AxeViolations(t) {
		for _, n := range v.Nodes {
			sel := strings.Join(n.Target, " ")
			in := browsertest.Get(t, p, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q)?.closest('#age-assessments')`, sel)))
			if in || strings.HasPrefix(v.ID, "duplicate-id") {
				t.Errorf("axe %s [%s] %s at %s: %s", v.ID, v.Impact, v.Help, sel, n.HTML)
			}
		}
	}
}

// The section in its states — list, refused request, refused result — in English and in
// right-to-left Arabic, with zero axe violations.
func TestAgeAssessmentsInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	child := ageChild(t, app)
	page := fmt.Sprintf("%s/children/%d", app.URL, child)
	c := app.Login(t, "protection1")
	if res := adminPost(t, app, c, fmt.Sprintf("/children/%d/age-assessments", child), url.Values{"reason": {"Says 15"}, "methods": {"interview"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("request = %d", res.StatusCode)
	}

	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	app.BrowserLogin(t, p, "protection1")
	for _, lang := range []struct{ tag, dir string }{{"en", "ltr"}, {"ar", "rtl"}} {
		p.Navigate(t, page+"?lang="+lang.tag)
		if d := p.Attr(t, "html", "dir"); d != lang.dir {
			t.Errorf("%s: dir=%q", lang.tag, d)
		}
		ageAxe(t, p)
		// A medical examination without a reason is refused, at the field.
		p.Run(t,
			chromedp.SendKeys(chromedp.CSS("#age-reason"), "Says 16"),
			chromedp.Click(chromedp.CSS(`#age-assessments input[value="medical"]`)),
		)
		p.Click(t, `#age-assessments form[action$="/age-assessments"] button`)
		p.WaitFor(t, "#age-medical_justification-error")
		if v := p.Attr(t, "#age-medical_justification", "aria-invalid"); v != "true" {
			t.Errorf("%s: the justification field is not marked invalid", lang.tag)
		}
		ageAxe(t, p)
		p.Screenshot(t, "request-invalid-"+lang.tag)
		// "Adult" on a range reaching below 18 is refused.
		p.Run(t,
			chromedp.SendKeys(chromedp.CSS(`#age-assessments input[name="result_min"]`), "17"),
			chromedp.SendKeys(chromedp.CSS(`#age-assessments input[name="result_max"]`), "20"),
			chromedp.SetValue(chromedp.CSS(`#age-assessments select[name="outcome"]`), "adult"),
		)
		p.Click(t, `#age-assessments form[action*="/age-assessments/"] button`)
		p.WaitFor(t, `#age-assessments select[name="outcome"][aria-invalid="true"]`)
		ageAxe(t, p)
		p.Screenshot(t, "result-invalid-"+lang.tag)
	}
}
