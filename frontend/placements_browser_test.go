package frontend_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// In Chromium, in Arabic, on a phone-sized screen: guardian1 moves their ward to a full
// children's centre. The page first comes back with the warning to acknowledge and a
// justification to write; once both are given the change is recorded, the previous
// placement closes and the history shows both. 0 axe violations at every step, no page-wide
// horizontal scroll at 390 px.
func TestGuardianRecordsPlacementChangeInArabic(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2026-000001") // guardian1's ward, with the Dervishi family
	var korce, before int64
	app.Scan(t, &korce, `SELECT id FROM facilities WHERE name = 'Shtëpia e Fëmijëve Korçë'`)
	app.Scan(t, &before, `SELECT count(*) FROM placements WHERE child_id = ?`, id)

	p := browsertest.NewBrowser(t).NewPage(t)
	p.Run(t, chromedp.EmulateViewport(390, 844))
	p.Navigate(t, app.URL+"/?lang=ar")
	app.BrowserLogin(t, p, "guardian1")
	page := fmt.Sprintf("%s/children/%d", app.URL, id)
	p.Navigate(t, page)
	p.WaitFor(t, "#placements")
	if dir := p.Attr(t, "html", "dir"); dir != "rtl" {
		t.Fatalf("html dir %q, want rtl", dir)
	}
	if got := p.Text(t, "#placements"); !strings.Contains(got, "Dervishi") || !strings.Contains(got, "S7") {
		t.Fatalf("the placement section does not show the current placement and its S7 review: %q", got)
	}
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)

	form := `form[action="/children/` + fmt.Sprint(id) + `/placements"]`
	p.Run(t,
		chromedp.SetValue(chromedp.ID("pl-facility"), fmt.Sprint(korce)),
		chromedp.SetValue(chromedp.ID("pl-reason"), "يحتاج إلى مدرسة قريبة"),
		chromedp.SetValue(chromedp.ID("pl-decided"), "وحدة حماية الطفل"),
	)
	p.Click(t, form+` button[type="submit"]`)
	p.WaitFor(t, `input[name="acknowledged_warnings"][value="over_capacity"]`)
	if got := p.Text(t, "#placements .candidates"); !strings.Contains(got, "المرفق ممتلئ") {
		t.Fatalf("the over-capacity warning is not shown in Arabic: %q", got)
	}
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM placements WHERE child_id = ?`, id)
	if n != before {
		t.Fatal("a placement was recorded before the warning was acknowledged")
	}
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)

	p.Click(t, `input[name="acknowledged_warnings"][value="over_capacity"]`)
	p.Run(t, chromedp.SetValue(chromedp.ID("pl-justification"), "المدرسة بجوار المركز وسيُنقل إلى أسرة حاضنة قريبًا"))
	p.Click(t, form+` button[type="submit"]`)
	p.WaitFor(t, `#placements .badge`)
	if got := p.Text(t, "#placements dl"); !strings.Contains(got, "Korçë") {
		t.Fatalf("the new placement is not current: %q", got)
	}
	var got struct {
		Open, Closed int64
		Warnings     string
	}
	app.Scan(t, &got, `SELECT count(*) FILTER (WHERE ended_at IS NULL) AS open, count(*) FILTER (WHERE ended_at IS NOT NULL) AS closed,
		max(array_to_string(warnings, ',')) AS warnings FROM placements WHERE child_id = ?`, id)
	if got.Open != 1 || got.Closed != before || got.Warnings != "over_capacity" {
		t.Fatalf("after the change: %+v", got)
	}
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)
	p.Screenshot(t, "guardian-placement-change-ar")
}

// In Chromium at phone width: a protection officer registers a facility through the form of
// the facility list, sees it with its occupancy, and records an inspection; the list and the
// facility page have 0 axe violations in English and in Arabic, and no page-wide scroll.
func TestProtectionOfficerRegistersFacilityInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	p := browsertest.NewBrowser(t).NewPage(t)
	p.Run(t, chromedp.EmulateViewport(390, 844))
	p.Navigate(t, app.URL+"/?lang=en")
	app.BrowserLogin(t, p, "protection1")
	p.Navigate(t, app.URL+"/facilities")
	p.WaitFor(t, "#add-facility")
	if got := p.Text(t, "main"); !strings.Contains(got, "over capacity") || !strings.Contains(got, "licence expired") {
		t.Fatalf("the list does not flag the over-capacity and expired-licence demo facilities")
	}
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)
	p.Run(t,
		chromedp.SetValue(chromedp.ID("fac-name"), "Shtëpia e Vogël Përmet"),
		chromedp.SetValue(chromedp.ID("fac-kind"), "childrens_centre"),
		chromedp.SetValue(chromedp.ID("fac-region"), "GJI"),
		chromedp.SetValue(chromedp.ID("fac-address"), "Rruga Odhise Paskali 3, Përmet"),
		chromedp.SetValue(chromedp.ID("fac-capacity"), "8"),
		chromedp.SetValue(chromedp.ID("fac-licence_expires_on"), "2030-01-31"),
	)
	p.Click(t, `form[action="/facilities"] button[type="submit"]`)
	p.WaitFor(t, ".success")
	if got := p.Text(t, "main"); !strings.Contains(got, "Rruga Odhise Paskali 3") || !strings.Contains(got, "0 of 8") {
		t.Fatalf("the new facility page: %q", got)
	}
	p.Run(t, chromedp.SetValue(chromedp.ID("insp-inspector"), "Mirela Shehu"))
	p.Click(t, `input[name="checklist"][value="fire_safety"]`)
	p.Click(t, `form[action$="/inspections"] button[type="submit"]`)
	p.WaitFor(t, "#inspections ~ article")
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM facility_inspections fi JOIN facilities f ON f.id = fi.facility_id WHERE f.name = 'Shtëpia e Vogël Përmet'`)
	if n != 1 {
		t.Fatalf("%d inspections recorded", n)
	}
	p.Navigate(t, app.URL+"/facilities?lang=ar")
	p.WaitFor(t, "#add-facility")
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)
	p.Screenshot(t, "facilities-ar")
}
