package frontend_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// Issue 10's missing-child flow in Chromium, on a phone-sized screen: guardian1 reports their
// ward Ahmad Karimi missing (discovered 5 hours ago); protection1 sees him at the top of
// "Missing now" (on the board's page and on the home page), records the police report now —
// 5 hours after the discovery, later than S9's 2 hours — and sees the delay flagged, then
// records him found; the return-interview deadline (S10, 72 hours) appears. 0 axe violations
// in English and in Arabic at every step; no page-wide horizontal scroll on /missing.
func TestMissingChildFlowInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2026-000001") // guardian1's ward, placed with the Dervishi family
	var placement int64
	app.Scan(t, &placement, `SELECT id FROM placements WHERE child_id = ? AND ended_at IS NULL`, id)
	local := func(d time.Duration) string { return time.Now().UTC().Add(d).Format("2006-01-02T15:04") }
	missingPage := fmt.Sprintf("%s/children/%d/missing", app.URL, id)

	p := browsertest.NewBrowser(t).NewPage(t)
	p.Run(t, chromedp.EmulateViewport(390, 844))
	p.Navigate(t, app.URL+"/?lang=en")
	app.BrowserLogin(t, p, "guardian1")

	// The guardian reports the ward missing.
	p.Navigate(t, missingPage)
	p.WaitFor(t, `form[action$="/missing"]`)
	browsertest.NoSideScroll(t, p, "the child's missing page")
	p.Axe(t)
	p.Run(t,
		chromedp.SetValue(chromedp.ID("rp-last-seen"), local(-6*time.Hour)),
		chromedp.SetValue(chromedp.ID("rp-place"), "Gjirokastër, the Dervishi family's street"),
		chromedp.SetValue(chromedp.ID("rp-with"), "two older boys"),
		chromedp.SetValue(chromedp.ID("rp-discovered"), local(-5*time.Hour)),
		chromedp.SetValue(chromedp.ID("rp-by"), "Foster mother"),
		chromedp.SetValue(chromedp.ID("rp-description"), "Blue jacket, black trainers, about 160 cm"),
		chromedp.SetValue(chromedp.ID("rp-risk"), "high"),
	)
	p.Click(t, `form[action$="/missing"] button[type="submit"]`)
	p.WaitFor(t, ".success")
	var status string
	app.Scan(t, &status, `SELECT status FROM children WHERE id = ?`, id)
	if status != "missing" {
		t.Fatalf("after the report the child is %q", status)
	}
	p.Axe(t)

	// The protection officer: the child is at the top of "Missing now".
	p.Click(t, `.account form[action="/logout"] button`)
	p.WaitFor(t, `a[href="/login"]`)
	app.BrowserLogin(t, p, "protection1")
	p.Navigate(t, app.URL+"/missing")
	p.WaitFor(t, ".missing-board")
	if first := p.Text(t, ".missing-board tbody tr:first-child"); !strings.Contains(first, "AL-2026-000001") || !strings.Contains(first, "HIGH") ||
		!strings.Contains(first, "Reported to the police") {
		t.Fatalf("the first row of Missing now: %q", first)
	}
	if n := p.Count(t, ".missing-board tbody tr"); n != 3 { // and the demo's Yusuf and Omar
		t.Errorf("%d children on protection1's board, want 3", n)
	}
	browsertest.NoSideScroll(t, p, "/missing")
	p.Axe(t)
	p.Navigate(t, app.URL+"/")
	p.WaitFor(t, "#missing-home-heading")
	if first := p.Text(t, ".missing-board tbody tr:first-child"); !strings.Contains(first, "AL-2026-000001") {
		t.Errorf("the home page's board does not start with the child: %q", first)
	}
	browsertest.NoSideScroll(t, p, "the home page")
	p.Axe(t)

	// The police report, 5 hours after the discovery: flagged as later than S9 allows.
	p.Click(t, `.missing-board tbody tr:first-child a`)
	p.WaitFor(t, `form[action$="/reactions"]`)
	p.Run(t,
		chromedp.SetValue(chromedp.CSS(`form[action$="/reactions"] input[name="police_reported_at"]`), local(0)),
		chromedp.SetValue(chromedp.CSS(`form[action$="/reactions"] input[name="police_reference"]`), "GJ-2026-2210"),
	)
	p.Click(t, `form[action$="/reactions"] button[type="submit"]`)
	p.WaitFor(t, ".success")
	if got := p.Text(t, ".police-late"); !strings.Contains(got, "later than S9 allows") || !strings.Contains(got, "5 h") {
		t.Fatalf("the late police report is not flagged: %q", got)
	}
	var delay int
	app.Scan(t, &delay, `SELECT extract(epoch FROM police_reported_at - discovered_at)::int / 60 FROM missing_episodes WHERE child_id = ?`, id)
	if delay < 299 || delay > 301 {
		t.Errorf("police delay %d minutes", delay)
	}
	browsertest.NoSideScroll(t, p, "the child's missing page")
	p.Axe(t)

	// Found: back to the placement kept open; the return interview falls due (S10).
	p.Run(t,
		chromedp.SetValue(chromedp.CSS(`form[action$="/found"] input[name="found_at"]`), local(0)),
		chromedp.SetValue(chromedp.CSS(`form[action$="/found"] input[name="found_place"]`), "Gjirokastër bus station"),
		chromedp.SetValue(chromedp.CSS(`form[action$="/found"] input[name="found_by"]`), "Police patrol"),
		chromedp.SetValue(chromedp.CSS(`form[action$="/found"] select[name="condition"]`), "unharmed"),
	)
	p.Click(t, `form[action$="/found"] button[type="submit"]`)
	p.WaitFor(t, `form[action$="/return-interview"]`)
	if got := p.Text(t, "ul.deadlines"); !strings.Contains(got, "S10 return interview due") {
		t.Fatalf("the return-interview deadline does not appear: %q", got)
	}
	var after struct {
		Status string
		Open   int64
	}
	app.Scan(t, &after, `SELECT c.status, (SELECT count(*) FROM placements p WHERE p.child_id = c.id AND p.ended_at IS NULL AND p.id = ?) AS open
		FROM children c WHERE c.id = ?`, placement, id)
	if after.Status != "active" || after.Open != 1 {
		t.Errorf("after the finding: %+v (the kept placement must stay the open one)", after)
	}
	p.Axe(t)

	// Arabic: the child's page, the board and the printable sheet, right to left.
	p.Navigate(t, missingPage+"?lang=ar")
	p.WaitFor(t, "ul.deadlines")
	if dir := p.Attr(t, "html", "dir"); dir != "rtl" {
		t.Fatalf("html dir %q, want rtl", dir)
	}
	browsertest.NoSideScroll(t, p, "the child's missing page in Arabic")
	p.Axe(t)
	p.Navigate(t, app.URL+"/missing?lang=ar")
	p.WaitFor(t, ".missing-board")
	browsertest.NoSideScroll(t, p, "/missing in Arabic")
	p.Axe(t)
	var eid int64
	app.Scan(t, &eid, `SELECT id FROM missing_episodes WHERE child_id = ?`, id)
	p.Navigate(t, fmt.Sprintf("%s/children/%d/missing/%d/sheet?lang=ar", app.URL, id, eid))
	p.WaitFor(t, ".missing-sheet")
	if got := p.Text(t, ".missing-sheet"); !strings.Contains(got, "طفل مفقود") || !strings.Contains(got, "Blue jacket") || !strings.Contains(got, "116 000") {
		t.Errorf("the Arabic sheet: %q", got)
	}
	p.Axe(t)
	p.Navigate(t, fmt.Sprintf("%s/children/%d/missing/%d/sheet?lang=en", app.URL, id, eid))
	p.WaitFor(t, ".missing-sheet")
	p.Axe(t)
	p.Screenshot(t, "missing-sheet-en")
}
