// Package pgsetup finds a PostgreSQL server for Kujdes so that a newcomer needs no database
// set-up: an explicit DATABASE_URL wins; otherwise a server already running on
// 127.0.0.1:5432 is used (and the "kujdes" database created in it); otherwise an embedded
// PostgreSQL is started under the data folder.
package pgsetup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"time"

	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// DatabaseName is the database Kujdes creates when it picks the server itself.
const DatabaseName = "kujdes"

// EmbeddedPort is the port of the embedded server; not 5432, which a system server may hold.
const EmbeddedPort = 54329

// Server is a resolved database: its URL and how to stop it (a no-op unless embedded).
type Server struct {
	URL      string
	Embedded bool
	Stop     func() error
}

// Resolve returns a reachable PostgreSQL URL whose database exists.
func Resolve(ctx context.Context, databaseURL, dataDir string, log *slog.Logger) (Server, error) {
	noop := func() error { return nil }
	if databaseURL != "" {
		if err := EnsureDatabase(ctx, databaseURL); err != nil {
			return Server{}, err
		}
		return Server{URL: databaseURL, Stop: noop}, nil
	}
	for _, u := range localCandidates() {
		if err := ping(ctx, u); err != nil {
			continue
		}
		dbURL := withDatabase(u, DatabaseName)
		if err := EnsureDatabase(ctx, dbURL); err != nil {
			return Server{}, err
		}
		log.Info("using the local PostgreSQL server", "url", redact(dbURL))
		return Server{URL: dbURL, Stop: noop}, nil
	}
	return StartEmbedded(ctx, dataDir, log)
}

func localCandidates() []string {
	users := []string{"postgres"}
	if u, err := user.Current(); err == nil && u.Username != "postgres" {
		users = append(users, u.Username)
	}
	out := make([]string, 0, len(users))
	for _, name := range users {
		out = append(out, fmt.Sprintf("postgres://%s@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=2", url.PathEscape(name)))
	}
	return out
}

func ping(ctx context.Context, u string) error {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// EnsureDatabase creates the database named in u when the server says it does not exist.
func EnsureDatabase(ctx context.Context, u string) error {
	err := ping(ctx, u)
	var pgErr *pgconn.PgError
	if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		if err != nil {
			return fmt.Errorf("cannot reach PostgreSQL at %s: %w", redact(u), err)
		}
		return nil
	}
	parsed, perr := url.Parse(u)
	if perr != nil {
		return perr
	}
	name := strings.TrimPrefix(parsed.Path, "/")
	db, err := sql.Open("pgx", withDatabase(u, "postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	quoted := `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+quoted); err != nil {
		if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile by another process
			return nil
		}
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func withDatabase(u, name string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	parsed.Path = "/" + name
	return parsed.String()
}

func redact(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return parsed.Redacted()
}

// ErrEmbeddedAsRoot explains why the embedded server cannot start for the root user.
var ErrEmbeddedAsRoot = errors.New("no PostgreSQL answers on 127.0.0.1:5432 and the embedded one cannot start as root " +
	"(PostgreSQL refuses to run as root). Do one of: set DATABASE_URL to a PostgreSQL server; " +
	"run Kujdes as a normal user; or start everything with `docker compose up`")

// StartEmbedded starts (initializing on first use) a PostgreSQL server under dataDir.
func StartEmbedded(ctx context.Context, dataDir string, log *slog.Logger) (Server, error) {
	if os.Geteuid() == 0 {
		return Server{}, ErrEmbeddedAsRoot
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return Server{}, err
	}
	socketDir := filepath.Join(abs, "socket")
	if err := os.MkdirAll(socketDir, 0o700); err != nil {
		return Server{}, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	logFile, err := os.OpenFile(filepath.Join(abs, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return Server{}, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	cfg := embeddedpostgres.DefaultConfig().
		Port(EmbeddedPort).
		Database(DatabaseName).
		Username("kujdes").
		Password("kujdes").
		DataPath(filepath.Join(abs, "pgdata")).
		RuntimePath(filepath.Join(abs, "runtime")).
		CachePath(filepath.Join(abs, "cache")).
		StartParameters(map[string]string{"unix_socket_directories": socketDir}).
		StartTimeout(60 * time.Second).
		Logger(logFile)
	// Prefer the machine's own PostgreSQL binaries: nothing to download.
	if dir, version, ok := localBinaries(); ok {
		cfg = cfg.BinariesPath(dir).Version(version)
		log.Info("starting embedded PostgreSQL with local binaries", "binaries", dir, "data", abs)
	} else {
		cfg = cfg.Version(embeddedpostgres.V16)
		log.Info("starting embedded PostgreSQL (downloading binaries on first use)", "data", abs)
	}
	pg := embeddedpostgres.NewDatabase(cfg)
	if err := pg.Start(); err != nil {
		logFile.Close()
		return Server{}, fmt.Errorf("embedded PostgreSQL did not start (%w); its log is %s. "+
			"Alternatively set DATABASE_URL or run `docker compose up`", err, filepath.Join(abs, "postgres.log"))
	}
	u := fmt.Sprintf("postgres://kujdes:kujdes@127.0.0.1:%d/%s?sslmode=disable", EmbeddedPort, DatabaseName)
	return Server{URL: u, Embedded: true, Stop: func() error {
		defer logFile.Close()
		return pg.Stop()
	}}, nil
}

// localBinaries finds Debian-style /usr/lib/postgresql/<major> folders, newest first.
func localBinaries() (string, embeddedpostgres.PostgresVersion, bool) {
	known := map[string]embeddedpostgres.PostgresVersion{
		"14": embeddedpostgres.V14, "15": embeddedpostgres.V15, "16": embeddedpostgres.V16,
		"17": embeddedpostgres.V17,
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Sort(sort.Reverse(sort.StringSlice(matches)))
	for _, m := range matches {
		dir := filepath.Dir(filepath.Dir(m))
		if v, ok := known[filepath.Base(dir)]; ok {
			return dir, v, true
		}
	}
	return "", "", false
}
