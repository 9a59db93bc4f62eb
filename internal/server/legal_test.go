package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
)

// The legal timeline through the API (issue 10): If-Match on every write (missing 428, stale
// 412), refusals 422 with a localized message naming why, the status derived and stepped
// back by a void; every answer checked against the OpenAPI document by apptest.
func TestLegalAPI(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	po := "Bearer " + app.Token(t, "protection1")
	child := app.ChildID(t, "AL-2026-000010") // GJI, no legal event in the demo data
	path := fmt.Sprintf("/api/v1/children/%d/legal-events", child)
	today := time.Now().UTC().Format(time.DateOnly)
	type timeline struct {
		Version int `json:"version"`
		Status  struct {
			Stage string `json:"stage"`
		} `json:"status"`
		Events []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		} `json:"events"`
	}
	decode := func(res *http.Response) timeline {
		t.Helper()
		var tl timeline
		if err := json.NewDecoder(res.Body).Decode(&tl); err != nil {
			t.Fatal(err)
		}
		return tl
	}
	res := app.Do(t, nil, "GET", path, "", "Authorization", po)
	if tl := decode(res); res.StatusCode != 200 || res.Header.Get("ETag") != `"1"` || tl.Status.Stage != "none" {
		t.Fatalf("empty timeline: %d %s %+v", res.StatusCode, res.Header.Get("ETag"), tl)
	}
	made := `{"kind":"application_made","occurred_on":"` + today + `","authority":"Policia e Kufirit Kakavijë"}`
	if res := app.Do(t, nil, "POST", path, made, "Authorization", po, apptest.InvalidRequest, "no If-Match"); res.StatusCode != 428 {
		t.Errorf("no If-Match: %d", res.StatusCode)
	}
	// A decision before any application: 422, localized (Arabic), nothing written.
	res = app.Do(t, nil, "POST", path, `{"kind":"decision","outcome":"rejected","occurred_on":"`+today+`","authority":"DAS","document_reference":"V-1"}`,
		"Authorization", po, "If-Match", `"1"`, "Accept-Language", "ar")
	body := apptest.Body(t, res)
	if res.StatusCode != 422 || !strings.Contains(body, `"code":"legal_timeline_starts"`) || !strings.Contains(body, "يبدأ التسلسل الزمني") {
		t.Errorf("decision first: %d %s", res.StatusCode, body)
	}
	res = app.Do(t, nil, "POST", path, made, "Authorization", po, "If-Match", `"1"`)
	if tl := decode(res); res.StatusCode != 201 || res.Header.Get("ETag") != `"2"` || tl.Status.Stage != "application_made" || len(tl.Events) != 1 {
		t.Fatalf("made: %d %+v", res.StatusCode, tl)
	}
	// Someone who saw the empty timeline adds to it: 412.
	if res := app.Do(t, nil, "POST", path, made, "Authorization", po, "If-Match", `"1"`); res.StatusCode != 412 {
		t.Errorf("stale: %d", res.StatusCode)
	}
	var tl timeline
	res = app.Do(t, nil, "GET", path, "", "Authorization", po)
	tl = decode(res)
	void := fmt.Sprintf("%s/%d/void", path, tl.Events[0].ID)
	if res := app.Do(t, nil, "POST", void, `{"reason":"short"}`, "Authorization", po, "If-Match", `"2"`); res.StatusCode != 422 {
		t.Errorf("short reason: %d", res.StatusCode)
	}
	res = app.Do(t, nil, "POST", void, `{"reason":"Recorded on the wrong child."}`, "Authorization", po, "If-Match", `"2"`)
	if tl := decode(res); res.StatusCode != 201 || tl.Status.Stage != "none" || tl.Version != 3 || len(tl.Events) != 2 {
		t.Errorf("void: %d %+v", res.StatusCode, tl)
	}
	if res := app.Do(t, nil, "POST", fmt.Sprintf("%s/999999/void", path), `{"reason":"Recorded on the wrong child."}`, "Authorization", po, "If-Match", `"3"`); res.StatusCode != 404 {
		t.Errorf("void of a missing event: %d", res.StatusCode)
	}
}

// Who gets what on a child's legal timeline: the guardian of another child 404 (its existence
// does not leak), a border officer and a monitor 403 even on a child in their scope.
func TestLegalAPIScope(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	ward := app.ChildID(t, "AL-2026-000001") // guardian1's ward, at post KAK (border1's)
	path := fmt.Sprintf("/api/v1/children/%d/legal-events", ward)
	today := time.Now().UTC().Format(time.DateOnly)
	event := `{"kind":"residence_permit","occurred_on":"` + today + `","authority":"Drejtoria e Azilit","document_reference":"LQ-1"}`
	var n0 int64
	app.Scan(t, &n0, `SELECT count(*) FROM legal_events WHERE child_id = ?`, ward)
	for _, tc := range []struct {
		user       string
		read, post int
	}{
		{"guardian1", 200, 412}, // If-Match "1" is stale: the demo timeline has events
		{"guardian2", 404, 404},
		{"border1", 403, 403},
		{"monitor1", 403, 403},
		{"admin1", 403, 403},
		{"protection2", 404, 404}, // Shkodër: not AL-2026-000001's region
	} {
		auth := "Bearer " + app.Token(t, tc.user)
		if res := app.Do(t, nil, "GET", path, "", "Authorization", auth); res.StatusCode != tc.read {
			t.Errorf("%s GET: %d, want %d", tc.user, res.StatusCode, tc.read)
		}
		if res := app.Do(t, nil, "POST", path, event, "Authorization", auth, "If-Match", `"1"`); res.StatusCode != tc.post {
			t.Errorf("%s POST: %d, want %d", tc.user, res.StatusCode, tc.post)
		}
	}
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM legal_events WHERE child_id = ?`, ward)
	if n != n0 {
		t.Errorf("%d events written by refused requests", n-n0)
	}
	// The child page shows the section to the guardian, not to the border officer.
	page := apptest.Body(t, app.Do(t, app.Login(t, "guardian1"), "GET", fmt.Sprintf("/children/%d", ward), ""))
	if !strings.Contains(page, `id="legal"`) || !strings.Contains(page, "Interviewed, awaiting decision") {
		t.Error("guardian1's ward page lacks the legal section with the derived status")
	}
	page = apptest.Body(t, app.Do(t, app.Login(t, "border1"), "GET", fmt.Sprintf("/children/%d", ward), ""))
	if strings.Contains(page, `id="legal"`) {
		t.Error("border1 sees the legal section")
	}
}

// The page form carries the timeline version it was shown with: a form shown before someone
// else added an event answers 409 with the timeline as it is now and what was typed, and
// writes nothing; the same form with the current version is recorded.
func TestLegalPageStaleForm(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	ward := app.ChildID(t, "AL-2026-000002") // guardian1's; two demo events (version 3)
	g1 := app.Login(t, "guardian1")
	form := url.Values{"kind": {"application_registered"}, "occurred_on": {time.Now().UTC().Format(time.DateOnly)},
		"authority": {"Drejtoria e Azilit"}, "document_reference": {"DAS-REG-7"}, "version": {"2"}}
	path := fmt.Sprintf("/children/%d/legal-events", ward)
	res := app.Do(t, g1, "POST", path, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	body := apptest.Body(t, res)
	if res.StatusCode != 409 || !strings.Contains(body, "Someone else changed this timeline") || !strings.Contains(body, "DAS-REG-7") {
		t.Errorf("stale form: %d", res.StatusCode)
	}
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM legal_events WHERE child_id = ?`, ward)
	if n != 2 {
		t.Fatalf("%d events after a stale form", n)
	}
	form.Set("version", "3")
	res = app.Do(t, noFollow(g1), "POST", path, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	if res.StatusCode != 303 {
		t.Errorf("current form: %d", res.StatusCode)
	}
	app.Scan(t, &n, `SELECT count(*) FROM legal_events WHERE child_id = ?`, ward)
	if n != 3 {
		t.Errorf("%d events after the current form", n)
	}
}
