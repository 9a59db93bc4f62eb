package registry

import (
	"bytes"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/kujdes/kujdes/models"
)

// statementPool records every statement sent through its pool or a transaction begun on it
// (GORM's and the registry's own, which bypass GORM: rawRow) and counts the transactions.
type statementPool struct {
	gorm.ConnPool
	rec *statementRecord
}

type statementRecord struct {
	mu     sync.Mutex
	sqls   []string
	begins atomic.Int64 // each a BEGIN and a COMMIT sent
}

func (r *statementRecord) add(q string) {
	r.mu.Lock()
	r.sqls = append(r.sqls, strings.Join(strings.Fields(q), " "))
	r.mu.Unlock()
}

func (p statementPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	p.rec.add(q)
	return p.ConnPool.ExecContext(ctx, q, args...)
}

func (p statementPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	p.rec.add(q)
	return p.ConnPool.QueryContext(ctx, q, args...)
}

func (p statementPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	p.rec.add(q)
	return p.ConnPool.QueryRowContext(ctx, q, args...)
}

func (p statementPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	p.rec.begins.Add(1)
	tx, err := p.ConnPool.(gorm.TxBeginner).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &statementTx{statementPool{ConnPool: tx, rec: p.rec}}, nil
}

// statementTx is a transaction begun on a statementPool (a pointer: GORM's Commit checks it
// for nil by reflection).
type statementTx struct{ statementPool }

func (t *statementTx) Commit() error   { return t.ConnPool.(gorm.TxCommitter).Commit() }
func (t *statementTx) Rollback() error { return t.ConnPool.(gorm.TxCommitter).Rollback() }

// TestRegistrationStatements: the round trips of one registration, BEGIN and COMMIT included
// (issue 8). Each is a few hundred microseconds of CPU on both sides with the transaction's
// locks held, so registration throughput depends on how few they are: a new child confirmed
// as new is ONE statement and no transaction around it (the name locks, the child with its
// number, its names, arrival and audit event); a duplicate check adds its transaction, the
// name locks and the search; an idempotency key costs its transaction and two statements. The
// border post named and a block of child ids are read on first use only, whatever the order.
func TestRegistrationStatements(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	rec := &statementRecord{}
	db := f.db.Session(&gorm.Session{})
	db.Statement.ConnPool = statementPool{ConnPool: db.Statement.ConnPool, rec: rec}
	reg := New(db)
	reg.Now = f.reg.Now
	reg.Checks = NewCheckLimiter(CheckLimit{Count: 100, Per: time.Minute, Burst: 100})
	in := RegistrationInput{
		IdentityInput: IdentityInput{GivenName: "Bashir", FamilyName: "Noori", Sex: "male",
			AgeMin: ptr(15), AgeMax: ptr(16), Nationalities: []string{"AF"}, Languages: []string{"ps"}},
		Arrival: ArrivalInput{HowFound: "border_check", BorderPostCode: "HAN"},
	}
	firstUse := map[string]int{} // the border post and the id block, once across all cases
	for _, c := range []struct {
		name       string
		given, key string
		aliases    []string
		confirmNew bool
		want       int
	}{
		// The one statement: no BEGIN, no COMMIT.
		{name: "confirmed new", given: "Bashir", aliases: []string{"Bashi", "Bashir Jan"}, confirmNew: true, want: 1},
		// BEGIN, the name locks, the duplicate search, the child with its records, COMMIT. The
		// search runs its generic plan (SET LOCAL before it, RESET after: two statements of
		// about 0.05 ms that spare 1–5 ms of planning at a million children, issue 12).
		{name: "checked, no candidate", given: "Qasim", want: 7},
		// BEGIN, the key looked up, the child with its records, the key remembered (expired
		// keys forgotten in the same statement), COMMIT.
		{name: "confirmed new, idempotency key", given: "Zarif", key: "k-1", confirmNew: true, want: 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec.mu.Lock()
			rec.sqls = nil
			rec.mu.Unlock()
			rec.begins.Store(0)
			in.GivenName, in.Aliases, in.ConfirmNew = c.given, c.aliases, c.confirmNew
			out, err := reg.RegisterArrivalOnce(ctx, f.borderOfficer, c.key, in)
			if err != nil || !out.NewChild {
				t.Fatalf("registration: %+v %v", out, err)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			sqls := rec.sqls
			var rest []string
			for _, s := range sqls {
				switch {
				case strings.Contains(s, "FROM \"border_posts\""):
					firstUse["border post"]++
				case strings.Contains(s, "pg_get_serial_sequence('children', 'id')"):
					firstUse["id block"]++
				default:
					rest = append(rest, s)
				}
			}
			got := len(rest) + 2*int(rec.begins.Load()) // + BEGIN, COMMIT
			if got != c.want {
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
	if firstUse["border post"] != 1 || firstUse["id block"] != 1 {
		t.Errorf("first-use reads %v, want the border post and the id block once each", firstUse)
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

// TestRegistrationRowsWritten: what the registration's two hand-written statements write is
// what the GORM inserts wrote — the number in its format, the child's birth middle on every
// name row (set by the names' trigger from the child inserted by the statement before), the
// name counts, the arrival with its adults and documents, and an audit event whose stored
// columns give back its leaf hash (what `audit verify` recomputes).
func TestRegistrationRowsWritten(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	f.reg.RegistrationPrefix = "TS"
	in := RegistrationInput{
		IdentityInput: IdentityInput{GivenName: "Bashir", FamilyName: "Noori", FatherName: "Karim", Sex: "male",
			BirthDate: "2010-03-04", Aliases: []string{"Bashi"}, Nationalities: []string{"AF"}, Languages: []string{"ps"}},
		Arrival: ArrivalInput{HowFound: "border_check", BorderPostCode: "HAN", Notes: "tired",
			AccompanyingAdults: []models.AccompanyingAdult{{Relation: "uncle"}}, Documents: []models.Document{{Type: "tazkira", Number: "T-1"}}},
		ConfirmNew: true,
	}
	out, err := f.reg.RegisterArrival(ctx, f.borderOfficer, in)
	if err != nil || !out.NewChild || out.ArrivalID == 0 {
		t.Fatalf("registration: %+v %v", out, err)
	}
	if out.RegistrationNumber != "TS-2026-000001" {
		t.Errorf("number %q, want TS-2026-000001", out.RegistrationNumber)
	}
	var c models.Child
	if err := f.db.Take(&c, out.ChildID).Error; err != nil {
		t.Fatal(err)
	}
	if c.RegistrationNumber != out.RegistrationNumber || c.GivenName != "Bashir" || c.FatherName != "Karim" ||
		c.BirthDateFrom == nil || c.BirthDateFrom.Format(time.DateOnly) != "2010-03-04" || !c.BirthDateKnown ||
		!slices.Equal(c.Nationalities, models.Strings{"AF"}) || c.RegisteredBy == nil || *c.RegisteredBy != f.borderOfficer.UserID ||
		c.BorderPostID == nil || *c.BorderPostID != f.postB || c.RegionID != f.region || c.Version != 1 {
		t.Errorf("child %+v", c)
	}
	var names struct{ Rows, WithBirth, Parentage int64 }
	if err := f.db.Raw(`SELECT count(*) AS rows, count(*) FILTER (WHERE birth_mid = '2010-03-04') AS with_birth,
		count(*) FILTER (WHERE kind = 'parentage') AS parentage FROM child_names WHERE child_id = ?`, c.ID).Scan(&names).Error; err != nil {
		t.Fatal(err)
	}
	if names.Rows < 5 || names.WithBirth != names.Rows || names.Parentage == 0 {
		t.Errorf("name rows %+v, want ≥ 5, all with the birth middle, parentage among them", names)
	}
	var counted int64
	if err := f.db.Raw(`SELECT coalesce(sum(n), 0) FROM name_counts WHERE kind = 'given' AND skeleton = '*'`).Scan(&counted).Error; err != nil {
		t.Fatal(err)
	}
	if counted != 1 {
		t.Errorf("given names counted: %d, want 1", counted)
	}
	var ar models.Arrival
	if err := f.db.Take(&ar, out.ArrivalID).Error; err != nil {
		t.Fatal(err)
	}
	if ar.ChildID != c.ID || !ar.GrantsScope || ar.Notes != "tired" || len(ar.AccompanyingAdults) != 1 ||
		ar.AccompanyingAdults[0].Relation != "uncle" || len(ar.Documents) != 1 || ar.BorderPostID == nil || *ar.BorderPostID != f.postB {
		t.Errorf("arrival %+v", ar)
	}
	var ev models.AuditEvent
	var changes string
	if err := f.db.Raw(`SELECT * FROM audit_events WHERE action = 'child.register' AND entity_id = ?`, strconv.FormatInt(c.ID, 10)).Scan(&ev).Error; err != nil || ev.ID == 0 {
		t.Fatalf("audit event: %+v %v", ev, err)
	}
	if err := f.db.Raw(`SELECT changes::text FROM audit_events WHERE id = ?`, ev.ID).Scan(&changes).Error; err != nil {
		t.Fatal(err)
	}
	record, err := models.AuditLeafRecord(&ev, []byte(changes))
	if err != nil {
		t.Fatal(err)
	}
	if h := tlog.RecordHash(record); !bytes.Equal(h[:], ev.LeafHash) || ev.ActorUserID == nil || ev.Outcome != "ok" {
		t.Errorf("audit event %+v: its columns do not give its leaf hash", ev)
	}
	if _, ok := ev.Changes["confirmed_new_despite_candidates"]; !ok {
		t.Errorf("audit changes %v", ev.Changes)
	}
}
