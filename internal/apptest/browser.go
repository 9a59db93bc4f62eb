package apptest

import (
	"testing"

	"github.com/kujdes/kujdes/internal/browsertest"
)

// BrowserLogin signs a demo user in from the browser page p, as a person does: Kujdes'
// sign-in link, the development provider's login page, the user's "Sign in as" button.
// It returns when the browser is back on Kujdes, signed in.
func (a *App) BrowserLogin(t testing.TB, p *browsertest.Page, username string) {
	t.Helper()
	p.Navigate(t, a.URL+"/login")
	p.Click(t, `form:has(input[name="username"][value="`+username+`"]) button`)
	p.WaitFor(t, `.account form[action="/logout"]`)
}
