package server_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// TestDeniedReadsProbe: a border officer probes five children outside their scope through the
// API; each answer is a plain 404, each probe leaves a child.read_denied row, and the
// administrators see the officer with 5 refusals — in the API and on the emergency-access page.
// Nobody else may list them.
var requestID = regexp.MustCompile(`"request_id":"[^"]*"`)

func TestDeniedReadsProbe(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b1 := "Bearer " + app.Token(t, "border1")
	var ids []int64
	for _, number := range []string{"AL-2026-000004", "AL-2026-000005", "AL-2026-000006", "AL-2026-000007", "AL-2026-000008"} {
		ids = append(ids, app.ChildID(t, number))
	}
	missing := app.Do(t, nil, "GET", "/api/v1/children/987654321", "", "Authorization", b1)
	missingBody := apptest.Body(t, missing)
	var before int64
	if err := app.DB.Raw(`SELECT count(*) FROM audit_events WHERE action = 'child.read_denied'`).Scan(&before).Error; err != nil || before != 1 {
		t.Fatalf("a read of a missing child left %d denial rows (%v)", before, err)
	}
	for _, id := range ids {
		res := app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/children/%d", id), "", "Authorization", b1)
		// Out of scope looks exactly like missing.
		if body := apptest.Body(t, res); res.StatusCode != 404 || requestID.ReplaceAllString(body, "") != requestID.ReplaceAllString(missingBody, "") {
			t.Fatalf("probe of %d: %d %s (missing: %s)", id, res.StatusCode, body, missingBody)
		}
	}
	var rows []struct {
		EntityID, ActorSubject, Outcome string
	}
	if err := app.DB.Raw(`SELECT entity_id, actor_subject, outcome FROM audit_events
		WHERE action = 'child.read_denied' AND entity = 'child' ORDER BY id`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 {
		t.Fatalf("%d denial rows after 6 refused reads", len(rows))
	}
	for i, id := range ids {
		if r := rows[i+1]; r.EntityID != fmt.Sprint(id) || r.ActorSubject != "demo-border-1" || r.Outcome != "denied" {
			t.Errorf("denial %d: %+v", i, r)
		}
	}

	res := app.Do(t, nil, "GET", "/api/v1/admin/denied-reads", "", "Authorization", "Bearer "+app.Token(t, "admin1"))
	list := decode[struct {
		Items []struct {
			User  string `json:"user"`
			Count int    `json:"count"`
		} `json:"items"`
	}](t, res)
	if res.StatusCode != 200 || len(list.Items) != 1 || list.Items[0].User != "Arben Hoxha" || list.Items[0].Count != 6 {
		t.Fatalf("admin list: %d %+v", res.StatusCode, list.Items)
	}
	for _, who := range []string{"border1", "protection1", "guardian1", "monitor1", "newcomer"} {
		if res := app.Do(t, nil, "GET", "/api/v1/admin/denied-reads", "", "Authorization", "Bearer "+app.Token(t, who)); res.StatusCode != 403 {
			t.Errorf("%s: %d, want 403", who, res.StatusCode)
		}
	}

	admin := app.Login(t, "admin1")
	page := app.Do(t, admin, "GET", "/admin/break-glass", "")
	body := html.UnescapeString(apptest.Body(t, page))
	i := strings.Index(body, `id="denied-reads"`)
	if page.StatusCode != 200 || i < 0 || !strings.Contains(body[i:], "Arben Hoxha") || !strings.Contains(body[i:], "<td>6</td>") {
		t.Fatalf("emergency-access page: %d, denied reads table missing or wrong", page.StatusCode)
	}
}
