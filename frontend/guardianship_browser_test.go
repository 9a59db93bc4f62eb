package frontend_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// In Chromium, through the pages only: a protection officer appoints a guardian for a newly
// registered child, with the suggestions shown; the guardian signs in, sees the child on
// "My wards" on a phone-sized screen and records a visit in the Arabic interface; the officer
// appoints another guardian, and the first one gets 404 on the child at once. 0 axe violations
// on every page.
func TestGuardianAppointmentInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	// The newly registered child: registered at KAK (Gjirokastër), speaks Dari.
	res := app.Do(t, nil, "POST", "/api/v1/registrations", `{"given_name":"نجیب","family_name":"سلطانی","given_name_latin":"Najib","family_name_latin":"Soltani",
		"sex":"male","age_min":14,"age_max":15,"nationalities":["AF"],"languages":["fa-AF"],"protection_status":"unaccompanied",
		"arrival":{"how_found":"border_check","border_post_code":"KAK"}}`, "Authorization", "Bearer "+app.Token(t, "border1"))
	var reg struct {
		ChildID            int64  `json:"child_id"`
		RegistrationNumber string `json:"registration_number"`
	}
	if err := json.NewDecoder(res.Body).Decode(&reg); err != nil || res.StatusCode != 201 {
		t.Fatalf("registration: %d %v", res.StatusCode, err)
	}
	childPage := fmt.Sprintf("%s/children/%d", app.URL, reg.ChildID)
	b := browsertest.NewBrowser(t)

	// The protection officer sees the suggestions, best first, with their reasons.
	po := b.NewPage(t)
	po.Navigate(t, app.URL+"/?lang=en")
	app.BrowserLogin(t, po, "protection1")
	po.Navigate(t, childPage)
	po.WaitFor(t, "#guardianship .suggestions li")
	if n := po.Count(t, "#guardianship .suggestions li[data-guardian]"); n < 3 {
		t.Fatalf("%d suggestions shown", n)
	}
	first := po.Text(t, "#guardianship .suggestions > li")
	if !strings.Contains(first, "Drita Leka") || !strings.Contains(first, "speaks Persian") {
		t.Errorf("the first suggestion should be guardian1, who speaks Dari (fa): %q", first)
	}
	if !strings.Contains(po.Text(t, "#guardianship"), "S2 guardian appointed by") {
		t.Error("the S2 deadline is not named on the child page")
	}
	po.Axe(t)
	g1ID := po.Attr(t, "#guardianship .suggestions > li", "data-guardian")
	today := time.Now().UTC().Format("2006-01-02")
	appoint := func(guardianID, reference string) {
		po.Run(t,
			chromedp.SetValue(chromedp.ID("appoint-kind"), "full"),
			chromedp.SetValue(chromedp.ID("appoint-guardian_id"), guardianID),
			chromedp.SetValue(chromedp.ID("appoint-appointing_authority"), "Gjykata e Rrethit Gjirokastër"),
			chromedp.SetValue(chromedp.ID("appoint-decision_reference"), reference),
			chromedp.SetValue(chromedp.ID("appoint-decided_on"), today),
		)
		po.Click(t, `form[action$="/guardian-appointments"] button[type="submit"]`)
	}
	appoint(g1ID, "Vendim nr. 45/2026")
	po.WaitFor(t, "#guardianship .success")
	if got := po.Text(t, "#guardianship"); !strings.Contains(got, "Drita Leka") || !strings.Contains(got, "guardian appointed") {
		t.Fatalf("after appointing: %q", got)
	}

	// The guardian, on a phone, in Arabic.
	g := b.NewPage(t)
	g.Run(t, chromedp.EmulateViewport(390, 844))
	g.Navigate(t, app.URL+"/?lang=ar")
	app.BrowserLogin(t, g, "guardian1")
	g.Navigate(t, app.URL+"/wards?lang=ar")
	g.WaitFor(t, ".table-scroll table")
	if !strings.Contains(g.Text(t, "main"), reg.RegistrationNumber) {
		t.Fatalf("My wards lacks %s", reg.RegistrationNumber)
	}
	if dir := g.Attr(t, "html", "dir"); dir != "rtl" {
		t.Errorf("the Arabic interface is %q, not rtl", dir)
	}
	browsertest.NoSideScroll(t, g, "My wards")
	g.Axe(t)
	g.Screenshot(t, "my-wards-ar-390")
	g.Click(t, fmt.Sprintf(`a[href="/children/%d#visit"]`, reg.ChildID))
	g.WaitFor(t, "#visit")
	browsertest.NoSideScroll(t, g, "the child page")
	g.Run(t,
		chromedp.SetValue(chromedp.ID("visit-kind"), "visit"),
		chromedp.SetValue(chromedp.ID("visit-place"), "Qendra e Fëmijëve, Gjirokastër"),
		chromedp.SetValue(chromedp.ID("visit-child_views"), "يريد أن يذهب إلى المدرسة"),
		chromedp.SetValue(chromedp.ID("visit-concerns"), "لا ينام جيدًا"),
	)
	g.Click(t, `#visit input[name="child_seen"][value="yes"]`)
	g.Click(t, `#visit button[type="submit"]`)
	g.WaitFor(t, "#guardianship .success")
	if got := g.Text(t, "#guardianship"); !strings.Contains(got, "يريد أن يذهب إلى المدرسة") || !strings.Contains(got, "S8") {
		t.Fatalf("the visit is not shown: %q", got)
	}
	g.Axe(t)
	var seen bool
	app.Scan(t, &seen, `SELECT child_seen FROM guardian_visits WHERE child_id = ?`, reg.ChildID)
	if !seen {
		t.Error("the visit was not recorded with the child seen")
	}

	// The officer appoints guardian2 instead (who speaks no Dari: interpretation arranged).
	po.Navigate(t, childPage)
	po.WaitFor(t, "#appoint-guardian_id")
	g2ID := ""
	for i := 1; i <= po.Count(t, "#guardianship .suggestions > li"); i++ {
		sel := fmt.Sprintf("#guardianship .suggestions > li:nth-child(%d)", i)
		if strings.Contains(po.Text(t, sel), "Besnik Gjoni") {
			g2ID = po.Attr(t, sel, "data-guardian")
		}
	}
	if g2ID == "" {
		t.Fatal("guardian2 is not suggested")
	}
	appoint(g2ID, "Vendim nr. 51/2026")
	// Refused first: no shared language and no interpretation arrangements.
	po.WaitFor(t, "#appoint-interpretation-error")
	po.Axe(t)
	po.Run(t, chromedp.SetValue(chromedp.ID("appoint-interpretation"), "Dari interpreter of the Gjirokastër office at every meeting."))
	po.Click(t, `form[action$="/guardian-appointments"] button[type="submit"]`)
	po.WaitFor(t, "#guardianship .success")
	if got := po.Text(t, "#guardianship"); !strings.Contains(got, "Besnik Gjoni") || !strings.Contains(got, "replaced by another guardian") {
		t.Fatalf("after the replacement: %q", got)
	}

	// The previous guardian: 404 on the child at once, and the child leaves My wards.
	if res := app.Do(t, app.Login(t, "guardian1"), "GET", fmt.Sprintf("/children/%d", reg.ChildID), ""); res.StatusCode != 404 {
		t.Fatalf("the previous guardian opens the child: %d", res.StatusCode)
	}
	g.Navigate(t, childPage+"?lang=ar")
	g.WaitFor(t, "main h1")
	if strings.Contains(g.Text(t, "main"), "سلطانی") {
		t.Fatal("the previous guardian's browser still shows the child")
	}
	g.Navigate(t, app.URL+"/wards?lang=ar")
	g.WaitFor(t, "main h1")
	if strings.Contains(g.Text(t, "main"), reg.RegistrationNumber) {
		t.Error("the child is still on the previous guardian's board")
	}
	g.Axe(t)
}
