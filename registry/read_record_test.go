package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// TestGetChildStatements: the full record of a child is read in two statements (the scoped
// child with its aliases, its arrivals and whether it has age assessments; its age
// assessments), one when it has none; the aliases come in their order; a child out of scope
// is still not found.
func TestGetChildStatements(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	with := f.add(t, testChild{given: "Yusuf", family: "Karimi", aliases: []string{"Abu Bakr", "Jusuf"}, sex: "male", nats: []string{"AF"}})
	without := f.add(t, testChild{given: "Amina", family: "Haidari", sex: "female", nats: []string{"AF"}})
	po := f.protectionOfficer(t)

	// Every statement the registry sends through its pool, built by GORM or not (the read
	// audit's batch has its own pool).
	var queries atomic.Int64
	counted := f.db.Session(&gorm.Session{Context: ctx}) // a Statement of its own
	counted.Statement.ConnPool = countingPool{ConnPool: f.db.Statement.ConnPool, n: &queries}
	f.reg.DB = counted
	v, err := f.reg.GetChild(ctx, po, with)
	if err != nil || v.ID != with || !slices.Equal(v.Aliases, []string{"Abu Bakr", "Jusuf"}) || v.RegionCode != "DUP" || v.TreatedAsChild == nil {
		t.Fatalf("record with aliases: %+v %v", v, err)
	}
	if n := queries.Load(); n != 1 || len(v.AgeAssessments) != 0 || !*v.TreatedAsChild || v.Arrivals == nil {
		t.Errorf("statements of one read without age assessments: %d, want 1 (%+v, arrivals %v)", n, v.AgeAssessments, v.Arrivals)
	}
	ages := []models.AgeAssessment{
		{ChildID: with, RequestedAt: f.now.Add(-48 * time.Hour), Reason: "doubt", Methods: models.Strings{"interview"}, Professionals: "panel", ResultMin: ptr(19), ResultMax: ptr(21), Outcome: "adult", DecidedAt: ptr(f.now.Add(-24 * time.Hour)), Version: 1},
		{ChildID: with, RequestedAt: f.now.Add(-time.Hour), Reason: "appeal", Methods: models.Strings{"interview"}, Outcome: "pending", Version: 1},
	}
	if err := f.db.Create(&ages).Error; err != nil {
		t.Fatal(err)
	}
	queries.Store(0)
	v, err = f.reg.GetChild(ctx, po, with)
	if n := queries.Load(); err != nil || n != 2 || len(v.AgeAssessments) != 2 || v.AgeAssessments[0].Reason != "appeal" || *v.TreatedAsChild {
		t.Errorf("with age assessments: %d statements, want 2; %+v %v", n, v.AgeAssessments, err)
	}
	if v, err := f.reg.GetChild(ctx, po, without); err != nil || v.ID != without || v.Aliases != nil {
		t.Errorf("record without aliases: %+v %v", v.Aliases, err)
	}
	elsewhere := *po
	elsewhere.RegionIDs = []int64{f.region + 1000}
	if _, err := f.reg.GetChild(ctx, &elsewhere, with); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("out of scope: %v", err)
	}
}

// TestGetChildArrivals: the arrivals read with the child (recordColumns, their rows as JSON)
// are exactly what their own query gives (arrivalViews) — every field, the hidden
// registered_by, times, lists, a missing border post — newest first, and encode to the same
// JSON.
func TestGetChildArrivals(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	id := f.add(t, testChild{given: "Yusuf", family: "Karimi", sex: "male", nats: []string{"AF"}})
	po := f.protectionOfficer(t)
	officer := po.UserID
	arrivals := []models.Arrival{
		{ChildID: id, ArrivedAt: f.now.Add(-72*time.Hour + 123456*time.Microsecond), BorderPostID: &f.post, Location: "Kakavijë", HowFound: "border_check",
			AccompanyingAdults: models.JSONList[models.AccompanyingAdult]{{Relation: "uncle", Name: "Ahmad", Verified: false}},
			Documents:          models.JSONList[models.Document]{{Type: "passport", Number: "P123", Country: "AF"}},
			Notes:              "first \"time\" — عربي", GrantsScope: true, RegisteredBy: &officer, CreatedAt: f.now.Add(-72 * time.Hour)},
		{ChildID: id, ArrivedAt: f.now.Add(-time.Hour), Location: "Durrës port", HowFound: "police_operation",
			AccompanyingAdults: models.JSONList[models.AccompanyingAdult]{}, Documents: models.JSONList[models.Document]{},
			CreatedAt: f.now.Add(-time.Hour)},
		{ChildID: id, ArrivedAt: f.now.Add(-time.Hour), BorderPostID: &f.postB, Location: "Hani i Hotit", HowFound: "other",
			GrantsScope: false, CreatedAt: f.now},
	}
	if err := f.db.Create(&arrivals).Error; err != nil {
		t.Fatal(err)
	}
	var want []ArrivalView
	if err := arrivalViews(f.db).Where("arrivals.child_id = ?", id).Order("arrivals.arrived_at DESC, arrivals.id DESC").Find(&want).Error; err != nil {
		t.Fatal(err)
	}
	v, err := f.reg.GetChild(ctx, po, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Arrivals) != 3 || v.Arrivals[0].ID != arrivals[2].ID || v.Arrivals[2].ID != arrivals[0].ID {
		t.Fatalf("arrivals, newest first: %+v", v.Arrivals)
	}
	if !reflect.DeepEqual(v.Arrivals, want) {
		t.Errorf("arrivals read with the child:\n%+v\nby their own query:\n%+v", v.Arrivals, want)
	}
	got, _ := json.Marshal(v.Arrivals)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Errorf("JSON of the arrivals read with the child:\n%s\nby their own query:\n%s", got, exp)
	}
	if r := v.Arrivals[2].RegisteredBy; r == nil || *r != officer || v.Arrivals[2].BorderPostCode != "KAK" || v.Arrivals[1].BorderPostCode != "" {
		t.Errorf("registered_by %v, border post codes %q %q", r, v.Arrivals[2].BorderPostCode, v.Arrivals[1].BorderPostCode)
	}
}

func ptr[T any](v T) *T { return &v }

// TestReadIsNotAnsweredWithoutItsAuditEvent: the read's audit event is written while the rest
// of the record loads (readScoped), yet a read whose event the database refuses returns an
// error and no data — through the group-commit batcher and without it — and leaves no event.
// Once the database accepts events again, the same reads answer.
func TestReadIsNotAnsweredWithoutItsAuditEvent(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	id := f.add(t, testChild{given: "Yusuf", family: "Karimi", aliases: []string{"Jusuf"}, sex: "male", nats: []string{"AF"}})
	f.arriveAtKakavije(t, id)
	po := f.protectionOfficer(t)
	reads := map[string]func() (any, error){
		"child":           func() (any, error) { return f.reg.GetChild(ctx, po, id) },
		"guardianship":    func() (any, error) { return f.reg.Guardianship(ctx, po, id) },
		"placements":      func() (any, error) { return f.reg.ChildPlacements(ctx, po, id) },
		"age assessments": func() (any, error) { return f.reg.ListAgeAssessments(ctx, po, id) },
	}
	events := func() int64 {
		var n int64
		if err := f.db.Raw(`SELECT count(*) FROM audit_events WHERE entity = 'child' AND entity_id = ? AND outcome = 'ok'`, strconv.FormatInt(id, 10)).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	if err := f.db.Exec(`CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit refused by the test'; END $$;
		CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()`).Error; err != nil {
		t.Fatal(err)
	}
	batcher := f.reg.Reads
	for _, batched := range []bool{true, false} {
		f.reg.Reads = nil
		if batched {
			f.reg.Reads = batcher
		}
		for name, read := range reads {
			got, err := read()
			if err == nil || errors.Is(err, models.ErrNotFound) {
				t.Errorf("batched %v, %s: read answered without its audit event: %v", batched, name, err)
			}
			if !reflect.ValueOf(got).IsZero() {
				t.Errorf("batched %v, %s: data returned with the audit error: %+v", batched, name, got)
			}
		}
	}
	if n := events(); n != 0 {
		t.Fatalf("%d read events written while the database refused them", n)
	}

	if err := f.db.Exec(`DROP TRIGGER test_refuse_audit ON audit_events`).Error; err != nil {
		t.Fatal(err)
	}
	f.reg.Reads = batcher
	for name, read := range reads {
		if got, err := read(); err != nil || reflect.ValueOf(got).IsZero() {
			t.Errorf("%s, with the audit accepted: %+v %v", name, got, err)
		}
	}
	if v, err := f.reg.GetChild(ctx, po, id); err != nil || len(v.Arrivals) != 1 || v.Arrivals[0].Notes != "tired" {
		t.Errorf("record with its arrival: %+v %v", v.Arrivals, err)
	}
	if n := events(); n != int64(len(reads))+1 {
		t.Errorf("read events: %d, want %d", n, len(reads)+1)
	}
}

// TestScopedRecordIsScopedChild: the full record's hand-scanned statement (scopedRowRaw) gives
// the same child, codes and emergency-access flag as the GORM-built scoped read (scopedChild)
// for every kind of reader — in scope by region, by border post, only through break-glass,
// out of scope — with every nullable field of the child both set and empty.
func TestScopedRecordIsScopedChild(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	bare := f.add(t, testChild{given: "Amina", family: "Haidari", sex: "female"})
	full := f.add(t, testChild{given: "Yusuf", family: "Karimi", father: "Ahmad", mother: "Maryam", from: "2011-02-03", to: "2011-02-03",
		aliases: []string{"Jusuf"}, sex: "male", nats: []string{"AF", "IR"}})
	other := f.insert(t, `INSERT INTO users (issuer, subject, username) VALUES ('test', 'x', 'x')`)
	if err := f.db.Exec(`UPDATE children SET border_post_id = NULL WHERE id = ?`, bare).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`UPDATE children SET languages = '{ps,fa}', vulnerabilities = '{health}', trafficking_indicators = '{debt}',
		special_needs = 'insulin', trafficking_notes = 'n', vulnerabilities_assessed_at = ?, registered_by = ?, duplicate_of = ?, version = 3
		WHERE id = ?`, f.now.Add(-time.Hour), other, bare, full).Error; err != nil {
		t.Fatal(err)
	}
	actor := func(subject string, roles []models.Role, regions, posts []int64) *models.Actor {
		id := f.insert(t, `INSERT INTO users (issuer, subject, username) VALUES ('test', ?, ?)`, subject, subject)
		return &models.Actor{UserID: id, Issuer: "test", Subject: subject, Roles: roles, RegionIDs: regions, BorderPostIDs: posts,
			Permissions: auth.PermissionsFor(roles), ChildFields: auth.ChildFieldsFor(roles)}
	}
	po := actor("po", []models.Role{models.RoleProtectionOfficer}, []int64{f.region, f.region + 1000}, nil)
	bo := actor("bo2", []models.Role{models.RoleBorderOfficer}, nil, []int64{f.post})
	elsewhere := actor("po2", []models.Role{models.RoleProtectionOfficer}, []int64{f.region + 1000}, nil)
	f.insert(t, `INSERT INTO break_glass_grants (user_id, child_id, reason, granted_at, expires_at) VALUES (?, ?, 'a child in danger now', ?, ?)`,
		elsewhere.UserID, full, f.now.Add(-time.Minute), f.now.Add(time.Hour))

	if _, ok := f.db.Statement.ConnPool.(connPool); !ok {
		t.Fatalf("the registry's pool %T lends no connection: the test would not reach the read through pgx", f.db.Statement.ConnPool)
	}
	for _, tc := range []struct {
		name  string
		a     *models.Actor
		child int64
		seen  bool
		via   bool
	}{
		{"region, every field set", po, full, true, false},
		{"region, empty fields", po, bare, true, false},
		{"border post", bo, full, true, false},
		{"border post, not registered there", bo, bare, false, false},
		{"break-glass only", elsewhere, full, true, true},
		{"out of scope", elsewhere, bare, false, false},
		{"missing", po, full + bare + 100, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, werr := f.reg.scopedChild(f.db.WithContext(ctx), tc.a, tc.child, false)
			got, gerr := f.reg.scopedRecord(f.db.WithContext(ctx), tc.a, tc.child)
			// The same read in a transaction (MissingEpisode) goes through database/sql
			// instead of pgx's own interface: the same record, or the same refusal.
			var inTx ChildView
			terr := f.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				var err error
				inTx, err = f.reg.scopedRecord(tx, tc.a, tc.child)
				return err
			})
			if !reflect.DeepEqual(inTx, got) || errors.Is(terr, models.ErrNotFound) != errors.Is(gerr, models.ErrNotFound) {
				t.Errorf("read in a transaction:\n%+v %v\non the pool:\n%+v %v", inTx, terr, got, gerr)
			}
			if !tc.seen {
				var d *deniedRead
				if !errors.As(gerr, &d) || !errors.Is(gerr, models.ErrNotFound) || !errors.Is(werr, models.ErrNotFound) {
					t.Fatalf("raw read %v, GORM read %v; want both refused as not found", gerr, werr)
				}
				return
			}
			if werr != nil || gerr != nil {
				t.Fatalf("raw read %v, GORM read %v", gerr, werr)
			}
			if got.ViaBreakGlass != tc.via {
				t.Errorf("via break-glass %v, want %v", got.ViaBreakGlass, tc.via)
			}
			if !reflect.DeepEqual(got.Child, want.Child) || got.RegionCode != want.RegionCode || got.BorderPostCode != want.BorderPostCode || got.ViaBreakGlass != want.ViaBreakGlass {
				t.Errorf("raw read:\n%+v %q %q %v\nGORM read:\n%+v %q %q %v", got.Child, got.RegionCode, got.BorderPostCode, got.ViaBreakGlass,
					want.Child, want.RegionCode, want.BorderPostCode, want.ViaBreakGlass)
			}
			gj, _ := json.Marshal(got.Child)
			wj, _ := json.Marshal(want.Child)
			if string(gj) != string(wj) {
				t.Errorf("JSON of the raw read:\n%s\nof the GORM read:\n%s", gj, wj)
			}
		})
	}
}

// countingPool counts the statements sent through a GORM connection pool.
type countingPool struct {
	gorm.ConnPool
	n *atomic.Int64
}

func (p countingPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	p.n.Add(1)
	return p.ConnPool.ExecContext(ctx, q, args...)
}

func (p countingPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	p.n.Add(1)
	return p.ConnPool.QueryContext(ctx, q, args...)
}

func (p countingPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	p.n.Add(1)
	return p.ConnPool.QueryRowContext(ctx, q, args...)
}

// Conn lends a connection of the pool, for the one statement that GetChild's scoped read
// (scopedRowRaw through pgxRow) runs on it through pgx: counted as that statement.
func (p countingPool) Conn(ctx context.Context) (*sql.Conn, error) {
	p.n.Add(1)
	return p.ConnPool.(connPool).Conn(ctx)
}

// BeginTx starts a transaction on the pool (its statements are not counted).
func (p countingPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	return p.ConnPool.(gorm.TxBeginner).BeginTx(ctx, opts)
}
