package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// fuzzEndpoints are the JSON bodies of the API, as the user allowed to send each.
var fuzzEndpoints = []struct{ who, method, path string }{
	{"border1", "POST", "/api/v1/registrations"},
	{"border1", "POST", "/api/v1/duplicate-check"},
	{"border1", "POST", "/api/v1/children/search"},
	{"border1", "POST", "/api/v1/children/{child}/arrivals"},
	{"protection1", "PATCH", "/api/v1/children/{child}"},
	{"protection1", "POST", "/api/v1/children/{child}/age-assessments"},
	{"protection1", "PATCH", "/api/v1/children/{child}/age-assessments/1"},
	{"protection1", "POST", "/api/v1/children/{child}/merge"},
	{"protection1", "POST", "/api/v1/children/{child}/unmerge"},
	{"protection1", "POST", "/api/v1/break-glass"},
	{"admin1", "POST", "/api/v1/admin/regions"},
	{"admin1", "POST", "/api/v1/admin/border-posts"},
	{"admin1", "PATCH", "/api/v1/admin/users/{user}"},
	{"protection1", "GET", "/api/v1/children?{body}"},
	{"protection1", "GET", "/api/v1/children/needs-action?{body}"},
}

// FuzzAPIBodies posts arbitrary bodies (and query strings) through the real router to every
// JSON endpoint, over a real database: whatever the bytes, the answer is never a 5xx. The
// seeds (here and in testdata/fuzz/FuzzAPIBodies) run with every `go test`.
func FuzzAPIBodies(f *testing.F) {
	for i := range fuzzEndpoints {
		for _, s := range []string{`{}`, `{"given_name":"A\u0000"}`, `{"reason":"\ud800\u0085"}`, `{"name":5}`, `limit=abc&after=-1`, "\x00", `{"arrival":{"documents":[{"type":"passport","number":"\u0000"}]}}`} {
			f.Add(uint8(i), s)
		}
	}
	f.Add(uint8(0), registration(map[string]any{"given_name": "Ali\u0000"}))
	f.Add(uint8(0), registration(map[string]any{"confirm_new": true}))
	app := apptest.Start(f)
	tokens := map[string]string{}
	for _, u := range []string{"border1", "protection1", "admin1"} {
		tokens[u] = "Bearer " + app.Token(f, u)
	}
	child := fmt.Sprint(app.ChildID(f, "AL-2026-000001"))
	var user int64
	if err := app.DB.Raw(`SELECT id FROM users WHERE username = 'border1'`).Scan(&user).Error; err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		ep := fuzzEndpoints[int(which)%len(fuzzEndpoints)]
		path := strings.NewReplacer("{child}", child, "{user}", fmt.Sprint(user)).Replace(ep.path)
		if strings.Contains(path, "{body}") {
			path = strings.Replace(path, "{body}", strings.NewReplacer("#", "%23", " ", "%20", "\x00", "%00").Replace(body), 1)
			body = ""
		}
		req, err := http.NewRequest(ep.method, app.URL+path, strings.NewReader(body))
		if err != nil {
			return // not a request any client could send
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", tokens[ep.who])
		req.Header.Set("If-Match", `"1"`)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		text := apptest.Body(t, res)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s → %d: %.300s", ep.method, path, res.StatusCode, text)
		}
	})
}

// fuzzForms are the page forms, each posted by a user allowed to send it.
var fuzzForms = []string{
	"/register", "/children/search", "/children/{child}/arrivals", "/children/{child}", "/children/{child}/merge",
	"/children/{child}/unmerge", "/children/{child}/age-assessments", "/children/{child}/age-assessments/1", "/break-glass",
}

// FuzzPageForms posts arbitrary form bodies through the real router to every page form of a
// signed-in protection officer (and the administrator's): never a 5xx.
func FuzzPageForms(f *testing.F) {
	for i := range len(fuzzForms) + 3 {
		for _, s := range []string{"", "given_name=A%00li&sex=male", "reason=%C2%85x", "location=%FF", "a=1&a=2", "%zz", "version=x&status=closed",
			"given_name=%E2%80%8B&age_min=-5&nationality_1=AF&how_found=border_check&region_code=TIR&location=x&confirm_new=1",
			// A form valid in every other way, so a bad character would reach the database.
			"given_name=A%00li&family_name=Rahimi&sex=male&age_min=15&age_max=16&nationality_1=AF&how_found=border_check&region_code=GJI&location=x&reason=same%00child&confirm_new=1"} {
			f.Add(uint8(i), s)
		}
	}
	app := apptest.Start(f)
	prot := app.Login(f, "protection1")
	admin := app.Login(f, "admin1")
	child := fmt.Sprint(app.ChildID(f, "AL-2026-000001"))
	var user int64
	if err := app.DB.Raw(`SELECT id FROM users WHERE username = 'border1'`).Scan(&user).Error; err != nil {
		f.Fatal(err)
	}
	forms := append(append([]string(nil), fuzzForms...), "/admin/regions", "/admin/border-posts", fmt.Sprintf("/admin/users/%d", user))
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		path := strings.ReplaceAll(forms[int(which)%len(forms)], "{child}", child)
		c := prot
		if strings.HasPrefix(path, "/admin/") {
			c = admin
		}
		req, err := http.NewRequest(http.MethodPost, app.URL+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultTransport.RoundTrip(withCookies(c, req))
		if err != nil {
			t.Fatal(err)
		}
		text := apptest.Body(t, res)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("POST %s %q → %d: %.300s", path, body, res.StatusCode, text)
		}
		if strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Fatalf("POST %s: the session was not used (%d → %s)", path, res.StatusCode, res.Header.Get("Location"))
		}
	})
}

// withCookies adds the client's session cookies to req (RoundTrip skips the jar, so a
// redirect is seen as the answer, not followed).
func withCookies(c *http.Client, req *http.Request) *http.Request {
	for _, ck := range c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	return req
}
