package server_test

import (
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
)

// BenchmarkMyWardsPage: the "My wards" page (HTML, session, one scoped query, audit row) for a
// guardian with 30 current wards, in a database of 100 000 children where 20 000 others have
// guardians and 60 000 visits are recorded. Reports p50/p95.
//
//	go test -run '^$' -bench BenchmarkMyWardsPage -benchtime 200x ./internal/server/
func BenchmarkMyWardsPage(b *testing.B) {
	app := apptest.Start(b)
	loadPopulation(b, app, 100_000)
	var g1, g2 int64
	app.Scan(b, &g1, `SELECT id FROM users WHERE username = 'guardian1'`)
	app.Scan(b, &g2, `SELECT id FROM users WHERE username = 'guardian2'`)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		// guardian1 has 2 wards in the demo: 28 more, some with visits.
		{`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at)
			SELECT id, ?, 'full', now() - interval '40 days' FROM children
			WHERE NOT EXISTS (SELECT 1 FROM guardian_appointments ga WHERE ga.child_id = children.id) ORDER BY id LIMIT 28`, []any{g1}},
		// 20 000 other children with guardian2 (the load a whole region would bring).
		{`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at)
			SELECT id, ?, 'provisional', now() - interval '10 days' FROM children
			WHERE NOT EXISTS (SELECT 1 FROM guardian_appointments ga WHERE ga.child_id = children.id) ORDER BY id DESC LIMIT 20000`, []any{g2}},
		{`INSERT INTO guardian_visits (child_id, visited_by, visited_on, kind, child_seen)
			SELECT ga.child_id, ga.guardian_user_id, (now() - (n * interval '9 days'))::date, 'visit', n % 3 <> 0
			FROM guardian_appointments ga CROSS JOIN generate_series(1, 3) n WHERE ga.ended_at IS NULL`, nil},
		{`ANALYZE`, nil},
	} {
		if err := app.DB.Exec(q.sql, q.args...).Error; err != nil {
			b.Fatal(err)
		}
	}
	var wards int64
	app.Scan(b, &wards, `SELECT count(*) FROM guardian_appointments WHERE guardian_user_id = ? AND ended_at IS NULL`, g1)
	if wards != 30 {
		b.Fatalf("guardian1 has %d wards, want 30", wards)
	}
	c := app.Login(b, "guardian1")
	var durations []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		get(b, c, app.URL+"/wards")
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, durations)
}
