package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/server"
)

// The compliance API (issue 11) after a refresh of the demo data: a monitor reads the report
// (small cells suppressed), the S6 list (the demo's child in a police cell, pseudonymised: no
// name field) and the violation; a malformed filter is 400 naming it; a border officer is 403;
// every answer checked against the OpenAPI document by apptest.
func TestComplianceAPI(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	reg, err := server.NewRegistry(app.Config, app.DB, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.RefreshCompliance(context.Background()); err != nil {
		t.Fatal(err)
	}
	mon := "Bearer " + app.Token(t, "monitor1")
	res := app.Do(t, nil, "GET", "/api/v1/compliance/report", "", "Authorization", mon)
	var rep struct {
		Indicators []struct {
			Key        string `json:"key"`
			Status     string `json:"status"`
			Suppressed bool   `json:"suppressed"`
			Numerator  int    `json:"numerator"`
		} `json:"indicators"`
		ByRegion []struct {
			Label string `json:"label"`
		} `json:"by_region"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil || res.StatusCode != 200 {
		t.Fatalf("report: %d %v", res.StatusCode, err)
	}
	found := false
	for _, in := range rep.Indicators {
		if in.Key == "s6_prohibited_placements" {
			found = true
			if in.Status != "red" || !in.Suppressed || in.Numerator != 0 {
				t.Errorf("S6 for a monitor: %+v", in)
			}
		}
	}
	if !found || len(rep.ByRegion) == 0 {
		t.Errorf("report %+v", rep)
	}

	res = app.Do(t, nil, "GET", "/api/v1/compliance/violations?rule=s6", "", "Authorization", mon)
	body := apptest.Body(t, res)
	if res.StatusCode != 200 || !strings.Contains(body, `"registration_number":"AL-2026-000008"`) || strings.Contains(body, "given_name") ||
		strings.Contains(body, "Khan") || strings.Contains(body, "address") {
		t.Fatalf("S6 list: %d %s", res.StatusCode, body)
	}
	var page struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil || len(page.Items) != 1 {
		t.Fatalf("S6 list: %v %s", err, body)
	}
	res = app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/compliance/violations/%d", page.Items[0].ID), "", "Authorization", mon)
	if body := apptest.Body(t, res); res.StatusCode != 200 || !strings.Contains(body, `"resolve":"move_child"`) || !strings.Contains(body, "UN Guidelines") {
		t.Errorf("violation: %d %s", res.StatusCode, body)
	}
	// The pages: a protection officer of the region sees exact figures and reaches the record
	// directly; a monitor is offered break-glass.
	po := app.Login(t, "protection1")
	var own struct {
		ID, ChildID int64
		Rule        string
	}
	app.Scan(t, &own, `SELECT v.id, v.child_id, v.rule FROM compliance_violations v JOIN user_regions ur ON ur.region_id = v.region_id
		JOIN users u ON u.id = ur.user_id WHERE u.username = 'protection1' ORDER BY v.id LIMIT 1`)
	if body := apptest.Body(t, app.Do(t, po, "GET", fmt.Sprintf("/compliance/%s/%d", own.Rule, own.ID), "")); own.ID == 0 ||
		!strings.Contains(body, fmt.Sprintf(`href="/children/%d"`, own.ChildID)) {
		t.Errorf("protection officer's violation page %+v has no link to the record", own)
	}
	vpage := fmt.Sprintf("/compliance/S6/%d", page.Items[0].ID)
	if body := apptest.Body(t, app.Do(t, app.Login(t, "monitor1"), "GET", vpage, "")); !strings.Contains(body, `href="/break-glass?number=AL-2026-000008"`) ||
		strings.Contains(body, `href="/children/`) {
		t.Errorf("monitor's violation page: no break-glass link, or a direct one")
	}
	if res := app.Do(t, po, "GET", vpage, ""); res.StatusCode != 404 { // Vlorë is not protection1's region
		t.Errorf("out-of-region violation page: %d", res.StatusCode)
	}
	if res := app.Do(t, po, "GET", "/compliance/S6/999999", ""); res.StatusCode != 404 {
		t.Errorf("unknown violation page: %d", res.StatusCode)
	}
	if res := app.Do(t, po, "GET", "/compliance/S42", ""); res.StatusCode != 404 {
		t.Errorf("unknown rule page: %d", res.StatusCode)
	}
	res = app.Do(t, nil, "GET", "/api/v1/compliance/violations?rule=S99", "", "Authorization", mon, apptest.InvalidRequest, "unknown rule")
	if body := apptest.Body(t, res); res.StatusCode != 422 && res.StatusCode != 400 || !strings.Contains(body, `"rule"`) {
		t.Errorf("unknown rule: %d %s", res.StatusCode, body)
	}
	res = app.Do(t, nil, "GET", "/api/v1/compliance/violations?colour=red", "", "Authorization", mon, apptest.InvalidRequest, "unknown parameter")
	if res.StatusCode != 400 {
		t.Errorf("unknown parameter: %d", res.StatusCode)
	}
	res = app.Do(t, nil, "GET", "/api/v1/compliance/report", "", "Authorization", "Bearer "+app.Token(t, "border1"))
	if res.StatusCode != 403 {
		t.Errorf("border officer: %d", res.StatusCode)
	}
}
