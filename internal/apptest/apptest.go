// Package apptest starts a whole Kujdes server for a test: a fresh migrated PostgreSQL
// database (internal/testdb), the real middleware and routes, on a random loopback port.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auditlog"
	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/config"
	"github.com/kujdes/kujdes/internal/demo"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// App is a running Kujdes for one test.
type App struct {
	URL    string
	DB     *gorm.DB
	DBURL  string
	Server *server.Server
	Config config.Config
	HTTP   *httptest.Server
}

// Option changes the server's dependencies before it starts.
type Option func(*server.Deps)

// WithDBURL connects the server to another database URL (e.g. through a proxy).
func WithDBURL(t testing.TB, url string) Option {
	return func(d *server.Deps) {
		db, err := models.Open(context.Background(), url, d.Log)
		if err != nil {
			t.Fatalf("apptest: %v", err)
		}
		d.DB = db
	}
}

// WithUserCache runs the bearer users' cache as `kujdes serve` does (auth.UserCache, its
// listener started and stopped with the test); without it every bearer request reads its user.
func WithUserCache(t testing.TB) Option {
	return func(d *server.Deps) {
		d.Users = auth.NewUserCache(d.DB, d.Log)
		stop := d.Users.Start(context.Background())
		t.Cleanup(stop)
	}
}

// WithDuplicateCheckBurst lets each user make n duplicate checks at once (the default is
// config's 10, KUJDES_DUPLICATE_CHECK_BURST). For a browser test that registers several
// children as one user: the registration page's live check asks again whenever a field
// changes after a pause, so how many checks the test makes depends on how fast the browser
// types — on a loaded machine, more than ten.
func WithDuplicateCheckBurst(n int) Option {
	return func(d *server.Deps) { d.Config.DuplicateCheckBurst = n }
}

// WithClock injects the server's clock.
func WithClock(now func() time.Time) Option { return func(d *server.Deps) { d.Now = now } }

// Start runs Kujdes over a fresh database with the development identity provider on its
// real address and the demo population loaded; everything stops when t ends.
func Start(t testing.TB, opts ...Option) *App {
	t.Helper()
	dbURL := testdb.URL(t)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if os.Getenv("KUJDES_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	db, err := models.Open(context.Background(), dbURL, log)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	// Listen first: the identity provider's issuer and the callback need the real address.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	// A fresh audit signing key per app: SealAudit signs checkpoints with it.
	keyFile := filepath.Join(t.TempDir(), "audit-signing.key")
	skey, _, err := auditlog.GenerateKey("kujdes-test-audit")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte(skey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(nil, func(k string) string {
		return map[string]string{"KUJDES_ADDR": ln.Addr().String(), "KUJDES_PUBLIC_URL": url, "KUJDES_DEV_IDP": "true",
			"KUJDES_AUDIT_SIGNING_KEY_FILE": keyFile}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	deps := server.Deps{Config: cfg, DB: db, Log: log, I18n: bundle, Now: time.Now}
	for _, o := range opts {
		o(&deps)
	}
	if err := demo.Seed(context.Background(), db, server.DevIssuer(url), deps.Now(), 0); err != nil {
		t.Fatalf("apptest: demo data: %v", err)
	}
	srv, err := server.New(deps)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
		for _, g := range []*gorm.DB{db, deps.DB} {
			if s, err := g.DB(); err == nil {
				s.Close()
			}
		}
	})
	return &App{URL: url, DB: db, DBURL: dbURL, Server: srv, Config: cfg, HTTP: hs}
}

// SealAudit seals every pending audit event and signs a checkpoint over them, as the sealer
// that `kujdes serve` runs does within seconds; it returns the app's audit key.
func (a *App) SealAudit(t testing.TB) *auditlog.Key {
	t.Helper()
	key, err := auditlog.LoadKey(a.Config.Audit.SigningKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := a.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	if err := (&auditlog.Sealer{DB: sqlDB, Key: key}).Drain(context.Background()); err != nil {
		t.Fatalf("seal the audit log: %v", err)
	}
	return key
}

// Client is an HTTP client with its own cookie jar. Every request it sends to the app's
// /api/v1 and the response are checked against the OpenAPI document (see contract.go); a
// breach fails the test.
func (a *App) Client(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: a.transport(t)}
}

var authRequestField = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)

// Login signs username in through the real authorization-code flow (Kujdes → development
// provider's login page → pick the user → callback) and returns the signed-in client.
func (a *App) Login(t testing.TB, username string) *http.Client {
	t.Helper()
	c := a.Client(t)
	res, err := c.Get(a.URL + "/login")
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	page := Body(t, res)
	m := authRequestField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("login %s: no login page at %s (%d): %.300s", username, res.Request.URL, res.StatusCode, page)
	}
	form := neturl.Values{"authRequestID": {m[1]}, "username": {username}}
	res, err = c.PostForm(res.Request.URL.ResolveReference(&neturl.URL{Path: "login"}).String(), form)
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	body := Body(t, res)
	if res.StatusCode != http.StatusOK || res.Request.URL.Path == "/auth/callback" {
		t.Fatalf("login %s: ended at %s with %d: %.300s", username, res.Request.URL, res.StatusCode, body)
	}
	return c
}

// Token returns a bearer access token for a demo user from the development provider.
func (a *App) Token(t testing.TB, username string) string {
	t.Helper()
	tok, err := a.Server.DevIDP().MintAccessToken(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Do sends a request with optional body and header pairs through client c (nil: a client
// without cookies). API requests and responses are checked against the OpenAPI document;
// mark a deliberately invalid request with the header pair InvalidRequest, "why".
func (a *App) Do(t testing.TB, c *http.Client, method, path, body string, headers ...string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(withTest(context.Background(), t), method, a.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if c == nil {
		c = &http.Client{Transport: a.transport(t)}
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// ChildID looks up a demo child's id by registration number.
func (a *App) ChildID(t testing.TB, number string) int64 {
	t.Helper()
	var id int64
	if err := a.DB.Raw(`SELECT id FROM children WHERE registration_number = ?`, number).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("no demo child %s: %v", number, err)
	}
	return id
}

// Get fetches a path with optional header pairs ("Accept-Language", "sq"), without cookies.
func (a *App) Get(t testing.TB, path string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(withTest(context.Background(), t), http.MethodGet, a.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := (&http.Client{Transport: a.transport(t)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// Body reads a response body.
func Body(t testing.TB, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
