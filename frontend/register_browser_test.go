package frontend_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// fillChild fills the registration form as an officer would (no JavaScript needed).
func fillChild(t *testing.T, p *browsertest.Page, given, family string) {
	t.Helper()
	p.Run(t,
		chromedp.WaitVisible(chromedp.ID("given_name")),
		chromedp.SendKeys(chromedp.ID("given_name"), given),
		chromedp.SendKeys(chromedp.ID("family_name"), family),
		chromedp.Click(chromedp.CSS(`input[name="sex"][value="male"]`)),
		chromedp.SendKeys(chromedp.ID("age_min"), "15"),
		chromedp.SendKeys(chromedp.ID("age_max"), "16"),
		chromedp.SetValue(chromedp.ID("nationality_1"), "AF"),
		chromedp.Click(chromedp.CSS(`input[name="languages"][value="fa-AF"]`)),
		chromedp.Click(chromedp.CSS(`input[name="trafficking_indicators"][value="relation_unverified"]`)),
		chromedp.SendKeys(chromedp.ID("adult_0_relation"), "xhaxhai"),
	)
}

// A border officer registers a child in Albanian, then "the same" child with a variant
// spelling: Kujdes warns of the duplicate, and the officer records the second arrival on the
// existing child. The form also works right-to-left in Arabic. 0 axe violations throughout.
func TestRegisterArrivalInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.WithDuplicateCheckBurst(50)) // several registrations, each with live checks
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	p.Navigate(t, app.URL+"/?lang=sq")
	app.BrowserLogin(t, p, "border1")

	p.Navigate(t, app.URL+"/register")
	if h1 := p.Text(t, "h1"); h1 != "Regjistro një mbërritje" {
		t.Fatalf("Albanian form heading %q", h1)
	}
	p.Axe(t)
	fillChild(t, p, "Mohammad", "Rahimi")
	p.Click(t, `form[action="/register"] > .actions button[type="submit"]`)
	p.WaitFor(t, "#done-title")
	first := p.Text(t, "#done-title")
	if !strings.HasPrefix(first, "U regjistrua fëmijë i ri: AL-") {
		t.Fatalf("first registration: %q", first)
	}
	number := first[strings.Index(first, "AL-"):]
	p.Axe(t)

	p.Navigate(t, app.URL+"/register")
	fillChild(t, p, "Muhammad", "Rahimi")
	p.Click(t, `form[action="/register"] > .actions button[type="submit"]`)
	p.WaitFor(t, "#dup-title")
	if !strings.Contains(p.Text(t, ".candidates"), number) {
		t.Fatalf("the duplicate warning does not offer %s: %q", number, p.Text(t, ".candidates"))
	}
	// What the officer typed is kept.
	if v := p.Attr(t, "#given_name", "value"); v != "Muhammad" {
		t.Errorf("input not kept: %q", v)
	}
	p.Axe(t)
	p.Screenshot(t, "duplicate-warning-sq")
	p.Click(t, `.candidate button[name="existing_child_id"]`)
	p.WaitFor(t, "#done-title")
	if got := p.Text(t, "#done-title"); got != "Mbërritja u regjistrua për "+number {
		t.Fatalf("second arrival: %q", got)
	}
	p.Navigate(t, app.URL+p.Attr(t, `a.button[href^="/children/"]`, "href"))
	p.WaitFor(t, "#arrivals")
	if n := p.Count(t, "#arrivals + .table-scroll table tbody tr"); n != 2 {
		t.Errorf("the child should show 2 arrivals, got %d", n)
	}
	p.Axe(t)

	// The same form in Arabic, right to left.
	p.Navigate(t, app.URL+"/register?lang=ar")
	if dir := p.Attr(t, "html", "dir"); dir != "rtl" {
		t.Fatalf("Arabic form dir=%q", dir)
	}
	p.Axe(t)
	p.Screenshot(t, "register-ar")
}
