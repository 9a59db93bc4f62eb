package registry

import (
	"context"
	"testing"

	"gorm.io/gorm"
)

// sqlOnlyPool is a connection pool without Conn: scopedRowRaw reads through database/sql on
// it, as it does in a transaction.
type sqlOnlyPool struct{ gorm.ConnPool }

// TestScopedRecordAllocations: GetChild's scoped statement, read through pgx's own interface
// on a connection of the pool (pgxRow), allocates well under what the same statement costs
// through database/sql (the adapter's per-column decoders, the text arrays parsed by
// models.Strings): at most three quarters of it (measured: 125 against 263 per read, a
// child with an alias and an arrival and every array set).
func TestScopedRecordAllocations(t *testing.T) {
	f := newDupFixture(t)
	ctx := context.Background()
	id := f.add(t, testChild{given: "Yusuf", family: "Karimi", aliases: []string{"Jusuf"}, sex: "male", nats: []string{"AF", "IR"}})
	if err := f.db.Exec(`UPDATE children SET languages = '{ps,fa}', vulnerabilities = '{health}', trafficking_indicators = '{debt}' WHERE id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	f.arriveAtKakavije(t, id)
	po := f.protectionOfficer(t)
	if _, ok := f.db.Statement.ConnPool.(connPool); !ok {
		t.Fatalf("the registry's pool %T lends no connection", f.db.Statement.ConnPool)
	}
	sqlOnly := f.db.Session(&gorm.Session{Context: ctx})
	sqlOnly.Statement.ConnPool = sqlOnlyPool{f.db.Statement.ConnPool}
	allocs := func(db *gorm.DB) float64 {
		read := func() {
			if v, err := f.reg.scopedRecord(db, po, id); err != nil || len(v.Aliases) != 1 || len(v.Arrivals) != 1 || len(v.Languages) != 2 {
				t.Fatalf("scoped record: %+v %v", v, err)
			}
		}
		read() // the connection's prepared statement and scan plans
		return testing.AllocsPerRun(50, read)
	}
	viaSQL := allocs(sqlOnly)
	viaPgx := allocs(f.db.WithContext(ctx))
	t.Logf("allocations per scoped read: %.0f through pgx, %.0f through database/sql", viaPgx, viaSQL)
	if viaPgx > 0.75*viaSQL {
		t.Errorf("the scoped read through pgx allocates %.0f times, through database/sql %.0f: want at most three quarters", viaPgx, viaSQL)
	}
}
