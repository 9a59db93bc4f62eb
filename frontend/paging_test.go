package frontend_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// The children page reads ?after= by the registry's paging rule (registry/page.go), the same
// one the API's ?after= uses: a malformed value answers 400 with a localized error page naming
// the parameter, instead of silently starting from the first child.
func TestChildrenPageRefusesMalformedAfter(t *testing.T) {
	app := apptest.Start(t)
	c := app.Login(t, "protection1")
	for _, after := range []string{"abc", "-1", "1e3", "99999999999999999999"} {
		t.Run(after, func(t *testing.T) {
			res := app.Do(t, c, "GET", "/children?after="+url.QueryEscape(after), "", "Accept-Language", "sq")
			body := html.UnescapeString(apptest.Body(t, res))
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.StatusCode)
			}
			for _, want := range []string{"Kërkesa nuk mund të lexohej", "<code dir=\"ltr\">after</code>", "Jepni një numër të plotë 0 ose më të madh."} {
				if !strings.Contains(body, want) {
					t.Errorf("error page lacks %q", want)
				}
			}
		})
	}
	t.Run("arabic", func(t *testing.T) {
		res := app.Do(t, c, "GET", "/children?after=x", "", "Accept-Language", "ar")
		body := apptest.Body(t, res)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "تعذّرت قراءة الطلب") {
			t.Fatalf("status %d, Arabic title missing", res.StatusCode)
		}
	})
	t.Run("a forged after in the search form", func(t *testing.T) {
		res := postForm(t, app, c, "/children/search", url.Values{"after": {"-3"}, "status": {"active"}})
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", res.StatusCode)
		}
	})
	for _, after := range []string{"", "0", "3"} {
		t.Run("accepted "+after, func(t *testing.T) {
			res := app.Do(t, c, "GET", "/children?after="+after, "", "Accept-Language", "en")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %.300s", res.StatusCode, apptest.Body(t, res))
			}
		})
	}
}
