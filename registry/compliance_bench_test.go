package registry_test

import (
	"context"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// BenchmarkComplianceDashboard measures the dashboard's server time (ComplianceReport and the
// first page of a violation list, as a national monitor) over precomputed tables of a
// national-scale population: KUJDES_BENCH_CHILDREN children (default 1 000 000) in 12
// regions, one facility per 500 children and one guardian per 30, a third of the children
// with an open violation, and 12 months of indicator cells per region, facility and guardian.
// The refresh that writes those tables is not measured here (docs/compliance.md). Run with
//
//	go test ./registry/ -run '^$' -bench BenchmarkComplianceDashboard -benchtime 20x
func BenchmarkComplianceDashboard(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("KUJDES_BENCH_CHILDREN")); err == nil && v > 0 {
		n = v
	}
	db := testdb.New(b)
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	facilities, guardians := n/500, n/30
	steps := []string{
		`INSERT INTO regions (code, name) SELECT 'R' || g, 'Region ' || g FROM generate_series(1, 12) g`,
		// Children: only what the violation rows reference.
		`INSERT INTO children (registration_number, region_id, status, registered_at)
			SELECT 'AL-B-' || g, (SELECT min(id) FROM regions) + g % 12, 'active', now() FROM generate_series(1, ` + strconv.Itoa(n/3) + `) g`,
		`INSERT INTO compliance_refreshes (computed_at, thresholds, children, violations, took_ms) VALUES ('2026-06-15 10:00Z', '{}', ` + strconv.Itoa(n) + `, 0, 0)`,
		`INSERT INTO compliance_violations (generation, child_id, rule, region_id, facility_id, guardian_id, registration_number, age_band,
			nationalities, since, due, days, threshold, unit, resolve, facts, computed_at)
			SELECT 1, c.id, 'S' || (1 + c.id % 13), c.region_id, 1 + c.id % ` + strconv.Itoa(facilities) + `, 1 + c.id % ` + strconv.Itoa(guardians) + `,
			c.registration_number, '16-17', '{AF}', '2026-05-01Z', '2026-05-01Z', 45, 15, 'days', 'appoint_guardian', '[]', '2026-06-15 10:00Z'
			FROM children c`,
		// Region rows: every indicator, 12 months, a spread of values (medians up to 40).
		`INSERT INTO compliance_monthly (month, region_id, indicator, value, n)
			SELECT m, r.id, i, v, 1 + (r.id + v) % 50
			FROM regions r, generate_series('2025-07-01'::date, '2026-06-01', '1 month') m,
			unnest(ARRAY['s1_provisional_in_time','s2_appointed_in_time','s2_median_workdays','s3_guardians_over_cap','s4_assessed_in_time',
				's5_placed_in_time','s6_prohibited_placements','s7_reviews_overdue','s8_visits_overdue','s9_missing_children','s9_reported_in_time',
				's9_median_report_minutes','s10_interviews_in_time','s11_rights_in_time','s13_plans_missing']) i,
			generate_series(0, 40) v WHERE v <= 1 OR i LIKE '%median%'`,
		// Facility and guardian rows: shares and counts (values 0 and 1), 12 months.
		`INSERT INTO compliance_monthly (month, region_id, facility_id, indicator, value, n)
			SELECT m, (SELECT min(id) FROM regions) + f % 12, f, i, v, 1 + f % 7
			FROM generate_series(1, ` + strconv.Itoa(facilities) + `) f, generate_series('2025-07-01'::date, '2026-06-01', '1 month') m,
			unnest(ARRAY['s2_appointed_in_time','s5_placed_in_time','s6_prohibited_placements','s7_reviews_overdue','s8_visits_overdue']) i,
			generate_series(0, 1) v`,
		`INSERT INTO compliance_monthly (month, region_id, guardian_id, indicator, value, n)
			SELECT m, (SELECT min(id) FROM regions) + g % 12, g, i, v, 1 + g % 5
			FROM generate_series(1, ` + strconv.Itoa(guardians) + `) g, generate_series('2025-07-01'::date, '2026-06-01', '1 month') m,
			unnest(ARRAY['s2_appointed_in_time','s8_visits_overdue']) i, generate_series(0, 1) v`,
		`ANALYZE`,
	}
	for _, q := range steps {
		if err := db.Exec(q).Error; err != nil {
			b.Fatalf("%s: %v", q[:40], err)
		}
	}
	if err := registry.RefreshComplianceOpen(db); err != nil {
		b.Fatal(err)
	}
	reg := registry.New(db)
	reg.Now = func() time.Time { return now }
	var regions []int64
	if err := db.Raw(`SELECT id FROM regions`).Scan(&regions).Error; err != nil {
		b.Fatal(err)
	}
	roles := []models.Role{models.RoleMonitor}
	var uid int64
	if err := db.Raw(`INSERT INTO users (issuer, subject, username) VALUES ('bench', 'monitor', 'monitor') RETURNING id`).Scan(&uid).Error; err != nil {
		b.Fatal(err)
	}
	a := &models.Actor{UserID: uid, Issuer: "bench", Subject: "monitor", Roles: roles, Permissions: auth.PermissionsFor(roles), RegionIDs: regions}
	var report, list []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		rep, err := reg.ComplianceReport(ctx, a, compliance.Filter{})
		if err != nil || len(rep.Indicators) != len(compliance.Indicators) {
			b.Fatalf("%v %d", err, len(rep.Indicators))
		}
		t1 := time.Now()
		page, err := reg.ComplianceViolations(ctx, a, compliance.Filter{Rule: compliance.S6}, compliance.Page{})
		if err != nil || len(page.Items) == 0 {
			b.Fatalf("%v %d", err, len(page.Items))
		}
		report, list = append(report, t1.Sub(t0)), append(list, time.Since(t1))
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) time.Duration {
		s := append([]time.Duration{}, ds...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[min(len(s)-1, int(p*float64(len(s))))]
	}
	b.ReportMetric(float64(pct(report, 0.5).Microseconds())/1000, "report-p50-ms")
	b.ReportMetric(float64(pct(report, 0.95).Microseconds())/1000, "report-p95-ms")
	b.ReportMetric(float64(pct(list, 0.5).Microseconds())/1000, "list-p50-ms")
	b.ReportMetric(float64(pct(list, 0.95).Microseconds())/1000, "list-p95-ms")
}
