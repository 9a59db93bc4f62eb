package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/kujdes/kujdes/auditlog"
	"github.com/kujdes/kujdes/internal/apptest"
)

// An administrator downloads one event's evidence — from the child's access history page and
// from the API — and it verifies offline with the public key only; monitors fetch the signed
// checkpoint; before the sealer covered an event, both faces say "not sealed yet".
func TestAuditEvidenceAndCheckpoint(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	admin := app.Login(t, "admin1")
	monitor := app.Login(t, "monitor1")
	if res := app.Do(t, monitor, "GET", "/api/v1/audit/checkpoint", ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("checkpoint before any was signed: %d", res.StatusCode)
	}

	childID := app.ChildID(t, "AL-2026-000001")
	officer := app.Login(t, "protection1")
	if res := app.Do(t, officer, "GET", fmt.Sprintf("/api/v1/children/%d", childID), ""); res.StatusCode != http.StatusOK {
		t.Fatalf("read child: %d", res.StatusCode)
	}
	var readID int64
	app.Scan(t, &readID, fmt.Sprintf(`SELECT max(id) FROM audit_events WHERE action = 'child.read' AND entity_id = '%d' AND actor_subject <> ''`, childID))

	// Not sealed yet: 409 in both faces.
	res := app.Do(t, admin, "GET", fmt.Sprintf("/api/v1/admin/audit/events/%d/evidence", readID), "")
	if res.StatusCode != http.StatusConflict || !strings.Contains(apptest.Body(t, res), "urn:kujdes:problem:audit-not-sealed") {
		t.Fatalf("evidence before sealing: %d", res.StatusCode)
	}
	if res := app.Do(t, admin, "GET", fmt.Sprintf("/audit/events/%d/evidence", readID), ""); res.StatusCode != http.StatusConflict {
		t.Fatalf("evidence page before sealing: %d", res.StatusCode)
	}

	key := app.SealAudit(t)

	// The history page links each event's evidence for administrators only.
	page := apptest.Body(t, app.Do(t, admin, "GET", fmt.Sprintf("/children/%d/history", childID), ""))
	link := fmt.Sprintf(`/audit/events/%d/evidence`, readID)
	if !strings.Contains(page, link) {
		t.Fatalf("the history page has no evidence link %s", link)
	}
	if officerPage := apptest.Body(t, app.Do(t, officer, "GET", fmt.Sprintf("/children/%d/history", childID), "")); strings.Contains(officerPage, "/evidence") {
		t.Fatal("a protection officer is offered evidence downloads")
	}
	res = app.Do(t, admin, "GET", link, "")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("evidence page: %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	fromPage := apptest.Body(t, res)
	res = app.Do(t, admin, "GET", fmt.Sprintf("/api/v1/admin/audit/events/%d/evidence", readID), "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("evidence API: %d", res.StatusCode)
	}
	fromAPI := apptest.Body(t, res)
	for name, data := range map[string]string{"page": fromPage, "api": fromAPI} {
		ev, cp, err := auditlog.CheckEvidence([]byte(data), key.Verifier)
		if err != nil {
			t.Fatalf("%s evidence: %v", name, err)
		}
		if ev.Action != "child.read" || ev.EntityID != fmt.Sprint(childID) || ev.ActorSubject == "" || cp.Size < 1 {
			t.Fatalf("%s evidence shows %+v in a log of %d", name, ev, cp.Size)
		}
		// The library's own verifier, on the file's parts.
		var e auditlog.Evidence
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(e.Proof, cp.Size, cp.Root, e.Position, tlog.RecordHash(e.Record)); err != nil {
			t.Fatalf("%s evidence: tlog.CheckRecord: %v", name, err)
		}
	}
	var downloads int64
	app.Scan(t, &downloads, fmt.Sprintf(`SELECT count(*) FROM audit_events WHERE action = 'audit.evidence' AND entity = 'audit_event' AND entity_id = '%d' AND actor_roles = 'admin'`, readID))
	if downloads != 2 {
		t.Fatalf("%d audited evidence downloads, want 2", downloads)
	}

	// Monitors fetch the checkpoint (API and page) but no evidence.
	res = app.Do(t, monitor, "GET", "/api/v1/audit/checkpoint", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("checkpoint: %d", res.StatusCode)
	}
	cp, err := auditlog.OpenCheckpoint([]byte(apptest.Body(t, res)), key.Verifier)
	if err != nil {
		t.Fatalf("served checkpoint: %v", err)
	}
	status := apptest.Body(t, app.Do(t, monitor, "GET", "/audit", ""))
	if !strings.Contains(status, strings.ReplaceAll(key.VerifierKey, "+", "&#43;")) || !regexp.MustCompile(fmt.Sprintf(`<dd>%d</dd>`, cp.Size)).MatchString(status) {
		t.Fatalf("the audit log page does not show the key and the size %d", cp.Size)
	}
	if res := app.Do(t, monitor, "GET", link, ""); res.StatusCode != http.StatusForbidden {
		t.Fatalf("monitor downloading evidence: %d", res.StatusCode)
	}
	if res := app.Do(t, admin, "GET", "/api/v1/admin/audit/events/99999999/evidence", ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("evidence of no event: %d", res.StatusCode)
	}
}
