// Command kujdes runs the Kujdes registry: `kujdes serve` (the default), `kujdes migrate
// up|down|status`, and the other subcommands listed by `kujdes help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/config"
	"github.com/kujdes/kujdes/internal/demo"
	"github.com/kujdes/kujdes/internal/pgsetup"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/migrations"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Kujdes — registry and guardianship tracker for unaccompanied children.

Usage:
  kujdes [serve] [flags]        run the web server (default)
  kujdes migrate up|down|status apply, roll back one, or list migrations
  kujdes audit keygen|verify|checkpoint|seal|verify-proof
                                the signed audit log (kujdes audit for details)
  kujdes demo                   load the demo population into an empty database
  kujdes healthcheck            exit 0 when the local server answers /readyz (for containers)
  kujdes help                   this text

Serve flags (each also an environment variable, see README):
  -addr 127.0.0.1:8080   -database-url URL   -data-dir .kujdes
  -migrate=true          -demo=false          -dev-idp=false

Exit codes: 0 ok, 1 failure, 2 bad usage or configuration, 3 audit log or evidence broken.
`

// run is the whole program; only main exits.
func run(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		cmd, args = args[0], args[1:]
	}
	var sub []string
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "migrate":
		if len(args) == 0 {
			fmt.Fprint(stderr, "kujdes migrate: say up, down or status\n")
			return 2
		}
		sub, args = args[:1], args[1:]
	case "audit":
		return runAudit(ctx, args, getenv, stdout, stderr)
	case "serve", "healthcheck", "demo":
	default:
		fmt.Fprintf(stderr, "kujdes: unknown command %q\n\n%s", cmd, usage)
		return 2
	}

	cfg, err := config.Load(args, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "kujdes: configuration: %v\n", err)
		return 2
	}
	log := newLogger(cfg, stderr)
	slog.SetDefault(log) // the few package-level log calls (api.WriteError, page rendering) use it too

	switch cmd {
	case "healthcheck":
		err = healthcheck(ctx, cfg.Addr)
	case "demo":
		err = withDatabase(ctx, cfg, log, func(db *gorm.DB) error {
			if err := migrateUp(ctx, db, log); err != nil {
				return err
			}
			return demo.Seed(ctx, db, server.DevIssuer(cfg.PublicURL), time.Now(), demo.Population)
		})
	case "migrate":
		err = withDatabase(ctx, cfg, log, func(db *gorm.DB) error { return migrate(ctx, db, sub[0], stdout) })
	default:
		config.TuneGC(getenv) // the collector's target for a server (config.DefaultGCPercent)
		err = serve(ctx, cfg, log)
	}
	if err != nil {
		log.Error("kujdes stopped", "command", cmd, "err", err)
		fmt.Fprintf(stderr, "kujdes %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// withDatabase resolves (and if needed starts) PostgreSQL, opens it, runs f and cleans up.
func withDatabase(ctx context.Context, cfg config.Config, log *slog.Logger, f func(*gorm.DB) error) error {
	return withDatabaseURL(ctx, cfg, log, func(db *gorm.DB, _ string) error { return f(db) })
}

// withDatabaseURL is withDatabase that also hands f the resolved URL (the alert workers open
// their own connection pool).
func withDatabaseURL(ctx context.Context, cfg config.Config, log *slog.Logger, f func(*gorm.DB, string) error) error {
	pg, err := pgsetup.Resolve(ctx, cfg.DatabaseURL, cfg.DataDir, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := pg.Stop(); err != nil {
			log.Warn("stopping embedded PostgreSQL", "err", err)
		}
	}()
	db, err := models.Open(ctx, pg.URL, log)
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	return f(db, pg.URL)
}

func migrate(ctx context.Context, db *gorm.DB, what string, out io.Writer) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	p, err := migrations.NewProvider(sqlDB)
	if err != nil {
		return err
	}
	switch what {
	case "up":
		res, err := p.Up(ctx)
		for _, r := range res {
			fmt.Fprintf(out, "applied %s (%s)\n", r.Source.Path, r.Duration)
		}
		if err == nil && len(res) == 0 {
			fmt.Fprintln(out, "nothing to apply: the database is current")
		}
		if err != nil {
			return err
		}
		changed, err := registry.RefreshNameSkeletons(ctx, db)
		if changed > 0 {
			fmt.Fprintf(out, "recomputed %d name skeletons under the current name rules\n", changed)
		}
		return err
	case "down":
		r, err := p.Down(ctx)
		if r != nil {
			fmt.Fprintf(out, "rolled back %s\n", r.Source.Path)
		}
		return err
	case "status":
		st, err := p.Status(ctx)
		if err != nil {
			return err
		}
		for _, m := range st {
			applied := "pending"
			if !m.AppliedAt.IsZero() {
				applied = "applied " + m.AppliedAt.Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(out, "%-40s %s\n", m.Source.Path, applied)
		}
		return nil
	}
	return fmt.Errorf("unknown migrate command %q: say up, down or status", what)
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	bundle, err := i18n.New(cfg.DefaultLanguage)
	if err != nil {
		return err
	}
	return withDatabaseURL(ctx, cfg, log, func(db *gorm.DB, dbURL string) error {
		if cfg.MigrateOnStart {
			if err := migrateUp(ctx, db, log); err != nil {
				return err
			}
		}
		if cfg.DemoData {
			// Demo users sign in through the development provider, so they are keyed to it.
			if err := demo.Seed(ctx, db, server.DevIssuer(cfg.PublicURL), time.Now(), demo.Population); err != nil {
				return fmt.Errorf("demo data: %w", err)
			}
		}
		// Every instance keeps the users of bearer tokens for a few seconds, emptied on every
		// change by any instance (auth.UserCache).
		users := auth.NewUserCache(db, log)
		defer users.Start(ctx)()
		// Every instance folds the name counts the registrations queue (migration 00046).
		defer (&registry.NameCountFolder{DB: db, Log: log}).Start(ctx)()
		srv, err := server.New(server.Deps{Config: cfg, DB: db, Log: log, I18n: bundle, Users: users})
		if err != nil {
			return err
		}
		defer srv.Close()
		// Every instance runs a sealer; one at a time seals (auditlog.Sealer).
		stopSealer, err := startSealer(ctx, cfg, db, log)
		if err != nil {
			return err
		}
		defer stopSealer()
		// Every instance works alert deliveries; River's leader schedules the daily jobs: the
		// reminders and (issue 10) the age-out of children turning 18.
		stopAlerts, err := startAlerts(ctx, cfg, db, dbURL, bundle, log)
		if err != nil {
			return err
		}
		defer stopAlerts()
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w (set KUJDES_ADDR to another address)", cfg.Addr, err)
		}
		log.Info("Kujdes is listening", "url", cfg.PublicURL, "addr", ln.Addr().String())
		if err := srv.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	})
}

// healthcheck asks the server on addr whether it is ready; distroless images have no curl.
func healthcheck(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s", res.Status)
	}
	return nil
}

func migrateUp(ctx context.Context, db *gorm.DB, log *slog.Logger) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	n, err := migrations.Up(ctx, sqlDB)
	if err != nil {
		return err
	}
	log.Info("migrations applied", "count", n)
	changed, err := registry.RefreshNameSkeletons(ctx, db)
	if changed > 0 {
		log.Info("name skeletons recomputed under the current name rules", "rows", changed)
	}
	return err
}
