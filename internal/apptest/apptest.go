// Package apptest starts a whole Kujdes server for a test: a fresh migrated PostgreSQL
// database (internal/testdb), the real middleware and routes, on a random loopback port.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/config"
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

// WithClock injects the server's clock.
func WithClock(now func() time.Time) Option { return func(d *server.Deps) { d.Now = now } }

// Start runs Kujdes over a fresh database; everything stops when t ends.
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
	cfg, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	deps := server.Deps{Config: cfg, DB: db, Log: log, I18n: bundle}
	for _, o := range opts {
		o(&deps)
	}
	srv, err := server.New(deps)
	if err != nil {
		t.Fatalf("apptest: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		for _, g := range []*gorm.DB{db, deps.DB} {
			if s, err := g.DB(); err == nil {
				s.Close()
			}
		}
	})
	return &App{URL: hs.URL, DB: db, DBURL: dbURL, Server: srv, Config: cfg, HTTP: hs}
}

// Get fetches a path with optional header pairs ("Accept-Language", "sq").
func (a *App) Get(t testing.TB, path string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
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
