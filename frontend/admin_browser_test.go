package frontend_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// Every administration page, in English and in right-to-left Arabic, and in its error states
// (validation, conflict): one h1, the sub-navigation, and zero axe violations.
func TestAdminPagesInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	// An emergency access, so the list has a row to check.
	officer := app.Login(t, "protection1")
	if res := adminPost(t, app, officer, "/break-glass", url.Values{"registration_number": {"AL-2026-000006"}, "reason": {"Police report 2026/117: child found in Tirana"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("break-glass = %d", res.StatusCode)
	}
	newcomer := fmt.Sprintf("/admin/users/%d", adminUserID(t, app, "newcomer"))
	self := fmt.Sprintf("/admin/users/%d", adminUserID(t, app, "admin1"))

	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	app.BrowserLogin(t, p, "admin1")

	for _, lang := range []struct{ tag, dir string }{{"en", "ltr"}, {"ar", "rtl"}} {
		for _, path := range []string{"/admin/users", newcomer, "/admin/reference", "/admin/break-glass"} {
			p.Navigate(t, app.URL+path+"?lang="+lang.tag)
			if l, d := p.Attr(t, "html", "lang"), p.Attr(t, "html", "dir"); l != lang.tag || d != lang.dir {
				t.Errorf("%s: lang=%q dir=%q", path, l, d)
			}
			if n := p.Count(t, "h1"); n != 1 {
				t.Errorf("%s (%s): %d h1, want 1", path, lang.tag, n)
			}
			if n := p.Count(t, `main nav a[aria-current]`); n != 1 {
				t.Errorf("%s (%s): the administration navigation marks %d entries, want 1", path, lang.tag, n)
			}
			p.Axe(t)
			p.Screenshot(t, lang.tag+path)
		}
	}

	if errs := p.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors (CSP?): %v", errs)
	}
	seen := len(p.ConsoleErrors())

	// Validation errors, in Arabic (the language chosen last).
	p.Navigate(t, app.URL+"/admin/reference")
	p.Run(t,
		chromedp.SendKeys(chromedp.CSS("#region-code"), "d u"),
		chromedp.SendKeys(chromedp.CSS("#region-name"), "Durrës"),
	)
	p.Click(t, `form[action="/admin/regions"] button`)
	p.WaitFor(t, "#region-code-error")
	if v := p.Attr(t, "#region-name", "value"); v != "Durrës" {
		t.Errorf("the region name was not kept: %q", v)
	}
	p.Axe(t)
	p.Screenshot(t, "reference-invalid")

	p.Navigate(t, app.URL+self+"?lang=en")
	p.Run(t,
		chromedp.Click(chromedp.CSS(`input[name="active"]`)),
	)
	p.Click(t, `form.stack button[type="submit"]`)
	p.WaitFor(t, "#active-error")
	p.Axe(t)
	p.Screenshot(t, "user-invalid")

	// A conflict: another administrator's session saves newcomer while this page is open.
	p.Navigate(t, app.URL+newcomer)
	other := app.Login(t, "admin1")
	_, body := adminGet(t, app, other, newcomer)
	if res := adminPost(t, app, other, newcomer, adminUserForm(adminFormVersion(t, body), []string{"monitor"}, []string{"TIR"}, nil, true)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("other save = %d", res.StatusCode)
	}
	p.Run(t,
		chromedp.Click(chromedp.CSS(`input[name="roles"][value="guardian"]`)),
	)
	p.Click(t, `form.stack button[type="submit"]`)
	p.WaitFor(t, ".alert")
	if n := p.Count(t, `input[name="roles"][value="guardian"]:checked`); n != 1 {
		t.Error("the conflict page lost the administrator's choice")
	}
	p.Axe(t)
	p.Screenshot(t, "user-conflict")

	// The browser logs the 422, 409 and 403 (one's own account) answers themselves; anything else is a fault.
	for _, e := range p.ConsoleErrors()[seen:] {
		if !strings.Contains(e, "(Unprocessable Entity)") && !strings.Contains(e, "(Conflict)") && !strings.Contains(e, "(Forbidden)") {
			t.Errorf("console error: %s", e)
		}
	}
}
