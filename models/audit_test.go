// External test package: internal/testdb imports models.
package models_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// openPair returns two handles on one fresh database: the application's role (the owner, not a
// superuser) and the server's admin (a superuser), who can disable triggers.
func openPair(t *testing.T) (app, admin *gorm.DB) {
	t.Helper()
	raw := testdb.URL(t)
	app = open(t, raw)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	conf := testdb.Config(t)
	if conf.Password != "" {
		u.User = url.UserPassword(conf.User, conf.Password)
	} else {
		u.User = url.User(conf.User)
	}
	admin = open(t, u.String())
	for _, c := range []struct {
		db   *gorm.DB
		want bool
	}{{app, false}, {admin, true}} {
		var super bool
		if err := c.db.Raw(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super).Error; err != nil {
			t.Fatal(err)
		}
		if super != c.want {
			t.Fatalf("rolsuper = %v, want %v: the test would prove nothing", super, c.want)
		}
	}
	return app, admin
}

func open(t *testing.T, raw string) *gorm.DB {
	t.Helper()
	db, err := models.Open(context.Background(), raw, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	// Registered after testdb's cleanup, so it runs first: the database is dropped once closed.
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// appendEvent appends ev in a transaction of its own.
func appendEvent(t *testing.T, db *gorm.DB, ev *models.AuditEvent) {
	t.Helper()
	ctx := context.Background()
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return models.AppendAudit(ctx, tx, ev)
	})
	if err != nil {
		t.Fatalf("append %s: %v", ev.Action, err)
	}
}

// appendThree writes three events about child 42 and checks that the chain is intact.
func appendThree(t *testing.T, db *gorm.DB) []*models.AuditEvent {
	t.Helper()
	uid := int64(7)
	events := []*models.AuditEvent{
		{Action: "child.read", Entity: "child", EntityID: "42", ActorUserID: &uid, ActorRoles: "guardian", RequestID: "r1", ClientIP: "10.0.0.1"},
		{Action: "child.update", Entity: "child", EntityID: "42", ActorUserID: &uid, Reason: "placement changed",
			Changes: models.AuditChanges{"status": {Before: "active", After: "missing"}, "name": {}}},
		{Action: "child.read", Entity: "child", EntityID: "42", Outcome: "denied"},
	}
	for _, ev := range events {
		appendEvent(t, db, ev)
	}
	wantVerification(t, db, models.AuditVerification{Checked: 3})
	return events
}

func wantVerification(t *testing.T, db *gorm.DB, want models.AuditVerification) models.AuditVerification {
	t.Helper()
	got, err := models.VerifyAudit(context.Background(), db)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if got.Checked != want.Checked || got.FirstBrokenID != want.FirstBrokenID {
		t.Fatalf("verify = %+v, want checked %d, first broken %d", got, want.Checked, want.FirstBrokenID)
	}
	if (got.FirstBrokenID == 0) != (got.Problem == "") {
		t.Fatalf("verify = %+v: a problem goes with a broken row and only then", got)
	}
	return got
}

func countRows(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(`SELECT count(*) FROM audit_events`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAppendAuditChainsAndHistory(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	events := appendThree(t, db)

	zero := make([]byte, 32)
	for i, ev := range events {
		if ev.ID == 0 || len(ev.Hash) != 32 {
			t.Fatalf("event %d: id %d, hash %x", i, ev.ID, ev.Hash)
		}
		want := zero
		if i > 0 {
			want = events[i-1].Hash
		}
		if !bytes.Equal(ev.PrevHash, want) {
			t.Fatalf("event %d: prev_hash %x, want %x", i, ev.PrevHash, want)
		}
	}
	if events[0].Outcome != "ok" || events[2].Outcome != "denied" {
		t.Fatalf("outcomes %q, %q", events[0].Outcome, events[2].Outcome)
	}

	ctx := context.Background()
	got, err := models.AuditHistory(ctx, db, "child", "42", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("history has %d events, want 3", len(got))
	}
	for i, ev := range got {
		want := events[len(events)-1-i]
		if ev.ID != want.ID || ev.Action != want.Action || ev.Outcome != want.Outcome {
			t.Fatalf("history[%d] = %d %s %s, want %d %s %s", i, ev.ID, ev.Action, ev.Outcome, want.ID, want.Action, want.Outcome)
		}
	}
	update := got[1]
	if !update.OccurredAt.Equal(events[1].OccurredAt) || update.ActorUserID == nil || *update.ActorUserID != 7 ||
		update.Reason != "placement changed" || !bytes.Equal(update.Hash, events[1].Hash) {
		t.Fatalf("update read back as %+v", update)
	}
	if fc := update.Changes["status"]; fc.Before != "active" || fc.After != "missing" {
		t.Fatalf("status change read back as %+v", fc)
	}
	if fc, ok := update.Changes["name"]; !ok || fc.Before != nil || fc.After != nil {
		t.Fatalf("withheld name change read back as %+v (present %v)", fc, ok)
	}

	newest, err := models.AuditHistory(ctx, db, "child", "42", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(newest) != 2 || newest[0].ID != events[2].ID || newest[1].ID != events[1].ID {
		t.Fatalf("limit 2 gave %d events", len(newest))
	}
	other, err := models.AuditHistory(ctx, db, "child", "43", 10)
	if err != nil {
		t.Fatal(err)
	}
	if other == nil || len(other) != 0 {
		t.Fatalf("another child's history = %#v, want empty", other)
	}
	if _, err := models.AuditHistory(ctx, db, "", "42", 10); err == nil {
		t.Fatal("history without an entity: no error")
	}
}

// Values whose text jsonb rewrites (key order, big integers, -0, HTML characters, nanoseconds)
// must still verify.
func TestAppendAuditCanonicalEncoding(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	at := time.Date(2026, 3, 1, 12, 30, 45, 123456789, time.FixedZone("CET", 3600))
	ev := &models.AuditEvent{
		OccurredAt: at,
		Action:     "child.update",
		Entity:     "child",
		EntityID:   "1",
		Changes: models.AuditChanges{
			"zeta":   {Before: int64(9007199254740993), After: 1.5},
			"alpha":  {Before: math.Copysign(0, -1), After: 1e21},
			"note":   {After: "<b>Ç & ش</b>\u2028"},
			"tags":   {Before: []string{"a"}, After: map[string]any{"y": true, "x": nil}},
			"secret": {},
		},
	}
	appendEvent(t, db, ev)
	if want := at.UTC().Truncate(time.Microsecond); !ev.OccurredAt.Equal(want) || ev.OccurredAt.Location() != time.UTC {
		t.Fatalf("occurred_at = %v, want %v in UTC", ev.OccurredAt, want)
	}
	var stored time.Time
	if err := db.Raw(`SELECT occurred_at FROM audit_events WHERE id = ?`, ev.ID).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if !stored.Equal(ev.OccurredAt) {
		t.Fatalf("stored occurred_at %v, event says %v", stored, ev.OccurredAt)
	}
	var withheld bool
	if err := db.Raw(`SELECT changes->'secret' = '{}'::jsonb FROM audit_events WHERE id = ?`, ev.ID).Scan(&withheld).Error; err != nil {
		t.Fatal(err)
	}
	if !withheld {
		t.Fatal(`a withheld field is not stored as {}`)
	}
	appendEvent(t, db, &models.AuditEvent{Action: "logout"}) // nil changes
	wantVerification(t, db, models.AuditVerification{Checked: 2})
}

func TestAuditEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	app, _ := openPair(t)
	appendThree(t, app)
	for _, stmt := range []string{
		`UPDATE audit_events SET reason = 'x'`,
		`DELETE FROM audit_events`,
		`DELETE FROM audit_events WHERE id = 2`,
		`TRUNCATE audit_events`,
	} {
		t.Run(stmt, func(t *testing.T) {
			err := app.Exec(stmt).Error
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("err = %v, want the append-only refusal", err)
			}
		})
	}
	if n := countRows(t, app); n != 3 {
		t.Fatalf("%d rows left, want 3", n)
	}
	var changed int64
	if err := app.Raw(`SELECT count(*) FROM audit_events WHERE reason = 'x'`).Scan(&changed).Error; err != nil {
		t.Fatal(err)
	}
	if changed != 0 {
		t.Fatalf("%d rows were updated", changed)
	}
	wantVerification(t, app, models.AuditVerification{Checked: 3})
}

// A superuser can switch the triggers off; the chain still tells.
func TestVerifyAuditDetectsTampering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		disable     string
		tamper      string
		want        models.AuditVerification
		wantProblem string
	}{
		{"reason altered", "USER", `UPDATE audit_events SET reason = 'nothing to see' WHERE id = 2`,
			models.AuditVerification{Checked: 2, FirstBrokenID: 2}, "altered"},
		{"timestamp moved by a microsecond", "ALL", `UPDATE audit_events SET occurred_at = occurred_at + interval '1 microsecond' WHERE id = 2`,
			models.AuditVerification{Checked: 2, FirstBrokenID: 2}, "altered"},
		{"key added to changes", "USER", `UPDATE audit_events SET changes = changes || '{"extra": {}}' WHERE id = 2`,
			models.AuditVerification{Checked: 2, FirstBrokenID: 2}, "altered"},
		{"key added inside a field change", "USER", `UPDATE audit_events SET changes = jsonb_set(changes, '{status,note}', '"approved"') WHERE id = 2`,
			models.AuditVerification{Checked: 2, FirstBrokenID: 2}, "altered"},
		{"changes no longer field changes", "USER", `UPDATE audit_events SET changes = '[]' WHERE id = 2`,
			models.AuditVerification{Checked: 2, FirstBrokenID: 2}, "changes"},
		{"middle row deleted", "ALL", `DELETE FROM audit_events WHERE id = 2`,
			models.AuditVerification{Checked: 2, FirstBrokenID: 3}, "row 1"},
		{"first row deleted", "USER", `DELETE FROM audit_events WHERE id = 1`,
			models.AuditVerification{Checked: 1, FirstBrokenID: 2}, "first row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, admin := openPair(t)
			events := appendThree(t, app)
			if events[1].ID != 2 {
				t.Fatalf("ids start at %d", events[0].ID)
			}
			for _, stmt := range []string{
				`ALTER TABLE audit_events DISABLE TRIGGER ` + tt.disable,
				tt.tamper,
				`ALTER TABLE audit_events ENABLE TRIGGER ALL`,
			} {
				if err := admin.Exec(stmt).Error; err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			got := wantVerification(t, app, tt.want)
			if !strings.Contains(got.Problem, tt.wantProblem) {
				t.Fatalf("problem %q does not mention %q", got.Problem, tt.wantProblem)
			}
		})
	}
}

// More rows than one verification batch: the link carries across batches, and a row altered in
// a later batch is still found.
func TestVerifyAuditStreamsBatches(t *testing.T) {
	t.Parallel()
	app, admin := openPair(t)
	ctx := context.Background()
	const n = 1234
	err := app.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i := range n {
			ev := &models.AuditEvent{Action: "child.read", Entity: "child", EntityID: fmt.Sprint(i % 10)}
			if err := models.AppendAudit(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantVerification(t, app, models.AuditVerification{Checked: n})
	for _, stmt := range []string{
		`ALTER TABLE audit_events DISABLE TRIGGER USER`,
		`UPDATE audit_events SET entity_id = '99' WHERE id = 1100`,
	} {
		if err := admin.Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	wantVerification(t, app, models.AuditVerification{Checked: 1100, FirstBrokenID: 1100})
}

func TestAppendAuditConcurrentAppendersKeepOneChain(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	const n = 20
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs <- db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				ev := &models.AuditEvent{Action: "child.read", Entity: "child", EntityID: fmt.Sprint(i)}
				if err := models.AppendAudit(ctx, tx, ev); err != nil {
					return err
				}
				// Keep the transaction open a little: without the lock, others would read a
				// last hash that is about to be superseded.
				return tx.Exec(`SELECT pg_sleep(0.005)`).Error
			})
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("appender: %v", err)
		}
	}
	if n := countRows(t, db); n != 20 {
		t.Fatalf("%d rows, want 20", n)
	}
	wantVerification(t, db, models.AuditVerification{Checked: n})
}

func TestAppendAuditSharesTheCallersTransaction(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	boom := errors.New("the change failed")
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.AppendAudit(ctx, tx, &models.AuditEvent{Action: "child.update", Entity: "child", EntityID: "5"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction: %v", err)
	}
	if n := countRows(t, db); n != 0 {
		t.Fatalf("%d rows after rollback, want 0", n)
	}
	ev := &models.AuditEvent{Action: "child.update", Entity: "child", EntityID: "5"}
	appendEvent(t, db, ev)
	if !bytes.Equal(ev.PrevHash, make([]byte, 32)) {
		t.Fatalf("prev_hash after a rolled-back append = %x, want zeros", ev.PrevHash)
	}
	wantVerification(t, db, models.AuditVerification{Checked: 1})

	t.Run("outside a transaction", func(t *testing.T) {
		err := models.AppendAudit(ctx, db, &models.AuditEvent{Action: "child.read"})
		if err == nil {
			t.Fatal("no error")
		}
		if n := countRows(t, db); n != 1 {
			t.Fatalf("%d rows, want 1", n)
		}
	})
}

func TestAuditEventSetActor(t *testing.T) {
	ev := models.AuditEvent{ActorIssuer: "stale"}
	ev.SetActor(&models.Actor{UserID: 9, Issuer: "https://idp", Subject: "abc",
		Roles: []models.Role{models.RoleGuardian, models.RoleMonitor}})
	if ev.ActorUserID == nil || *ev.ActorUserID != 9 || ev.ActorIssuer != "https://idp" ||
		ev.ActorSubject != "abc" || ev.ActorRoles != "guardian,monitor" {
		t.Fatalf("SetActor: %+v", ev)
	}
	ev.SetActor(nil)
	if ev.ActorUserID != nil || ev.ActorIssuer != "" || ev.ActorSubject != "" || ev.ActorRoles != "" {
		t.Fatalf("SetActor(nil): %+v", ev)
	}
}
