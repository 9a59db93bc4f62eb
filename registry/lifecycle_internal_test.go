package registry

import (
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// TestTurnsAdultSQLMatchesGo: the SQL of the 18th birthday (turnsAdultSQL, used by the sweep
// and the S13 queries) gives models.TurnsAdultOn's day for every birth date of two years that
// include a 29 February, known and as the end of an assessed range.
func TestTurnsAdultSQLMatchesGo(t *testing.T) {
	db := testdb.New(t)
	var region int64
	if err := db.Raw(`INSERT INTO regions (code, name) VALUES ('SQL', 'x') RETURNING id`).Scan(&region).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO children (registration_number, region_id, registered_at, birth_date_from, birth_date_to)
		SELECT 'S-' || d::date || '-' || g, ?, now(), d::date - (g * 365), d::date
		FROM generate_series('2007-12-01'::date, '2009-12-31'::date, interval '1 day') d, (SELECT 0 AS g UNION ALL SELECT 2) gs
`, region).Error; err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		BirthDateFrom, BirthDateTo time.Time
		Adult                      time.Time
	}
	if err := db.Raw(`SELECT birth_date_from, birth_date_to, `+turnsAdultSQL+` AS adult FROM children WHERE region_id = ?`, region).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) < 1400 {
		t.Fatalf("only %d rows", len(rows))
	}
	for _, r := range rows {
		want, _ := models.TurnsAdultOn(&r.BirthDateFrom, &r.BirthDateTo)
		if got := r.Adult.UTC().Format(time.DateOnly); got != want.Format(time.DateOnly) {
			t.Errorf("born %s: SQL %s, Go %s", r.BirthDateTo.Format(time.DateOnly), got, want.Format(time.DateOnly))
		}
	}
}
