package registry_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/notify"
	"github.com/kujdes/kujdes/registry"
)

// The compliance refresh is a River periodic job (issue 11): the alert service started with
// ComplianceEvery runs it at start, on its own queue, and it fills the dashboard's tables.
func TestComplianceRefreshRunsAsPeriodicJob(t *testing.T) {
	url := testdb.URL(t)
	ctx := context.Background()
	db, err := models.Open(ctx, url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	var region int64
	if err := db.Raw(`INSERT INTO regions (code, name) VALUES ('CJA', 'Job') RETURNING id`).Scan(&region).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO children (registration_number, region_id, status, registered_at) VALUES ('CJ-1', ?, 'active', ?)`,
		region, time.Now().Add(-72*time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	bundle, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := notify.Start(ctx, notify.Deps{Pool: pool, Registry: registry.New(db), I18n: bundle, Log: slog.New(slog.DiscardHandler),
		Config: notify.Config{ReminderHour: 3, Zone: time.UTC, ComplianceEvery: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		stop, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = svc.Stop(stop)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var done, violations int64
		if err := db.Raw(`SELECT count(*) FROM river_job WHERE kind = 'compliance_refresh' AND queue = 'compliance' AND state = 'completed'`).Scan(&done).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Raw(`SELECT count(*) FROM compliance_violations v JOIN children c ON c.id = v.child_id WHERE c.registration_number = 'CJ-1'`).Scan(&violations).Error; err != nil {
			t.Fatal(err)
		}
		if done == 1 && violations > 0 { // S1, S2, S4, S5 for the child left alone for 3 days
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s: %d refresh jobs completed, %d violations", done, violations)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
