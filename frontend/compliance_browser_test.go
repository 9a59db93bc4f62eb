package frontend_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
	"github.com/kujdes/kujdes/internal/server"
)

// Issue 11 in Chromium at phone width: monitor1 signs in, goes from the home page to the
// compliance dashboard, sees "children in prohibited placements" failed (the demo's Ali Khan
// in the Kakavijë police cell), drills into the S6 list and the violation — registration
// number, age band, nationality, region, never a name — then opens the child through
// break-glass with a reason and sees the record; the list, the violation and the emergency
// access are in the child's access history. 0 axe violations in English and Arabic; no
// page-wide horizontal scroll.
func TestComplianceMonitorFlowInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	reg, err := server.NewRegistry(app.Config, app.DB, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.RefreshCompliance(context.Background()); err != nil {
		t.Fatal(err)
	}
	child := app.ChildID(t, "AL-2026-000008")
	names := []string{"Ali", "Khan", "علی", "خان"}
	noNames := func(p *browsertest.Page, what string) {
		t.Helper()
		body := p.Text(t, "main")
		for _, n := range names {
			if strings.Contains(body, n) {
				t.Errorf("%s shows the name %q", what, n)
			}
		}
	}
	bothLanguages := func(p *browsertest.Page, url, ready, what string) {
		t.Helper()
		for _, lang := range []string{"ar", "en"} { // English last: the flow continues in it
			p.Navigate(t, url+"?lang="+lang)
			p.WaitFor(t, ready)
			browsertest.NoSideScroll(t, p, what+" ("+lang+")")
			noNames(p, what)
			p.Axe(t)
		}
	}

	p := browsertest.NewBrowser(t).NewPage(t)
	p.Run(t, chromedp.EmulateViewport(360, 780))
	p.Navigate(t, app.URL+"/?lang=en")
	app.BrowserLogin(t, p, "monitor1")
	p.Navigate(t, app.URL+"/")
	p.Click(t, "#home-compliance")
	p.WaitFor(t, "#compliance-indicators")
	if row := p.Text(t, `tr[data-indicator="s6_prohibited_placements"]`); !strings.Contains(row, "Failed") || !strings.Contains(row, "<5") {
		t.Errorf("S6 row: %q, want failed and suppressed", row)
	}
	if n := p.Count(t, "figure.trend img.chart"); n < 10 {
		t.Errorf("%d trend charts", n)
	}
	bothLanguages(p, app.URL+"/compliance", "#compliance-indicators", "the dashboard")

	p.Click(t, `tr[data-indicator="s6_prohibited_placements"] a`)
	p.WaitFor(t, "#compliance-violations")
	if got := p.Text(t, "#compliance-violations tbody"); !strings.Contains(got, "AL-2026-000008") || !strings.Contains(got, "Vlorë") || strings.Contains(got, "VLO") {
		t.Fatalf("S6 list: %q", got)
	}
	bothLanguages(p, app.URL+"/compliance/S6", "#compliance-violations", "the S6 list")

	p.Click(t, `#compliance-violations tbody tr:first-child a`)
	p.WaitFor(t, "#violation-explanation")
	if got := p.Text(t, "#violation-explanation"); !strings.Contains(got, "UN Guidelines") || !strings.Contains(got, "zero tolerance") ||
		!strings.Contains(got, "Placement began") || !strings.Contains(got, "Move the child") {
		t.Errorf("explanation: %q", got)
	}
	var vid int64
	app.Scan(t, &vid, `SELECT id FROM compliance_violations WHERE child_id = ? AND rule = 'S6'`, child)
	bothLanguages(p, app.URL+"/compliance/S6/"+strconv.FormatInt(vid, 10), "#violation-explanation", "the violation")

	// Break-glass with a reason, then the record.
	p.Click(t, "#break-glass-link")
	p.WaitFor(t, "#reason")
	if v := browsertest.Get(t, p, chromedp.Value("#registration_number")); v != "AL-2026-000008" {
		t.Errorf("break-glass form prefilled with %q", v)
	}
	p.Run(t, chromedp.SetValue(chromedp.ID("reason"), "Inspection of S6 breach: child held in a police cell"))
	p.Click(t, `form[action="/break-glass"] button[type="submit"]`)
	p.WaitFor(t, "h1")
	if body := p.Text(t, "main"); !strings.Contains(body, "Khan") {
		t.Fatalf("after break-glass the record does not show the child: %q", body[:min(len(body), 300)])
	}

	// The child's access history holds the list, the violation and the emergency access.
	var actions []string
	app.Scan(t, &actions, `SELECT e.action FROM audit_events e JOIN users u ON u.subject = e.actor_subject
		WHERE u.username = 'monitor1' AND e.entity = 'child' AND e.entity_id = ? ORDER BY e.id`, strconv.FormatInt(child, 10))
	got := strings.Join(actions, " ")
	for _, want := range []string{"compliance.violations", "compliance.violation", "break_glass.grant", "child.read"} {
		if !strings.Contains(got, want) {
			t.Errorf("access history of the child by monitor1: %s; missing %s", got, want)
		}
	}
}
