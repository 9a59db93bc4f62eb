package frontend_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// The signed-out home page is rendered once per language and kept (renderer.keptRendering);
// every response must still carry its own CSP nonce, in the language asked for, and be
// otherwise the same page a fresh rendering gives.
func TestSignedOutHomePageKeptPerLanguage(t *testing.T) {
	app := apptest.Start(t)
	nonceRe := regexp.MustCompile(`'nonce-([^']+)'`)
	get := func(lang string) (body, nonce string) {
		t.Helper()
		res := app.Do(t, http.DefaultClient, "GET", "/", "", "Accept-Language", lang)
		body = apptest.Body(t, res)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET / (%s) = %d", lang, res.StatusCode)
		}
		m := nonceRe.FindStringSubmatch(res.Header.Get("Content-Security-Policy"))
		if m == nil {
			t.Fatalf("no nonce in the CSP header %q", res.Header.Get("Content-Security-Policy"))
		}
		if got := res.Header.Get("Content-Language"); got != lang {
			t.Errorf("Content-Language = %q, want %q", got, lang)
		}
		return body, m[1]
	}
	pages := map[string]string{}
	for _, lang := range []string{"en", "ar", "sq"} {
		first, n1 := get(lang)
		second, n2 := get(lang)
		if n1 == n2 {
			t.Fatalf("%s: two responses share the nonce %q", lang, n1)
		}
		for _, c := range []struct{ body, nonce string }{{first, n1}, {second, n2}} {
			if !strings.Contains(c.body, `nonce="`+c.nonce+`"`) {
				t.Errorf("%s: the script tag lacks this response's nonce %q", lang, c.nonce)
			}
			if strings.Contains(c.body, "NonceSlot") {
				t.Errorf("%s: the nonce placeholder leaked into the page", lang)
			}
		}
		if strings.Replace(first, n1, "N", 1) != strings.Replace(second, n2, "N", 1) {
			t.Errorf("%s: two signed-out home pages differ beyond their nonce", lang)
		}
		if !strings.Contains(first, `<html lang="`+lang+`"`) {
			t.Errorf("%s: the page is not in the language asked for: %.200s", lang, first)
		}
		pages[lang] = strings.Replace(first, n1, "N", 1)
	}
	if pages["en"] == pages["ar"] || pages["en"] == pages["sq"] {
		t.Error("languages share one kept page")
	}
	if !strings.Contains(pages["ar"], `dir="rtl"`) {
		t.Error("the Arabic home page is not right-to-left")
	}
	// Signed in, the page is rendered for the reader, never the kept signed-out one.
	prot := app.Login(t, "protection1")
	res := app.Do(t, prot, "GET", "/", "", "Accept-Language", "en")
	if body := apptest.Body(t, res); !strings.Contains(body, `action="/logout"`) || strings.Contains(body, `href="/login"`) {
		t.Errorf("a signed-in reader got the signed-out home page: %.300s", body)
	}
}
