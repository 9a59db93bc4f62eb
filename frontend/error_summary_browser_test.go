package frontend_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// Issue 13, item 3: a refused registration opens on an error summary (the GOV.UK pattern)
// listing each field in error, in the order of the form, each linking to its input; the
// summary has the focus. The Latin spellings suggested for a name typed in Arabic script are
// filled in for checking. 0 axe violations in English and Arabic.
func TestRegistrationErrorSummary(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	app.BrowserLogin(t, p, "border1")
	for _, lang := range []string{"en", "ar"} {
		p.Navigate(t, app.URL+"/register?lang="+lang)
		p.Run(t,
			chromedp.WaitVisible(chromedp.ID("given_name")),
			chromedp.SendKeys(chromedp.ID("given_name"), "محمد"),
			chromedp.SendKeys(chromedp.ID("family_name"), "رحيمي"),
			chromedp.SendKeys(chromedp.ID("age_min"), "17"),
			chromedp.SendKeys(chromedp.ID("age_max"), "15"),
			chromedp.SetValue(chromedp.ID("arrived_at"), "2001-01-01T10:00"),
		)
		p.Click(t, `#register-form > .actions button[type="submit"]`)
		p.WaitFor(t, "#error-summary")
		links := browsertest.Get(t, p, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#error-summary a")].map((a) => a.getAttribute("href") + " " + a.textContent)`))
		if len(links) < 1 {
			t.Fatalf("%s: no links in the error summary", lang)
		}
		for _, l := range links {
			href, _, _ := strings.Cut(l, " ")
			if n := p.Count(t, href); n != 1 {
				t.Errorf("%s: summary link %q leads nowhere", lang, l)
			}
		}
		t.Logf("%s: %v", lang, links)
		if lang == "en" && !strings.HasPrefix(links[0], "#age_") {
			t.Errorf("the first error should be the age range: %v", links)
		}
		if focused := browsertest.Get(t, p, chromedp.Evaluate[string](`document.activeElement.id`)); focused != "error-summary" {
			t.Errorf("%s: focus on %q, not on the error summary", lang, focused)
		}
		if g, f := p.Attr(t, "#given_name_latin", "value"), p.Attr(t, "#family_name_latin", "value"); g == "" || f == "" || strings.ContainsAny(g+f, "محمدرحيمي") {
			t.Errorf("%s: Latin spellings on the error page %q %q", lang, g, f)
		}
		p.Axe(t)
		p.Screenshot(t, "error-summary-"+lang)
		p.Run(t, chromedp.EmulateViewport(390, 844))
		browsertest.NoSideScroll(t, p, "the error summary on a phone, "+lang)
		p.Run(t, chromedp.EmulateViewport(1280, 900))
	}
}
