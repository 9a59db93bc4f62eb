package registry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
	"github.com/kujdes/kujdes/registry"
)

// These tests run the whole server (apptest: real PostgreSQL, the development identity
// provider, the demo population). They live here, beside the registry, because the event is
// made by the test stand-in of the missing-children use case (export_alerts_test.go), which
// only this package's tests can call.

// wardOf is a demo child with a current appointment to the demo guardian, and its number.
func wardOf(t *testing.T, app *apptest.App, username string) (int64, string) {
	t.Helper()
	var row struct {
		ID                 int64
		RegistrationNumber string
	}
	mustScan(t, app.DB, &row, `SELECT c.id, c.registration_number FROM children c
		JOIN guardian_appointments ga ON ga.child_id = c.id AND ga.started_at <= now() AND (ga.ended_at IS NULL OR ga.ended_at > now())
		JOIN users u ON u.id = ga.guardian_user_id AND u.username = ?
		JOIN user_regions ur ON ur.region_id = c.region_id JOIN users po ON po.id = ur.user_id AND po.username = 'protection1'
		WHERE c.status = 'active' ORDER BY c.id LIMIT 1`, username)
	if row.ID == 0 {
		t.Fatalf("no ward of %s in protection1's regions in the demo data", username)
	}
	return row.ID, row.RegistrationNumber
}

func decodeAlerts(t *testing.T, body io.Reader) registry.AlertList {
	t.Helper()
	var out registry.AlertList
	if err := json.NewDecoder(body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The JSON API: the officer and the guardian of a child reported missing each see their own
// alert; marking it read is theirs alone (someone else's alert is 404).
func TestAlertsAPI(t *testing.T) {
	app := apptest.Start(t)
	child, number := wardOf(t, app, "guardian1")
	// Signed in first: demo users hold the roles their identity provider asserts at login
	// (models.User.EffectiveRoles), which is what makes protection1 a recipient.
	po, g, border := app.Login(t, "protection1"), app.Login(t, "guardian1"), app.Login(t, "border1")
	if err := registry.ReportMissingForTest(context.Background(), app.DB, child, time.Now()); err != nil {
		t.Fatal(err)
	}
	get := func(who string) registry.AlertList {
		t.Helper()
		c := map[string]*http.Client{"protection1": po, "guardian1": g, "border1": border}[who]
		res := app.Do(t, c, "GET", "/api/v1/alerts", "")
		if res.StatusCode != 200 {
			t.Fatalf("GET /api/v1/alerts as %s: %d", who, res.StatusCode)
		}
		defer res.Body.Close()
		return decodeAlerts(t, res.Body)
	}
	poList, gList := get("protection1"), get("guardian1")
	if poList.Unread != 1 || len(poList.Alerts) != 1 || poList.Alerts[0].RegistrationNumber != number || poList.Alerts[0].Kind != "child_missing" || !poList.Alerts[0].InScope {
		t.Fatalf("protection1's alerts %+v", poList)
	}
	if gList.Unread != 1 || len(gList.Alerts) != 1 || gList.Alerts[0].ID == poList.Alerts[0].ID {
		t.Fatalf("guardian1's alerts %+v", gList)
	}
	if b := get("border1"); len(b.Alerts) != 0 || b.Unread != 0 {
		t.Errorf("border1 is not responsible, yet has %+v", b)
	}
	if res := app.Do(t, po, "POST", fmt.Sprintf("/api/v1/alerts/%d/read", gList.Alerts[0].ID), ""); res.StatusCode != 404 {
		t.Errorf("protection1 marking guardian1's alert: %d, want 404", res.StatusCode)
	}
	if res := app.Do(t, po, "POST", fmt.Sprintf("/api/v1/alerts/%d/read", poList.Alerts[0].ID), ""); res.StatusCode != 204 {
		t.Errorf("marking read: %d, want 204", res.StatusCode)
	}
	if l := get("protection1"); l.Unread != 0 || l.Alerts[0].ReadAt == nil {
		t.Errorf("after marking read: %+v", l)
	}
	if l := get("guardian1"); l.Unread != 1 {
		t.Errorf("guardian1's alert changed with protection1's: %+v", l)
	}
}

// In the browser: the guardian's header shows no count; the child is reported missing; the
// next page shows 1 in the header; the alerts page lists the child; marking it read takes
// the count away. Zero axe violations in English and in Arabic (at phone width, no sideways
// scrolling).
func TestAlertsInBrowser(t *testing.T) {
	app := apptest.Start(t)
	child, number := wardOf(t, app, "guardian1")
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	app.BrowserLogin(t, p, "guardian1")
	p.Navigate(t, app.URL+"/?lang=en")
	if p.Count(t, "#alerts-link") != 1 || p.Count(t, "#alert-count") != 0 {
		t.Fatal("before the event: an alerts link without a count")
	}
	if err := registry.ReportMissingForTest(context.Background(), app.DB, child, time.Now()); err != nil {
		t.Fatal(err)
	}
	p.Navigate(t, app.URL+"/wards")
	if got := p.Text(t, "#alert-count"); got != "1" {
		t.Fatalf("header count %q after the event, want 1", got)
	}
	if label := p.Attr(t, "#alerts-link", "aria-label"); label != "Alerts, 1 unread" {
		t.Errorf("alerts link label %q", label)
	}
	p.Click(t, "#alerts-link")
	p.WaitFor(t, "#alerts-table")
	rows := p.Count(t, "tr.alert-row")
	text := p.Text(t, "#alerts-table")
	if rows != 1 || !strings.Contains(text, number) || !strings.Contains(text, "Reported missing") {
		t.Fatalf("alerts page: %d rows, %q", rows, text)
	}
	if p.Count(t, fmt.Sprintf(`#alerts-table a[href="/children/%d"]`, child)) != 1 {
		t.Error("the alert does not link to the child")
	}
	p.Axe(t)
	p.Screenshot(t, "alerts-en")

	// Arabic, on a phone.
	p.Run(t, chromedp.EmulateViewport(390, 844))
	p.Navigate(t, app.URL+"/alerts?lang=ar")
	p.WaitFor(t, "#alerts-table")
	if dir := p.Attr(t, "html", "dir"); dir != "rtl" {
		t.Errorf("Arabic alerts page dir=%q", dir)
	}
	if !strings.Contains(p.Text(t, "#alerts-table"), "أُبلغ عن فقدانه") {
		t.Errorf("Arabic alerts page: %q", p.Text(t, "#alerts-table"))
	}
	browsertest.NoSideScroll(t, p, "the alerts page")
	p.Axe(t)
	p.Screenshot(t, "alerts-ar-390")

	// Mark it read: the count goes.
	p.Click(t, `tr.alert-row form[action$="/read"] button`)
	p.WaitFor(t, "#alerts-table")
	if n := p.Count(t, "#alert-count"); n != 0 {
		t.Errorf("the header still counts %d after marking read", n)
	}
	if n := p.Count(t, `tr.alert-row form[action$="/read"]`); n != 0 {
		t.Error("the alert still offers to be marked read")
	}
	p.Axe(t)
	if errs := p.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// The demo population shows the officers' reminders (issue 10): after the day's job, the
// protection officer of a region has reminders of the deadlines of its children who have no
// guardian — and of no child who has one — and reads them on GET /api/v1/alerts.
func TestDemoOfficerReminders(t *testing.T) {
	app := apptest.Start(t)
	po := app.Login(t, "protection1") // the identity provider's roles are known from the sign-in on
	reg := registry.New(app.DB)
	if _, err := reg.SendDeadlineReminders(context.Background(), time.Now().UTC().Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Number  string
		Rule    string
		Guarded bool
	}
	mustScan(t, app.DB, &rows, `SELECT c.registration_number AS number, e.rule,
			EXISTS (SELECT 1 FROM guardian_appointments ga WHERE ga.child_id = c.id AND ga.started_at <= now() AND (ga.ended_at IS NULL OR ga.ended_at > now())) AS guarded
		FROM alerts a JOIN alert_events e ON e.id = a.event_id JOIN children c ON c.id = e.child_id JOIN users u ON u.id = a.user_id
		WHERE e.kind = 'deadline_due' AND u.username = 'protection1' ORDER BY 1, 2`)
	if len(rows) == 0 {
		t.Fatal("the demo gives protection1 no reminder: the feature does not show")
	}
	s10 := false
	for _, r := range rows {
		s10 = s10 || r.Rule == "S10" // the demo's found child without a guardian (AL-2026-000005)
		if r.Guarded {
			t.Errorf("protection1 reminded of %s's %s, a child with a guardian", r.Number, r.Rule)
		}
	}
	if !s10 {
		t.Errorf("no S10 return-interview reminder on the demo data: %v", rows)
	}
	t.Logf("protection1's reminders on the demo data: %v", rows)
	res := app.Do(t, po, "GET", "/api/v1/alerts", "")
	if res.StatusCode != 200 {
		t.Fatalf("GET /api/v1/alerts: %d", res.StatusCode)
	}
	defer res.Body.Close()
	list := decodeAlerts(t, res.Body)
	n := 0
	for _, a := range list.Alerts {
		if a.Kind == "deadline_due" && a.InScope && a.ChildName != "" {
			n++
		}
	}
	if n != len(rows) {
		t.Errorf("protection1 reads %d reminders, %d written", n, len(rows))
	}
	for _, a := range list.Alerts {
		if a.Kind == "deadline_due" && !a.NoGuardian {
			t.Errorf("reminder %+v does not say the child has no guardian", a)
		}
	}

	// The alerts page, in English and in Arabic on a phone: each reminder says "no guardian
	// yet"; 0 axe violations.
	p := browsertest.NewBrowser(t).NewPage(t)
	app.BrowserLogin(t, p, "protection1")
	for _, lang := range []struct{ tag, badge, dir string }{{"en", "no guardian yet", "ltr"}, {"ar", "لا وصي بعد", "rtl"}} {
		if lang.tag == "ar" {
			p.Run(t, chromedp.EmulateViewport(390, 844))
		}
		p.Navigate(t, app.URL+"/alerts?lang="+lang.tag)
		p.WaitFor(t, "#alerts-table")
		if dir := p.Attr(t, "html", "dir"); dir != lang.dir {
			t.Errorf("%s: html dir %q", lang.tag, dir)
		}
		if got := p.Count(t, "tr.alert-row .badge"); got != len(rows) {
			t.Errorf("%s: %d badges for %d reminders", lang.tag, got, len(rows))
		}
		if got := p.Text(t, "tr.alert-row .badge"); got != lang.badge {
			t.Errorf("%s: badge %q, want %q", lang.tag, got, lang.badge)
		}
		browsertest.NoSideScroll(t, p, "the alerts page")
		p.Axe(t)
	}
}
