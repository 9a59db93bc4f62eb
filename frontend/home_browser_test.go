package frontend_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// The home page in English and Arabic: right lang/dir, one h1, a language switcher that works
// without JavaScript, and zero axe violations in both directions.
func TestHomePageInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)

	p.Navigate(t, app.URL+"/?lang=en")
	if lang, dir := p.Attr(t, "html", "lang"), p.Attr(t, "html", "dir"); lang != "en" || dir != "ltr" {
		t.Fatalf("en page: lang=%q dir=%q", lang, dir)
	}
	if n := p.Count(t, "h1"); n != 1 {
		t.Errorf("want exactly one h1, got %d", n)
	}
	if p.Count(t, "main#main") != 1 || p.Count(t, "header") != 1 || p.Count(t, "footer") != 1 || p.Count(t, "a.skip-link[href='#main']") != 1 {
		t.Error("landmarks or skip link missing")
	}
	p.Axe(t)
	p.Screenshot(t, "home-en")

	// Switch language with the switcher link, as a person would.
	p.Click(t, `.lang-switcher a[hreflang="ar"]`)
	p.WaitFor(t, `html[lang="ar"]`)
	if dir := p.Attr(t, "html", "dir"); dir != "rtl" {
		t.Fatalf("ar page dir=%q", dir)
	}
	if h1 := p.Text(t, "h1"); h1 != "كل طفل يصل وحيدًا، معروفٌ ومُعتنى به" {
		t.Errorf("Arabic h1 = %q", h1)
	}
	// The skip link sits at the inline start: on the right in right-to-left.
	right := browsertest.Get(t, p, chromedp.Evaluate[bool](`(() => { const r = document.querySelector('.brand').getBoundingClientRect(); return r.right > window.innerWidth / 2; })()`))
	if !right {
		t.Error("in Arabic the brand should start on the right")
	}
	p.Axe(t)
	p.Screenshot(t, "home-ar")

	// The choice is remembered without the query parameter.
	p.Navigate(t, app.URL+"/")
	if lang := p.Attr(t, "html", "lang"); lang != "ar" {
		t.Errorf("language choice not remembered: %q", lang)
	}
	if errs := p.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors (CSP?): %v", errs)
	}
}
