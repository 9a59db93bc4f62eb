package registry

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kujdes/kujdes/auth"
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
func BenchmarkRegisterArrival(b *testing.B) {
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
		var total time.Duration
		rows, err := sqlDB.Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var pid int
			if rows.Scan(&pid) != nil {
				continue
			}
			stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err != nil {
				continue
			}
			f := strings.Fields(string(stat)[strings.LastIndexByte(string(stat), ')')+1:])
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			total += time.Duration(u+s) * 10 * time.Millisecond // USER_HZ = 100
		}
		return total
	}
	self := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	pg0, go0 := backends(), self()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		register(i)
	}
	b.StopTimer()
	b.ReportMetric(float64(self()-go0)/float64(b.N)/1e6, "go-cpu-ms/op")
	b.ReportMetric(float64(backends()-pg0)/float64(b.N)/1e6, "pg-cpu-ms/op")
}
