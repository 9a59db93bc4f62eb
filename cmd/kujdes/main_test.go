package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

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

// `kujdes audit verify` passes on an intact trail and names the first broken link after a
// superuser disabled the append-only trigger and altered a row.
func TestAuditVerifyCommand(t *testing.T) {
	url := testdb.URL(t)
	ctx := context.Background()
	db, err := models.Open(ctx, url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		err := db.Transaction(func(tx *gorm.DB) error {
			return models.AppendAudit(ctx, tx, &models.AuditEvent{Action: "child.read", Entity: "child", EntityID: fmt.Sprint(i + 1)})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	env := func(k string) string { return map[string]string{"DATABASE_URL": url}[k] }
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"audit", "verify"}, env, &out, &errb); code != 0 || !strings.Contains(out.String(), "intact: 3") {
		t.Fatalf("intact trail: exit %d %q %q", code, out.String(), errb.String())
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
	out.Reset()
	if code := run(ctx, []string{"audit", "verify"}, env, &out, &errb); code != 3 || !strings.Contains(out.String(), "BROKEN at event 2") {
		t.Fatalf("tampered trail: exit %d %q", code, out.String())
	}
}
