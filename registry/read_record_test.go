package registry

import (
	"context"
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

// TestGetChildStatements: the full record of a child is read in three statements (the scoped
// child with its aliases and whether it has age assessments, its arrivals, its age
// assessments), two when it has none; the aliases come in their order; a child out of scope
// is still not found.
func TestGetChildStatements(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	with := f.add(t, testChild{given: "Yusuf", family: "Karimi", aliases: []string{"Abu Bakr", "Jusuf"}, sex: "male", nats: []string{"AF"}})
	without := f.add(t, testChild{given: "Amina", family: "Haidari", sex: "female", nats: []string{"AF"}})
	user := f.insert(t, `INSERT INTO users (issuer, subject, username) VALUES ('test', 'po', 'po')`)
	roles := []models.Role{models.RoleProtectionOfficer}
	po := &models.Actor{UserID: user, Issuer: "test", Subject: "po", Roles: roles, RegionIDs: []int64{f.region},
		Permissions: auth.PermissionsFor(roles), ChildFields: auth.ChildFieldsFor(roles)}

	var queries atomic.Int64
	if err := f.db.Callback().Query().After("gorm:query").Register("test:count", func(*gorm.DB) { queries.Add(1) }); err != nil {
		t.Fatal(err)
	}
	v, err := f.reg.GetChild(ctx, po, with)
	if err != nil || v.ID != with || !slices.Equal(v.Aliases, []string{"Abu Bakr", "Jusuf"}) || v.RegionCode != "DUP" || v.TreatedAsChild == nil {
		t.Fatalf("record with aliases: %+v %v", v, err)
	}
	if n := queries.Load(); n != 2 || len(v.AgeAssessments) != 0 || !*v.TreatedAsChild {
		t.Errorf("statements of one read without age assessments: %d, want 2 (%+v)", n, v.AgeAssessments)
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
	if n := queries.Load(); err != nil || n != 3 || len(v.AgeAssessments) != 2 || v.AgeAssessments[0].Reason != "appeal" || *v.TreatedAsChild {
		t.Errorf("with age assessments: %d statements, want 3; %+v %v", n, v.AgeAssessments, err)
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
	if err := f.db.Exec(`INSERT INTO arrivals (child_id, arrived_at, border_post_id, location, how_found, notes, grants_scope)
		VALUES (?, ?, ?, 'Kakavijë', 'found_alone', 'tired', true)`, id, f.now.Add(-time.Hour), f.post).Error; err != nil {
		t.Fatal(err)
	}
	user := f.insert(t, `INSERT INTO users (issuer, subject, username) VALUES ('test', 'po', 'po')`)
	roles := []models.Role{models.RoleProtectionOfficer}
	po := &models.Actor{UserID: user, Issuer: "test", Subject: "po", Roles: roles, RegionIDs: []int64{f.region},
		Permissions: auth.PermissionsFor(roles), ChildFields: auth.ChildFieldsFor(roles)}
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
