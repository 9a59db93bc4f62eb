package frontend_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// In Chromium at phone width (issue 9, siblings): protection1 links Fatima to Rahim as her
// brother from her page (both live at the Korçë children's home: "placed together"), then
// moves Fatima to the Gjirokastër centre. The placement form comes back with the
// siblings_separated warning to acknowledge and a justification to write — in English, then
// in Arabic — and nothing is recorded until both are given. 0 axe violations in en and ar at
// every step, no page-wide horizontal scroll at 390 px.
func TestSiblingsSeparatedInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	fatima := app.ChildID(t, "AL-2026-000004")
	var gji, before int64
	app.Scan(t, &gji, `SELECT id FROM facilities WHERE name = 'Qendra e Fëmijëve Gjirokastër'`)
	app.Scan(t, &before, `SELECT count(*) FROM placements WHERE child_id = ?`, fatima)

	p := browsertest.NewBrowser(t).NewPage(t)
	p.Run(t, chromedp.EmulateViewport(390, 844))
	p.Navigate(t, app.URL+"/?lang=en")
	app.BrowserLogin(t, p, "protection1")
	page := fmt.Sprintf("%s/children/%d", app.URL, fatima)
	p.Navigate(t, page)
	p.WaitFor(t, "#relatives")
	if got := p.Text(t, "#relatives"); !strings.Contains(got, "No family links recorded") {
		t.Fatalf("the family section before linking: %q", got)
	}

	// Link Rahim as her brother.
	p.Run(t,
		chromedp.SetValue(chromedp.ID("rel-number"), "AL-2026-000005"),
		chromedp.SetValue(chromedp.ID("rel-kind"), "sibling"),
		chromedp.SetValue(chromedp.ID("rel-note"), "Both name the same mother; they arrived on the same bus."),
	)
	p.Click(t, `form[action$="/relatives"] button[type="submit"]`)
	p.WaitFor(t, "#relatives .success")
	if got := p.Text(t, "#relatives ul"); !strings.Contains(got, "AL-2026-000005") || !strings.Contains(got, "Sibling") || !strings.Contains(got, "placed together") {
		t.Fatalf("the new link: %q", got)
	}
	var links int64
	app.Scan(t, &links, `SELECT count(*) FROM child_relatives WHERE voided_at IS NULL`)
	if links != 3 { // the two demo pairs and this one
		t.Fatalf("%d standing links, want 3", links)
	}
	browsertest.NoSideScroll(t, p, "the child page")
	p.Axe(t)

	// Move her to Gjirokastër: warned, in English.
	form := `form[action="/children/` + fmt.Sprint(fatima) + `/placements"]`
	fill := func(reason string) {
		p.Run(t,
			chromedp.SetValue(chromedp.ID("pl-facility"), fmt.Sprint(gji)),
			chromedp.SetValue(chromedp.ID("pl-reason"), reason),
			chromedp.SetValue(chromedp.ID("pl-decided"), "Njësia e Mbrojtjes Korçë"),
		)
		p.Click(t, form+` button[type="submit"]`)
		p.WaitFor(t, `input[name="acknowledged_warnings"][value="siblings_separated"]`)
	}
	fill("A school place for her in Gjirokastër")
	if got := p.Text(t, "#placements .candidates"); !strings.Contains(got, "separates siblings") {
		t.Fatalf("the siblings warning is not shown: %q", got)
	}
	if n := p.Count(t, `#pl-justification`); n != 1 {
		t.Fatal("no justification field with the warning")
	}
	browsertest.NoSideScroll(t, p, "the warned placement form")
	p.Axe(t)

	// The same in Arabic; still nothing recorded; then acknowledged and justified.
	p.Navigate(t, page+"?lang=ar")
	p.WaitFor(t, "#relatives")
	if dir := p.Attr(t, "html", "dir"); dir != "rtl" {
		t.Fatalf("html dir %q, want rtl", dir)
	}
	browsertest.NoSideScroll(t, p, "the child page in Arabic")
	p.Axe(t)
	fill("مكان في مدرسة في جيروكاسترا")
	if got := p.Text(t, "#placements .candidates"); !strings.Contains(got, "يفرّق بين الإخوة") {
		t.Fatalf("the siblings warning is not shown in Arabic: %q", got)
	}
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM placements WHERE child_id = ?`, fatima)
	if n != before {
		t.Fatal("a placement was recorded before the warning was acknowledged")
	}
	browsertest.NoSideScroll(t, p, "the warned placement form in Arabic")
	p.Axe(t)
	p.Click(t, `input[name="acknowledged_warnings"][value="siblings_separated"]`)
	p.Run(t, chromedp.SetValue(chromedp.ID("pl-justification"), "طلبت المدرسة بنفسها، وسيزورها أخوها كل يوم أحد مع مرشده"))
	p.Click(t, form+` button[type="submit"]`)
	p.WaitFor(t, `#placements dl.facts ul li`) // the current placement's justified warnings
	var got struct {
		Open     int64
		Warnings string
	}
	app.Scan(t, &got, `SELECT count(*) FILTER (WHERE ended_at IS NULL) AS open, max(array_to_string(warnings, ',')) FILTER (WHERE ended_at IS NULL) AS warnings
		FROM placements WHERE child_id = ?`, fatima)
	if got.Open != 1 || got.Warnings != "siblings_separated" {
		t.Fatalf("after the justified move: %+v", got)
	}
	if txt := p.Text(t, "#relatives ul"); !strings.Contains(txt, "مودَعان منفصلين") {
		t.Fatalf("the family section does not show the siblings apart: %q", txt)
	}
	browsertest.NoSideScroll(t, p, "the child page after the move")
	p.Axe(t)
	p.Screenshot(t, "siblings-separated-ar")
}
