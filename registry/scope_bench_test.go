package registry_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/synth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// scopedListFixture loads 300 synthetic children in one region, with a guardian appointed to
// 60 of them, and returns the guardian and a protection officer of the region.
func scopedListFixture(tb testing.TB) (*gorm.DB, *registry.Registry, map[string]*models.Actor) {
	tb.Helper()
	ctx := context.Background()
	db := testdb.New(tb)
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	var region int64
	if err := db.Raw(`INSERT INTO regions (code, name) VALUES ('BEN', 'Bench') RETURNING id`).Scan(&region).Error; err != nil {
		tb.Fatal(err)
	}
	regionByPost, postIDs := map[string]int64{}, map[string]int64{}
	for _, code := range synth.PostCodes {
		var id int64
		if err := db.Raw(`INSERT INTO border_posts (code, name, region_id) VALUES (?, ?, ?) RETURNING id`, code, code, region).Scan(&id).Error; err != nil {
			tb.Fatal(err)
		}
		postIDs[code], regionByPost[code] = id, region
	}
	if err := synth.Load(ctx, db, synth.Generate(7, 300, now), regionByPost, postIDs); err != nil {
		tb.Fatal(err)
	}
	user := func(name string) int64 {
		var id int64
		if err := db.Raw(`INSERT INTO users (issuer, subject, username) VALUES ('test', ?, ?) RETURNING id`, name, name).Scan(&id).Error; err != nil {
			tb.Fatal(err)
		}
		return id
	}
	guardian, officer := user("g"), user("po")
	res := db.Exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at)
		SELECT id, ?, 'full', ? FROM children ORDER BY id LIMIT 60`, guardian, now.Add(-24*time.Hour))
	if res.Error != nil || res.RowsAffected != 60 {
		tb.Fatalf("appointments: %d, %v", res.RowsAffected, res.Error)
	}
	reg := registry.New(db)
	reg.Now = func() time.Time { return now }
	g, po := []models.Role{models.RoleGuardian}, []models.Role{models.RoleProtectionOfficer}
	return db, reg, map[string]*models.Actor{
		"guardian":           {UserID: guardian, Issuer: "test", Subject: "g", Roles: g, Permissions: auth.PermissionsFor(g)},
		"protection_officer": {UserID: officer, Issuer: "test", Subject: "po", Roles: po, RegionIDs: []int64{region}, Permissions: auth.PermissionsFor(po)},
	}
}

// BenchmarkScopedList50 measures one page of 50 children as a guardian and as a protection
// officer sees it (ListChildren, audited), and reports the SQL statements each page costs.
//
//	go test -run '^$' -bench ScopedList50 ./registry/
func BenchmarkScopedList50(b *testing.B) {
	db, reg, actors := scopedListFixture(b)
	queries := testdb.CountStatements(b, db)
	for _, role := range []string{"guardian", "protection_officer"} {
		b.Run(role, func(b *testing.B) {
			ctx := context.Background()
			start := queries.Load()
			for b.Loop() {
				page, err := reg.ListChildren(ctx, actors[role], 0, 50)
				if err != nil {
					b.Fatal(err)
				}
				if len(page.Items) != 50 {
					b.Fatalf("%d children in the page, want 50", len(page.Items))
				}
			}
			b.ReportMetric(float64(queries.Load()-start)/float64(b.N), "queries/op")
		})
	}
}
