package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auditlog"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestMigrateStatusUpDown(t *testing.T) {
	url := testdb.URL(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "status"}, env, &out, &errb); code != 0 {
		t.Fatalf("status exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "00001_extensions.sql") || !strings.Contains(out.String(), "applied") {
		t.Fatalf("status output: %s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"migrate", "up"}, env, &out, &errb); code != 0 || !strings.Contains(out.String(), "nothing to apply") {
		t.Fatalf("up on a current database: %d %s", code, out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if code := run(context.Background(), []string{"serve"}, func(k string) string {
		if k == "KUJDES_ADDR" {
			return "nonsense"
		}
		return ""
	}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "KUJDES_ADDR") {
		t.Fatalf("bad config: exit %d, stderr %q", code, errb.String())
	}
}

// serve answers, and stops cleanly (exit 0) when its context ends, as on SIGTERM.
func TestServeShutsDownGracefully(t *testing.T) {
	url := testdb.URL(t)
	addr := freeAddr(t)
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": url, "KUJDES_ADDR": addr}[k]
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() { done <- run(ctx, []string{"serve"}, env, &out, &errb) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server never became ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var hc bytes.Buffer
	if code := run(context.Background(), []string{"healthcheck"}, env, &hc, &hc); code != 0 {
		t.Errorf("healthcheck against a ready server: exit %d %s", code, hc.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after shutdown: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}

// The audit commands end to end: keygen, seal, verify, checkpoint export, an owner's edit
// caught (naming the event), deletion of the newest events caught against an exported
// checkpoint, and one event's evidence checked offline.
func TestAuditCommands(t *testing.T) {
	url := testdb.URL(t)
	ctx := context.Background()
	db, err := models.Open(ctx, url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "keys", "audit.key")
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"audit", "keygen", "-out", keyFile, "-name", "kujdes-test"}, nil, &out, &errb); code != 0 {
		t.Fatalf("keygen: exit %d %s", code, errb.String())
	}
	pub := strings.TrimSpace(out.String()[strings.LastIndex(strings.TrimSpace(out.String()), "\n")+1:])
	if !strings.HasPrefix(pub, "kujdes-test+") {
		t.Fatalf("keygen printed %q", out.String())
	}
	if code := run(ctx, []string{"audit", "keygen", "-out", keyFile}, nil, &out, &errb); code != 1 {
		t.Fatalf("keygen over an existing key: exit %d, want 1", code)
	}
	for i := range 3 {
		err := db.Transaction(func(tx *gorm.DB) error {
			return models.AppendAudit(ctx, tx, &models.AuditEvent{Action: "child.read", Entity: "child", EntityID: fmt.Sprint(i + 1)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": url, "KUJDES_AUDIT_SIGNING_KEY_FILE": keyFile}[k]
	}
	runOK := func(want int, args ...string) string {
		t.Helper()
		out.Reset()
		errb.Reset()
		if code := run(ctx, args, env, &out, &errb); code != want {
			t.Fatalf("%v: exit %d, want %d: %s %s", args, code, want, out.String(), errb.String())
		}
		return out.String()
	}
	runOK(0, "audit", "seal")
	if got := runOK(0, "audit", "verify"); !strings.Contains(got, "intact: 3 events sealed, 0 pending, 1 signed") {
		t.Fatalf("verify: %q", got)
	}
	cpFile := filepath.Join(dir, "checkpoint-3.txt")
	if err := os.WriteFile(cpFile, []byte(runOK(0, "audit", "checkpoint")), 0o600); err != nil {
		t.Fatal(err)
	}
	// With the public key only, as an outside party would.
	if got := runOK(0, "audit", "verify", "-key", pub, "-checkpoint", cpFile); !strings.Contains(got, "2 signed checkpoints") {
		t.Fatalf("verify with the exported checkpoint: %q", got)
	}
	sqlDB, _ := db.DB()
	key, err := auditlog.LoadKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	evidence, err := auditlog.BuildEvidence(ctx, sqlDB, key.Verifier, 2)
	if err != nil {
		t.Fatal(err)
	}
	evFile := filepath.Join(dir, "evidence.json")
	if err := os.WriteFile(evFile, evidence, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := runOK(0, "audit", "verify-proof", evFile, "-key", pub); !strings.Contains(got, "evidence verifies") || !strings.Contains(got, "child.read child 2") {
		t.Fatalf("verify-proof: %q", got)
	}
	if err := os.WriteFile(evFile, bytes.Replace(evidence, []byte(`"entity_id": "2"`), []byte(`"entity_id": "3"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := runOK(3, "audit", "verify-proof", evFile, "-key", pub); !strings.Contains(got, "does NOT verify") {
		t.Fatalf("verify-proof of an altered file: %q", got)
	}

	// The application's own role cannot change history…
	if err := db.Exec(`UPDATE audit_events SET reason = 'x' WHERE id = 2`).Error; err == nil {
		t.Fatal("the application role could update audit_events")
	}
	// …a superuser can, by disabling the trigger, and verification catches it.
	admin, err := models.Open(ctx, testdb.AdminURL(t, url), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`ALTER TABLE audit_events DISABLE TRIGGER USER`,
		`UPDATE audit_events SET entity_id = '99' WHERE id = 2`,
		`ALTER TABLE audit_events ENABLE TRIGGER USER`,
	} {
		if err := admin.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	if got := runOK(3, "audit", "verify"); !strings.Contains(got, "BROKEN") || !strings.Contains(got, "first event that does not fit: 2") {
		t.Fatalf("tampered log: %q", got)
	}
	// Put it back, then remove the newest event with its log entry, its tree hashes and every
	// stored checkpoint: only the exported checkpoint still tells.
	for _, q := range []string{
		`SET session_replication_role = replica`, // no triggers, no foreign keys
		`UPDATE audit_events SET entity_id = '2' WHERE id = 2`,
		`DELETE FROM audit_tree_hashes WHERE idx >= 3`,
		`DELETE FROM audit_log WHERE position = 2`,
		`DELETE FROM audit_events WHERE id = 3`,
		`DELETE FROM audit_checkpoints`,
		`SET session_replication_role = origin`,
	} {
		if err := admin.Exec(q).Error; err != nil {
			t.Fatal(q, err)
		}
	}
	if got := runOK(0, "audit", "verify"); !strings.Contains(got, "intact: 2 events") {
		t.Fatalf("without the exported checkpoint, the cut is invisible: %q", got)
	}
	if got := runOK(3, "audit", "verify", "-checkpoint", cpFile); !strings.Contains(got, "removed") {
		t.Fatalf("cut log against the exported checkpoint: %q", got)
	}
	runOK(2, "audit", "frobnicate")
}
