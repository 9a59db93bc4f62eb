package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
)

// clock is an adjustable clock shared by the server's sessions, use cases and provider.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// noFollow returns a copy of c that stops at redirects.
func noFollow(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// signedIn reports whether client c is signed in (GET /me answers 200, not a redirect).
func signedIn(t *testing.T, app *apptest.App, c *http.Client) bool {
	t.Helper()
	res := app.Do(t, noFollow(c), "GET", "/me", "")
	switch {
	case res.StatusCode == 200:
		return true
	case res.StatusCode == 303 && strings.HasPrefix(res.Header.Get("Location"), "/login"):
		return false
	}
	t.Fatalf("GET /me: unexpected %d %s", res.StatusCode, res.Header.Get("Location"))
	return false
}

// Each case gets its own server and clock: the development provider signs ID tokens with the
// real clock, so a login must happen before the test clock moves.
func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	t.Run("idle", func(t *testing.T) {
		clk := &clock{t: time.Now()}
		app := apptest.Start(t, apptest.WithClock(clk.Now))
		c := app.Login(t, "guardian1")
		clk.Advance(29 * time.Minute)
		if !signedIn(t, app, c) {
			t.Fatal("signed out before the idle timeout")
		}
		clk.Advance(31 * time.Minute) // 31 minutes after the last request
		if signedIn(t, app, c) {
			t.Fatal("still signed in after 31 idle minutes")
		}
	})
	t.Run("absolute", func(t *testing.T) {
		clk := &clock{t: time.Now()}
		app := apptest.Start(t, apptest.WithClock(clk.Now))
		c := app.Login(t, "guardian1")
		for range 35 { // active every 20 minutes: 11 h 40 min
			clk.Advance(20 * time.Minute)
			if !signedIn(t, app, c) {
				t.Fatal("an active session ended before its lifetime")
			}
		}
		clk.Advance(21 * time.Minute) // 12 h 01 min after login, 21 minutes after the last request
		if signedIn(t, app, c) {
			t.Fatal("still signed in after 12 hours")
		}
	})
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	c := app.Login(t, "protection1")
	u, _ := url.Parse(app.URL)
	var old []*http.Cookie
	old = append(old, c.Jar.Cookies(u)...)
	if len(old) == 0 {
		t.Fatal("no session cookie after login")
	}
	res := app.Do(t, noFollow(c), "POST", "/logout", "")
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "/dev-idp/") || !strings.Contains(res.Header.Get("Location"), "id_token_hint=") {
		t.Fatalf("logout should redirect to the provider's end_session with id_token_hint: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// The old cookie, replayed by someone who kept it, no longer works.
	replay := app.Client(t)
	replay.Jar.SetCookies(u, old)
	if signedIn(t, app, replay) {
		t.Fatal("the session cookie still works after logout")
	}
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM audit_events WHERE action IN ('login','logout')`)
	if n != 2 {
		t.Errorf("want a login and a logout audit row, got %d", n)
	}
}

// Each demo user and their role; "" is anonymous.
var users = []string{"", "border1", "protection1", "guardian1", "monitor1", "admin1", "newcomer"}

// matrix is the expected outcome of every route for every role, written by hand from the
// roles table of MISSION.md — deliberately NOT derived from auth/roles.go, so a mistake in
// either shows up here. "*" means everyone including anonymous; "+" every signed-in user.
var matrix = map[string]string{
	"GET /":                                           "*",
	"GET /static/*file":                               "*",
	"GET /favicon.ico":                                "*",
	"GET /login":                                      "*",
	"GET /auth/callback":                              "*",
	"POST /logout":                                    "+",
	"GET /me":                                         "+",
	"GET /register":                                   "border1 protection1",
	"POST /register":                                  "border1 protection1",
	"GET /register/done":                              "border1 protection1",
	"GET /children/needs-action":                      "border1 protection1 guardian1",
	"POST /children/search":                           "border1 protection1 guardian1",
	"POST /children/:id/arrivals":                     "border1 protection1",
	"POST /children/:id/merge":                        "protection1",
	"POST /children/:id/unmerge":                      "protection1",
	"POST /children/:id/transitions":                  "protection1",
	"POST /children/:id/age-assessments":              "protection1",
	"POST /children/:id/age-assessments/:aid":         "protection1",
	"POST /api/v1/registrations":                      "border1 protection1",
	"POST /api/v1/duplicate-check":                    "border1 protection1",
	"POST /api/v1/children/search":                    "border1 protection1 guardian1",
	"GET /api/v1/children/needs-action":               "border1 protection1 guardian1",
	"POST /api/v1/children/:id/arrivals":              "border1 protection1",
	"POST /api/v1/children/:id/merge":                 "protection1",
	"POST /api/v1/children/:id/unmerge":               "protection1",
	"POST /api/v1/children/:id/transitions":           "protection1",
	"GET /api/v1/children/:id/age-assessments":        "border1 protection1 guardian1 monitor1",
	"POST /api/v1/children/:id/age-assessments":       "protection1",
	"PATCH /api/v1/children/:id/age-assessments/:aid": "protection1",
	"GET /children":                                   "border1 protection1 guardian1",
	"GET /children/:id":                               "border1 protection1 guardian1 monitor1",
	"POST /children/:id":                              "border1 protection1 guardian1",
	"GET /children/:id/history":                       "protection1 admin1",
	"GET /break-glass":                                "border1 protection1 monitor1",
	"POST /break-glass":                               "border1 protection1 monitor1",
	"GET /admin/users":                                "admin1",
	"GET /admin/users/:id":                            "admin1",
	"POST /admin/users/:id":                           "admin1",
	"POST /admin/grants/:id/approve":                  "admin1",
	"POST /admin/grants/:id/refuse":                   "admin1",
	"GET /admin/reference":                            "admin1",
	"POST /admin/regions":                             "admin1",
	"POST /admin/border-posts":                        "admin1",
	"GET /admin/break-glass":                          "admin1",
	"GET /livez":                                      "*",
	"GET /readyz":                                     "*",
	"GET /metrics":                                    "*",
	"GET /dev-idp/*path":                              "*",
	"POST /dev-idp/*path":                             "*",
	"GET /dev/token/:username":                        "*",
	"GET /api/v1/openapi.json":                        "*",
	"GET /api/v1/me":                                  "+",
	"GET /api/v1/children":                            "border1 protection1 guardian1",
	"GET /api/v1/children/:id":                        "border1 protection1 guardian1 monitor1",
	"PATCH /api/v1/children/:id":                      "border1 protection1 guardian1",
	"GET /api/v1/children/:id/access-history":         "protection1 admin1",
	"POST /api/v1/break-glass":                        "border1 protection1 monitor1",
	"GET /api/v1/regions":                             "+",
	"GET /api/v1/border-posts":                        "+",
	"GET /api/v1/admin/users":                         "admin1",
	"GET /api/v1/admin/users/:id":                     "admin1",
	"PATCH /api/v1/admin/users/:id":                   "admin1",
	"GET /api/v1/admin/grants":                        "admin1",
	"POST /api/v1/admin/grants/:id/approve":           "admin1",
	"POST /api/v1/admin/grants/:id/refuse":            "admin1",
	"POST /api/v1/admin/regions":                      "admin1",
	"POST /api/v1/admin/border-posts":                 "admin1",
	"GET /api/v1/admin/break-glass":                   "admin1",
	"GET /api/v1/admin/denied-reads":                  "admin1",
	// The signed audit log: monitors keep copies of checkpoints; evidence is for administrators.
	"GET /audit":                                  "monitor1 admin1",
	"GET /audit/checkpoint":                       "monitor1 admin1",
	"GET /audit/events/:id/evidence":              "admin1",
	"GET /api/v1/audit/checkpoint":                "monitor1 admin1",
	"GET /api/v1/admin/audit/events/:id/evidence": "admin1",

	// Guardianship (issue 9): the registry for protection officers and administrators (it
	// holds no child data); appointing for protection officers; visits for guardians and
	// protection officers; the wards board for guardians.
	"GET /guardians":                           "protection1 admin1",
	"POST /guardians":                          "protection1 admin1",
	"GET /guardians/:id":                       "protection1 admin1",
	"POST /guardians/:id":                      "protection1 admin1",
	"GET /wards":                               "guardian1",
	"POST /children/:id/guardian-appointments": "protection1",
	"POST /children/:id/guardian-appointments/:aid/end":                  "protection1",
	"POST /children/:id/guardian-appointments/:aid/first-meeting":        "protection1 guardian1",
	"POST /children/:id/guardian-conflicts":                              "protection1",
	"POST /children/:id/visits":                                          "protection1 guardian1",
	"GET /api/v1/guardians":                                              "protection1 admin1",
	"POST /api/v1/guardians":                                             "protection1 admin1",
	"GET /api/v1/guardians/:id":                                          "protection1 admin1",
	"PATCH /api/v1/guardians/:id":                                        "protection1 admin1",
	"GET /api/v1/children/:id/guardianship":                              "border1 protection1 guardian1 monitor1",
	"GET /api/v1/children/:id/guardian-suggestions":                      "protection1",
	"POST /api/v1/children/:id/guardian-appointments":                    "protection1",
	"POST /api/v1/children/:id/guardian-appointments/:aid/end":           "protection1",
	"POST /api/v1/children/:id/guardian-appointments/:aid/first-meeting": "protection1 guardian1",
	"POST /api/v1/children/:id/guardian-conflicts":                       "protection1",
	"POST /api/v1/children/:id/visits":                                   "protection1 guardian1",
	"GET /api/v1/me/wards":                                               "guardian1",

	// Facilities and placements (issue 9): everyone who works with children reads facilities;
	// protection officers and administrators manage them; protection officers inspect;
	// guardians and protection officers record placements and checks.
	// Case lifecycle and information on rights (issue 10): reunify and transfer are status
	// transitions (protection officers); the transition plan and information on rights are
	// recorded, and the rights sheet printed, by protection officers and the child's guardian;
	// the lifecycle section is read by whoever reads the record.
	"POST /children/:id/reunify":                   "protection1",
	"POST /children/:id/transfer":                  "protection1",
	"POST /children/:id/transition-plans":          "protection1 guardian1",
	"POST /children/:id/rights-information":        "protection1 guardian1",
	"GET /children/:id/rights-sheet":               "protection1 guardian1",
	"GET /children/:id/rights-sheet.pdf":           "protection1 guardian1",
	"GET /api/v1/children/:id/lifecycle":           "border1 protection1 guardian1 monitor1",
	"POST /api/v1/children/:id/reunify":            "protection1",
	"POST /api/v1/children/:id/transfer":           "protection1",
	"POST /api/v1/children/:id/transition-plans":   "protection1 guardian1",
	"POST /api/v1/children/:id/rights-information": "protection1 guardian1",

	"GET /facilities":                                  "border1 protection1 guardian1 monitor1 admin1",
	"POST /facilities":                                 "protection1 admin1",
	"GET /facilities/:id":                              "border1 protection1 guardian1 monitor1 admin1",
	"POST /facilities/:id":                             "protection1 admin1",
	"POST /facilities/:id/inspections":                 "protection1",
	"POST /children/:id/placements":                    "protection1 guardian1",
	"POST /children/:id/placements/:pid/checks":        "protection1 guardian1",
	"GET /api/v1/facilities":                           "border1 protection1 guardian1 monitor1 admin1",
	"POST /api/v1/facilities":                          "protection1 admin1",
	"GET /api/v1/facilities/:id":                       "border1 protection1 guardian1 monitor1 admin1",
	"PUT /api/v1/facilities/:id":                       "protection1 admin1",
	"POST /api/v1/facilities/:id/inspections":          "protection1",
	"GET /api/v1/children/:id/placements":              "border1 protection1 guardian1 monitor1",
	"POST /api/v1/children/:id/placements":             "protection1 guardian1",
	"POST /api/v1/children/:id/placements/:pid/checks": "protection1 guardian1",

	// Family links between children (issue 9, siblings): read with the child; recorded and
	// voided by border officers (siblings arriving together) and protection officers.
	"POST /children/:id/relatives":                  "border1 protection1",
	"POST /children/:id/relatives/:rid/void":        "border1 protection1",
	"GET /api/v1/children/:id/relatives":            "border1 protection1 guardian1 monitor1",
	"POST /api/v1/children/:id/relatives":           "border1 protection1",
	"POST /api/v1/children/:id/relatives/:rid/void": "border1 protection1",
	// Offline registration (issue 13): service worker, manifest, the outbox key.
	"GET /sw.js":                "*",
	"GET /manifest.webmanifest": "*",
	"GET /api/v1/me/outbox-key": "border1 protection1",
	// Missing children (issue 10): protection officers and guardians report, record the
	// reaction, the finding and the return interview, and see the board; reading a child's
	// episodes and the missing-person sheet is reading the child (scoped: 404 out of scope).
	"GET /missing":                                                     "protection1 guardian1",
	"GET /children/:id/missing":                                        "border1 protection1 guardian1 monitor1",
	"POST /children/:id/missing":                                       "protection1 guardian1",
	"GET /children/:id/missing/:eid/sheet":                             "border1 protection1 guardian1 monitor1",
	"POST /children/:id/missing/:eid/reactions":                        "protection1 guardian1",
	"POST /children/:id/missing/:eid/found":                            "protection1 guardian1",
	"POST /children/:id/missing/:eid/return-interview":                 "protection1 guardian1",
	"GET /api/v1/missing":                                              "protection1 guardian1",
	"GET /api/v1/children/:id/missing-episodes":                        "border1 protection1 guardian1 monitor1",
	"POST /api/v1/children/:id/missing-episodes":                       "protection1 guardian1",
	"GET /api/v1/children/:id/missing-episodes/:eid":                   "border1 protection1 guardian1 monitor1",
	"PATCH /api/v1/children/:id/missing-episodes/:eid":                 "protection1 guardian1",
	"POST /api/v1/children/:id/missing-episodes/:eid/found":            "protection1 guardian1",
	"POST /api/v1/children/:id/missing-episodes/:eid/return-interview": "protection1 guardian1",
	// Alerts (issue 10): every staff role reads and marks its own alerts; none without a role.
	"GET /alerts":                  "border1 protection1 guardian1 monitor1 admin1",
	"POST /alerts/:id/read":        "border1 protection1 guardian1 monitor1 admin1",
	"GET /api/v1/alerts":           "border1 protection1 guardian1 monitor1 admin1",
	"POST /api/v1/alerts/:id/read": "border1 protection1 guardian1 monitor1 admin1",
	// Legal status (issue 10): guardians (their wards) and protection officers read and record;
	// border officers, monitors and administrators have no legal data of a child.
	"POST /children/:id/legal-events":                  "protection1 guardian1",
	"POST /children/:id/legal-events/:eid/void":        "protection1 guardian1",
	"GET /api/v1/children/:id/legal-events":            "protection1 guardian1",
	"POST /api/v1/children/:id/legal-events":           "protection1 guardian1",
	"POST /api/v1/children/:id/legal-events/:eid/void": "protection1 guardian1",
	// issue 13: the Latin spelling while typing, for those who register children.
	"POST /api/v1/transliterate": "border1 protection1",

	// issue 11: compliance monitoring — monitors (their regions, pseudonymised) and
	// protection officers (their regions) read the dashboard; nobody else.
	"GET /compliance":                        "protection1 monitor1",
	"GET /compliance/:rule":                  "protection1 monitor1",
	"GET /compliance/:rule/:vid":             "protection1 monitor1",
	"GET /api/v1/compliance/report":          "protection1 monitor1",
	"GET /api/v1/compliance/standards":       "protection1 monitor1",
	"GET /api/v1/compliance/violations":      "protection1 monitor1",
	"GET /api/v1/compliance/violations/:vid": "protection1 monitor1",
	// issue 11: compliance exports — monitors only (exporting is theirs: MISSION.md).
	"GET /compliance/export/indicators.csv":          "monitor1",
	"GET /compliance/export/indicators.xlsx":         "monitor1",
	"GET /compliance/export/violations.csv":          "monitor1",
	"GET /compliance/export/violations.xlsx":         "monitor1",
	"GET /compliance/report/monthly":                 "monitor1",
	"GET /compliance/report/monthly.pdf":             "monitor1",
	"GET /api/v1/compliance/exports/indicators.csv":  "monitor1",
	"GET /api/v1/compliance/exports/indicators.xlsx": "monitor1",
	"GET /api/v1/compliance/exports/violations.csv":  "monitor1",
	"GET /api/v1/compliance/exports/violations.xlsx": "monitor1",
}

func allowed(rule, user string) bool {
	switch rule {
	case "*":
		return true
	case "+":
		return user != ""
	}
	return user != "" && strings.Contains(" "+rule+" ", " "+user+" ")
}

// TestRouteRoleMatrix sends every registered route as every role (and anonymously) and checks
// who is let through. It also fails when a route is missing from the matrix.
func TestRouteRoleMatrix(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	// The user pages are tried on another user than admin1: a change to one's own account is
	// refused with 403 to everyone (separation of duties), which would read as "denied".
	var userID int64
	if err := app.DB.Raw(`SELECT id FROM users WHERE username = 'newcomer'`).Scan(&userID).Error; err != nil || userID == 0 {
		t.Fatalf("newcomer: %v", err)
	}
	childID := app.ChildID(t, "AL-2026-000001")
	home := apptest.Body(t, app.Get(t, "/"))
	css := regexp.MustCompile(`/static/(app\.[0-9a-f]+\.css)`).FindStringSubmatch(home)[1]
	params := strings.NewReplacer(":aid", "1", ":pid", "1", ":rid", "1", ":eid", "1", ":id", fmt.Sprint(childID), "*file", css, "*path", ".well-known/openid-configuration", ":username", "guardian1",
		":rule", "S6", ":vid", "1") // issue 11: compliance
	adminParams := strings.NewReplacer(":id", fmt.Sprint(userID))

	routes := app.Server.Engine().Routes()
	for _, r := range routes {
		if _, ok := matrix[r.Method+" "+r.Path]; !ok {
			t.Errorf("route %s %s is not in the role matrix of this test", r.Method, r.Path)
		}
	}
	clients := map[string]*http.Client{}
	login := func(u string) *http.Client {
		if u == "" {
			return noFollow(app.Client(t))
		}
		return noFollow(app.Login(t, u))
	}
	for _, u := range users {
		clients[u] = login(u)
	}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		path := params.Replace(r.Path)
		if strings.Contains(r.Path, "/admin/users/") {
			path = adminParams.Replace(r.Path)
		}
		for _, u := range users {
			t.Run(key+" as "+u, func(t *testing.T) {
				body, invalid := "", []string(nil)
				if strings.HasPrefix(r.Path, "/api/") && (r.Method == "POST" || r.Method == "PATCH" || r.Method == "PUT") {
					// An empty object (and no If-Match): only who is let through matters here.
					body, invalid = "{}", []string{apptest.InvalidRequest, "empty body"}
				}
				res := app.Do(t, clients[u], r.Method, path, body, invalid...)
				loc := res.Header.Get("Location")
				denied := res.StatusCode == 401 || res.StatusCode == 403 || (res.StatusCode == 303 && strings.HasPrefix(loc, "/login"))
				if want := allowed(matrix[key], u); denied == want {
					t.Errorf("%s as %q: status %d %s; want allowed=%v", key, u, res.StatusCode, loc, want)
				}
			})
		}
		if key == "POST /logout" { // it signed everyone out: sign them in again
			for _, u := range users {
				clients[u] = login(u)
			}
		}
	}
}

// Out-of-scope children are 404 in both faces, never 403: their existence does not leak.
func TestGuardianSeesOnlyCurrentWards(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	g1 := app.Login(t, "guardian1")
	own := app.ChildID(t, "AL-2026-000001")   // guardian1's ward
	other := app.ChildID(t, "AL-2026-000006") // guardian2's ward
	ended := app.ChildID(t, "AL-2026-000004") // guardian1's appointment ended 10 days ago
	missing := int64(999999)
	for _, tt := range []struct {
		id   int64
		want int
	}{{own, 200}, {other, 404}, {ended, 404}, {missing, 404}} {
		if res := app.Do(t, g1, "GET", fmt.Sprintf("/api/v1/children/%d", tt.id), ""); res.StatusCode != tt.want {
			t.Errorf("API child %d: %d, want %d", tt.id, res.StatusCode, tt.want)
		}
		if res := app.Do(t, g1, "GET", fmt.Sprintf("/children/%d", tt.id), ""); res.StatusCode != tt.want {
			t.Errorf("page child %d: %d, want %d", tt.id, res.StatusCode, tt.want)
		}
	}
	var page struct {
		Items []struct {
			RegistrationNumber string `json:"registration_number"`
		} `json:"items"`
	}
	if err := json.NewDecoder(app.Do(t, g1, "GET", "/api/v1/children", "").Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range page.Items {
		got = append(got, it.RegistrationNumber)
	}
	if fmt.Sprint(got) != "[AL-2026-000001 AL-2026-000002]" {
		t.Errorf("guardian1 lists %v, want exactly the two current wards", got)
	}
	// Bearer tokens get the same scope.
	req := app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/children/%d", other), "", "Authorization", "Bearer "+app.Token(t, "guardian1"))
	if req.StatusCode != 404 {
		t.Errorf("bearer: guardian1 reading guardian2's ward: %d", req.StatusCode)
	}
	// Other roles: border officer of another post, monitor without break-glass.
	if res := app.Do(t, app.Login(t, "border2"), "GET", fmt.Sprintf("/api/v1/children/%d", own), ""); res.StatusCode != 404 {
		t.Errorf("border2 (post KAP) reading a KAK child: %d", res.StatusCode)
	}
	if res := app.Do(t, app.Login(t, "border1"), "GET", fmt.Sprintf("/api/v1/children/%d", own), ""); res.StatusCode != 200 {
		t.Errorf("border1 (post KAK) reading a KAK child: %d", res.StatusCode)
	}
	if res := app.Do(t, app.Login(t, "monitor1"), "GET", fmt.Sprintf("/api/v1/children/%d", own), ""); res.StatusCode != 404 {
		t.Errorf("monitor reading a child without break-glass: %d", res.StatusCode)
	}
}

func auditCount(t *testing.T, app *apptest.App, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := app.DB.Raw(`SELECT count(*) FROM audit_events WHERE `+where, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReadsWritesAndDenialsAreAudited(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	p1 := app.Login(t, "protection1")
	id := app.ChildID(t, "AL-2026-000001")
	sid := fmt.Sprint(id)

	res := app.Do(t, p1, "GET", "/api/v1/children/"+sid, "")
	if res.StatusCode != 200 {
		t.Fatalf("read: %d", res.StatusCode)
	}
	if n := auditCount(t, app, `action = 'child.read' AND entity = 'child' AND entity_id = ?`, sid); n != 1 {
		t.Fatalf("one view must write exactly one audit row, got %d", n)
	}
	etag := res.Header.Get("ETag")

	res = app.Do(t, p1, "PATCH", "/api/v1/children/"+sid, `{"region_code":"KOR"}`, "If-Match", etag)
	if res.StatusCode != 200 {
		t.Fatalf("update: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	var changes string
	if err := app.DB.Raw(`SELECT changes::text FROM audit_events WHERE action = 'child.update' AND entity_id = ?`, sid).Scan(&changes).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(changes, `"region_code"`) || !strings.Contains(changes, `"before": "GJI"`) || !strings.Contains(changes, `"after": "KOR"`) {
		t.Fatalf("update audit row lacks the changed field: %s", changes)
	}
	if n := auditCount(t, app, `action = 'child.update'`); n != 1 {
		t.Fatalf("one edit, %d update rows", n)
	}

	if res := app.Do(t, app.Login(t, "guardian1"), "GET", "/api/v1/admin/users", ""); res.StatusCode != 403 {
		t.Fatalf("guardian reading the user list: %d", res.StatusCode)
	}
	if n := auditCount(t, app, `action = 'denied' AND entity_id = 'GET /api/v1/admin/users' AND actor_roles = 'guardian'`); n != 1 {
		t.Fatalf("the forbidden request must leave one denied row, got %d", n)
	}
	if res := app.Do(t, nil, "GET", "/api/v1/children", "", "Authorization", "Bearer not.a.token"); res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("bad bearer token: %d", res.StatusCode)
	}
	if n := auditCount(t, app, `action = 'denied' AND reason = 'invalid bearer token'`); n != 1 {
		var rows []struct{ EntityID, RequestID, ActorSubject string }
		app.Scan(t, &rows, `SELECT entity_id, request_id, actor_subject FROM audit_events WHERE action = 'denied'`)
		t.Fatalf("a refused token must leave a denied row, got %d: %+v", n, rows)
	}
	// Who looked at this child: visible to the protection officer, with the read above.
	var hist struct {
		Items []struct{ Action, Actor string } `json:"items"`
	}
	json.NewDecoder(app.Do(t, p1, "GET", "/api/v1/children/"+sid+"/access-history", "").Body).Decode(&hist)
	if len(hist.Items) < 2 || hist.Items[len(hist.Items)-1].Action != "child.read" || hist.Items[len(hist.Items)-1].Actor != "demo-protection-1" {
		t.Fatalf("access history: %+v", hist.Items)
	}
}

func TestOptimisticConcurrencyOnChildren(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	tok := "Bearer " + app.Token(t, "protection1")
	sid := fmt.Sprint(app.ChildID(t, "AL-2026-000004"))
	res := app.Do(t, nil, "GET", "/api/v1/children/"+sid, "", "Authorization", tok)
	etag := res.Header.Get("ETag")
	if etag != `"1"` {
		t.Fatalf("ETag %q", etag)
	}
	if res := app.Do(t, nil, "PATCH", "/api/v1/children/"+sid, `{"region_code":"GJI"}`, "Authorization", tok, apptest.InvalidRequest, "no If-Match"); res.StatusCode != 428 {
		t.Fatalf("no If-Match: %d, want 428", res.StatusCode)
	}
	res = app.Do(t, nil, "PATCH", "/api/v1/children/"+sid, `{"region_code":"GJI"}`, "Authorization", tok, "If-Match", etag)
	if res.StatusCode != 200 || res.Header.Get("ETag") != `"2"` {
		t.Fatalf("first writer: %d %s", res.StatusCode, res.Header.Get("ETag"))
	}
	// A second writer still holding version 1 gets 412 and changes nothing.
	res = app.Do(t, nil, "PATCH", "/api/v1/children/"+sid, `{"region_code":"KOR"}`, "Authorization", tok, "If-Match", etag)
	if res.StatusCode != 412 || decodeProblem(t, res).Type != "urn:kujdes:problem:conflict" {
		t.Fatalf("stale writer: %d", res.StatusCode)
	}
	var region string
	if err := app.DB.Raw(`SELECT r.code FROM children c JOIN regions r ON r.id = c.region_id WHERE c.id = ?`, sid).Scan(&region).Error; err != nil {
		t.Fatal(err)
	}
	if region != "GJI" {
		t.Fatalf("a stale write changed the record: %s", region)
	}
	// Moving the child to a region outside the officer's scope: saved, then out of sight (404).
	res = app.Do(t, nil, "PATCH", "/api/v1/children/"+sid, `{"region_code":"SHK"}`, "Authorization", tok, "If-Match", `"2"`)
	if res.StatusCode != 200 {
		t.Fatalf("transfer: %d", res.StatusCode)
	}
	if res := app.Do(t, nil, "GET", "/api/v1/children/"+sid, "", "Authorization", tok); res.StatusCode != 404 {
		t.Fatalf("after the transfer to SHK, protection1 (GJI, KOR) must no longer see the child: %d", res.StatusCode)
	}
	// Invalid input: per-field problem, nothing written.
	sid = fmt.Sprint(app.ChildID(t, "AL-2026-000005"))
	res = app.Do(t, nil, "PATCH", "/api/v1/children/"+sid, `{"region_code":"XX","identity":{"sex":"male"}}`, "Authorization", tok, "If-Match", `"1"`, apptest.InvalidRequest, "unknown region")
	p := decodeProblem(t, res)
	if res.StatusCode != 422 || len(p.Errors) < 2 || p.Errors[0].Field != "region_code" || p.Errors[0].Message == "" {
		t.Fatalf("validation: %d %+v", res.StatusCode, p)
	}
}

func TestBreakGlassExpires(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Now()}
	app := apptest.Start(t, apptest.WithClock(clk.Now))
	m := app.Login(t, "monitor1")
	sid := fmt.Sprint(app.ChildID(t, "AL-2026-000003"))
	if res := app.Do(t, m, "GET", "/api/v1/children/"+sid, ""); res.StatusCode != 404 {
		t.Fatalf("before break-glass: %d", res.StatusCode)
	}
	res := app.Do(t, m, "POST", "/api/v1/break-glass", `{"registration_number":"AL-2026-000003","reason":"short"}`, apptest.InvalidRequest, "reason too short")
	if res.StatusCode != 422 {
		t.Fatalf("a short reason must be refused: %d", res.StatusCode)
	}
	res = app.Do(t, m, "POST", "/api/v1/break-glass", `{"registration_number":"AL-2026-000003","reason":"Police report 2026/1187: child seen at Vlorë port"}`)
	if res.StatusCode != 201 {
		t.Fatalf("grant: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	res = app.Do(t, m, "GET", "/api/v1/children/"+sid, "")
	var v struct {
		ViaBreakGlass bool `json:"via_break_glass"`
	}
	json.NewDecoder(res.Body).Decode(&v)
	if res.StatusCode != 200 || !v.ViaBreakGlass {
		t.Fatalf("during break-glass: %d %+v", res.StatusCode, v)
	}
	for _, step := range []time.Duration{25 * time.Minute, 25 * time.Minute, 9 * time.Minute} { // the session stays active
		clk.Advance(step)
		if res := app.Do(t, m, "GET", "/api/v1/children/"+sid, ""); res.StatusCode != 200 {
			t.Fatalf("within the hour: %d", res.StatusCode)
		}
	}
	clk.Advance(2 * time.Minute)
	if res := app.Do(t, m, "GET", "/api/v1/children/"+sid, ""); res.StatusCode != 404 {
		t.Fatalf("after 61 minutes the access must have ended: %d", res.StatusCode)
	}
	var list struct {
		Items []struct {
			Reason string `json:"reason"`
			Active bool   `json:"active"`
		} `json:"items"`
	}
	json.NewDecoder(app.Do(t, nil, "GET", "/api/v1/admin/break-glass", "", "Authorization", "Bearer "+app.Token(t, "admin1")).Body).Decode(&list)
	if len(list.Items) != 1 || list.Items[0].Active || !strings.Contains(list.Items[0].Reason, "Police report") {
		t.Fatalf("admin list: %+v", list.Items)
	}
	if n := auditCount(t, app, `action = 'break_glass.grant' AND reason LIKE 'Police report%'`); n != 1 {
		t.Fatalf("grant audit rows: %d", n)
	}
	// Each read through the grant is recorded as such (readScoped).
	if n := auditCount(t, app, `action = 'child.read' AND entity_id = '`+sid+`' AND reason = 'break-glass' AND outcome = 'ok'`); n != 4 {
		t.Errorf("reads recorded as break-glass: %d, want 4", n)
	}
}

func TestDeactivationAndRoleChangeEndSessions(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	g := app.Login(t, "guardian2")
	var id, version int64
	if err := app.DB.Raw(`SELECT id, version FROM users WHERE username = 'guardian2'`).Row().Scan(&id, &version); err != nil {
		t.Fatal(err)
	}
	admin := app.Login(t, "admin1")
	res := app.Do(t, admin, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", id), `{"roles":[],"active":false}`, "If-Match", fmt.Sprintf(`"%d"`, version))
	if res.StatusCode != 200 {
		t.Fatalf("deactivate: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	if signedIn(t, app, g) {
		t.Fatal("a deactivated user's session still works")
	}
	if res := app.Do(t, nil, "GET", "/api/v1/me", "", "Authorization", "Bearer "+app.Token(t, "guardian2")); res.StatusCode != 401 {
		t.Fatalf("a deactivated user's bearer token: %d", res.StatusCode)
	}
}

func TestNoRoleSeesNoAccessYet(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	body := apptest.Body(t, app.Do(t, app.Login(t, "newcomer"), "GET", "/me", "", "Accept-Language", "sq"))
	if !strings.Contains(body, "Ende pa qasje") {
		t.Fatalf("a user without a role should see the localized 'no access yet' page: %.400s", body)
	}
}

// A cross-site form post (CSRF) is refused before any handler runs, and changes nothing.
func TestCrossOriginRequestsRefused(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	c := app.Login(t, "protection1")
	res := app.Do(t, noFollow(c), "POST", "/logout", "", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if res.StatusCode != 403 {
		t.Fatalf("cross-site logout: %d", res.StatusCode)
	}
	if !signedIn(t, app, c) {
		t.Fatal("a refused cross-site request still ended the session")
	}
	res = app.Do(t, c, "POST", "/api/v1/break-glass", `{"registration_number":"AL-2026-000006","reason":"forged by another site"}`, "Sec-Fetch-Site", "cross-site")
	if res.StatusCode != 403 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("cross-site API post: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if n := auditCount(t, app, `action = 'break_glass.grant'`); n != 0 {
		t.Fatal("a cross-site request created a grant")
	}
	if n := auditCount(t, app, `action = 'denied' AND reason = 'cross-origin request'`); n != 2 {
		t.Fatalf("cross-origin refusals audited: %d", n)
	}
	// The same request from the page itself (same origin) is accepted.
	res = app.Do(t, c, "POST", "/api/v1/break-glass", `{"registration_number":"AL-2026-000006","reason":"Hotline call about this child"}`, "Sec-Fetch-Site", "same-origin")
	if res.StatusCode != 201 {
		t.Fatalf("same-origin: %d", res.StatusCode)
	}
}
