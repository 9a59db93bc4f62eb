package frontend_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// In Chromium: a border officer's edit form has no needs inputs, the needs stay visible
// read-only, and their save of a corrected name keeps every need. 0 axe violations, in
// English and right-to-left in Arabic.
func TestBorderOfficerEditInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2026-000001")
	if err := app.DB.Exec(`UPDATE children SET protection_status = 'separated', vulnerabilities = '{chronic_illness}',
		special_needs = 'Needs insulin twice a day', trafficking_indicators = '{debt_mentioned}',
		trafficking_notes = 'Met a recruiter in Kapshtica', vulnerabilities_assessed_at = now() WHERE id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	p := browsertest.NewBrowser(t).NewPage(t)
	p.Navigate(t, app.URL+"/?lang=en")
	app.BrowserLogin(t, p, "border1")
	page := fmt.Sprintf("%s/children/%d", app.URL, id)
	p.Navigate(t, page)
	p.WaitFor(t, "#edit")
	form := `form[action="/children/` + fmt.Sprint(id) + `"]`
	for _, name := range []string{"protection_status", "vulnerabilities", "special_needs", "vulnerabilities_assessed", "trafficking_indicators", "trafficking_notes"} {
		if n := p.Count(t, form+` [name="`+name+`"]`); n != 0 {
			t.Errorf("the edit form has %d %s inputs", n, name)
		}
	}
	if got := p.Text(t, "main"); !strings.Contains(got, "Needs insulin twice a day") || !strings.Contains(got, "Met a recruiter in Kapshtica") {
		t.Fatalf("the needs are not shown read-only")
	}
	p.Axe(t)
	p.Run(t,
		chromedp.SetValue(chromedp.ID("family_name"), "Karimi Zada"),
	)
	p.Click(t, form+` button[type="submit"]`)
	p.WaitFor(t, `.success`)
	var got struct {
		FamilyName, ProtectionStatus, SpecialNeeds, TraffickingNotes, V, T string
		Assessed                                                           bool
	}
	if err := app.DB.Raw(`SELECT family_name, protection_status, special_needs, trafficking_notes, array_to_string(vulnerabilities, ',') AS v,
		array_to_string(trafficking_indicators, ',') AS t, vulnerabilities_assessed_at IS NOT NULL AS assessed FROM children WHERE id = ?`, id).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if got.FamilyName != "Karimi Zada" || got.ProtectionStatus != "separated" || got.SpecialNeeds != "Needs insulin twice a day" ||
		got.TraffickingNotes != "Met a recruiter in Kapshtica" || got.V != "chronic_illness" || got.T != "debt_mentioned" || !got.Assessed {
		t.Fatalf("after the save: %+v", got)
	}
	p.Navigate(t, page+"?lang=ar")
	p.WaitFor(t, "#edit")
	p.Axe(t)
	p.Screenshot(t, "border-officer-edit-ar")
}
