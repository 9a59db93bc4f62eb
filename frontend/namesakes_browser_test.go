package frontend_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// Two children called Karim Nazari, same sex, nationality and age, with different fathers
// (issue 12). A registration of a third "Karim Nazari" without the parents' names is told
// that two children share the name and cannot be told apart — in English and in Arabic,
// right to left; with the father's name the notice goes and his son comes first; asked with
// both parents' names that match neither, it says the parents' names do not tell them apart
// either. 0 axe violations throughout.
func TestNamesakesNoticeInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.WithDuplicateCheckBurst(50)) // six registrations, each with live checks
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	p.Navigate(t, app.URL+"/?lang=en")
	app.BrowserLogin(t, p, "border1")
	parents := func(father, mother string) {
		p.Run(t, chromedp.SendKeys(chromedp.ID("father_name"), father), chromedp.SendKeys(chromedp.ID("mother_name"), mother))
	}
	submit := func() { p.Click(t, `form[action="/register"] > .actions button[type="submit"]`) }

	p.Navigate(t, app.URL+"/register")
	fillChild(t, p, "Karim", "Nazari")
	parents("Sohrab", "Maryam")
	p.Axe(t)
	submit()
	p.WaitFor(t, "#done-title")
	first := p.Text(t, "#done-title")
	number := first[strings.Index(first, "AL-"):]

	// The second Karim Nazari, another father: offered the first as possible, registered new.
	p.Navigate(t, app.URL+"/register")
	fillChild(t, p, "Karim", "Nazari")
	parents("Jawad", "Shabnam")
	submit()
	p.WaitFor(t, "#dup-title")
	if p.Count(t, "#namesakes") != 0 {
		t.Errorf("one candidate, yet a namesakes notice: %q", p.Text(t, "#namesakes"))
	}
	if r := p.Text(t, ".candidate .reasons"); !strings.Contains(r, "Father's name") || !strings.Contains(r, "Mother's name") {
		t.Errorf("the reasons do not weigh the parents' names: %q", r)
	}
	p.Click(t, `.candidates button[name="confirm_new"]`)
	p.WaitFor(t, "#done-title")

	// A third, without parents' names: the two cannot be told apart, and the page says so —
	// while the form is typed (the live check) and on saving.
	p.Navigate(t, app.URL+"/register")
	fillChild(t, p, "Karim", "Nazari")
	p.WaitFor(t, "#live-duplicates:not([hidden]) li")
	if got := p.Text(t, "#live-duplicates p"); !strings.Contains(got, "cannot be told apart: ask for the father's and mother's names") {
		t.Errorf("live check: %q", got)
	}
	submit()
	p.WaitFor(t, "#namesakes")
	if got := p.Text(t, "#namesakes"); !strings.HasPrefix(got, "2 children share this name, sex and age") || !strings.Contains(got, "father's and mother's names") {
		t.Fatalf("namesakes notice %q", got)
	}
	p.Axe(t)
	p.Screenshot(t, "namesakes-en")

	// With the father's name (another spelling) the check tells them apart.
	p.Navigate(t, app.URL+"/register")
	fillChild(t, p, "Karim", "Nazari")
	parents("Suhrab", "")
	submit()
	p.WaitFor(t, "#dup-title")
	if n := p.Count(t, "#namesakes"); n != 0 {
		t.Errorf("with the father's name the namesakes notice stays: %q", p.Text(t, "#namesakes"))
	}
	if got := p.Text(t, ".candidate strong"); got != number {
		t.Errorf("first candidate %q, want %s (the son of Sohrab)", got, number)
	}
	p.Axe(t)

	// The notice in Arabic, right to left.
	p.Navigate(t, app.URL+"/register?lang=ar")
	fillChild(t, p, "Karim", "Nazari")
	submit()
	p.WaitFor(t, "#namesakes")
	if dir := p.Attr(t, "html", "dir"); dir != "rtl" {
		t.Errorf("Arabic page dir=%q", dir)
	}
	if got := p.Text(t, "#namesakes"); !strings.Contains(got, "طفلان") || !strings.Contains(got, "اسمي الأب والأم") {
		t.Errorf("Arabic namesakes notice %q", got)
	}
	p.Axe(t)
	p.Screenshot(t, "namesakes-ar")

	// Asked with both parents' names, neither record's: still a tie, and the notice does not
	// ask again for what was asked.
	p.Navigate(t, app.URL+"/register?lang=en")
	fillChild(t, p, "Karim", "Nazari")
	parents("Nabi", "Gulalai")
	submit()
	p.WaitFor(t, "#namesakes")
	if got := p.Text(t, "#namesakes"); !strings.Contains(got, "the parents' names do not tell them apart either") {
		t.Errorf("namesakes notice with both parents asked: %q", got)
	}
	p.Axe(t)
}
