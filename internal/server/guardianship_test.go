package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
)

// Both faces of the guardianship over the demo data, every answer checked against the OpenAPI
// document: the registry with loads, suggestions, an appointment refused (over cap, no
// override) then made, a replacement that ends the old guardian's access at once, a visit,
// the wards board, and the S8 reason in the needs-action queue.
func TestGuardianshipBothFaces(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	po := "Bearer " + app.Token(t, "protection1")
	g1 := "Bearer " + app.Token(t, "guardian1")
	type guardian struct {
		ID          int64  `json:"id"`
		Username    string `json:"username"`
		ActiveWards int    `json:"active_wards"`
		Cap         int    `json:"cap"`
	}
	list := decode[struct{ Items []guardian }](t, app.Do(t, nil, "GET", "/api/v1/guardians", "", "Authorization", po))
	ids := map[string]guardian{}
	for _, g := range list.Items {
		ids[g.Username] = g
	}
	if g := ids["guardian3"]; g.ActiveWards != 3 || g.Cap != 2 {
		t.Fatalf("guardian3 load %+v, want 3 of 2 (one override)", g)
	}
	// A child without a guardian: AL-2026-000003 (GJI, Arabic).
	child := app.ChildID(t, "AL-2026-000003")
	sug := decode[struct {
		Items []struct {
			Guardian guardian `json:"guardian"`
			Reasons  []struct {
				Code string `json:"code"`
			} `json:"reasons"`
		}
	}](t, app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/children/%d/guardian-suggestions", child), "", "Authorization", po))
	if len(sug.Items) < 3 || sug.Items[0].Guardian.Username == "guardian3" {
		t.Fatalf("suggestions: %+v (guardian3, at its cap, must not come first)", sug.Items)
	}
	// Before any appointment the child waits in the queue with its S1 and S2 deadlines.
	if q := apptest.Body(t, app.Do(t, nil, "GET", "/api/v1/children/needs-action", "", "Authorization", po)); !strings.Contains(q, `"rule":"S1"`) || !strings.Contains(q, `"rule":"S2"`) {
		t.Errorf("needs-action lacks the S1/S2 deadlines: %s", q)
	}
	// guardian3 is over the cap: refused without an override, nothing written.
	body := fmt.Sprintf(`{"guardian_id":%d,"kind":"provisional"}`, ids["guardian3"].ID)
	res := app.Do(t, nil, "POST", fmt.Sprintf("/api/v1/children/%d/guardian-appointments", child), body, "Authorization", po)
	if p := decodeProblem(t, res); res.StatusCode != 422 || len(p.Errors) == 0 || p.Errors[0].Field != "cap_override_reason" {
		t.Fatalf("over cap: %d %+v", res.StatusCode, p)
	}
	// guardian1 (speaks no Arabic) with interpretation, as provisional representative.
	body = fmt.Sprintf(`{"guardian_id":%d,"kind":"provisional","interpretation":"Arabic interpreter of the regional office."}`, ids["guardian1"].ID)
	res = app.Do(t, nil, "POST", fmt.Sprintf("/api/v1/children/%d/guardian-appointments", child), body, "Authorization", po)
	if res.StatusCode != 201 {
		t.Fatalf("designate: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	prov := decode[struct {
		ID int64 `json:"id"`
	}](t, res)
	if res := app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/children/%d", child), "", "Authorization", g1); res.StatusCode != 200 {
		t.Fatalf("guardian1 reading the new ward: %d", res.StatusCode)
	}
	visit := `{"visited_on":"` + time.Now().UTC().Format("2006-01-02") + `","kind":"visit","child_seen":true,"child_views":"يريد أن يتصل بأمه"}`
	if res := app.Do(t, nil, "POST", fmt.Sprintf("/api/v1/children/%d/visits", child), visit, "Authorization", g1); res.StatusCode != 201 {
		t.Fatalf("visit: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	wards := decode[struct {
		Items []struct {
			ID             int64 `json:"id"`
			DaysSinceVisit *int  `json:"days_since_visit"`
			Placement      *struct {
				FacilityName string `json:"facility_name"`
			} `json:"placement"`
			OpenDeadlines []struct {
				Rule string `json:"rule"`
			} `json:"open_deadlines"`
		}
	}](t, app.Do(t, nil, "GET", "/api/v1/me/wards", "", "Authorization", g1))
	found, placed := false, 0
	for _, w := range wards.Items {
		found = found || (w.ID == child && w.DaysSinceVisit != nil && *w.DaysSinceVisit == 0)
		if w.ID == child && w.Placement != nil {
			t.Errorf("the newly registered child has a placement on the board: %+v", w.Placement)
		}
		if w.Placement != nil {
			// The board shows where the ward sleeps (the demo's placement histories), and the
			// placement review (S7) among the open deadlines.
			placed++
			hasS7 := false
			for _, d := range w.OpenDeadlines {
				hasS7 = hasS7 || d.Rule == "S7"
			}
			if w.Placement.FacilityName == "" || !hasS7 {
				t.Errorf("ward %d: placement %+v, deadlines %+v", w.ID, w.Placement, w.OpenDeadlines)
			}
		}
	}
	if !found || len(wards.Items) != 3 || placed == 0 {
		t.Fatalf("guardian1's wards (%d placed): %+v", placed, wards.Items)
	}
	// A full guardian replaces the provisional representative: guardian1 gets 404 at once.
	body = fmt.Sprintf(`{"guardian_id":%d,"kind":"full","appointing_authority":"Gjykata e Rrethit Gjirokastër","decision_reference":"45/2026","decided_on":"%s"}`,
		ids["guardian2"].ID, time.Now().UTC().Format("2006-01-02"))
	if res := app.Do(t, nil, "POST", fmt.Sprintf("/api/v1/children/%d/guardian-appointments", child), body, "Authorization", po); res.StatusCode != 201 {
		t.Fatalf("appoint: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	if res := app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/children/%d", child), "", "Authorization", g1); res.StatusCode != 404 {
		t.Fatalf("the former representative still reads the child: %d", res.StatusCode)
	}
	if res := app.Do(t, app.Login(t, "guardian1"), "GET", fmt.Sprintf("/children/%d", child), ""); res.StatusCode != 404 {
		t.Fatalf("the former representative still opens the page: %d", res.StatusCode)
	}
	// The same appointment again, naming no current guardian: 412, never two.
	if res := app.Do(t, nil, "POST", fmt.Sprintf("/api/v1/children/%d/guardian-appointments", child), body, "Authorization", po); res.StatusCode != 412 {
		t.Fatalf("stale appointment: %d", res.StatusCode)
	}
	gs := decode[struct {
		Stage     string               `json:"stage"`
		History   []struct{ ID int64 } `json:"history"`
		Deadlines []struct {
			Rule string `json:"rule"`
		} `json:"deadlines"`
	}](t, app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/children/%d/guardianship", child), "", "Authorization", po))
	if gs.Stage != "appointed" || len(gs.History) != 1 || gs.History[0].ID != prov.ID || len(gs.Deadlines) != 3 {
		t.Fatalf("guardianship: %+v", gs)
	}
	// The needs-action queue names S8 for guardian3's ward appointed 45 days ago, never visited.
	q := apptest.Body(t, app.Do(t, nil, "GET", "/api/v1/children/needs-action", "", "Authorization", po))
	if !strings.Contains(q, "visit_overdue") || !strings.Contains(q, `"rule":"S8"`) {
		t.Errorf("needs-action lacks visit_overdue or its S8 deadline: %s", q)
	}
	// Pages: registry, wards, child page with the section.
	pc := app.Login(t, "protection1")
	for _, path := range []string{"/guardians", fmt.Sprintf("/guardians/%d", ids["guardian3"].ID), fmt.Sprintf("/children/%d", child)} {
		if res := app.Do(t, pc, "GET", path, ""); res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, res.StatusCode)
		} else if b := apptest.Body(t, res); path != "/guardians" && !strings.Contains(b, "S") {
			t.Errorf("%s: empty", path)
		}
	}
	if res := app.Do(t, app.Login(t, "guardian2"), "GET", "/wards", ""); res.StatusCode != 200 || !strings.Contains(apptest.Body(t, res), "AL-2026-000003") {
		t.Errorf("guardian2's wards page lacks the new ward: %d", res.StatusCode)
	}
}
