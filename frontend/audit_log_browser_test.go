package frontend_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// The audit log page and the access history with its evidence links, in English and in
// right-to-left Arabic, on a desktop and at phone width: one h1, zero axe violations, and no
// page-level horizontal scroll (checkpoints and keys are long unbroken strings).
func TestAuditLogPagesInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	app.SealAudit(t)
	childID := app.ChildID(t, "AL-2026-000001")
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	app.BrowserLogin(t, p, "admin1")
	for _, width := range []int64{1280, 390} {
		p.Run(t, chromedp.EmulateViewport(width, 844))
		for _, lang := range []string{"en", "ar"} {
			for _, path := range []string{"/audit", fmt.Sprintf("/children/%d/history", childID)} {
				p.Navigate(t, app.URL+path+"?lang="+lang)
				if n := p.Count(t, "h1"); n != 1 {
					t.Errorf("%s (%s): %d h1", path, lang, n)
				}
				p.Axe(t)
				if width == 390 && path == "/audit" {
					if wide := browsertest.Get(t, p, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`)); wide {
						t.Errorf("%s (%s) scrolls sideways at 390 px", path, lang)
					}
				}
				p.Screenshot(t, fmt.Sprintf("%s-%d%s", lang, width, path))
			}
		}
	}
	if n := p.Count(t, `a[href$="/evidence"]`); n == 0 {
		t.Error("the history page offers no evidence download to an administrator")
	}
	if errs := p.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
