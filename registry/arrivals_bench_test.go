package registry

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/cpustat"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// BenchmarkRegisterArrival measures one registration (confirm_new, as kujdes-bench sends it)
// through the use case alone — no HTTP, no load generator — one at a time, and reports the
// CPU it costs on each side: this process (the use case, GORM, pgx, GC: go-cpu-ms/op) and
// the database's backends (pg-cpu-ms/op, read in /proc: PostgreSQL must run on this machine).
// On a machine shared with other work both are inflated by it; compare builds alternately.
//
//	go test -run '^$' -bench RegisterArrival -benchtime 2000x ./registry/
func BenchmarkRegisterArrival(b *testing.B) { benchRegisterArrival(b, false) }

// BenchmarkRegisterArrivalParents is the same registration with the father's and the mother's
// names (each registration its own pair), as most children of the synthetic population have
// them: the parentage rows, and the parents' key (matching.ParentsLatin), are written too.
// name-rows/op is the child_names rows a registration adds, wal-B/op the WAL it writes (the
// cluster's, with the name-count folds: keep the cluster otherwise idle).
func BenchmarkRegisterArrivalParents(b *testing.B) { benchRegisterArrival(b, true) }

func benchRegisterArrival(b *testing.B, parents bool) {
	db := testdb.New(b)
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	reg := New(db)
	reg.Now = func() time.Time { return now }
	var region, post, user int64
	for _, q := range []struct {
		id   *int64
		sql  string
		args []any
	}{
		{&region, `INSERT INTO regions (code, name) VALUES ('BEN', 'Bench') RETURNING id`, nil},
		{&post, `INSERT INTO border_posts (code, name, region_id) VALUES ('HAN', 'Hani i Hotit', ?) RETURNING id`, []any{&region}},
		{&user, `INSERT INTO users (issuer, subject, username) VALUES ('test', 'bo', 'bo') RETURNING id`, nil},
	} {
		args := make([]any, len(q.args))
		for i, a := range q.args {
			args[i] = *a.(*int64)
		}
		if err := db.Raw(q.sql, args...).Scan(q.id).Error; err != nil {
			b.Fatal(err)
		}
	}
	roles := []models.Role{models.RoleBorderOfficer}
	officer := &models.Actor{UserID: user, Issuer: "test", Subject: "bo", Roles: roles,
		BorderPostIDs: []int64{post}, Permissions: auth.PermissionsFor(roles)}
	syllables := []string{"ba", "de", "fi", "go", "ku", "la", "me", "ni", "po", "ru"}
	name := func(n int) string { // a distinct name per n
		var s strings.Builder
		for _, d := range fmt.Sprintf("%06d", n) {
			s.WriteString(syllables[d-'0'])
		}
		return strings.ToUpper(s.String()[:1]) + s.String()[1:]
	}
	in := RegistrationInput{
		IdentityInput: IdentityInput{FamilyName: "Noori", Sex: "male", AgeMin: ptr(15), AgeMax: ptr(16),
			Nationalities: []string{"AF"}, Languages: []string{"ps"}},
		Arrival:    ArrivalInput{HowFound: "border_check", BorderPostCode: "HAN"},
		ConfirmNew: true,
	}
	ctx := context.Background()
	register := func(n int) {
		in.GivenName = name(n)
		if parents {
			in.FatherName, in.MotherName = name(n+333_333), name(n+666_666)
		}
		if _, err := reg.RegisterArrival(ctx, officer, in); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 50 { // warm the pool's connections and their plans
		register(1_000_000 - i - 1)
	}
	sqlDB, err := db.DB()
	if err != nil {
		b.Fatal(err)
	}
	backends := func() time.Duration {
		by, err := cpustat.Backends(ctx, sqlDB)
		if err != nil {
			b.Fatal(err)
		}
		var total time.Duration
		for _, d := range by {
			total += d
		}
		return total
	}
	// The name counts the registrations queue are folded as the server's NameCountFolder
	// folds them, about every second's registrations, and at the end: their cost is counted.
	fold := func() {
		if _, err := FoldNameCounts(ctx, db); err != nil {
			b.Fatal(err)
		}
	}
	fold()
	nameRows := func() int64 {
		var n int64
		if err := db.Raw(`SELECT count(*) FROM child_names`).Scan(&n).Error; err != nil {
			b.Fatal(err)
		}
		return n
	}
	wal := func() int64 { // bytes of WAL written so far (the cluster's: keep it otherwise idle)
		var n int64
		if err := db.Raw(`SELECT CAST(pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0') AS bigint)`).Scan(&n).Error; err != nil {
			b.Fatal(err)
		}
		return n
	}
	rows0, wal0 := nameRows(), wal()
	pg0, go0 := backends(), cpustat.Self()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		register(i)
		if i%250 == 249 {
			fold()
		}
	}
	fold()
	b.StopTimer()
	b.ReportMetric(float64(cpustat.Self()-go0)/float64(b.N)/1e6, "go-cpu-ms/op")
	b.ReportMetric(float64(backends()-pg0)/float64(b.N)/1e6, "pg-cpu-ms/op")
	b.ReportMetric(float64(nameRows()-rows0)/float64(b.N), "name-rows/op")
	b.ReportMetric(float64(wal()-wal0)/float64(b.N), "wal-B/op")
}
