// Package testdb gives each test its own real PostgreSQL database, cloned from a template
// that has every migration applied (pgtestdb), so tests run in parallel and never share rows.
//
// The server comes from TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
package testdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/peterldowns/pgtestdb"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/migrations"
	"github.com/kujdes/kujdes/models"
)

// DefaultURL is the local server of a development machine or CI.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Config returns the pgtestdb configuration for the test server.
func Config(t testing.TB) pgtestdb.Config {
	t.Helper()
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		raw = DefaultURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	pw, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	db := u.Path
	if len(db) > 1 {
		db = db[1:]
	} else {
		db = "postgres"
	}
	opts := u.Query()
	if opts.Get("sslmode") == "" {
		opts.Set("sslmode", "disable")
	}
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       u.Hostname(),
		Port:       port,
		User:       u.User.Username(),
		Password:   pw,
		Database:   db,
		Options:    opts.Encode(),
		// The application role in tests is NOT a superuser, as in production.
		ForceTerminateConnections: true,
	}
}

// migrator applies Kujdes' goose migrations to the template database.
type migrator struct{}

// Hash changes whenever a migration file changes, so a stale template is never reused.
func (migrator) Hash() (string, error) {
	h := sha256.New()
	var names []string
	err := fs.WalkDir(migrations.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS(), n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	_, err := migrations.Up(ctx, db)
	return err
}

// URL creates a fresh migrated database for t (dropped when t ends) and returns its URL.
func URL(t testing.TB) string {
	t.Helper()
	conf := pgtestdb.Custom(t, Config(t), migrator{})
	return conf.URL()
}

// New returns a GORM handle to a fresh migrated database for t.
func New(t testing.TB) *gorm.DB {
	t.Helper()
	db, err := models.Open(context.Background(), URL(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// AdminURL is dbURL with the test server's administrator (superuser) credentials, for tests
// that must act as someone with more power than the application.
func AdminURL(t testing.TB, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	c := Config(t)
	if c.Password != "" {
		u.User = url.UserPassword(c.User, c.Password)
	} else {
		u.User = url.User(c.User)
	}
	return u.String()
}

// CountStatements counts every statement GORM sends through db from now on (queries, rows,
// raw SQL, creates, updates, deletes), for tests and benchmarks that hold a use case or a
// request to a number of round trips. Each call registers its own callbacks.
func CountStatements(tb testing.TB, db *gorm.DB) *atomic.Int64 {
	tb.Helper()
	var n atomic.Int64
	inc := func(*gorm.DB) { n.Add(1) }
	id := fmt.Sprintf("testdb:count:%p", &n)
	cb := db.Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register(id+":query", inc),
		"row":    cb.Row().After("gorm:row").Register(id+":row", inc),
		"raw":    cb.Raw().After("gorm:raw").Register(id+":raw", inc),
		"create": cb.Create().After("gorm:create").Register(id+":create", inc),
		"update": cb.Update().After("gorm:update").Register(id+":update", inc),
		"delete": cb.Delete().After("gorm:delete").Register(id+":delete", inc),
	} {
		if err != nil {
			tb.Fatalf("register %s callback: %v", name, err)
		}
	}
	return &n
}
