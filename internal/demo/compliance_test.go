package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/internal/demo"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The demo dashboard tells a story at a glance (issue 11): some standards met, some at risk,
// some failed — among them the child held in a police cell (S6, zero tolerance).
func TestDemoDashboardShowsGreenAmberRed(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	if err := demo.Seed(ctx, db, "https://demo.test", now, demo.Population); err != nil {
		t.Fatal(err)
	}
	reg := registry.New(db)
	reg.Now = func() time.Time { return now }
	if err := reg.RefreshCompliance(ctx); err != nil {
		t.Fatal(err)
	}
	var regions []int64
	if err := db.Raw(`SELECT id FROM regions`).Scan(&regions).Error; err != nil {
		t.Fatal(err)
	}
	roles := []models.Role{models.RoleMonitor}
	a := &models.Actor{UserID: 1, Roles: roles, Permissions: auth.PermissionsFor(roles), RegionIDs: regions}
	start := time.Now()
	rep, err := reg.ComplianceReport(ctx, a, compliance.Filter{})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[compliance.Status]int{}
	for _, in := range rep.Indicators {
		t.Logf("%-28s %-6s %v/%v %.2f suppressed=%v", in.Key, in.Status, in.Numerator, in.Denominator, in.Value, in.Suppressed)
		seen[in.Status]++
		if in.Key == compliance.IndS6Prohibited && in.Status != compliance.Red {
			t.Errorf("S6 is %s, want red (the child in the police cell)", in.Status)
		}
	}
	for _, s := range []compliance.Status{compliance.Green, compliance.Amber, compliance.Red} {
		if seen[s] == 0 {
			t.Errorf("no %s indicator on the demo dashboard: %v", s, seen)
		}
	}
	t.Logf("dashboard server time on the demo: %v", took)
}
