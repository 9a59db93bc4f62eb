package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/synth"
	"github.com/kujdes/kujdes/models"
)

// BenchmarkLoginRoundTrip: one full browser-less sign-in — Kujdes /login, the provider's
// login page, choosing the user, the code exchange with PKCE, ID-token verification, user
// upsert, audit row and new session.
func BenchmarkLoginRoundTrip(b *testing.B) {
	app := apptest.Start(b)
	b.ResetTimer()
	for b.Loop() {
		app.Login(b, "guardian1")
	}
}

func get(b *testing.B, c *http.Client, url string, headers ...string) {
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("%s: %d", url, res.StatusCode)
	}
}

// BenchmarkRequest compares the cost of the same server answering: an anonymous probe
// (no session, no audit), a signed-in request that needs the session and the user but writes
// no audit row (/api/v1/me), and a child read (session, scope query, audit row appended in
// the same transaction). The differences are the per-request overhead of session and audit.
func BenchmarkRequest(b *testing.B) {
	app := apptest.Start(b)
	c := app.Login(b, "protection1")
	child := fmt.Sprintf("%s/api/v1/children/%d", app.URL, app.ChildID(b, "AL-2026-000001"))
	tok := "Bearer " + app.Token(b, "protection1")
	b.Run("anonymous_livez", func(b *testing.B) {
		for b.Loop() {
			get(b, c, app.URL+"/livez")
		}
	})
	b.Run("session_me", func(b *testing.B) {
		for b.Loop() {
			get(b, c, app.URL+"/api/v1/me")
		}
	})
	b.Run("session_child_read_audited", func(b *testing.B) {
		for b.Loop() {
			get(b, c, child)
		}
	})
	b.Run("bearer_child_read_audited", func(b *testing.B) {
		for b.Loop() {
			get(b, http.DefaultClient, child, "Authorization", tok)
		}
	})
}

// BenchmarkRegistration100k: POST /api/v1/registrations (validation, duplicate check over
// 100 000 children, insert, names, arrival, audit row) through the real server, as a border
// officer with a bearer token. Reports p50/p95. The population comes from internal/synth.
func BenchmarkRegistration100k(b *testing.B) {
	app := apptest.Start(b)
	loadPopulation(b, app, 100_000)
	tok := "Bearer " + app.Token(b, "border1")
	people := synth.Generate(99, b.N+1, time.Now())
	var durations, confirms []time.Duration
	flagged := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p := people[i%len(people)]
		body, _ := json.Marshal(map[string]any{
			"given_name": p.GivenName, "family_name": p.FamilyName, "given_name_latin": p.GivenNameLatin,
			"family_name_latin": p.FamilyNameLatin, "sex": p.Sex, "age_min": 15, "age_max": 16,
			"nationalities": p.Nationalities, "languages": p.Languages,
			"arrival": map[string]any{"how_found": "border_check", "border_post_code": "KAK"},
		})
		start := time.Now()
		res := app.Do(b, nil, "POST", "/api/v1/registrations", string(body), "Authorization", tok)
		io.Copy(io.Discard, res.Body)
		durations = append(durations, time.Since(start))
		switch res.StatusCode {
		case 201:
		case 409:
			// The officer looked at the candidates and confirms a new child: that request writes.
			flagged++
			var m map[string]any
			json.Unmarshal(body, &m)
			m["confirm_new"] = true
			body, _ = json.Marshal(m)
			start = time.Now()
			res = app.Do(b, nil, "POST", "/api/v1/registrations", string(body), "Authorization", tok)
			io.Copy(io.Discard, res.Body)
			confirms = append(confirms, time.Since(start))
			if res.StatusCode != 201 {
				b.Fatalf("confirmed registration: %d", res.StatusCode)
			}
		default:
			b.Fatalf("registration: %d", res.StatusCode)
		}
	}
	b.StopTimer()
	reportPercentiles(b, durations)
	if len(confirms) > 0 {
		slices.Sort(confirms)
		b.ReportMetric(float64(confirms[len(confirms)/2].Microseconds())/1000, "confirm-p50-ms")
		b.ReportMetric(float64(confirms[int(0.95*float64(len(confirms)-1))].Microseconds())/1000, "confirm-p95-ms")
	}
	b.ReportMetric(float64(flagged)/float64(len(durations)), "flagged/op")
}

func loadPopulation(b *testing.B, app *apptest.App, n int) {
	b.Helper()
	var posts []models.BorderPost
	if err := app.DB.Find(&posts).Error; err != nil {
		b.Fatal(err)
	}
	ids, regions := map[string]int64{}, map[string]int64{}
	for _, p := range posts {
		ids[p.Code], regions[p.Code] = p.ID, p.RegionID
	}
	start := time.Now()
	if err := synth.Load(context.Background(), app.DB, synth.Generate(1, n, time.Now()), regions, ids); err != nil {
		b.Fatal(err)
	}
	if err := app.DB.Exec(`ANALYZE`).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d synthetic children in %v", n, time.Since(start).Round(time.Millisecond))
}

func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	at := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}

// BenchmarkAuditedReadBreakdown: where one audited child read (bearer) spends its time. Every
// statement GORM sends is timed (by the start of its SQL); what is left of the request's time
// is HTTP, token verification, JSON, BEGIN/COMMIT (the commit waits for the WAL flush) and Go.
func BenchmarkAuditedReadBreakdown(b *testing.B) {
	app := apptest.Start(b)
	child := fmt.Sprintf("%s/api/v1/children/%d", app.URL, app.ChildID(b, "AL-2026-000001"))
	tok := "Bearer " + app.Token(b, "protection1")
	get(b, http.DefaultClient, child, "Authorization", tok)
	var mu sync.Mutex
	spent, count := map[string]time.Duration{}, map[string]int{}
	cb := app.DB.Callback()
	before := func(db *gorm.DB) { db.InstanceSet("breakdown:t0", time.Now()) }
	after := func(db *gorm.DB) {
		t0, ok := db.InstanceGet("breakdown:t0")
		if !ok {
			return
		}
		key := strings.Join(strings.Fields(db.Statement.SQL.String()), " ")
		key = key[:min(len(key), 48)]
		mu.Lock()
		spent[key] += time.Since(t0.(time.Time))
		count[key]++
		mu.Unlock()
	}
	for _, err := range []error{
		cb.Query().Before("gorm:query").Register("breakdown:before:query", before),
		cb.Query().After("gorm:query").Register("breakdown:after:query", after),
		cb.Row().Before("gorm:row").Register("breakdown:before:row", before),
		cb.Row().After("gorm:row").Register("breakdown:after:row", after),
		cb.Raw().Before("gorm:raw").Register("breakdown:before:raw", before),
		cb.Raw().After("gorm:raw").Register("breakdown:after:raw", after),
		cb.Create().Before("gorm:create").Register("breakdown:before:create", before),
		cb.Create().After("gorm:create").Register("breakdown:after:create", after),
		cb.Update().Before("gorm:update").Register("breakdown:before:update", before),
		cb.Update().After("gorm:update").Register("breakdown:after:update", after),
	} {
		if err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	for b.Loop() {
		get(b, http.DefaultClient, child, "Authorization", tok)
	}
	total := time.Since(start)
	var inSQL time.Duration
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(spent)) {
		inSQL += spent[k]
		lines = append(lines, fmt.Sprintf("%8.3f ms/op  %5.2f×/op  %s", float64(spent[k].Microseconds())/1000/float64(b.N), float64(count[k])/float64(b.N), k))
	}
	b.Log("statements:\n" + strings.Join(lines, "\n"))
	b.ReportMetric(float64(inSQL.Microseconds())/1000/float64(b.N), "sql-ms/op")
	b.ReportMetric(float64((total-inSQL).Microseconds())/1000/float64(b.N), "rest-ms/op")
}

// BenchmarkHomePage: the public home page, anonymous, compressed as a browser asks for it.
func BenchmarkHomePage(b *testing.B) {
	app := apptest.Start(b)
	for b.Loop() {
		get(b, http.DefaultClient, app.URL+"/", "Accept-Encoding", "gzip")
	}
}
