package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/notify"
	"github.com/kujdes/kujdes/registry"
)

// killReceiver counts the missing-child deliveries a real receiver accepted, by key (the
// e-mail's Message-ID, the webhook's Kujdes-Event-Id); while refusing, it refuses them all.
type killReceiver struct {
	mu       sync.Mutex
	accepted map[string]int
	tried    int
	refusing atomic.Bool
}

func (r *killReceiver) attempt(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tried++
	if r.refusing.Load() {
		return false
	}
	r.accepted[key]++
	return true
}

func (r *killReceiver) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.accepted {
		out[k] = v
	}
	return out
}

type killSMTPSession struct{ rc *killReceiver }

func (s *killSMTPSession) Reset()                               {}
func (s *killSMTPSession) Logout() error                        { return nil }
func (s *killSMTPSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *killSMTPSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *killSMTPSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	if m.Header.Get("Kujdes-Alert-Kind") != registry.AlertChildMissing {
		return nil // the daily reminders the instances send at start
	}
	if !s.rc.attempt(m.Header.Get("Message-ID")) {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	return nil
}

// Acceptance of issue 10, on the real server: a child is reported missing while `kujdes serve`
// (instance A) runs with SMTP and the webhook configured; both receivers refuse, so the
// report is committed but nothing is delivered; A is killed (SIGKILL). Instance B starts, the
// receivers come back, and B delivers each of the report's e-mails and its webhook exactly
// once — nothing was lost with the server.
func TestServeKilledBeforeDeliveryLosesNoAlert(t *testing.T) {
	dbURL := testdb.URL(t)
	keyFile := filepath.Join(t.TempDir(), "audit.key")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"audit", "keygen", "-out", keyFile}, nil, &out, &out); code != 0 {
		t.Fatalf("keygen: %s", out.String())
	}
	mails, hooks := &killReceiver{accepted: map[string]int{}}, &killReceiver{accepted: map[string]int{}}
	mails.refusing.Store(true)
	hooks.refusing.Store(true)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &killSMTPSession{rc: mails}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	const secret = "kill-test-secret-0123456789"
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if err := notify.Verify(secret, req.Header.Get(notify.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if !hooks.attempt(req.Header.Get("Kujdes-Event-Id")) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)

	start := func(demo bool) *exec.Cmd {
		addr := freeAddr(t)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "KUJDES_TEST_SERVE=1", "DATABASE_URL="+dbURL, "KUJDES_ADDR="+addr,
			"KUJDES_DEV_IDP=true", fmt.Sprintf("KUJDES_DEMO=%v", demo), "KUJDES_AUDIT_SIGNING_KEY_FILE="+keyFile,
			"KUJDES_LOG_LEVEL=error", "KUJDES_SMTP_ADDR="+ln.Addr().String(), "KUJDES_SMTP_FROM=kujdes@example.org",
			"KUJDES_SMTP_TLS=none", "KUJDES_ALERT_WEBHOOK_URL="+hook.URL+"/hook", "KUJDES_ALERT_WEBHOOK_SECRET="+secret,
			"KUJDES_ALERT_RETRY_BASE=3s", "KUJDES_ALERT_RETRY_MAX=3s")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		waitFor(t, "ready", 90*time.Second, func() bool {
			res, err := http.Get("http://" + addr + "/readyz")
			if err != nil {
				return false
			}
			res.Body.Close()
			return res.StatusCode == 200
		})
		return cmd
	}
	a := start(true)

	// The report, through the missing-children use case, as a protection officer of the
	// child's region: its alerts (to protection1 and the guardian) and their jobs commit with it.
	ctx := context.Background()
	db, err := models.Open(ctx, dbURL, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	t.Cleanup(func() { sqlDB.Close() })
	var child struct{ ID, RegionID int64 }
	if err := db.Raw(`SELECT id, region_id FROM children WHERE registration_number = 'AL-2026-000001'`).Scan(&child).Error; err != nil || child.ID == 0 {
		t.Fatalf("demo child: %v", err)
	}
	// protection1's role: Kujdes learns it at sign-in (the identity provider asserts it);
	// here it is assigned, so the officer is a recipient without a browser.
	if err := db.Exec(`UPDATE users SET roles = array_append(roles, 'protection_officer') WHERE username = 'protection1' AND NOT ('protection_officer' = ANY (roles))`).Error; err != nil {
		t.Fatal(err)
	}
	roles := []models.Role{models.RoleProtectionOfficer}
	reporter := &models.Actor{Issuer: "test", Subject: "kill-test", Roles: roles, RegionIDs: []int64{child.RegionID}, Permissions: auth.PermissionsFor(roles)}
	now := time.Now().UTC()
	if _, err := registry.New(db).ReportMissing(ctx, reporter, child.ID, registry.MissingReportInput{
		LastSeenAt: now.Add(-time.Hour).Format(time.RFC3339), LastSeenPlace: "reception centre",
		DiscoveredAt: now.Add(-10 * time.Minute).Format(time.RFC3339), DiscoveredBy: "night staff", Risk: "medium",
	}); err != nil {
		t.Fatal(err)
	}
	var want struct{ Mails, Hooks int }
	if err := db.Raw(`SELECT (SELECT count(*) FROM alerts a JOIN alert_events e ON e.id = a.event_id WHERE e.kind = 'child_missing') AS mails,
		(SELECT count(*) FROM alert_events WHERE kind = 'child_missing') AS hooks`).Scan(&want).Error; err != nil {
		t.Fatal(err)
	}
	if want.Mails != 2 || want.Hooks != 1 {
		t.Fatalf("the report made %d e-mail alerts and %d events, want 2 (protection1, guardian1) and 1", want.Mails, want.Hooks)
	}
	// A tries every delivery and is refused (each retry is 3 s away), then dies — between
	// attempts, so no job is left "running" (a job a dead worker holds is TestAlertsSurviveAKill's
	// case, in package registry).
	waitFor(t, "A's refused attempts", 60*time.Second, func() bool {
		var n int
		err := sqlDB.QueryRow(`SELECT count(*) FROM river_job WHERE queue = 'alerts' AND attempt >= 1 AND state IN ('retryable', 'available')
			AND scheduled_at > now() + interval '1 second'
			AND (kind = 'alert_webhook' OR (args->>'alert_id')::bigint IN (SELECT a.id FROM alerts a JOIN alert_events e ON e.id = a.event_id WHERE e.kind = 'child_missing'))`).Scan(&n)
		if err != nil {
			t.Logf("counting A's refused attempts: %v", err) // the wait goes on and fails at its deadline
		}
		return n == 3
	})
	if err := a.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	if len(mails.snapshot()) != 0 || len(hooks.snapshot()) != 0 {
		t.Fatal("a delivery was accepted while the receivers refused")
	}

	mails.refusing.Store(false)
	hooks.refusing.Store(false)
	start(false)
	waitFor(t, "B's deliveries", 90*time.Second, func() bool {
		return len(mails.snapshot()) == want.Mails && len(hooks.snapshot()) == want.Hooks
	})
	time.Sleep(2 * time.Second) // a repeat would come now
	for name, got := range map[string]map[string]int{"e-mail": mails.snapshot(), "webhook": hooks.snapshot()} {
		for key, n := range got {
			if n != 1 {
				t.Errorf("%s %s delivered %d times", name, key, n)
			}
		}
	}
	if got := mails.snapshot(); len(got) != want.Mails {
		t.Errorf("%d e-mails delivered, want %d", len(got), want.Mails)
	}
	var unsent int
	if err := sqlDB.QueryRow(`SELECT count(*) FROM alerts a JOIN alert_events e ON e.id = a.event_id WHERE e.kind = 'child_missing' AND a.emailed_at IS NULL`).Scan(&unsent); err != nil || unsent != 0 {
		t.Errorf("%d alerts not marked e-mailed (%v)", unsent, err)
	}
}

// waitFor polls cond every 100 ms until it holds, or fails the test after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("waiting for %s: not after %v", what, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
