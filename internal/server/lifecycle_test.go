package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// A guardian may edit their ward's identity and needs, not its region or status: the PATCH is
// refused with 403 naming both fields, localized, and nothing changes.
func TestGuardianPatchOfRegionOrStatusForbidden(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	g := app.Login(t, "guardian1")
	sid := fmt.Sprint(app.ChildID(t, "AL-2026-000001"))
	for _, tt := range []struct {
		name, body, lang string
		fields           []string
		message          string
	}{
		{"region", `{"region_code":"SHK"}`, "en", []string{"region_code"}, "Your role may not change this field."},
		{"status", `{"status":"closed"}`, "en", []string{"status"}, "Your role may not change this field."},
		{"duplicate", `{"status":"duplicate"}`, "en", []string{"status"}, "Your role may not change this field."},
		{"both, in Albanian", `{"region_code":"SHK","status":"closed"}`, "sq", []string{"region_code", "status"}, "Roli juaj nuk mund ta ndryshojë këtë fushë."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := app.Do(t, g, "PATCH", "/api/v1/children/"+sid, tt.body, "If-Match", `"1"`, "Accept-Language", tt.lang)
			if res.StatusCode != 403 {
				t.Fatalf("status %d, want 403: %s", res.StatusCode, apptest.Body(t, res))
			}
			p := decodeProblem(t, res)
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
				if e.Code != "field_not_editable" || e.Message != tt.message {
					t.Errorf("field %s: code %q message %q", e.Field, e.Code, e.Message)
				}
			}
			if p.Type != "urn:kujdes:problem:forbidden" || !slices.Equal(fields, tt.fields) || p.Detail == "" {
				t.Errorf("problem %+v, want fields %v", p, tt.fields)
			}
		})
	}
	var row struct {
		Status, Code string
		Version      int
	}
	if err := app.DB.Raw(`SELECT c.status, r.code, c.version FROM children c JOIN regions r ON r.id = c.region_id WHERE c.id = ?`, sid).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.Status != "active" || row.Code != "GJI" || row.Version != 1 {
		t.Fatalf("a refused PATCH changed the child: %+v", row)
	}
	// What a guardian may change still saves.
	res := app.Do(t, g, "PATCH", "/api/v1/children/"+sid, `{"status":"active"}`, "If-Match", `"1"`)
	if res.StatusCode != 200 {
		t.Fatalf("an unchanged status must not be refused: %d", res.StatusCode)
	}
}

// POST /children/{id}/transitions: If-Match like every update, the table's moves only, audited.
func TestTransitionsAPI(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	tok := "Bearer " + app.Token(t, "protection1")
	path := fmt.Sprintf("/api/v1/children/%d/transitions", app.ChildID(t, "AL-2026-000001"))
	closeBody := `{"transition":"close","reason":"Reunited with the mother in Germany"}`
	if res := app.Do(t, nil, "POST", path, closeBody, "Authorization", tok, apptest.InvalidRequest, "no If-Match"); res.StatusCode != 428 {
		t.Fatalf("no If-Match: %d", res.StatusCode)
	}
	if res := app.Do(t, app.Login(t, "guardian1"), "POST", path, closeBody, "If-Match", `"1"`); res.StatusCode != 403 {
		t.Fatalf("guardian: %d", res.StatusCode)
	}
	res := app.Do(t, nil, "POST", path, `{"transition":"merge","reason":"x"}`, "Authorization", tok, "If-Match", `"1"`, apptest.InvalidRequest, "not a transition of this route")
	if p := decodeProblem(t, res); res.StatusCode != 422 || len(p.Errors) != 1 || p.Errors[0].Code != "transition_unknown" {
		t.Fatalf("merge through transitions: %d %+v", res.StatusCode, p)
	}
	res = app.Do(t, nil, "POST", path, `{"transition":"reopen","reason":"x"}`, "Authorization", tok, "If-Match", `"1"`)
	if p := decodeProblem(t, res); res.StatusCode != 422 || len(p.Errors) != 1 || p.Errors[0].Code != "transition_not_allowed" {
		t.Fatalf("reopen an active record: %d %+v", res.StatusCode, p)
	}
	res = app.Do(t, nil, "POST", path, closeBody, "Authorization", tok, "If-Match", `"1"`)
	var v struct {
		Status string `json:"status"`
	}
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("ETag") != `"2"` || v.Status != "closed" {
		t.Fatalf("close: %d %s %+v", res.StatusCode, res.Header.Get("ETag"), v)
	}
	if res := app.Do(t, nil, "POST", path, `{"transition":"reopen","reason":"New information"}`, "Authorization", tok, "If-Match", `"1"`); res.StatusCode != 412 {
		t.Fatalf("stale reopen: %d", res.StatusCode)
	}
	if n := auditCount(t, app, `action = 'child.transition' AND reason = 'Reunited with the mother in Germany' AND changes->'transition'->>'after' = 'close'`); n != 1 {
		t.Fatalf("transition audit rows: %d", n)
	}
}

// Separation of duties through the API: an administrator cannot give themselves access; a
// grant by admin1 is pending (visible, not in effect) until admin2 approves it; admin1 cannot
// approve their own.
func TestAdminGrantsNeedASecondAdministrator(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	a1, a2 := app.Login(t, "admin1"), app.Login(t, "admin2")
	user := func(name string) (id int64, version int) {
		t.Helper()
		if err := app.DB.Raw(`SELECT id, version FROM users WHERE username = ?`, name).Row().Scan(&id, &version); err != nil {
			t.Fatal(err)
		}
		return id, version
	}
	// Self-escalation.
	self, v := user("admin1")
	res := app.Do(t, a1, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", self), `{"roles":["protection_officer"],"region_codes":["GJI"],"active":true}`, "If-Match", fmt.Sprintf(`"%d"`, v))
	p := decodeProblem(t, res)
	if res.StatusCode != 403 || len(p.Errors) != 2 || p.Errors[0].Field != "roles" || p.Errors[1].Field != "region_codes" || p.Errors[0].Code != "own_account" || p.Errors[0].Message == "own_account" {
		t.Fatalf("self-escalation: %d %+v", res.StatusCode, p)
	}
	if n := auditCount(t, app, `action = 'admin.user.update' AND outcome = 'denied' AND entity_id = ?`, fmt.Sprint(self)); n != 1 {
		t.Fatalf("refused self-escalation audited %d times", n)
	}
	if _, v2 := user("admin1"); v2 != v {
		t.Fatal("a refused self-change bumped the version")
	}

	// A grant by admin1 waits.
	id, v := user("newcomer")
	res = app.Do(t, a1, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", id), `{"roles":["protection_officer"],"region_codes":["SHK"],"active":true}`, "If-Match", fmt.Sprintf(`"%d"`, v))
	var u struct {
		Roles         []string `json:"roles"`
		RegionIDs     []int64  `json:"region_ids"`
		PendingGrants []struct {
			ID    int64    `json:"id"`
			Roles []string `json:"roles"`
		} `json:"pending_grants"`
	}
	if err := json.NewDecoder(res.Body).Decode(&u); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || len(u.Roles) != 0 || len(u.RegionIDs) != 0 || len(u.PendingGrants) != 1 || !slices.Equal(u.PendingGrants[0].Roles, []string{"protection_officer"}) {
		t.Fatalf("grant request: %d %+v", res.StatusCode, u)
	}
	if res := app.Do(t, nil, "GET", "/api/v1/children", "", "Authorization", "Bearer "+app.Token(t, "newcomer")); res.StatusCode != 403 {
		t.Fatalf("newcomer reads children before approval: %d", res.StatusCode)
	}
	var list struct {
		Items []struct {
			ID               int64    `json:"id"`
			UserLabel        string   `json:"user_label"`
			RequestedByLabel string   `json:"requested_by_label"`
			RegionCodes      []string `json:"region_codes"`
		} `json:"items"`
	}
	if err := json.NewDecoder(app.Do(t, a2, "GET", "/api/v1/admin/grants", "").Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].RequestedByLabel != "Ilir Basha" || !slices.Equal(list.Items[0].RegionCodes, []string{"SHK"}) {
		t.Fatalf("pending grants seen by admin2: %+v", list.Items)
	}
	grant := fmt.Sprintf("/api/v1/admin/grants/%d", list.Items[0].ID)

	// Not by the requester.
	res = app.Do(t, a1, "POST", grant+"/approve", "")
	if p := decodeProblem(t, res); res.StatusCode != 403 || len(p.Errors) != 1 || p.Errors[0].Code != "own_request" {
		t.Fatalf("admin1 approving their own grant: %d %+v", res.StatusCode, p)
	}
	// By another administrator.
	if res := app.Do(t, a2, "POST", grant+"/approve", ""); res.StatusCode != 200 {
		t.Fatalf("admin2 approves: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	if res := app.Do(t, nil, "GET", "/api/v1/children", "", "Authorization", "Bearer "+app.Token(t, "newcomer")); res.StatusCode != 200 {
		t.Fatalf("newcomer after approval: %d", res.StatusCode)
	}
	if res := app.Do(t, a2, "POST", grant+"/refuse", ""); res.StatusCode != 422 {
		t.Fatalf("deciding twice: %d", res.StatusCode)
	}
	rows := []string{}
	if err := app.DB.Raw(`SELECT action || ' ' || outcome || ' ' || actor_subject FROM audit_events WHERE action LIKE 'admin.grant.%' ORDER BY id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	want := "admin.grant.request ok demo-admin-1|admin.grant.approve denied demo-admin-1|admin.grant.approve ok demo-admin-2"
	if got := strings.Join(rows, "|"); got != want {
		t.Fatalf("grant audit trail:\n got %s\nwant %s", got, want)
	}
	// Removing access needs nobody: it applies at once.
	_, v = user("newcomer")
	res = app.Do(t, a1, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", id), `{"roles":[],"region_codes":[],"active":true}`, "If-Match", fmt.Sprintf(`"%d"`, v))
	if res.StatusCode != 200 {
		t.Fatalf("removal: %d", res.StatusCode)
	}
	if res := app.Do(t, nil, "GET", "/api/v1/children", "", "Authorization", "Bearer "+app.Token(t, "newcomer")); res.StatusCode != 403 {
		t.Fatalf("newcomer after removal: %d", res.StatusCode)
	}
}
