package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/config"
	"github.com/kujdes/kujdes/internal/demo"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/internal/synth"
	"github.com/kujdes/kujdes/migrations"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The compliance benchmark (issue 11, `kujdes-bench -compliance N`): a database with N
// synthetic children and their full histories (internal/synth LoadHistories), then the
// compliance refresh and the dashboard's server time. -compliance-db keeps the database under
// that name (and reuses it when it already holds children), so a national-scale population is
// generated once and measured many times; without it the database is dropped at the end.

func runCompliance(ctx context.Context, adminURL string, n int, keep, addr string, iterations int, refresh bool) error {
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	name := keep
	if name == "" {
		name = fmt.Sprintf("%s_compliance_%d", dbPrefix, os.Getpid())
		defer admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	}
	var exists bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
			return err
		}
	}
	log := slog.New(slog.DiscardHandler)
	db, err := models.Open(ctx, withDB(adminURL, name), log)
	if err != nil {
		return err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	if _, err := migrations.Up(ctx, sqlDB); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// The demo's users (monitor1 sees every region), regions and posts, then the histories at
	// the demo's posts. The identity provider's address is fixed (-compliance-addr), so a kept
	// database keeps matching its users.
	base := "http://" + addr
	var synthetic int64
	if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM users WHERE issuer = 'synth'`).Scan(&synthetic).Error; err != nil {
		return err
	}
	fmt.Printf("database %s (load average %s)\n", name, loadAverage())
	if synthetic == 0 {
		if err := demo.Seed(ctx, db, server.DevIssuer(base), time.Now(), 0); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		regionByPost, postIDs, err := demoPosts(ctx, db)
		if err != nil {
			return err
		}
		stats, err := synth.LoadHistories(ctx, db, synth.HistoryConfig{Seed: 2026, Children: n, Now: time.Now()}, regionByPost, postIDs)
		if err != nil {
			return err
		}
		fmt.Printf("generated %d children, %d events in %v (%.0f rows/s; load average %s)\n", stats.Children, stats.Events,
			stats.Took.Round(time.Second), float64(stats.Events+stats.Rows["children"]+stats.Rows["child_names"])/stats.Took.Seconds(), loadAverage())
		for _, t := range []string{"children", "child_names", "arrivals", "guardian_appointments", "placements", "placement_checks",
			"guardian_visits", "legal_events", "missing_episodes", "rights_information", "transition_plans", "child_lifecycle_events"} {
			fmt.Printf("  %-24s %10d\n", t, stats.Rows[t])
		}
	} else {
		var have int64
		if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM children`).Scan(&have).Error; err != nil {
			return err
		}
		fmt.Printf("reusing %d children already in %s\n", have, name)
	}
	var size string
	if err := db.WithContext(ctx).Raw(`SELECT pg_size_pretty(pg_database_size(current_database()))`).Scan(&size).Error; err != nil {
		return err
	}
	fmt.Printf("database size %s\n", size)

	if iterations == 0 {
		return nil // generate only
	}
	reg := registry.New(db)
	started := time.Now()
	if refresh {
		stop := startProfile(true)
		err := reg.RefreshCompliance(ctx)
		stop()
		if err != nil {
			return fmt.Errorf("refresh: %w", err)
		}
	}
	var violations, monthly int64
	db.WithContext(ctx).Raw(`SELECT count(*) FROM compliance_violations`).Scan(&violations)
	db.WithContext(ctx).Raw(`SELECT count(*) FROM compliance_monthly`).Scan(&monthly)
	took := time.Since(started).Round(time.Millisecond).String()
	if !refresh {
		took = "skipped (the last refresh's figures)"
	}
	fmt.Printf("compliance refresh: %s (%d open violations, %d monthly aggregate rows; load average %s)\n",
		took, violations, monthly, loadAverage())
	return measureCompliance(ctx, db, log, addr, iterations)
}

// demoPosts maps the demo's border posts to their ids and regions.
func demoPosts(ctx context.Context, db *gorm.DB) (regionByPost, postIDs map[string]int64, err error) {
	var posts []models.BorderPost
	if err := db.WithContext(ctx).Find(&posts).Error; err != nil {
		return nil, nil, err
	}
	regionByPost, postIDs = map[string]int64{}, map[string]int64{}
	for _, p := range posts {
		postIDs[p.Code], regionByPost[p.Code] = p.ID, p.RegionID
	}
	return regionByPost, postIDs, nil
}

// measureCompliance serves Kujdes on addr and times, one request at a time as monitor1 (a
// bearer token of the development provider): the dashboard report (JSON), the dashboard page
// (HTML), one rule's violation list (the drill-down: 50 rows, each child audited) as JSON and
// as a page. The use case alone (ComplianceReport called in process) is timed too. Each
// figure: p50 and p95 of iterations requests after 3 unmeasured ones.
func measureCompliance(ctx context.Context, db *gorm.DB, log *slog.Logger, addr string, iterations int) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + addr
	cfg, err := config.Load(nil, func(k string) string {
		return map[string]string{"KUJDES_ADDR": addr, "KUJDES_PUBLIC_URL": base, "KUJDES_DEV_IDP": "true"}[k]
	})
	if err != nil {
		return err
	}
	bundle, err := i18n.New("en")
	if err != nil {
		return err
	}
	srv, err := server.New(server.Deps{Config: cfg, DB: db, Log: log, I18n: bundle})
	if err != nil {
		return err
	}
	defer srv.Close()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	token, err := devToken(base, "monitor1")
	if err != nil {
		return err
	}
	var monitor models.User
	if err := db.WithContext(ctx).Where("username = 'monitor1'").First(&monitor).Error; err != nil {
		return err
	}
	var regions []int64
	if err := db.WithContext(ctx).Raw(`SELECT region_id FROM user_regions WHERE user_id = ?`, monitor.ID).Scan(&regions).Error; err != nil {
		return err
	}
	roles := []models.Role{models.RoleMonitor}
	actor := &models.Actor{UserID: monitor.ID, Issuer: monitor.Issuer, Subject: monitor.Subject, Roles: roles, RegionIDs: regions,
		Permissions: auth.PermissionsFor(roles)}
	reg := registry.New(db)
	client := &http.Client{Timeout: time.Minute}
	get := func(path string) func() error {
		return func() error {
			req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := client.Do(req)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			if _, err := io.Copy(io.Discard, res.Body); err != nil {
				return err
			}
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: %d", path, res.StatusCode)
			}
			return nil
		}
	}
	scenarios := []struct {
		what string
		run  func() error
	}{
		{"ComplianceReport (use case, in process)", func() error {
			_, err := reg.ComplianceReport(ctx, actor, compliance.Filter{})
			return err
		}},
		{"GET /api/v1/compliance/report", get("/api/v1/compliance/report")},
		{"GET /compliance (dashboard page)", get("/compliance")},
		{"GET /api/v1/compliance/report?rule=S8", get("/api/v1/compliance/report?rule=S8")},
		{"GET /api/v1/compliance/violations?rule=S8&limit=50", get("/api/v1/compliance/violations?rule=S8&limit=50")},
		{"GET /compliance/S8 (drill-down page)", get("/compliance/S8")},
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "what\tn\tp50\tp95\tmax\tload\n")
	for _, s := range scenarios {
		var lat []time.Duration
		var failed error
		for i := range iterations + 3 {
			t0 := time.Now()
			if err := s.run(); err != nil {
				failed = err
				break
			}
			if i >= 3 {
				lat = append(lat, time.Since(t0))
			}
		}
		if failed != nil {
			fmt.Fprintf(tw, "%s\t-\t%v\t\t\t\n", s.what, failed)
			continue
		}
		slices.Sort(lat)
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", s.what, len(lat), ms(lat[len(lat)/2]), ms(lat[int(0.95*float64(len(lat)-1))]),
			ms(lat[len(lat)-1]), loadAverage())
	}
	return tw.Flush()
}
