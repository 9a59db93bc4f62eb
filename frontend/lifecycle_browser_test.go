package frontend_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// In Chromium at phone width: protection1 opens AL-2025-900006 (turns 18 in 80 days, no
// plan), sees the S13 warning, records a transition plan (the warning goes) and that the
// child was informed of her rights in Arabic, then opens the printable rights sheet in
// Arabic (right to left) and in English. 0 axe violations on every page, no sideways scroll.
func TestLifecyclePlanAndRightsSheet(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	id := app.ChildID(t, "AL-2025-900006")
	p := browsertest.NewBrowser(t).NewPage(t)
	p.Run(t, chromedp.EmulateViewport(390, 844))
	p.Navigate(t, app.URL+"/?lang=en")
	app.BrowserLogin(t, p, "protection1")
	page := fmt.Sprintf("%s/children/%d", app.URL, id)
	p.Navigate(t, page)
	p.WaitFor(t, "#lifecycle-heading")
	if got := p.Text(t, "#lifecycle-heading + dl + .alert"); !strings.Contains(got, "S13") {
		t.Fatalf("no S13 warning: %q", got)
	}
	browsertest.NoSideScroll(t, p, "the child page")
	p.Axe(t)

	// The transition plan.
	plan := fmt.Sprintf(`form[action="/children/%d/transition-plans"]`, id)
	p.Click(t, `details:has(`+plan+`) > summary`)
	p.Run(t, chromedp.SetValue(chromedp.ID("plan_summary"), "Supported housing in Korçë from her birthday; school until June."))
	p.Click(t, plan+` button[type="submit"]`)
	p.WaitFor(t, `p.success`)
	if n := p.Count(t, "#lifecycle-heading + dl + .alert"); n != 0 {
		t.Errorf("the S13 warning is still shown after the plan")
	}
	if got := p.Text(t, "#lifecycle-heading ~ ul"); !strings.Contains(got, "Supported housing") {
		t.Errorf("the plan is not listed: %q", got)
	}

	// Information on rights, in Arabic, with the printed sheet.
	rights := fmt.Sprintf(`form[action="/children/%d/rights-information"]`, id)
	p.Click(t, `details:has(`+rights+`) > summary`)
	p.Run(t, chromedp.SetValue(chromedp.ID("rights_language"), "ar"), chromedp.SetValue(chromedp.ID("rights_method"), "written_sheet"))
	p.Click(t, rights+` button[type="submit"]`)
	p.WaitFor(t, `p.success`)
	if got := p.Text(t, "#rights-heading ~ ul"); !strings.Contains(got, "Arabic") || !strings.Contains(got, "Rights sheet given") {
		t.Errorf("the rights information is not listed: %q", got)
	}
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM rights_information WHERE child_id = ? AND language = 'ar' AND method = 'written_sheet'`, id)
	if n != 1 {
		t.Errorf("%d rights records", n)
	}
	browsertest.NoSideScroll(t, p, "the child page")
	p.Axe(t)

	// The sheet opens in the child's language (Arabic) from the form on the page.
	p.Click(t, fmt.Sprintf(`form[action="/children/%d/rights-sheet"] button[type="submit"]:not([formaction])`, id))
	p.WaitFor(t, ".hotline")
	if dir, lang := p.Attr(t, "html", "dir"), p.Attr(t, "html", "lang"); dir != "rtl" || lang != "ar" {
		t.Fatalf("sheet html dir=%q lang=%q, want rtl ar", dir, lang)
	}
	if got := p.Text(t, "h1"); got != "حقوقك" {
		t.Errorf("Arabic title %q", got)
	}
	// The sheet's language is not the reader's: the toolbar stays in English.
	if got, lang := p.Text(t, ".toolbar a"), p.Attr(t, ".toolbar", "lang"); got != "Back to the record" || lang != "en" {
		t.Errorf("toolbar %q in %q, want the reader's English", got, lang)
	}
	browsertest.NoSideScroll(t, p, "the Arabic rights sheet")
	p.Axe(t)
	p.Screenshot(t, "rights-sheet-ar")

	p.Navigate(t, fmt.Sprintf("%s/children/%d/rights-sheet?language=en", app.URL, id))
	p.WaitFor(t, ".hotline")
	if dir := p.Attr(t, "html", "dir"); dir != "ltr" {
		t.Errorf("English sheet dir %q", dir)
	}
	if got := p.Text(t, ".help"); !strings.Contains(got, "116\u00a0000") {
		t.Errorf("hotline: %q", got)
	}
	browsertest.NoSideScroll(t, p, "the English rights sheet")
	p.Axe(t)
	p.Screenshot(t, "rights-sheet-en")
}
