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

// In Chromium at phone width: guardian1 opens their provisional ward (application made two
// days ago), is refused a decision before the application is lodged — with the reason — then
// records the registration, voids it with a reason, and sees the derived status follow each
// step; the voided event stays in the timeline, marked. My wards shows the legal status. 0 axe
// violations in English and in Arabic, no page-wide horizontal scroll.
func TestGuardianRecordsAndVoidsLegalEvents(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2026-000002")
	today := time.Now().UTC().Format(time.DateOnly)

	p := browsertest.NewBrowser(t).NewPage(t)
	p.Run(t, chromedp.EmulateViewport(390, 844))
	p.Navigate(t, app.URL+"/?lang=en")
	app.BrowserLogin(t, p, "guardian1")
	page := fmt.Sprintf("%s/children/%d", app.URL, id)
	p.Navigate(t, page+"#legal")
	p.WaitFor(t, "#legal-form")
	if got := p.Text(t, "#legal-status"); !strings.Contains(got, "Application made") {
		t.Fatalf("derived status %q, want application made", got)
	}
	if got := p.Text(t, "#legal dl"); !strings.Contains(got, "APR Art. 27") {
		t.Errorf("the registration deadline is not shown: %q", got)
	}
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)

	submit := func(kind, outcome string) {
		t.Helper()
		p.Run(t,
			chromedp.SetValue(chromedp.ID("le-kind"), kind),
			chromedp.SetValue(chromedp.ID("le-outcome"), outcome),
			chromedp.SetValue(chromedp.ID("le-date"), today),
			chromedp.SetValue(chromedp.ID("le-authority"), "Drejtoria e Azilit"),
			chromedp.SetValue(chromedp.ID("le-docref"), "DAS-REG-2026-0500"),
		)
		p.Click(t, `#legal-form button[type="submit"]`)
	}
	// A decision before the application is lodged: refused, with why, nothing written.
	submit("decision", "rejected")
	p.WaitFor(t, "#le-kind-error")
	if got := p.Text(t, "#le-kind-error"); !strings.Contains(got, "A decision needs a lodged application") {
		t.Fatalf("refusal %q", got)
	}
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM legal_events WHERE child_id = ?`, id)
	if n != 2 {
		t.Fatalf("%d events after a refused one, want the demo's 2", n)
	}
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)

	submit("application_registered", "")
	p.WaitFor(t, `#legal-timeline tr[data-kind="application_registered"]`)
	if got := p.Text(t, "#legal-status"); !strings.Contains(got, "Application registered") {
		t.Fatalf("status after registration %q", got)
	}
	var eid int64
	app.Scan(t, &eid, `SELECT id FROM legal_events WHERE child_id = ? AND kind = 'application_registered'`, id)
	row := fmt.Sprintf("#legal-event-%d", eid)
	p.Click(t, row+" summary")
	p.Run(t, chromedp.SetValue(chromedp.ID(fmt.Sprintf("void-reason-%d", eid)), "Entered on the wrong day by mistake."))
	p.Click(t, row+` button[type="submit"]`)
	p.WaitFor(t, row+".voided")
	if got := p.Text(t, "#legal-status"); !strings.Contains(got, "Application made") {
		t.Fatalf("status after the void %q", got)
	}
	if got := p.Text(t, row); !strings.Contains(got, "voided") || !strings.Contains(got, "Entered on the wrong day") {
		t.Errorf("the voided event is not marked with its reason: %q", got)
	}
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)

	p.Navigate(t, page+"?lang=ar#legal")
	p.WaitFor(t, "#legal-form")
	if dir := p.Attr(t, "html", "dir"); dir != "rtl" {
		t.Fatalf("html dir %q, want rtl", dir)
	}
	if got := p.Text(t, "#legal-status"); !strings.Contains(got, "قُدِّم الطلب") {
		t.Errorf("Arabic status %q", got)
	}
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)
	p.Screenshot(t, "legal-timeline-ar")

	p.Navigate(t, app.URL+"/wards?lang=ar")
	p.WaitFor(t, ".ward-legal")
	if got := p.Text(t, "main"); !strings.Contains(got, "قُدِّم الطلب") {
		t.Errorf("My wards lacks the legal status: %q", got)
	}
	browsertest.NoSideScroll(t, p, "the page")
	p.Axe(t)
	p.Navigate(t, app.URL+"/wards?lang=en")
	p.WaitFor(t, ".ward-legal")
	p.Axe(t)
}
