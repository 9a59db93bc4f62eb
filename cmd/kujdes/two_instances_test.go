package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/kujdes/kujdes/internal/testdb"
)

// TestMain lets the test binary be a Kujdes server: TestTwoInstances starts two of them as
// real processes on one database.
func TestMain(m *testing.M) {
	if os.Getenv("KUJDES_TEST_SERVE") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, []string{"serve"}, os.Getenv, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// Two Kujdes processes on one database under concurrent load: a session opened on one works
// on the other, exactly one of them seals the audit log at any moment, the other takes over
// when the first is killed, and `kujdes audit verify` passes afterwards.
func TestTwoInstances(t *testing.T) {
	dbURL := testdb.URL(t)
	keyFile := filepath.Join(t.TempDir(), "audit.key")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"audit", "keygen", "-out", keyFile}, nil, &out, &out); code != 0 {
		t.Fatalf("keygen: %s", out.String())
	}
	start := func(demo bool) (*exec.Cmd, string) {
		addr := freeAddr(t)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "KUJDES_TEST_SERVE=1", "DATABASE_URL="+dbURL, "KUJDES_ADDR="+addr,
			"KUJDES_DEV_IDP=true", fmt.Sprintf("KUJDES_DEMO=%v", demo), "KUJDES_AUDIT_SIGNING_KEY_FILE="+keyFile,
			"KUJDES_AUDIT_CHECKPOINT_INTERVAL=1s", "KUJDES_LOG_LEVEL=error")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		base := "http://" + addr
		deadline := time.Now().Add(60 * time.Second)
		for {
			res, err := http.Get(base + "/readyz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					return cmd, base
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never became ready", base)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	procA, a := start(true) // seeds the demo users, keyed to its own development provider
	_, b := start(false)

	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var childID int64
	if err := db.QueryRow(`SELECT id FROM children WHERE registration_number = 'AL-2026-000001'`).Scan(&childID); err != nil {
		t.Fatal(err)
	}

	// Sample who holds the sealer's lock while the load runs.
	var maxHolders, samples, withHolder atomic.Int64
	stopSampling := make(chan struct{})
	var sampling sync.WaitGroup
	sampling.Go(func() {
		for {
			select {
			case <-stopSampling:
				return
			case <-time.After(20 * time.Millisecond):
			}
			var n int64
			if err := db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
				AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((classid::bigint << 32) | objid::bigint) = $1`, int64(0x6b756a6465730002)).Scan(&n); err != nil {
				continue
			}
			samples.Add(1)
			if n > 0 {
				withHolder.Add(1)
			}
			for m := maxHolders.Load(); n > m && !maxHolders.CompareAndSwap(m, n); m = maxHolders.Load() {
			}
		}
	})

	// Eight users, each signed in on A and reading a child on both instances with that session.
	var clients []*http.Client
	for range 8 {
		clients = append(clients, login(t, a, "protection1"))
	}
	load := func(bases []string, d time.Duration) (ok map[string]int64) {
		var mu sync.Mutex
		ok = map[string]int64{}
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() {
				for end := time.Now().Add(d); time.Now().Before(end); {
					for _, base := range bases {
						res, err := c.Get(fmt.Sprintf("%s/api/v1/children/%d", base, childID))
						if err != nil {
							t.Error(err)
							return
						}
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode != 200 {
							t.Errorf("%s: %d", base, res.StatusCode)
							return
						}
						mu.Lock()
						ok[base]++
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		return ok
	}
	first := load([]string{a, b}, 3*time.Second)
	if first[a] == 0 || first[b] == 0 {
		t.Fatalf("reads served: %v", first)
	}
	// Kill A without warning: if it was the sealer, B takes over; B keeps serving A's sessions.
	procA.Process.Kill()
	procA.Wait()
	second := load([]string{b}, 2*time.Second)
	close(stopSampling)
	sampling.Wait()
	t.Logf("reads on A and B: %v, then on B alone: %v; lock sampled %d times, held in %d", first, second, samples.Load(), withHolder.Load())
	if m := maxHolders.Load(); m != 1 {
		t.Fatalf("at most %d sealers held the lock at once, want exactly 1", m)
	}

	// B seals everything, including what A wrote before it died; the log verifies.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pending int64
		if err := db.QueryRow(`SELECT count(*) FROM audit_pending`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still pending 30 s after A died: no takeover", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var events int64
	if err := db.QueryRow(`SELECT count(*) FROM audit_events`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dbURL, "KUJDES_AUDIT_SIGNING_KEY_FILE": keyFile}[k]
	}
	out.Reset()
	if code := run(context.Background(), []string{"audit", "verify"}, env, &out, &out); code != 0 ||
		!strings.Contains(out.String(), fmt.Sprintf("intact: %d events sealed", events)) {
		t.Fatalf("verify after two instances: exit %d: %s (%d events)", code, out.String(), events)
	}
}

var loginForm = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)

// login signs username in on base through the development provider's code flow.
func login(t *testing.T, base, username string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	res, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := loginForm.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no login page at %s", res.Request.URL)
	}
	res, err = c.PostForm(res.Request.URL.ResolveReference(&url.URL{Path: "login"}).String(),
		url.Values{"authRequestID": {string(m[1])}, "username": {username}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("login %s: %d at %s", username, res.StatusCode, res.Request.URL)
	}
	return c
}
