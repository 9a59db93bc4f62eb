package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/internal/synth"
	"github.com/kujdes/kujdes/migrations"
	"github.com/kujdes/kujdes/models"
)

// The compliance benchmark (issue 11, `kujdes-bench -compliance N`): a database with N
// synthetic children and their full histories (internal/synth LoadHistories), then the
// compliance refresh and the dashboard's server time. -compliance-db keeps the database under
// that name (and reuses it when it already holds children), so a national-scale population is
// generated once and measured many times; without it the database is dropped at the end.

// complianceRegions are the regions the synthetic posts belong to (two posts each, as the
// southern and northern crossings and the airport are split in Albania's counties).
var complianceRegions = map[string][]string{"KOR": {"KAK", "KAP"}, "GJI": {"HAN", "QAF"}, "SHK": {"MUR"}, "TIR": {"TIA"}}

func runCompliance(ctx context.Context, adminURL string, n int, keep string, iterations int) error {
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	name := keep
	if name == "" {
		name = fmt.Sprintf("kujdes_bench_compliance_%d", time.Now().UnixNano())
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
	db, err := models.Open(ctx, withDB(adminURL, name), slog.New(slog.DiscardHandler))
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
	var have int64
	if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM children`).Scan(&have).Error; err != nil {
		return err
	}
	fmt.Printf("database %s (load average %s)\n", name, loadAverage())
	if have == 0 {
		regionByPost, postIDs, err := complianceReference(ctx, db)
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
		fmt.Printf("reusing %d children already in %s\n", have, name)
	}
	var size string
	if err := db.WithContext(ctx).Raw(`SELECT pg_size_pretty(pg_database_size(current_database()))`).Scan(&size).Error; err != nil {
		return err
	}
	fmt.Printf("database size %s\n", size)
	return measureCompliance(ctx, db, iterations)
}

// complianceReference adds the regions and border posts of the synthetic population.
func complianceReference(ctx context.Context, db *gorm.DB) (regionByPost, postIDs map[string]int64, err error) {
	regionByPost, postIDs = map[string]int64{}, map[string]int64{}
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for code, posts := range complianceRegions {
			var region int64
			if err := tx.Raw(`INSERT INTO regions (code, name) VALUES (?, ?) RETURNING id`, code, "Region "+code).Scan(&region).Error; err != nil {
				return err
			}
			for _, p := range posts {
				var id int64
				if err := tx.Raw(`INSERT INTO border_posts (code, name, region_id) VALUES (?, ?, ?) RETURNING id`, p, "Post "+strings.ToLower(p), region).Scan(&id).Error; err != nil {
					return err
				}
				postIDs[p], regionByPost[p] = id, region
			}
		}
		return nil
	})
	return regionByPost, postIDs, err
}

// measureCompliance times the refresh and the dashboard (filled in once the compliance
// service exists).
func measureCompliance(ctx context.Context, db *gorm.DB, iterations int) error {
	_ = ctx
	_ = db
	_ = iterations
	return nil
}
