package frontend_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// needsInputs are the form inputs of the needs, which a border officer may not change
// (auth/fields.go).
var needsInputs = []string{`name="protection_status"`, `name="vulnerabilities"`, `name="special_needs"`,
	`name="vulnerabilities_assessed"`, `name="trafficking_indicators"`, `name="trafficking_notes"`}

// A border officer's edit form shows only the fields they may change: the needs are shown
// read-only, not as inputs. Their normal save (the identity only) keeps the needs as they
// are; a forged form that changes a need is refused with 403 naming it, nothing saved. The
// API answers the same way to an identity that leaves the needs out.
func TestBorderOfficerEditKeepsNeeds(t *testing.T) {
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2026-000001")
	page := fmt.Sprintf("/children/%d", id)
	if err := app.DB.Exec(`UPDATE children SET protection_status = 'separated', vulnerabilities = '{chronic_illness}', special_needs = 'Needs insulin twice a day',
		trafficking_indicators = '{debt_mentioned}', trafficking_notes = 'Met a recruiter in Kapshtica', vulnerabilities_assessed_at = now() WHERE id = ?`,
		id).Error; err != nil {
		t.Fatal(err)
	}
	type needs struct {
		ProtectionStatus, SpecialNeeds, TraffickingNotes, Vulnerabilities, TraffickingIndicators string
		Assessed                                                                                 bool
		FamilyName                                                                               string
		Version                                                                                  int
	}
	read := func(t *testing.T) needs {
		t.Helper()
		var n needs
		if err := app.DB.Raw(`SELECT protection_status, special_needs, trafficking_notes, array_to_string(vulnerabilities, ',') AS vulnerabilities,
			array_to_string(trafficking_indicators, ',') AS trafficking_indicators, vulnerabilities_assessed_at IS NOT NULL AS assessed, family_name, version
			FROM children WHERE id = ?`, id).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := needs{ProtectionStatus: "separated", SpecialNeeds: "Needs insulin twice a day", TraffickingNotes: "Met a recruiter in Kapshtica",
		Vulnerabilities: "chronic_illness", TraffickingIndicators: "debt_mentioned", Assessed: true}
	start := read(t)
	want.FamilyName, want.Version = start.FamilyName, start.Version
	if start != want {
		t.Fatalf("setup: %+v", start)
	}

	b := app.Login(t, "border1")
	body := html.UnescapeString(apptest.Body(t, app.Do(t, b, "GET", page, "", "Accept-Language", "en")))
	form := body[strings.Index(body, `<form method="post" action="`+page+`"`):]
	form = form[:strings.Index(form, "</form>")]
	for _, in := range needsInputs {
		if strings.Contains(form, in) {
			t.Errorf("the border officer's edit form has the input %s", in)
		}
	}
	for _, want := range []string{`name="given_name"`, `name="family_name"`, `name="sex"`, `name="languages"`, "they are shown above, read-only"} {
		if !strings.Contains(form, want) {
			t.Errorf("the border officer's edit form lacks %q", want)
		}
	}
	for _, want := range []string{"Separated (with an adult who is not a parent)", "Needs insulin twice a day", "Met a recruiter in Kapshtica"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page no longer shows %q", want)
		}
	}

	// The form as the browser sends it: the identity inputs it shows, a corrected family name.
	identity := func(version int, family string) url.Values {
		return url.Values{
			"version":    {fmt.Sprint(version)},
			"given_name": {"احمد"}, "family_name": {family}, "given_name_latin": {"Ahmad"}, "family_name_latin": {"Karimi"},
			"sex": {"male"}, "age_min": {"15"}, "age_max": {"16"}, "nationality_1": {"AF"}, "languages": {"fa-AF"},
		}
	}
	res := postForm(t, app, b, page, identity(start.Version, "کریمی زاده"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the border officer's save: %d %.2000s", res.StatusCode, apptest.Body(t, res))
	}
	got := read(t)
	want.FamilyName, want.Version = "کریمی زاده", start.Version+1
	if got != want {
		t.Fatalf("after the border officer's save:\n got %+v\nwant %+v", got, want)
	}

	// A forged form that changes a need is refused by name; nothing is saved.
	forged := identity(got.Version, "کریمی")
	forged.Set("special_needs", "none")
	forged.Set("protection_status", "unaccompanied")
	res = postForm(t, app, b, page, forged)
	body = apptest.Body(t, res)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "<li>Special needs: Your role may not change this field.</li>") {
		t.Fatalf("forged needs: %d, want 403 naming special needs: %.3000s", res.StatusCode, body)
	}
	if after := read(t); after != want {
		t.Fatalf("a refused save changed the record: %+v", after)
	}

	// The API: an identity without the needs keeps them, for a border officer.
	tok := "Bearer " + app.Token(t, "border1")
	patch := `{"identity":{"given_name":"احمد","family_name":"کریمی","given_name_latin":"Ahmad","family_name_latin":"Karimi","aliases":[],"sex":"male",` +
		`"age_min":15,"age_max":16,"nationalities":["AF"],"languages":["fa-AF"]}}`
	res = app.Do(t, nil, "PATCH", fmt.Sprintf("/api/v1/children/%d", id), patch, "Authorization", tok, "If-Match", fmt.Sprintf(`"%d"`, want.Version))
	if text := apptest.Body(t, res); res.StatusCode != http.StatusOK {
		t.Fatalf("API identity edit by a border officer: %d %.1000s", res.StatusCode, text)
	}
	want.FamilyName, want.Version = "کریمی", want.Version+1
	if got := read(t); got != want {
		t.Fatalf("after the API edit:\n got %+v\nwant %+v", got, want)
	}

	// For those who may change the needs, the identity still replaces them: left out is cleared.
	res = app.Do(t, nil, "PATCH", fmt.Sprintf("/api/v1/children/%d", id), patch, "Authorization", "Bearer "+app.Token(t, "protection1"),
		"If-Match", fmt.Sprintf(`"%d"`, want.Version))
	if text := apptest.Body(t, res); res.StatusCode != http.StatusOK {
		t.Fatalf("API identity edit by a protection officer: %d %.1000s", res.StatusCode, text)
	}
	if got := read(t); got.SpecialNeeds != "" || got.TraffickingNotes != "" || got.Vulnerabilities != "" || got.ProtectionStatus != "unaccompanied" {
		t.Fatalf("a protection officer's identity without needs kept them: %+v", got)
	}

	// Those who may change the needs still get the inputs.
	for _, who := range []string{"protection1", "guardian1"} {
		body := apptest.Body(t, app.Do(t, app.Login(t, who), "GET", page, "", "Accept-Language", "en"))
		for _, in := range needsInputs {
			if !strings.Contains(body, in) {
				t.Errorf("%s's edit form lacks %s", who, in)
			}
		}
	}
}
