package registry

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/kujdes/kujdes/models"
)

// countingLogger counts the statements GORM sends (every Exec, Raw, Create, query).
type countingLogger struct {
	logger.Interface
	n   *atomic.Int64
	sql *[]string
}

func (l countingLogger) LogMode(logger.LogLevel) logger.Interface { return l }

func (l countingLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	l.n.Add(1)
	if l.sql != nil {
		s, _ := fc()
		*l.sql = append(*l.sql, s)
	}
}

// TestRegistrationStatements: the round trips of one registration (BEGIN and COMMIT
// included). Each is a few hundred microseconds of a connection held with its locks; the
// registration's throughput (issue 8) depends on how few they are.
func TestRegistrationStatements(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	var n atomic.Int64
	var sqls []string
	reg := New(f.db.Session(&gorm.Session{Logger: countingLogger{Interface: f.db.Logger, n: &n, sql: &sqls}}))
	reg.Now = f.reg.Now
	in := RegistrationInput{
		IdentityInput: IdentityInput{GivenName: "Bashir", FamilyName: "Noori", Aliases: []string{"Bashi"}, Sex: "male",
			AgeMin: ptr(15), AgeMax: ptr(16), Nationalities: []string{"AF"}, Languages: []string{"ps"}},
		Arrival:    ArrivalInput{HowFound: "border_check", BorderPostCode: "HAN"},
		ConfirmNew: true,
	}
	var lsn0, lsn1 string
	f.db.Raw("SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn0)
	out, err := reg.RegisterArrival(ctx, f.borderOfficer, in)
	if err != nil || !out.NewChild {
		t.Fatalf("registration: %+v %v", out, err)
	}
	f.db.Raw("SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn1)
	var walBytes int64
	f.db.Raw("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)", lsn1, lsn0).Scan(&walBytes)
	t.Logf("WAL: %d bytes (other tests may add)", walBytes)
	for i := range 20 {
		in.GivenName = fmt.Sprintf("Bashir%c", 'a'+i)
		f.db.Raw("SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn0)
		if _, err := reg.RegisterArrival(ctx, f.borderOfficer, in); err != nil {
			t.Fatal(err)
		}
		f.db.Raw("SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn1)
		f.db.Raw("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)", lsn1, lsn0).Scan(&walBytes)
		t.Logf("WAL: %d bytes", walBytes)
	}
	got := n.Load() + 2 // BEGIN, COMMIT
	for _, s := range sqls {
		t.Logf("  %.120s", s)
	}
	t.Logf("confirm_new: %d round trips", got)
	var names int64
	if err := f.db.Model(&models.ChildName{}).Where("child_id = ?", out.ChildID).Count(&names).Error; err != nil || names != 4 {
		t.Errorf("%d name rows (%v), want 4", names, err)
	}
}
