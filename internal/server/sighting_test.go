package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/models"
)

// TestArrivalOnOutOfScopeChildIsASighting is issue 7's "arrival on an out-of-scope child": a
// border officer of another post records an arrival on a child the duplicate check showed
// them. Afterwards they still cannot read the child (no trafficking notes, no special needs),
// the child's record is unchanged but for the new arrival, and the responsible protection
// officer sees the sighting on the record and in the needs-action queue — through the API
// and the pages.
func TestArrivalOnOutOfScopeChildIsASighting(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	const notes, needs = "Recruiter-marker-7Q in Tirana", "Needs-marker-7Q insulin"
	b1 := "Bearer " + app.Token(t, "border1")
	res := app.Do(t, nil, "POST", "/api/v1/registrations", registration(map[string]any{"trafficking_notes": notes, "special_needs": needs}), "Authorization", b1)
	if res.StatusCode != 201 {
		t.Fatalf("register at KAK: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	child := decode[registered](t, res)
	path := fmt.Sprintf("/api/v1/children/%d", child.ChildID)
	var before models.Child
	if err := app.DB.Take(&before, child.ChildID).Error; err != nil {
		t.Fatal(err)
	}

	// border2 (KAP) meets the child: the registration is refused with the candidate, shown
	// with the minimum only.
	b2 := "Bearer " + app.Token(t, "border2")
	same := map[string]any{"arrival": map[string]any{"how_found": "presented_at_border", "location": "KAP lane 2"}}
	res = app.Do(t, nil, "POST", "/api/v1/registrations", registration(same), "Authorization", b2)
	if res.StatusCode != 409 {
		t.Fatalf("want 409 possible-duplicates: %d %s", res.StatusCode, apptest.Body(t, res))
	}
	body := apptest.Body(t, res)
	if !strings.Contains(body, child.RegistrationNumber) || strings.Contains(body, `"border_post"`) || strings.Contains(body, "birth_date_from") {
		t.Errorf("the candidate outside scope must show its number and not its post or birth range: %s", body)
	}

	// It records the arrival on the existing child: 201, a sighting with its arrival and the
	// summary, no Location, no record.
	same["existing_child_id"] = child.ChildID
	res = app.Do(t, nil, "POST", "/api/v1/registrations", registration(same), "Authorization", b2)
	body = apptest.Body(t, res)
	var got struct {
		ChildID  int64 `json:"child_id"`
		Sighting bool  `json:"sighting"`
		Arrival  struct {
			BorderPostCode string `json:"border_post_code"`
			GrantsScope    bool   `json:"grants_scope"`
			Location       string `json:"location"`
		} `json:"arrival"`
		Child struct {
			RegistrationNumber string `json:"registration_number"`
			InScope            bool   `json:"in_scope"`
		} `json:"child"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if res.StatusCode != 201 || !got.Sighting || got.ChildID != child.ChildID || got.Arrival.BorderPostCode != "KAP" || got.Arrival.GrantsScope ||
		got.Arrival.Location != "KAP lane 2" || got.Child.RegistrationNumber != child.RegistrationNumber || got.Child.InScope || res.Header.Get("Location") != "" {
		t.Fatalf("sighting answer: %d %s (Location %q)", res.StatusCode, body, res.Header.Get("Location"))
	}
	if strings.Contains(body, "marker-7Q") {
		t.Errorf("the sighting answer leaks the record: %s", body)
	}

	// Afterwards border2 still cannot read the child (404), its history (403: not a border
	// officer's permission; 404 if it were), nor find it in lists.
	for _, p := range []string{path, path + "/access-history"} {
		res := app.Do(t, nil, "GET", p, "", "Authorization", b2)
		if b := apptest.Body(t, res); res.StatusCode != 404 && res.StatusCode != 403 || strings.Contains(b, "marker-7Q") {
			t.Errorf("border2 GET %s after the sighting: %d %.200s", p, res.StatusCode, b)
		}
	}
	if b := apptest.Body(t, app.Do(t, nil, "GET", "/api/v1/children?limit=200", "", "Authorization", b2)); strings.Contains(b, child.RegistrationNumber) {
		t.Errorf("border2's list shows the child after the sighting")
	}
	// The record is unchanged but for the new arrival.
	var after models.Child
	if err := app.DB.Take(&after, child.ChildID).Error; err != nil {
		t.Fatal(err)
	}
	if after.Version != before.Version || !after.UpdatedAt.Equal(before.UpdatedAt) || after.RegionID != before.RegionID || after.TraffickingNotes != notes {
		t.Errorf("the sighting changed the record: version %d→%d, updated %v→%v", before.Version, after.Version, before.UpdatedAt, after.UpdatedAt)
	}

	// The responsible protection officer sees the sighting on the record…
	p1 := "Bearer " + app.Token(t, "protection1")
	res = app.Do(t, nil, "GET", path, "", "Authorization", p1)
	var rec struct {
		Arrivals []struct {
			BorderPostCode string `json:"border_post_code"`
			GrantsScope    bool   `json:"grants_scope"`
		} `json:"arrivals"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rec); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || len(rec.Arrivals) != 2 || rec.Arrivals[0].BorderPostCode != "KAP" || rec.Arrivals[0].GrantsScope || !rec.Arrivals[1].GrantsScope {
		t.Fatalf("protection1's record: %d %+v", res.StatusCode, rec)
	}
	// …and in the needs-action queue.
	q := decode[struct {
		Items []struct {
			ID      int64    `json:"id"`
			Reasons []string `json:"reasons"`
		} `json:"items"`
	}](t, app.Do(t, nil, "GET", "/api/v1/children/needs-action", "", "Authorization", p1))
	seen := false
	for _, it := range q.Items {
		seen = seen || it.ID == child.ChildID && strings.Contains(strings.Join(it.Reasons, ","), "seen_elsewhere")
	}
	if !seen {
		t.Errorf("needs-action lacks the sighting: %+v", q.Items)
	}

	// The pages: the child's page shows the sighting to protection1…
	officer := app.Login(t, "protection1")
	res = app.Do(t, officer, "GET", fmt.Sprintf("/children/%d", child.ChildID), "")
	if b := apptest.Body(t, res); res.StatusCode != 200 || !strings.Contains(b, "Sighting: seen at Kapshticë") {
		t.Errorf("child page for protection1: %d, sighting shown: %t", res.StatusCode, strings.Contains(b, "Sighting: seen at Kapshticë"))
	}
	// The access history tells, readably, that the child was shown to an officer of KAP.
	res = app.Do(t, officer, "GET", fmt.Sprintf("/children/%d/history", child.ChildID), "")
	if b := apptest.Body(t, res); res.StatusCode != 200 || !strings.Contains(b, "Shown as a possible duplicate (likely the same child) to an officer of Kapshticë, when a registration was refused") ||
		!strings.Contains(b, "Recorded a sighting") {
		t.Errorf("history page: %d %s", res.StatusCode, b)
	}
	res = app.Do(t, officer, "GET", "/children/needs-action", "")
	if b := apptest.Body(t, res); res.StatusCode != 200 || !strings.Contains(b, "seen at another post recently") {
		t.Errorf("needs-action page: %d, reason shown: %t", res.StatusCode, strings.Contains(b, "seen at another post recently"))
	}
	// …and border2, recording a second sighting through the form, gets the receipt and still
	// a 404 on the child's page.
	border := app.Login(t, "border2")
	form := url.Values{"given_name": {"Mohammad"}, "family_name": {"Rahimi"}, "sex": {"male"}, "age_min": {"15"}, "age_max": {"16"},
		"nationality_1": {"AF"}, "how_found": {"presented_at_border"}, "border_post_code": {"KAP"}, "existing_child_id": {fmt.Sprint(child.ChildID)}}
	res, err := border.PostForm(app.URL+"/register", form)
	if err != nil {
		t.Fatal(err)
	}
	b := apptest.Body(t, res)
	if res.StatusCode != 200 || !strings.Contains(res.Request.URL.RawQuery, "sighting=") || !strings.Contains(b, "sighting of "+child.RegistrationNumber) || strings.Contains(b, "marker-7Q") {
		t.Errorf("the form's sighting receipt: %d at %s: %.400s", res.StatusCode, res.Request.URL, b)
	}
	if res := app.Do(t, border, "GET", fmt.Sprintf("/children/%d", child.ChildID), ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("border2's child page after sightings: %d", res.StatusCode)
	}
	// The receipt is only for the officer who recorded the sighting.
	if other := app.Do(t, app.Login(t, "border1"), "GET", res.Request.URL.RequestURI(), ""); other.StatusCode != http.StatusNotFound {
		t.Errorf("another officer reading the receipt: %d", other.StatusCode)
	}
}
