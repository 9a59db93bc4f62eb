package registry

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/schema"

	"github.com/kujdes/kujdes/models"
)

// statementLog keeps the statements GORM sends (every Exec, Raw, Create and query).
type statementLog struct {
	logger.Interface
	mu   *sync.Mutex
	sqls *[]string
}

func (l statementLog) LogMode(logger.LogLevel) logger.Interface { return l }

func (l statementLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	l.mu.Lock()
	*l.sqls = append(*l.sqls, strings.Join(strings.Fields(s), " "))
	l.mu.Unlock()
}

// TestRegistrationStatements: the round trips of one registration, BEGIN and COMMIT included
// (issue 8). Each is a few hundred microseconds of CPU on both sides with the transaction's
// locks held, so registration throughput depends on how few they are: the name locks are one
// statement however many spellings the name has (with the child's insert and its number, when no
// duplicate check follows), the names, arrival and audit event one statement, and an
// idempotency key costs two statements.
func TestRegistrationStatements(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	var mu sync.Mutex
	var sqls []string
	reg := New(f.db.Session(&gorm.Session{Logger: statementLog{Interface: f.db.Logger, mu: &mu, sqls: &sqls}}))
	reg.Now = f.reg.Now
	reg.Checks = NewCheckLimiter(CheckLimit{Count: 100, Per: time.Minute, Burst: 100})
	in := RegistrationInput{
		IdentityInput: IdentityInput{GivenName: "Bashir", FamilyName: "Noori", Sex: "male",
			AgeMin: ptr(15), AgeMax: ptr(16), Nationalities: []string{"AF"}, Languages: []string{"ps"}},
		Arrival: ArrivalInput{HowFound: "border_check", BorderPostCode: "HAN"},
	}
	for _, c := range []struct {
		name       string
		given, key string
		aliases    []string
		confirmNew bool
		want       int
	}{
		// BEGIN, border post, the child (with the name locks and its number), its names,
		// arrival and audit event (one statement), COMMIT.
		{name: "confirmed new", given: "Bashir", aliases: []string{"Bashi", "Bashir Jan"}, confirmNew: true, want: 5},
		// … the name locks, the duplicate search, then the child with its number.
		{name: "checked, no candidate", given: "Qasim", want: 7},
		// … the key looked up, and remembered (expired keys forgotten in the same statement).
		{name: "confirmed new, idempotency key", given: "Zarif", key: "k-1", confirmNew: true, want: 7},
	} {
		t.Run(c.name, func(t *testing.T) {
			mu.Lock()
			sqls = nil
			mu.Unlock()
			in.GivenName, in.Aliases, in.ConfirmNew = c.given, c.aliases, c.confirmNew
			out, err := reg.RegisterArrivalOnce(ctx, f.borderOfficer, c.key, in)
			if err != nil || !out.NewChild {
				t.Fatalf("registration: %+v %v", out, err)
			}
			mu.Lock()
			defer mu.Unlock()
			if got := len(sqls) + 2; got != c.want { // + BEGIN, COMMIT
				t.Errorf("%d round trips, want %d:\n%s", got, c.want, strings.Join(sqls, "\n"))
			}
			var locks int
			for _, s := range sqls {
				locks += strings.Count(s, "pg_advisory_xact_lock")
			}
			if locks != 1 {
				t.Errorf("%d statements take the name locks, want 1", locks)
			}
		})
	}
}

// TestRegistrationInsertColumns: the registration's hand-written inserts (arrivals_write.go)
// name every column of the child, its arrival and its name rows that the application writes,
// so a field added to a model is not silently left out of new registrations.
func TestRegistrationInsertColumns(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		model  any
		cols   []string
		values int
		skip   []string // not written by the insert: the id, computed or generated columns
	}{
		{"child", &models.Child{}, childInsertColumns, len(childInsertValues(&models.Child{})), []string{"id", "registration_number"}},
		{"arrival", &models.Arrival{}, arrivalInsertColumns, len(arrivalInsertValues(&models.Arrival{})), []string{"id"}},
		{"name", &models.ChildName{}, nameInsertColumns, len(nameInsertValues(&models.ChildName{})), []string{"id", "norm"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := schema.Parse(c.model, &sync.Map{}, schema.NamingStrategy{})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, f := range s.Fields {
				if f.DBName != "" && !slices.Contains(c.skip, f.DBName) {
					want = append(want, f.DBName)
				}
			}
			if got := slices.Sorted(slices.Values(c.cols)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
				t.Errorf("INSERT columns %v, the model's %v", got, want)
			}
			if c.values != len(c.cols) {
				t.Errorf("%d values for %d columns", c.values, len(c.cols))
			}
		})
	}
}
