package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
)

// BenchmarkFacilityList500: the facility list (issue 9) with 500 facilities in a database of
// 100 000 children, 60 000 placements (30 000 current, 30 000 closed), through the real
// server: the JSON API's largest page (200, bearer) and the HTML page (50, session), each
// with its live occupancy counted from the current placements. Reports p50/p95.
//
//	go test -run '^$' -bench FacilityList500 -benchtime 200x ./internal/server/
func BenchmarkFacilityList500(b *testing.B) {
	app := apptest.Start(b)
	loadPopulation(b, app, 100_000)
	now := time.Now().UTC()
	for _, q := range []string{
		`INSERT INTO facilities (name, kind, operator, region_id, address, capacity, licence_number, licence_expires_on)
		 SELECT 'Facility ' || g, (ARRAY['foster_family','kinship_care','childrens_centre','supervised_independent_living','adult_reception_centre'])[1 + g % 5],
		        'Operator ' || (g % 17), (SELECT id FROM regions ORDER BY id OFFSET g % 5 LIMIT 1), 'Street ' || g, 20 + g % 60, 'L-' || g,
		        (current_date + (g % 400 - 50)::int)
		 FROM generate_series(1, 500 - (SELECT count(*) FROM facilities)) g`,
		`INSERT INTO placements (child_id, facility_id, started_at, ended_at, reason, decided_by)
		 SELECT c.id, (SELECT array_agg(id) FROM facilities)[1 + c.id % 500], ?::timestamptz - interval '100 days', ?::timestamptz - interval '50 days', 'bench', 'bench'
		 FROM (SELECT id FROM children WHERE id NOT IN (SELECT child_id FROM placements) ORDER BY id LIMIT 30000) c`,
		`INSERT INTO placements (child_id, facility_id, started_at, reason, decided_by)
		 SELECT c.id, (SELECT array_agg(id) FROM facilities)[1 + (c.id * 7) % 500], ?::timestamptz - interval '50 days', 'bench', 'bench'
		 FROM (SELECT child_id AS id FROM placements WHERE reason = 'bench') c`,
		`VACUUM ANALYZE facilities`, `VACUUM ANALYZE placements`, // as autovacuum would have by then
	} {
		var args []any
		for range countPlaceholders(q) {
			args = append(args, now)
		}
		if err := app.DB.Exec(q, args...).Error; err != nil {
			b.Fatal(err)
		}
	}
	var facilities, current int64
	app.Scan(b, &facilities, `SELECT count(*) FROM facilities`)
	app.Scan(b, &current, `SELECT count(*) FROM placements WHERE ended_at IS NULL`)
	if facilities != 500 || current < 30000 {
		b.Fatalf("%d facilities, %d current placements", facilities, current)
	}
	// Plain clients: the test client's OpenAPI check of every response is not the server's time.
	tok := "Bearer " + app.Token(b, "protection1")
	page := &http.Client{Jar: app.Login(b, "border1").Jar}
	b.Run("api_page_200", func(b *testing.B) {
		var d []time.Duration
		for b.Loop() {
			start := time.Now()
			get(b, http.DefaultClient, app.URL+"/api/v1/facilities?limit=200", "Authorization", tok)
			d = append(d, time.Since(start))
		}
		reportPercentiles(b, d)
	})
	b.Run("html_page_50", func(b *testing.B) {
		var d []time.Duration
		for b.Loop() {
			start := time.Now()
			get(b, page, app.URL+"/facilities")
			d = append(d, time.Since(start))
		}
		reportPercentiles(b, d)
	})
}

func countPlaceholders(q string) int { return strings.Count(q, "?") }
