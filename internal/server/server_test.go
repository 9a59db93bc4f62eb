package server_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kujdes/kujdes/api"
	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/requestid"
)

func decodeProblem(t *testing.T, res *http.Response) api.Problem {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != api.ProblemContentType {
		t.Fatalf("Content-Type = %q, want %s", ct, api.ProblemContentType)
	}
	var p api.Problem
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.RequestID == "" || p.RequestID != res.Header.Get("X-Request-ID") {
		t.Errorf("request_id %q does not match X-Request-ID %q", p.RequestID, res.Header.Get("X-Request-ID"))
	}
	if p.Status != res.StatusCode {
		t.Errorf("status field %d, HTTP %d", p.Status, res.StatusCode)
	}
	return p
}

func TestAPIErrorsAreProblems(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	tests := []struct {
		name, method, path, lang string
		wantStatus               int
		wantType, wantTitle      string
	}{
		{"unknown route", "GET", "/api/v1/nope", "", 404, "urn:kujdes:problem:not-found", "Not found"},
		{"unknown route in Albanian", "GET", "/api/v1/nope", "sq", 404, "urn:kujdes:problem:not-found", "Nuk u gjet"},
		{"unknown route in Arabic", "GET", "/api/v1/nope", "ar;q=0.9, en;q=0.1", 404, "urn:kujdes:problem:not-found", "غير موجود"},
		{"wrong method", "DELETE", "/api/v1/openapi.json", "", 405, "urn:kujdes:problem:method-not-allowed", "Method not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := app.Do(t, nil, tt.method, tt.path, "", "Accept-Language", tt.lang)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.wantStatus)
			}
			p := decodeProblem(t, res)
			if p.Type != tt.wantType || p.Title != tt.wantTitle {
				t.Errorf("got type %q title %q, want %q %q", p.Type, p.Title, tt.wantType, tt.wantTitle)
			}
		})
	}
}

// A client's X-Request-ID reaches the response and the audit trail only when it matches the
// strict pattern; otherwise a new id replaces it everywhere.
func TestRequestIDIsEchoedOrMade(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	for _, tt := range []struct {
		sent string
		kept bool
	}{
		{"trace-abc.123", true},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"short", false},
		{"bad id with spaces <script>", false},
		{"forged:admin:ok", false},
		{strings.Repeat("a", 65), false},
	} {
		t.Run(tt.sent, func(t *testing.T) {
			// A refused bearer token writes a "denied" audit row carrying the request id.
			res := app.Get(t, "/api/v1/children", "X-Request-ID", tt.sent, "Authorization", "Bearer not-a-token")
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", res.StatusCode)
			}
			got := res.Header.Get("X-Request-ID")
			if tt.kept != (got == tt.sent) || !requestid.Valid(got) {
				t.Fatalf("sent %q, answered %q (kept: want %v)", tt.sent, got, tt.kept)
			}
			var audited []string
			if err := app.DB.Raw(`SELECT request_id FROM audit_events WHERE action = 'denied' AND request_id IN (?, ?)`, tt.sent, got).Scan(&audited).Error; err != nil {
				t.Fatal(err)
			}
			if len(audited) != 1 || audited[0] != got {
				t.Errorf("audit rows carry %q, want exactly one with %q", audited, got)
			}
		})
	}
}

func TestPagesLocalizedAndSecure(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)

	t.Run("arabic is right to left", func(t *testing.T) {
		res := app.Get(t, "/?lang=ar")
		body := apptest.Body(t, res)
		if !strings.Contains(body, `<html lang="ar" dir="rtl">`) {
			t.Fatalf("no rtl html element in %.200s", body)
		}
		var langCookie *http.Cookie
		for _, c := range res.Cookies() {
			if c.Name == "lang" {
				langCookie = c
			}
		}
		if langCookie == nil || langCookie.Value != "ar" {
			t.Errorf("an explicit choice must be remembered in a cookie, got %v", res.Cookies())
		}
	})
	t.Run("accept-language with q-values", func(t *testing.T) {
		body := apptest.Body(t, app.Get(t, "/", "Accept-Language", "de;q=1, sq;q=0.8, en;q=0.5"))
		if !strings.Contains(body, `<html lang="sq" dir="ltr">`) || !strings.Contains(body, "Kalo te përmbajtja kryesore") {
			t.Fatalf("expected the Albanian page: %.300s", body)
		}
	})
	t.Run("cookie wins over the browser", func(t *testing.T) {
		body := apptest.Body(t, app.Get(t, "/", "Accept-Language", "sq", "Cookie", "lang=ar"))
		if !strings.Contains(body, `lang="ar"`) {
			t.Fatal("the cookie choice was ignored")
		}
	})
	t.Run("security headers and nonce", func(t *testing.T) {
		res1 := app.Get(t, "/")
		body := apptest.Body(t, res1)
		csp := res1.Header.Get("Content-Security-Policy")
		m := regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`).FindStringSubmatch(csp)
		if m == nil {
			t.Fatalf("no nonce in CSP %q", csp)
		}
		if !strings.Contains(body, `nonce="`+m[1]+`"`) {
			t.Error("the script tag does not carry the response's nonce")
		}
		if strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("weak CSP: %s", csp)
		}
		if regexp.MustCompile(`<script>|<script [^>]*>[^<]+</script>|\son[a-z]+="|style="`).MatchString(body) {
			t.Error("inline script, handler or style found in the page")
		}
		res2 := app.Get(t, "/")
		if res2.Header.Get("Content-Security-Policy") == csp {
			t.Error("the nonce must change on every response")
		}
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
			"X-Frame-Options":        "DENY",
		} {
			if got := res1.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
	})
	t.Run("html 404 is a localized page", func(t *testing.T) {
		res := app.Get(t, "/no/such/page", "Accept-Language", "sq")
		body := apptest.Body(t, res)
		if res.StatusCode != 404 || !strings.Contains(body, "Nuk u gjet") || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("status %d body %.200s", res.StatusCode, body)
		}
	})
	t.Run("static files are cache-busted", func(t *testing.T) {
		body := apptest.Body(t, app.Get(t, "/"))
		m := regexp.MustCompile(`href="(/static/app\.[0-9a-f]{10}\.css)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no hashed stylesheet link")
		}
		res := app.Get(t, m[1])
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("asset: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
		}
		if res := app.Get(t, "/static/app.0000000000.css"); res.StatusCode != 404 {
			t.Errorf("unknown hash should be 404, got %d", res.StatusCode)
		}
	})
}

func TestMetricsByRouteTemplate(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	app.Get(t, "/")
	app.Get(t, "/api/v1/nope")
	body := apptest.Body(t, app.Get(t, "/metrics"))
	for _, want := range []string{
		`kujdes_http_requests_total{method="GET",route="/",status="200"} 1`,
		`kujdes_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/api/v1/nope") {
		t.Error("raw paths must never become labels")
	}
}

// proxy is a TCP relay between Kujdes and PostgreSQL that the test can cut and restore, to
// see the server become unready and then ready again without touching the shared server.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.setDown(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.down {
				p.mu.Unlock()
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

func TestReadyzFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	var app *apptest.App
	var px *proxy
	// Start once to get a database, then point a second server at it through the proxy.
	base := apptest.Start(t)
	u := base.DBURL
	hostport := regexp.MustCompile(`@([^/]+)/`).FindStringSubmatch(u)[1]
	px = newProxy(t, hostport)
	proxied := strings.Replace(u, "@"+hostport+"/", "@"+px.ln.Addr().String()+"/", 1)
	app = apptest.Start(t, apptest.WithDBURL(t, proxied))

	status := func() int {
		res := app.Get(t, "/readyz")
		io.Copy(io.Discard, res.Body)
		return res.StatusCode
	}
	if got := status(); got != 200 {
		t.Fatalf("ready with the database up: got %d", got)
	}
	px.setDown(true)
	if got := status(); got != 503 {
		t.Fatalf("with the database down: got %d, want 503", got)
	}
	if res := app.Get(t, "/livez"); res.StatusCode != 200 {
		t.Errorf("livez must not depend on the database: %d", res.StatusCode)
	}
	px.setDown(false)
	deadline := time.Now().Add(10 * time.Second)
	for status() != 200 {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover after the database came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestReadyzWantsCurrentMigrations(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	if err := app.DB.Exec(`DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`).Error; err != nil {
		t.Fatal(err)
	}
	res := app.Get(t, "/readyz")
	if res.StatusCode != 503 || !strings.Contains(apptest.Body(t, res), "pending") {
		t.Fatalf("pending migrations must make readyz 503, got %d", res.StatusCode)
	}
}
