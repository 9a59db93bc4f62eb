package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
)

// The missing-child API (issue 10), every exchange checked against the OpenAPI document:
// who may report, the episode with its ETag, the board in urgency order, the reaction with
// If-Match (428, 412), found refused as a whole when its new placement is refused, then found,
// the return interview, S10 in the needs-action queue, and the demo's repeat runaway.
func TestMissingAPI(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	child := app.ChildID(t, "AL-2026-000001") // guardian1's ward, GJI
	g1, g2, b1 := "Bearer "+app.Token(t, "guardian1"), "Bearer "+app.Token(t, "guardian2"), "Bearer "+app.Token(t, "border1")
	p1, admin := "Bearer "+app.Token(t, "protection1"), "Bearer "+app.Token(t, "admin1")
	now := time.Now().UTC()
	path := fmt.Sprintf("/api/v1/children/%d/missing-episodes", child)
	report := fmt.Sprintf(`{"last_seen_at":%q,"last_seen_place":"Gjirokastër","discovered_at":%q,"discovered_by":"foster mother","risk":"low"}`,
		now.Add(-4*time.Hour).Format(time.RFC3339), now.Add(-3*time.Hour).Format(time.RFC3339))

	if res := app.Do(t, nil, "POST", path, report, "Authorization", b1); res.StatusCode != http.StatusForbidden {
		t.Errorf("border officer: %d", res.StatusCode)
	}
	if res := app.Do(t, nil, "POST", path, report, "Authorization", g2); res.StatusCode != http.StatusNotFound {
		t.Errorf("another guardian's ward: %d", res.StatusCode)
	}
	res := app.Do(t, nil, "POST", path, report, "Authorization", g1)
	var ep struct {
		ID               int64    `json:"id"`
		Risk             string   `json:"risk"`
		Version          int      `json:"version"`
		PoliceReportLate bool     `json:"police_report_late"`
		Steps            []string `json:"steps_outstanding"`
		Deadlines        []struct {
			Rule    string `json:"rule"`
			Overdue bool   `json:"overdue"`
		} `json:"deadlines"`
	}
	body := apptest.Body(t, res)
	if res.StatusCode != http.StatusCreated || res.Header.Get("ETag") != `"1"` || !strings.HasPrefix(res.Header.Get("Location"), path+"/") {
		t.Fatalf("report: %d %v %s", res.StatusCode, res.Header, body)
	}
	if err := json.Unmarshal([]byte(body), &ep); err != nil || ep.Risk != "low" || !ep.PoliceReportLate || len(ep.Steps) != 4 {
		t.Fatalf("report body: %v %s", err, body)
	}
	if res := app.Do(t, nil, "POST", path, report, "Authorization", p1); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(apptest.Body(t, res), "transition_not_allowed") {
		t.Errorf("reported twice: %d", res.StatusCode)
	}

	// The board: protection1's missing children, most urgent first — Yusuf (demo, high risk)
	// before Ahmad (low risk, police not told) and Omar (medium).
	var board struct {
		Items []struct {
			RegistrationNumber string `json:"registration_number"`
			Elapsed            int    `json:"elapsed_minutes"`
			Episode            struct {
				Risk             string `json:"risk"`
				StrategyMeeting  bool   `json:"strategy_meeting"`
				PoliceReportLate bool   `json:"police_report_late"`
			} `json:"episode"`
		} `json:"items"`
	}
	res = app.Do(t, nil, "GET", "/api/v1/missing", "", "Authorization", p1)
	if err := json.Unmarshal([]byte(apptest.Body(t, res)), &board); err != nil || res.StatusCode != 200 {
		t.Fatalf("board: %d %v", res.StatusCode, err)
	}
	var order []string
	for _, it := range board.Items {
		order = append(order, it.RegistrationNumber+":"+it.Episode.Risk)
	}
	if strings.Join(order, " ") != "AL-2026-000002:high AL-2026-000003:medium AL-2026-000001:low" {
		t.Errorf("board order %v", order)
	}
	if len(board.Items) > 0 && (!board.Items[0].Episode.StrategyMeeting || !board.Items[0].Episode.PoliceReportLate) {
		t.Errorf("the demo's repeat runaway: %+v", board.Items[0])
	}
	if res := app.Do(t, nil, "GET", "/api/v1/missing", "", "Authorization", b1); res.StatusCode != http.StatusForbidden {
		t.Errorf("border officer's board: %d", res.StatusCode)
	}

	// The reaction: If-Match required, then applied, then stale.
	epPath := fmt.Sprintf("%s/%d", path, ep.ID)
	police := fmt.Sprintf(`{"police_reported_at":%q,"police_reference":"GJ-1"}`, now.Add(-150*time.Minute).Format(time.RFC3339))
	if res := app.Do(t, nil, "PATCH", epPath, police, "Authorization", p1, apptest.InvalidRequest, "no If-Match"); res.StatusCode != http.StatusPreconditionRequired {
		t.Errorf("no If-Match: %d", res.StatusCode)
	}
	res = app.Do(t, nil, "PATCH", epPath, police, "Authorization", p1, "If-Match", `"1"`)
	if b := apptest.Body(t, res); res.StatusCode != 200 || res.Header.Get("ETag") != `"2"` || !strings.Contains(b, `"police_delay_minutes":30`) ||
		!strings.Contains(b, `"police_report_late":false`) {
		t.Errorf("reaction: %d %s", res.StatusCode, b)
	}
	if res := app.Do(t, nil, "PATCH", epPath, police, "Authorization", p1, "If-Match", `"1"`); res.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("stale If-Match: %d", res.StatusCode)
	}

	// Found into a police station: refused as a whole; then found, back to the kept placement.
	var station, current int64
	app.Scan(t, &station, `SELECT id FROM facilities WHERE kind = 'police_detention'`)
	app.Scan(t, &current, `SELECT id FROM placements WHERE child_id = ? AND ended_at IS NULL`, child)
	found := fmt.Sprintf(`{"found_at":%q,"found_place":"Bus station","found_by":"Police","condition":"unharmed"`, now.Add(-time.Hour).Format(time.RFC3339))
	res = app.Do(t, nil, "POST", epPath+"/found", found+fmt.Sprintf(`,"placement":{"facility_id":%d,"reason":"night","decided_by":"police","current_placement_id":%d}}`, station, current),
		"Authorization", p1, "If-Match", `"2"`)
	if b := apptest.Body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, `"placement.facility_id"`) {
		t.Errorf("found into detention: %d %s", res.StatusCode, b)
	}
	var status string
	app.Scan(t, &status, `SELECT status FROM children WHERE id = ?`, child)
	if status != "missing" {
		t.Fatalf("a refused finding changed the status to %s", status)
	}
	res = app.Do(t, nil, "POST", epPath+"/found", found+"}", "Authorization", p1, "If-Match", `"2"`)
	if b := apptest.Body(t, res); res.StatusCode != 200 || !strings.Contains(b, `"rule":"S10"`) || !strings.Contains(b, `"open":false`) {
		t.Errorf("found: %d %s", res.StatusCode, b)
	}
	app.Scan(t, &status, `SELECT status FROM children WHERE id = ?`, child)
	if status != "active" {
		t.Errorf("after the finding: %s", status)
	}

	// S10 in the needs-action queue: Ahmad (due) and the demo's Rahim (overdue).
	res = app.Do(t, nil, "GET", "/api/v1/children/needs-action", "", "Authorization", p1)
	qb := apptest.Body(t, res)
	var queue struct {
		Items []struct {
			RegistrationNumber string   `json:"registration_number"`
			Reasons            []string `json:"reasons"`
			Deadlines          []struct {
				Rule    string `json:"rule"`
				Overdue bool   `json:"overdue"`
			} `json:"deadlines"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(qb), &queue); err != nil {
		t.Fatal(err)
	}
	s10 := map[string]bool{}
	for _, it := range queue.Items {
		for _, d := range it.Deadlines {
			if d.Rule == "S10" {
				s10[it.RegistrationNumber] = d.Overdue
			}
		}
	}
	if over, ok := s10["AL-2026-000001"]; !ok || over {
		t.Errorf("Ahmad's S10: %v %v", ok, over)
	}
	if over, ok := s10["AL-2026-000005"]; !ok || !over {
		t.Errorf("the demo's overdue S10 (Rahim): %v %v", ok, over)
	}

	// The return interview, by the guardian.
	res = app.Do(t, nil, "POST", epPath+"/return-interview", fmt.Sprintf(`{"held_at":%q,"held_by":"Drita Leka","summary":"Went to see friends."}`,
		now.Format(time.RFC3339)), "Authorization", g1, "If-Match", `"3"`)
	if b := apptest.Body(t, res); res.StatusCode != 200 || !strings.Contains(b, `"return_interview_late":false`) {
		t.Errorf("return interview: %d %s", res.StatusCode, b)
	}
	res = app.Do(t, nil, "GET", path, "", "Authorization", g1)
	if b := apptest.Body(t, res); res.StatusCode != 200 || !strings.Contains(b, "Went to see friends.") {
		t.Errorf("episodes: %d %s", res.StatusCode, b)
	}
	res = app.Do(t, nil, "GET", epPath, "", "Authorization", b1) // border1: KAK, the child's post
	if res.StatusCode != 200 || res.Header.Get("ETag") != `"4"` {
		t.Errorf("border officer reads the episode: %d %s", res.StatusCode, res.Header.Get("ETag"))
	}
	apptest.Body(t, res)

	// Every showing on the board is in the child's access history.
	res = app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/children/%d/access-history", child), "", "Authorization", admin)
	if b := apptest.Body(t, res); res.StatusCode != 200 || !strings.Contains(b, `"missing.shown"`) || !strings.Contains(b, `"missing_now"`) {
		t.Errorf("access history: %d %.500s", res.StatusCode, b)
	}
}
