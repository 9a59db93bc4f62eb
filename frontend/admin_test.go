package frontend_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// adminPost sends an HTML form as a browser does, without following the redirect, so the test
// sees the 303 of POST-redirect-GET.
func adminPost(t *testing.T, app *apptest.App, c *http.Client, path string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, app.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := adminNoRedirect(c).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// adminNoRedirect is a copy of c (same cookie jar) that returns redirects instead of following them.
func adminNoRedirect(c *http.Client) *http.Client {
	nc := *c
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &nc
}

// get fetches a page through c and returns its status and body.
func adminGet(t *testing.T, app *apptest.App, c *http.Client, path string) (int, string) {
	t.Helper()
	res := app.Do(t, c, http.MethodGet, path, "")
	return res.StatusCode, apptest.Body(t, res)
}

func adminUserID(t *testing.T, app *apptest.App, username string) int64 {
	t.Helper()
	var id int64
	if err := app.DB.Raw(`SELECT id FROM users WHERE username = ?`, username).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("no demo user %s: %v", username, err)
	}
	return id
}

var adminVersionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// adminFormVersion reads the hidden version field of the user page.
func adminFormVersion(t *testing.T, body string) string {
	t.Helper()
	m := adminVersionField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no version field in %.500s", body)
	}
	return m[1]
}

// checked reports whether the page ticks the checkbox name=value.
func adminChecked(body, name, value string) bool {
	re := regexp.MustCompile(`<input type="checkbox" name="` + regexp.QuoteMeta(name) + `" value="` + regexp.QuoteMeta(value) + `"[^>]*>`)
	m := re.FindString(body)
	return strings.Contains(m, " checked")
}

func adminUserForm(version string, roles, regions, posts []string, active bool) url.Values {
	f := url.Values{"version": {version}, "roles": roles, "region_codes": regions, "border_post_codes": posts}
	if active {
		f.Set("active", "true")
	}
	return f
}

func TestAdminUsersListShowsEveryUser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	c := app.Login(t, "admin1")

	status, body := adminGet(t, app, c, "/admin/users")
	if status != http.StatusOK {
		t.Fatalf("GET /admin/users = %d: %.300s", status, body)
	}
	for _, name := range []string{"Arben Hoxha", "Elira Kola", "Mirela Shehu", "Gentian Marku", "Drita Leka", "Besnik Gjoni", "Teuta Dervishi", "Ilir Basha", "Sara Newcomer"} {
		if !strings.Contains(body, name) {
			t.Errorf("users list lacks %s", name)
		}
	}
	for _, u := range []string{"border1", "newcomer", "admin1"} {
		if link := fmt.Sprintf(`href="/admin/users/%d"`, adminUserID(t, app, u)); !strings.Contains(body, link) {
			t.Errorf("users list lacks the link %s", link)
		}
	}
	// admin1's role comes from the identity provider (asserted at the sign-in above), and says so.
	if !strings.Contains(body, `Administrator <span class="badge">from the identity provider</span>`) {
		t.Error("the provider-asserted admin role is not marked")
	}
	if !strings.Contains(body, "No role") || !strings.Contains(body, "<th scope=\"col\">Last sign-in</th>") || !strings.Contains(body, "UTC</time>") {
		t.Error("no-role marker, last sign-in column or UTC time missing")
	}
	if !strings.Contains(body, `<a href="/admin/users" aria-current="page">Users</a>`) {
		t.Error("the administration sub-navigation does not mark Users")
	}
	for _, p := range []string{"/admin/users/999999", "/admin/users/abc"} {
		if status, _ := adminGet(t, app, c, p); status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, status)
		}
	}
}

// Giving newcomer a role and a region ends newcomer's current session at once; after signing
// in again newcomer has the new access, and the change is audited.
func TestAdminAssignRoleEndsSessions(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	newcomer := app.Login(t, "newcomer")
	if status, body := adminGet(t, app, newcomer, "/me"); status != http.StatusOK || !strings.Contains(body, "No access yet") {
		t.Fatalf("newcomer /me before = %d: %.300s", status, body)
	}

	admin := app.Login(t, "admin1")
	id := adminUserID(t, app, "newcomer")
	page := fmt.Sprintf("/admin/users/%d", id)
	status, body := adminGet(t, app, admin, page)
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d", page, status)
	}
	if !strings.Contains(body, html.EscapeString("ends this user's current sessions")) {
		t.Error("the user page does not say that saving ends sessions")
	}
	res := adminPost(t, app, admin, page, adminUserForm(adminFormVersion(t, body), []string{"guardian"}, []string{"GJI"}, nil, true))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?saved=1" {
		t.Fatalf("save = %d → %q: %.500s", res.StatusCode, res.Header.Get("Location"), apptest.Body(t, res))
	}
	// Giving access waits for a second administrator: newcomer has nothing yet, and the
	// requester is not offered the decision.
	status, body = adminGet(t, app, admin, page+"?saved=1")
	if status != http.StatusOK || !strings.Contains(body, "Access waiting for a second administrator") || strings.Contains(body, "<dd>Guardian</dd>") {
		t.Fatalf("after the request = %d: %.1500s", status, body)
	}
	if status, body := adminGet(t, app, app.Login(t, "newcomer"), "/me"); status != http.StatusOK || !strings.Contains(body, "No access yet") {
		t.Fatalf("newcomer has access before approval: %d", status)
	}
	_, list := adminGet(t, app, admin, "/admin/users")
	grant := regexp.MustCompile(`action="(/admin/grants/\d+)/approve"`)
	if grant.MatchString(list) || !strings.Contains(list, "Waiting for another administrator") {
		t.Fatalf("the requester is offered to approve their own grant: %.3000s", list)
	}
	_, list = adminGet(t, app, app.Login(t, "admin2"), "/admin/users")
	m := grant.FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("admin2 does not see the pending grant: %.3000s", list)
	}
	if res := adminPost(t, app, admin, m[1]+"/approve", url.Values{}); res.StatusCode != http.StatusForbidden ||
		!strings.Contains(apptest.Body(t, res), html.EscapeString("You asked for this grant: another administrator must approve or refuse it.")) {
		t.Fatalf("the requester approving their own grant = %d, want 403", res.StatusCode)
	}
	if res := adminPost(t, app, app.Login(t, "admin2"), m[1]+"/approve", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin2 approves = %d: %.500s", res.StatusCode, apptest.Body(t, res))
	}
	status, body = adminGet(t, app, admin, page)
	if status != http.StatusOK || !strings.Contains(body, "<dd>Guardian</dd>") || !strings.Contains(body, "<dd>Gjirokastër (<code>GJI</code>)</dd>") || !adminChecked(body, "region_codes", "GJI") {
		t.Fatalf("after approval = %d: %.1500s", status, body)
	}

	// The session newcomer had before the change no longer works.
	res = app.Do(t, adminNoRedirect(newcomer), http.MethodGet, "/me", "")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("old newcomer session: GET /me = %d → %q, want 303 to /login", res.StatusCode, res.Header.Get("Location"))
	}
	// Signing in again gives the new role and region.
	status, body = adminGet(t, app, app.Login(t, "newcomer"), "/me")
	if status != http.StatusOK || !strings.Contains(body, "Guardian") || !strings.Contains(body, "<dd>Gjirokastër</dd>") {
		t.Fatalf("newcomer /me after = %d: %.1000s", status, body)
	}

	var rows []struct{ Action, Outcome, ActorSubject, Changes string }
	if err := app.DB.Raw(`SELECT action, outcome, actor_subject, changes::text AS changes FROM audit_events
		WHERE action LIKE 'admin.%' ORDER BY id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	want := []string{"admin.grant.request ok demo-admin-1", "admin.grant.approve denied demo-admin-1", "admin.grant.approve ok demo-admin-2"}
	if len(rows) != len(want) {
		t.Fatalf("audit rows = %+v, want %v", rows, want)
	}
	for i, r := range rows {
		if got := r.Action + " " + r.Outcome + " " + r.ActorSubject; got != want[i] {
			t.Errorf("audit row %d = %q, want %q", i, got, want[i])
		}
	}
	if c := rows[2].Changes; !strings.Contains(c, `"roles"`) || !strings.Contains(c, `"guardian"`) || !strings.Contains(c, `"region_ids"`) {
		t.Fatalf("audit admin.grant.approve changes = %s", c)
	}
}

// A save based on a stale version is refused with the current values shown and the
// administrator's choices kept, ready to save again.
func TestAdminUserConflictKeepsInput(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	admin := app.Login(t, "admin1")
	page := fmt.Sprintf("/admin/users/%d", adminUserID(t, app, "newcomer"))
	_, body := adminGet(t, app, admin, page)
	stale := adminFormVersion(t, body)

	// Someone else saves first.
	if res := adminPost(t, app, admin, page, adminUserForm(stale, []string{"monitor"}, []string{"TIR"}, nil, true)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save = %d", res.StatusCode)
	}
	res := adminPost(t, app, admin, page, adminUserForm(stale, []string{"guardian"}, []string{"VLO"}, []string{"QAF"}, true))
	body = apptest.Body(t, res)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save = %d, want 409: %.500s", res.StatusCode, body)
	}
	if !strings.Contains(body, "Someone else changed this user") {
		t.Error("no conflict message")
	}
	// The details show the user as they are now...
	// (the other save gives access, so it waits for approval and shows as pending)
	if !strings.Contains(body, "Access waiting for a second administrator") || !strings.Contains(body, "<li>Ministry monitor") {
		t.Errorf("conflict page does not show the current values: %.2000s", body)
	}
	// ...and the form keeps what was chosen, based on the version now seen.
	for _, box := range [][2]string{{"roles", "guardian"}, {"region_codes", "VLO"}, {"border_post_codes", "QAF"}, {"active", "true"}} {
		if !adminChecked(body, box[0], box[1]) {
			t.Errorf("the form lost %s=%s", box[0], box[1])
		}
	}
	if adminChecked(body, "roles", "monitor") || adminChecked(body, "region_codes", "TIR") {
		t.Error("the form shows the other save's values instead of the administrator's choices")
	}
	if v, _ := strconv.Atoi(stale); adminFormVersion(t, body) != strconv.Itoa(v+1) {
		t.Errorf("version in the form = %s, want %d", adminFormVersion(t, body), v+1)
	}
}

func TestAdminUserValidation(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	admin := app.Login(t, "admin1")
	tests := []struct {
		name, user           string
		roles, regions, post []string
		active               bool
		want                 string
	}{
		{"unknown region", "newcomer", []string{"protection_officer"}, []string{"ZZZ"}, nil, true, `There is no region with the code "ZZZ".`},
		{"unknown border post", "newcomer", []string{"border_officer"}, nil, []string{"NOPE"}, true, `There is no border post with the code "NOPE".`},
		{"unknown role", "newcomer", []string{"wizard"}, nil, nil, true, `"wizard" is not a Kujdes role.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := fmt.Sprintf("/admin/users/%d", adminUserID(t, app, tt.user))
			_, body := adminGet(t, app, admin, page)
			res := adminPost(t, app, admin, page, adminUserForm(adminFormVersion(t, body), tt.roles, tt.regions, tt.post, tt.active))
			body = apptest.Body(t, res)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422: %.500s", res.StatusCode, body)
			}
			if !strings.Contains(body, html.EscapeString(tt.want)) || !strings.Contains(body, `class="field-error"`) || !strings.Contains(body, `aria-invalid="true"`) {
				t.Errorf("message %q not shown as a field error: %.3000s", tt.want, body)
			}
			for _, r := range tt.roles {
				if r != "wizard" && !adminChecked(body, "roles", r) {
					t.Errorf("the form lost the role %s", r)
				}
			}
		})
	}
	var n int64
	app.Scan(t, &n, "SELECT count(*) FROM audit_events WHERE action='admin.user.update'")
	if n != 0 {
		t.Errorf("refused saves wrote %d audit rows", n)
	}
}

// An administrator cannot change their own account: not give themselves a role that sees
// children, a region, nor deactivate themselves. Refused with 403 at the fields, audited,
// nothing changed.
func TestAdminCannotChangeOwnAccount(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	admin := app.Login(t, "admin1")
	page := fmt.Sprintf("/admin/users/%d", adminUserID(t, app, "admin1"))
	tests := []struct {
		name           string
		roles, regions []string
		active         bool
		field          string
	}{
		{"protection officer and a region", []string{"protection_officer"}, []string{"GJI"}, true, "roles"},
		{"a region only", nil, []string{"GJI"}, true, "region_codes"},
		{"deactivating oneself", nil, nil, false, "active"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := adminGet(t, app, admin, page)
			res := adminPost(t, app, admin, page, adminUserForm(adminFormVersion(t, body), tt.roles, tt.regions, nil, tt.active))
			body = apptest.Body(t, res)
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("status = %d, want 403: %.500s", res.StatusCode, body)
			}
			msg := html.EscapeString("You cannot change your own roles, scope or access; another administrator must do it.")
			if !strings.Contains(body, `id="`+tt.field+`-error">`+msg) {
				t.Errorf("no refusal at %s: %.3000s", tt.field, body)
			}
		})
	}
	var n, grants, regions int64
	if err := app.DB.Raw("SELECT count(*) FROM audit_events WHERE action='admin.user.update' AND outcome='denied' AND actor_subject='demo-admin-1'").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != int64(len(tests)) {
		t.Errorf("%d refusals audited, want %d", n, len(tests))
	}
	if err := app.DB.Raw("SELECT (SELECT count(*) FROM user_grants), (SELECT count(*) FROM user_regions ur JOIN users u ON u.id = ur.user_id WHERE u.username = 'admin1')").Row().Scan(&grants, &regions); err != nil {
		t.Fatal(err)
	}
	if grants != 0 || regions != 0 {
		t.Errorf("a refused self-change left %d grants, %d regions", grants, regions)
	}
}

func TestAdminReferenceData(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	admin := app.Login(t, "admin1")
	tests := []struct {
		name, path string
		form       url.Values
		status     int
		want       []string // on the answer (422) or on the page after the redirect
	}{
		{"region with a bad code", "/admin/regions", url.Values{"code": {"d u"}, "name": {"Durrës"}}, 422,
			[]string{"Use 2 to 16 capital letters, digits or hyphens.", `value="Durrës"`, `aria-describedby="region-code-hint region-code-error"`}},
		{"region without a name", "/admin/regions", url.Values{"code": {"DUR"}, "name": {" "}}, 422,
			[]string{"This field is required.", `value="DUR"`}},
		{"region with a taken code", "/admin/regions", url.Values{"code": {"TIR"}, "name": {"Tirana again"}}, 422,
			[]string{"This code is already used."}},
		{"region", "/admin/regions", url.Values{"code": {"dur"}, "name": {"Durrës"}}, 303,
			[]string{"The region is added.", "<td><code>DUR</code></td><td>Durrës</td>"}},
		{"border post in an unknown region", "/admin/border-posts", url.Values{"code": {"DUR-P"}, "name": {"Porti i Durrësit"}, "region_code": {"XX"}}, 422,
			[]string{html.EscapeString(`There is no region with the code "XX".`), `value="Porti i Durrësit"`}},
		{"border post", "/admin/border-posts", url.Values{"code": {"DUR-P"}, "name": {"Porti i Durrësit"}, "region_code": {"DUR"}}, 303,
			[]string{"The border post is added.", "<td><code>DUR-P</code></td><td>Porti i Durrësit</td><td>Durrës (<code>DUR</code>)</td>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := adminPost(t, app, admin, tt.path, tt.form)
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d: %.500s", res.StatusCode, tt.status, apptest.Body(t, res))
			}
			body := apptest.Body(t, res)
			if tt.status == http.StatusSeeOther {
				loc := res.Header.Get("Location")
				if !strings.HasPrefix(loc, "/admin/reference?saved=") {
					t.Fatalf("redirect to %q", loc)
				}
				_, body = adminGet(t, app, admin, loc)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
	var actions []string
	app.Scan(t, &actions, "SELECT action FROM audit_events WHERE action LIKE 'admin.%' ORDER BY id")
	if strings.Join(actions, ",") != "admin.region.create,admin.border_post.create" {
		t.Errorf("audit actions = %v", actions)
	}
}

func TestAdminBreakGlassList(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	// protection1 (GJI, KOR) opens a Shkodër child's record.
	officer := app.Login(t, "protection1")
	res := adminPost(t, app, officer, "/break-glass", url.Values{"registration_number": {"AL-2026-000006"}, "reason": {"Police report 2026/117: child found in Tirana"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("break-glass = %d", res.StatusCode)
	}
	status, body := adminGet(t, app, app.Login(t, "admin1"), "/admin/break-glass")
	if status != http.StatusOK {
		t.Fatalf("GET /admin/break-glass = %d", status)
	}
	for _, w := range []string{`<td><bdi dir="auto">Mirela Shehu</bdi></td>`, "<td>AL-2026-000006</td>", `<bdi dir="auto">Police report 2026/117: child found in Tirana</bdi>`, `<span class="badge">Active</span>`, `<time datetime="`, " UTC</time>"} {
		if !strings.Contains(body, w) {
			t.Errorf("break-glass list lacks %q", w)
		}
	}
	// issue 13: the child's access history, in Arabic, names the person, their role and the
	// field (not demo-protection-1, protection_officer, expires_at), the reason isolated in
	// <bdi>; the break-glass form says how long the access lasts in words.
	status, body = adminGet(t, app, app.Login(t, "admin1"), fmt.Sprintf("/children/%d/history?lang=ar", app.ChildID(t, "AL-2026-000006")))
	if status != http.StatusOK {
		t.Fatalf("history = %d", status)
	}
	for _, w := range []string{`<bdi dir="auto">Mirela Shehu</bdi>`, "موظف حماية", `<span class="badge">ينتهي في</span>`, `<bdi dir="auto">Police report 2026/117: child found in Tirana</bdi>`} {
		if !strings.Contains(body, w) {
			t.Errorf("the history lacks %q", w)
		}
	}
	for _, w := range []string{"demo-protection-1", "protection_officer", ">expires_at<"} {
		if strings.Contains(body, w) {
			t.Errorf("the history shows the raw %q", w)
		}
	}
	for lang, w := range map[string]string{"en": "lasts 1 hour,", "sq": "1 orë", "ar": "ساعة واحدة"} {
		if _, body := adminGet(t, app, officer, "/break-glass?lang="+lang); !strings.Contains(body, w) || strings.Contains(body, "1h0m0s") {
			t.Errorf("%s: the break-glass form does not say %q", lang, w)
		}
	}
}

// Only administrators reach the administration pages; the signed-out are sent to sign in.
func TestAdminPagesNeedAdministrator(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	guardian := app.Login(t, "guardian1")
	id := adminUserID(t, app, "newcomer")
	for _, p := range []string{"/admin/users", fmt.Sprintf("/admin/users/%d", id), "/admin/reference", "/admin/break-glass"} {
		if res := app.Do(t, guardian, http.MethodGet, p, ""); res.StatusCode != http.StatusForbidden {
			t.Errorf("guardian1 GET %s = %d, want 403", p, res.StatusCode)
		}
		if res := app.Do(t, adminNoRedirect(app.Client(t)), http.MethodGet, p, ""); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("signed-out GET %s = %d → %q, want 303 to /login", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, p := range []string{fmt.Sprintf("/admin/users/%d", id), "/admin/regions", "/admin/border-posts"} {
		if res := adminPost(t, app, guardian, p, url.Values{"code": {"ZZ"}, "name": {"Z"}, "region_code": {"TIR"}, "roles": {"admin"}, "version": {"1"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("guardian1 POST %s = %d, want 403", p, res.StatusCode)
		}
	}
	var n int64
	app.Scan(t, &n, "SELECT count(*) FROM regions WHERE code = 'ZZ'")
	if n != 0 {
		t.Error("a guardian created a region")
	}
}
