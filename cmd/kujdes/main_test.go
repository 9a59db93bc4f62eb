package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/testdb"
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
