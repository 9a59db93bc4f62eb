package frontend_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/registry"
)

type lifecycleClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *lifecycleClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *lifecycleClock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *lifecycleClock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// Turning 18 with an injected clock, through the real server: the demo's AL-2025-900005
// (guardian2's ward) turns 18 sixty days after the clock's start. The day before, the sweep
// changes nothing and the guardian reads the record; on the birthday the record moves to
// "aged out", the guardianship ends and the guardian gets 404; the protection officer of the
// region still reads it, read-only. The development provider's tokens follow the clock: each
// step takes fresh ones.
func TestTurning18EndsTheGuardiansAccess(t *testing.T) {
	clk := &lifecycleClock{t: time.Now()}
	app := apptest.Start(t, apptest.WithClock(clk.Now))
	id := app.ChildID(t, "AL-2025-900005")
	guardian, officer := app.Token(t, "guardian2"), app.Token(t, "protection2")
	get := func(tok, path string) *http.Response {
		return app.Do(t, nil, "GET", path, "", "Authorization", "Bearer "+tok)
	}
	child := fmt.Sprintf("/api/v1/children/%d", id)
	if res := get(guardian, child); res.StatusCode != 200 {
		t.Fatalf("guardian before: %d", res.StatusCode)
	}
	var lc registry.LifecycleSection
	if err := json.NewDecoder(get(guardian, child+"/lifecycle").Body).Decode(&lc); err != nil {
		t.Fatal(err)
	}
	if lc.AdultOn == nil || !lc.PlanWarning || lc.PlanDue == nil || lc.PlanDue.Rule != "S13" {
		t.Fatalf("60 days before 18 without a plan: %+v", lc)
	}
	reg := registry.New(app.DB)
	reg.Now = clk.Now
	clk.Add(59 * 24 * time.Hour)
	// The day before: only AL-2025-900007, 18 since day 45, is aged out.
	if n, err := reg.AgeOutDue(context.Background(), clk.Now()); err != nil || n != 1 {
		t.Fatalf("the day before: %d, %v", n, err)
	}
	var status string
	app.Scan(t, &status, `SELECT status FROM children WHERE id = ?`, id)
	if status != "active" {
		t.Fatalf("aged out a day early: %s", status)
	}
	guardian, officer = app.Token(t, "guardian2"), app.Token(t, "protection2") // tokens follow the clock
	if res := get(guardian, child); res.StatusCode != 200 {
		t.Fatalf("guardian the day before: %d", res.StatusCode)
	}
	clk.Add(24 * time.Hour)
	if n, err := reg.AgeOutDue(context.Background(), clk.Now()); err != nil || n != 1 {
		t.Fatalf("on the birthday: %d, %v", n, err)
	}
	guardian, officer = app.Token(t, "guardian2"), app.Token(t, "protection2")
	if res := get(guardian, child); res.StatusCode != 404 {
		t.Errorf("guardian after turning 18: %d, want 404", res.StatusCode)
	}
	var v struct{ Status string }
	if err := json.NewDecoder(get(officer, child).Body).Decode(&v); err != nil || v.Status != "aged_out" {
		t.Errorf("protection officer: %+v %v", v, err)
	}
	res := app.Do(t, nil, "POST", child+"/transition-plans", `{"planned_on":"2026-01-05","summary":"too late"}`, "Authorization", "Bearer "+officer)
	if body := apptest.Body(t, res); res.StatusCode != 409 || !strings.Contains(body, "urn:kujdes:problem:record-read-only") {
		t.Errorf("plan on an aged-out record: %d %s", res.StatusCode, body)
	}
}

// The rights sheet renders in every language of its catalogue, right-to-left ones with
// dir="rtl", in the child's language by default, with the guardian and 116 000; an unknown
// language is refused; the PDF is a real PDF; a border officer may not print it.
func TestRightsSheetInEveryLanguage(t *testing.T) {
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2026-000001") // Ahmad Karimi, speaks fa-AF and ps; guardian1 Drita Leka
	c := app.Login(t, "protection1")
	rights, err := i18n.NewRights()
	if err != nil {
		t.Fatal(err)
	}
	rtl := map[string]bool{"ar": true, "fa-AF": true, "ps": true, "ur": true, "ckb": true}
	want := []string{"en", "sq", "ar", "fa-AF", "ps", "ur", "fr", "tr", "bn", "ckb", "kmr", "uk"}
	if len(rights.Languages()) != len(want) {
		t.Fatalf("%d sheet languages", len(rights.Languages()))
	}
	for _, tag := range want {
		t.Run(tag, func(t *testing.T) {
			l, ok := rights.Supported(tag)
			if !ok {
				t.Fatalf("no sheet in %s", tag)
			}
			res := app.Do(t, c, "GET", fmt.Sprintf("/children/%d/rights-sheet?language=%s", id, url.QueryEscape(tag)), "")
			body := apptest.Body(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("%d", res.StatusCode)
			}
			dir := "ltr"
			if rtl[tag] {
				dir = "rtl"
			}
			if !strings.Contains(body, fmt.Sprintf(`<html lang="%s" dir="%s">`, tag, dir)) {
				t.Errorf("html element: %.200s", body)
			}
			loc := rights.Localizer(l)
			text := html.UnescapeString(body)
			for _, id := range []string{"rights.title", "rights.guardian.heading", "rights.list.heading", "rights.next.heading", "rights.help.hotline"} {
				if m := loc.T(id); !strings.Contains(text, m) {
					t.Errorf("%s missing: %q", id, m)
				}
			}
			if !strings.Contains(text, "Drita Leka") || !strings.Contains(text, "guardian1@kujdes.example") || !strings.Contains(body, "116&nbsp;000") {
				t.Errorf("guardian or hotline missing")
			}
		})
	}
	// By default, the first of the child's languages the sheet has.
	if body := apptest.Body(t, app.Do(t, c, "GET", fmt.Sprintf("/children/%d/rights-sheet", id), "")); !strings.Contains(body, `<html lang="fa-AF" dir="rtl">`) {
		t.Errorf("default language: %.120s", body)
	}
	if res := app.Do(t, c, "GET", fmt.Sprintf("/children/%d/rights-sheet?language=xx", id), ""); res.StatusCode != 400 {
		t.Errorf("unknown language: %d", res.StatusCode)
	}
	for _, tag := range []string{"ar", "en"} {
		res := app.Do(t, c, "GET", fmt.Sprintf("/children/%d/rights-sheet.pdf?language=%s", id, tag), "")
		pdf := []byte(apptest.Body(t, res))
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10_000 {
			t.Errorf("PDF %s: %d %s, %d bytes", tag, res.StatusCode, res.Header.Get("Content-Type"), len(pdf))
		}
	}
	var prints int64
	app.Scan(t, &prints, `SELECT count(*) FROM audit_events WHERE action = 'child.rights_sheet' AND entity_id = ?`, fmt.Sprint(id))
	if prints < int64(len(want)+3) {
		t.Errorf("%d sheet prints audited", prints)
	}
	if res := app.Do(t, app.Login(t, "border1"), "GET", fmt.Sprintf("/children/%d/rights-sheet?language=en", id), ""); res.StatusCode != 403 {
		t.Errorf("border officer: %d", res.StatusCode)
	}
}

// A closed record refuses writes on both faces with the same clear answer: the API's 409
// record-read-only problem, the page's localized "This record is closed"; nothing is written.
func TestClosedRecordRefusesWritesOnBothFaces(t *testing.T) {
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2025-900001") // aged out 20 days ago (demo)
	c := app.Login(t, "protection1")
	res := app.Do(t, nil, "POST", fmt.Sprintf("/api/v1/children/%d/visits", id), `{"visited_on":"2026-01-05","kind":"visit","child_seen":true}`,
		"Authorization", "Bearer "+app.Token(t, "protection1"), "Accept-Language", "sq")
	body := apptest.Body(t, res)
	if res.StatusCode != 409 || !strings.Contains(body, "urn:kujdes:problem:record-read-only") || !strings.Contains(body, "Ky regjistrim është i mbyllur") {
		t.Errorf("API visit: %d %s", res.StatusCode, body)
	}
	form := url.Values{"visited_on": {time.Now().UTC().Format(time.DateOnly)}, "kind": {"visit"}, "child_seen": {"true"}}
	res = adminPost(t, app, c, fmt.Sprintf("/children/%d/visits", id), form)
	if body := apptest.Body(t, res); res.StatusCode != 409 || !strings.Contains(body, "This record is closed") {
		t.Errorf("page visit: %d %.300s", res.StatusCode, body)
	}
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM guardian_visits WHERE child_id = ?`, id)
	if n != 0 {
		t.Errorf("%d visits written on a closed record", n)
	}
	// The record page says so and offers no edit form.
	page := apptest.Body(t, app.Do(t, c, "GET", fmt.Sprintf("/children/%d", id), ""))
	if !strings.Contains(page, "This record is closed (Turned 18)") || strings.Contains(page, fmt.Sprintf(`action="/children/%d" class`, id)) {
		t.Errorf("record page of an aged-out child")
	}
}

// Reunify and transfer through the API: If-Match, validation, the guardianship ends.
func TestReunifyThroughTheAPI(t *testing.T) {
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2025-900007") // active, guardian4's ward
	tok := app.Token(t, "protection1")
	path := fmt.Sprintf("/api/v1/children/%d/reunify", id)
	if res := app.Do(t, nil, "POST", path, `{"reunified_on":"2026-01-05","where":"Kabul","with":"mother"}`, "Authorization", "Bearer "+tok,
		apptest.InvalidRequest, "no If-Match"); res.StatusCode != 428 {
		t.Errorf("without If-Match: %d", res.StatusCode)
	}
	res := app.Do(t, nil, "POST", path, `{"reunified_on":"`+time.Now().UTC().Format(time.DateOnly)+`","where":" ","with":""}`,
		"Authorization", "Bearer "+tok, "If-Match", `"1"`)
	if body := apptest.Body(t, res); res.StatusCode != 422 || !strings.Contains(body, `"field":"where"`) || !strings.Contains(body, `"field":"with"`) {
		t.Errorf("blank fields: %d %s", res.StatusCode, body)
	}
	res = app.Do(t, nil, "POST", path, `{"reunified_on":"`+time.Now().UTC().Format(time.DateOnly)+`","where":"Herat, Afghanistan","with":"mother"}`,
		"Authorization", "Bearer "+tok, "If-Match", `"1"`)
	var v struct{ Status string }
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil || res.StatusCode != 200 || v.Status != "reunified" || res.Header.Get("ETag") != `"2"` {
		t.Fatalf("reunify: %d %+v %v", res.StatusCode, v, err)
	}
	var open int64
	app.Scan(t, &open, `SELECT count(*) FROM guardian_appointments WHERE child_id = ? AND ended_at IS NULL`, id)
	if open != 0 {
		t.Errorf("%d appointments still open", open)
	}
}

// Without Chromium the PDF route answers 503 with a localized message that links to the
// printable sheet.
func TestRightsSheetPDFWithoutChromium(t *testing.T) {
	app := apptest.Start(t, func(d *server.Deps) { d.Config.Chromium = "/nonexistent/chromium" })
	id := app.ChildID(t, "AL-2026-000001")
	c := app.Login(t, "protection1")
	res := app.Do(t, c, "GET", fmt.Sprintf("/children/%d/rights-sheet.pdf?language=ps", id), "", "Accept-Language", "sq")
	body := apptest.Body(t, res)
	if res.StatusCode != 503 || !strings.Contains(body, "Shtypja në PDF nuk është e disponueshme") ||
		!strings.Contains(body, fmt.Sprintf(`href="/children/%d/rights-sheet?language=ps"`, id)) {
		t.Errorf("%d %.400s", res.StatusCode, body)
	}
}
