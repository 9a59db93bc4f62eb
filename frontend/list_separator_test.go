package frontend_test

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// Lists on pages are joined by the locale's CLDR list pattern ("A, B and C" in English,
// "A، B و C" in Arabic; i18n.Localizer.List, unit-tested in i18n): the grants table on
// /admin/users, the pending notice on a user's page, and a child's nationalities and
// languages.
func TestListsUseLocaleSeparator(t *testing.T) {
	app := apptest.Start(t)
	admin := app.Login(t, "admin1")
	id := adminUserID(t, app, "newcomer")
	page := fmt.Sprintf("/admin/users/%d", id)
	_, body := adminGet(t, app, admin, page)
	res := adminPost(t, app, admin, page, adminUserForm(adminFormVersion(t, body), []string{"protection_officer", "guardian"}, []string{"GJI", "TIR"}, nil, true))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("grant request = %d: %.500s", res.StatusCode, apptest.Body(t, res))
	}
	child := app.ChildID(t, "AL-2026-000001")
	if err := app.DB.Exec(`UPDATE children SET nationalities = '{AF,PK}', languages = '{fa-AF,ps}' WHERE id = ?`, child).Error; err != nil {
		t.Fatal(err)
	}
	get := func(t *testing.T, c *http.Client, path, lang string) string {
		t.Helper()
		res := app.Do(t, c, "GET", path, "", "Accept-Language", lang)
		body := html.UnescapeString(apptest.Body(t, res))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s (%s) = %d", path, lang, res.StatusCode)
		}
		return body
	}
	prot := app.Login(t, "protection1")
	for _, c := range []struct {
		lang, roles, regions string
	}{
		{"ar", "وصي و موظف حماية", "Gjirokastër و Tiranë"},
		{"en", "Guardian and Protection officer", "Gjirokastër and Tiranë"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			if body := get(t, admin, "/admin/users", c.lang); !strings.Contains(body, c.roles) || !strings.Contains(body, c.regions) {
				t.Errorf("the grants table lacks %q and %q", c.roles, c.regions)
			}
			if body := get(t, admin, page, c.lang); !strings.Contains(body, "<li>"+c.roles) {
				t.Errorf("the pending notice lacks %q", c.roles)
			}
			body := get(t, prot, fmt.Sprintf("/children/%d", child), c.lang)
			sep := map[string]string{"ar": " و ", "en": " and "}[c.lang]
			if !strings.Contains(body, "</dd>") || strings.Count(body, sep) < 2 {
				t.Errorf("the child's page joins no list with %q", sep)
			}
			if c.lang == "ar" && strings.Contains(body, "<dd>أفغانستان, ") {
				t.Error("the child's nationalities are joined with a Latin comma in Arabic")
			}
		})
	}
}
