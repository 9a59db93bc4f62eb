package frontend_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// sessionCookie reads Kujdes' session cookie from the browser.
func sessionCookie(t *testing.T, p *browsertest.Page, appURL string) *http.Cookie {
	t.Helper()
	res := browsertest.Get(t, p, chromedp.Action[network.GetCookiesResult](func(ctx context.Context, tg *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{appURL}})
	}))
	for _, c := range res.Cookies {
		if c.Name == auth.CookieName(false) {
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax {
				t.Errorf("session cookie must be HttpOnly and SameSite=Lax: %+v", c)
			}
			return &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	t.Fatal("no session cookie in the browser")
	return nil
}

// A person signs in through the identity provider's login page, lands on Kujdes with the
// right role, signs out, and the old cookie no longer works.
func TestBrowserLoginAndLogout(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)

	p.Navigate(t, app.URL+"/?lang=en")
	p.Click(t, `.account a[href="/login"]`)
	// The provider's login page, localized and accessible.
	p.WaitFor(t, `input[name="username"][value="guardian1"]`)
	if !strings.Contains(browsertest.Get(t, p, chromedp.Location()), "/dev-idp/") {
		t.Fatal("the browser was not sent to the identity provider")
	}
	p.Axe(t)
	p.Screenshot(t, "provider-login")
	p.Click(t, `form:has(input[name="username"][value="guardian1"]) button`)
	p.WaitFor(t, `.account form[action="/logout"]`)
	if got := p.Text(t, ".account a[href='/me']"); got != "Drita Leka" {
		t.Errorf("signed-in name %q", got)
	}
	p.Navigate(t, app.URL+"/me")
	if facts := p.Text(t, "dl.facts"); !strings.Contains(facts, "Guardian") {
		t.Errorf("the /me page should show the guardian role: %q", facts)
	}
	p.Axe(t)
	old := sessionCookie(t, p, app.URL)

	// Children: only the two current wards.
	p.Navigate(t, app.URL+"/children")
	if n := p.Count(t, "tbody tr"); n != 2 {
		t.Errorf("guardian1 should list 2 wards, got %d", n)
	}
	p.Axe(t)

	p.Click(t, `.account form[action="/logout"] button`)
	p.WaitFor(t, `.account a[href="/login"]`)
	// The old session cookie, replayed outside the browser, is dead.
	u, _ := url.Parse(app.URL)
	c := app.Client(t)
	c.Jar.SetCookies(u, []*http.Cookie{old})
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res := app.Do(t, c, "GET", "/me", "")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("the old cookie still works after logout: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

// The provider's page and the record pages work right-to-left in Arabic with 0 violations.
func TestBrowserArabicSignedIn(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	p.Navigate(t, app.URL+"/?lang=ar")
	p.Navigate(t, app.URL+"/login")
	p.WaitFor(t, `input[name="username"][value="protection1"]`)
	if dir := p.Attr(t, "html", "dir"); dir != "rtl" {
		t.Errorf("provider page dir=%q in Arabic", dir)
	}
	p.Axe(t)
	p.Click(t, `form:has(input[name="username"][value="protection1"]) button`)
	p.WaitFor(t, `.account form[action="/logout"]`)
	id := app.ChildID(t, "AL-2026-000001")
	for _, path := range []string{"/children", "/children/" + itoa(id), "/children/" + itoa(id) + "/history", "/break-glass", "/me"} {
		p.Navigate(t, app.URL+path)
		if lang, dir := p.Attr(t, "html", "lang"), p.Attr(t, "html", "dir"); lang != "ar" || dir != "rtl" {
			t.Errorf("%s: lang=%q dir=%q", path, lang, dir)
		}
		p.Axe(t)
	}
	p.Navigate(t, app.URL+"/children/"+itoa(id))
	p.Screenshot(t, "child-ar")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A crafted return path does not send a signed-in browser to another host (issue 7: a tab in
// "/\t/evil.example" was dropped by Chromium, which then followed "//evil.example"); a good one
// is kept.
func TestBrowserLoginReturnPath(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b := browsertest.NewBrowser(t)
	for _, tt := range []struct{ next, want string }{
		{"/\t/evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/me?x=1", "/me?x=1"},
	} {
		t.Run(strconv.Quote(tt.next), func(t *testing.T) {
			p := b.NewPage(t)
			p.Navigate(t, app.URL+"/login?next="+url.QueryEscape(tt.next))
			p.Click(t, `form:has(input[name="username"][value="guardian1"]) button`)
			p.WaitFor(t, `.account form[action="/logout"]`)
			if got := browsertest.Get(t, p, chromedp.Location()); got != app.URL+tt.want {
				t.Errorf("after sign-in with next=%q the browser is at %q, want %q", tt.next, got, app.URL+tt.want)
			}
		})
	}
}
