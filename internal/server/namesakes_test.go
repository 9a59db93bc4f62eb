package server_test

import (
	"fmt"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// TestParentsNamesThroughTheAPI (issue 12): the parents' names are registered and read back
// through the JSON API, and the duplicate check answers namesakes — how many candidates it
// cannot tell apart — until the question carries the father's name, which puts his son
// first and weighs in the reasons.
func TestParentsNamesThroughTheAPI(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	auth := "Bearer " + app.Token(t, "border1")
	first := decode[registered](t, app.Do(t, nil, "POST", "/api/v1/registrations",
		registration(map[string]any{"father_name": "کریم", "mother_name": "Fatima"}), "Authorization", auth))
	res := app.Do(t, nil, "POST", "/api/v1/registrations",
		registration(map[string]any{"father_name": "Hussain", "mother_name": "Zahra", "confirm_new": true}), "Authorization", auth)
	if second := decode[registered](t, res); res.StatusCode != 201 || second.ChildID == first.ChildID {
		t.Fatalf("second namesake: %d %+v", res.StatusCode, second)
	}
	c := decode[struct {
		FatherName string `json:"father_name"`
		MotherName string `json:"mother_name"`
	}](t, app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/children/%d", first.ChildID), "", "Authorization", auth))
	if c.FatherName != "کریم" || c.MotherName != "Fatima" {
		t.Errorf("read back: %+v", c)
	}

	type answer struct {
		Candidates []struct {
			ChildID int64 `json:"child_id"`
			Reasons []struct {
				Code   string  `json:"code"`
				Weight float64 `json:"weight"`
			} `json:"reasons"`
		} `json:"candidates"`
		Namesakes *int `json:"namesakes"`
	}
	check := func(extra string) answer {
		body := `{"given_name":"Mohammad","family_name":"Rahimi","sex":"male","age_min":15,"age_max":16,"nationalities":["AF"]` + extra + `}`
		res := app.Do(t, nil, "POST", "/api/v1/duplicate-check", body, "Authorization", auth)
		if res.StatusCode != 200 {
			t.Fatalf("duplicate-check %s: %d %s", extra, res.StatusCode, apptest.Body(t, res))
		}
		return decode[answer](t, res)
	}
	plain := check("")
	if len(plain.Candidates) != 2 || plain.Namesakes == nil || *plain.Namesakes != 2 {
		t.Fatalf("without parents' names: %d candidates, namesakes %v; want 2 and 2", len(plain.Candidates), plain.Namesakes)
	}
	withFather := check(`,"father_name":"Karim"`)
	if len(withFather.Candidates) == 0 || withFather.Candidates[0].ChildID != first.ChildID || withFather.Namesakes == nil || *withFather.Namesakes != 0 {
		t.Fatalf("with the father's name: %+v", withFather)
	}
	weighed := false
	for _, r := range withFather.Candidates[0].Reasons {
		weighed = weighed || r.Code == "father_name" && r.Weight > 0
	}
	if !weighed {
		t.Errorf("the father's name does not weigh in the reasons: %+v", withFather.Candidates[0].Reasons)
	}
}
