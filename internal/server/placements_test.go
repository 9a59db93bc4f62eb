package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// Border officers never see a facility's address — not in the facility list or a facility
// (API and pages), not on a child's placements (API and child page) — while the roles that
// visit or decide do (issue 9; MISSION.md: "never placement addresses").
func TestBorderOfficersNeverSeeFacilityAddresses(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	child := app.ChildID(t, "AL-2026-000001") // at post KAK: in border1's scope; placed with the Dervishi family
	var facilityID int64
	app.Scan(t, &facilityID, `SELECT id FROM facilities WHERE name = 'Familja kujdestare Dervishi'`)
	const address = "Lagjja Palorto"
	paths := []string{
		"/api/v1/facilities?limit=200",
		fmt.Sprintf("/api/v1/facilities/%d", facilityID),
		fmt.Sprintf("/api/v1/children/%d/placements", child),
		"/facilities",
		fmt.Sprintf("/facilities/%d", facilityID),
		fmt.Sprintf("/children/%d", child),
	}
	for _, tc := range []struct {
		user string
		sees bool
	}{{"border1", false}, {"protection1", true}, {"guardian1", true}} {
		c := app.Login(t, tc.user)
		for _, p := range paths {
			res := app.Do(t, c, "GET", p, "")
			body := apptest.Body(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("%s GET %s: %d", tc.user, p, res.StatusCode)
			}
			if got := strings.Contains(body, address); got != tc.sees {
				t.Errorf("%s GET %s: address shown = %v, want %v", tc.user, p, got, tc.sees)
			}
			if !strings.Contains(body, "Dervishi") {
				t.Errorf("%s GET %s: the facility itself is not shown", tc.user, p)
			}
		}
	}
	// The token face answers the same.
	res := app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/facilities/%d", facilityID), "", "Authorization", "Bearer "+app.Token(t, "border1"))
	if body := apptest.Body(t, res); res.StatusCode != 200 || strings.Contains(body, address) || strings.Contains(body, `"address"`) {
		t.Errorf("border1 bearer: %d %s", res.StatusCode, body)
	}
}

// The placement flow through the API: refusals and warnings are 422 naming each, an
// acknowledged and justified placement is recorded, a stale view is 412, and the child's
// current placement is derived from the history.
func TestPlacementAPI(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	p1 := app.Login(t, "protection1")
	child := app.ChildID(t, "AL-2026-000010") // GJI, never placed
	var police, korce int64
	app.Scan(t, &police, `SELECT id FROM facilities WHERE kind = 'police_detention'`)
	app.Scan(t, &korce, `SELECT id FROM facilities WHERE name = 'Shtëpia e Fëmijëve Korçë'`)
	path := fmt.Sprintf("/api/v1/children/%d/placements", child)
	problem := func(res *http.Response) []string {
		t.Helper()
		var p struct {
			Errors []struct{ Field, Code, Message string } `json:"errors"`
		}
		if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range p.Errors {
			if e.Message == "" || strings.HasPrefix(e.Message, "validation.") {
				t.Errorf("%s: no localized message", e.Code)
			}
			out = append(out, e.Field+":"+e.Code)
		}
		return out
	}
	res := app.Do(t, p1, "POST", path, fmt.Sprintf(`{"facility_id":%d,"reason":"Found at the crossing","decided_by":"Police"}`, police), "Accept-Language", "sq")
	if got := problem(res); res.StatusCode != 422 || fmt.Sprint(got) != "[facility_id:placement_detention_refused]" {
		t.Fatalf("police station: %d %v", res.StatusCode, got)
	}
	body := fmt.Sprintf(`{"facility_id":%d,"reason":"The only free bed tonight","decided_by":"Njësia e Mbrojtjes"}`, korce)
	res = app.Do(t, p1, "POST", path, body)
	if got := problem(res); res.StatusCode != 422 || fmt.Sprint(got) != "[acknowledged_warnings:placement_warning_over_capacity warning_justification:placement_warning_justification]" {
		t.Fatalf("over capacity: %d %v", res.StatusCode, got)
	}
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM placements WHERE child_id = ?`, child)
	if n != 0 {
		t.Fatal("a refused placement was written")
	}
	ack := strings.TrimSuffix(body, "}") + `,"acknowledged_warnings":["over_capacity"],"warning_justification":"A bed in the girls' room is free tonight; she moves to a foster family tomorrow."}`
	res = app.Do(t, p1, "POST", path, ack)
	if res.StatusCode != 201 {
		t.Fatalf("justified: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	var placed struct {
		ID       int64    `json:"id"`
		Current  bool     `json:"current"`
		Warnings []string `json:"warnings"`
	}
	if err := json.NewDecoder(res.Body).Decode(&placed); err != nil || !placed.Current || fmt.Sprint(placed.Warnings) != "[over_capacity]" {
		t.Fatalf("placement: %+v %v", placed, err)
	}
	// A second decision on the same (stale) view loses.
	if res := app.Do(t, p1, "POST", path, ack); res.StatusCode != 412 {
		t.Errorf("stale decision: %d", res.StatusCode)
	}
	res = app.Do(t, p1, "GET", path, "")
	var sec struct {
		Current *struct{ ID int64 }  `json:"current"`
		History []struct{ ID int64 } `json:"history"`
	}
	if err := json.NewDecoder(res.Body).Decode(&sec); err != nil || sec.Current == nil || sec.Current.ID != placed.ID || len(sec.History) != 1 {
		t.Fatalf("section: %+v %v", sec, err)
	}
	// The facility list counts the new child: 4 in 2 places.
	res = app.Do(t, p1, "GET", fmt.Sprintf("/api/v1/facilities/%d", korce), "")
	var fac struct {
		Occupancy    int  `json:"occupancy"`
		OverCapacity bool `json:"over_capacity"`
	}
	if err := json.NewDecoder(res.Body).Decode(&fac); err != nil || fac.Occupancy != 4 || !fac.OverCapacity {
		t.Errorf("occupancy: %+v %v", fac, err)
	}
}
