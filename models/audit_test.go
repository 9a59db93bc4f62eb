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

	"golang.org/x/mod/sumdb/tlog"
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
	wantLeafHashes(t, events...)
	return events
}

// wantLeafHashes checks that every event carries the leaf hash of its own record.
func wantLeafHashes(t *testing.T, events ...*models.AuditEvent) {
	t.Helper()
	for _, ev := range events {
		rec, err := ev.LeafRecord()
		if err != nil {
			t.Fatal(err)
		}
		if h := tlog.RecordHash(rec); !bytes.Equal(ev.LeafHash, h[:]) || ev.PrevHash != nil || ev.Hash != nil {
			t.Fatalf("event %d: leaf hash %x, want %x (and no chain hashes: %x %x)", ev.ID, ev.LeafHash, h, ev.PrevHash, ev.Hash)
		}
	}
}

func countRows(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(`SELECT count(*) FROM audit_events`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAppendAuditLeafHashesAndHistory(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	events := appendThree(t, db)
	for i, ev := range events {
		if ev.ID == 0 || len(ev.LeafHash) != 32 {
			t.Fatalf("event %d: id %d, leaf hash %x", i, ev.ID, ev.LeafHash)
		}
	}
	var pending int64
	if err := db.Raw(`SELECT count(*) FROM audit_pending`).Scan(&pending).Error; err != nil {
		t.Fatal(err)
	}
	if pending != 3 {
		t.Fatalf("%d events queued for the sealer, want 3", pending)
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
		update.Reason != "placement changed" || !bytes.Equal(update.LeafHash, events[1].LeafHash) {
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
	// What jsonb gives back re-encodes to the record that was hashed.
	var back models.AuditEvent
	var changes string
	if err := db.Raw(`SELECT * FROM audit_events WHERE id = ?`, ev.ID).Scan(&back).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Raw(`SELECT changes::text FROM audit_events WHERE id = ?`, ev.ID).Scan(&changes).Error; err != nil {
		t.Fatal(err)
	}
	rec, err := models.AuditLeafRecord(&back, []byte(changes))
	if err != nil {
		t.Fatal(err)
	}
	if h := tlog.RecordHash(rec); !bytes.Equal(h[:], ev.LeafHash) {
		t.Fatalf("the stored row gives leaf %x, the append hashed %x", h, ev.LeafHash)
	}
	parsed, parsedChanges, err := models.ParseAuditLeafRecord(rec)
	if err != nil || parsedChanges != changesOf(t, ev) || !parsed.OccurredAt.Equal(ev.OccurredAt) || parsed.Action != ev.Action {
		t.Fatalf("record parsed back as %+v %s (%v)", parsed, parsedChanges, err)
	}
	if _, _, err := models.ParseAuditLeafRecord(append(rec, 0)); err == nil {
		t.Fatal("a record with a trailing byte parsed")
	}
	nilChanges := &models.AuditEvent{Action: "logout"}
	appendEvent(t, db, nilChanges)
	wantLeafHashes(t, nilChanges)
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
			// TRUNCATE meets the log's foreign key (migrations/00013) before the trigger.
			if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "foreign key") {
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
}

// Appends do not wait for each other: twenty transactions each hold their append open at
// once (with the old global lock they ran one at a time, and this would take 20 × 200 ms).
func TestAppendAuditConcurrentAppendersDoNotWait(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	// Every appender, its event written and its transaction still open, waits until all the
	// others have written theirs too. If appending took a lock held until commit (as the old
	// chain did), the second appender could never write and the meeting would never happen.
	// No timing threshold: only a generous time-out for the deadlock case.
	const n = 10
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs <- db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				ev := &models.AuditEvent{Action: "child.read", Entity: "child", EntityID: fmt.Sprint(i)}
				if err := models.AppendAudit(ctx, tx, ev); err != nil {
					return err
				}
				arrived.Done()
				select {
				case <-all:
					return nil
				case <-time.After(30 * time.Second):
					return errors.New("appenders waited for each other: not all of them could append while the others' transactions were open")
				}
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("appender: %v", err)
		}
	}
	if n := countRows(t, db); n != 10 {
		t.Fatalf("%d rows, want 10", n)
	}
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
	var pending int64
	if err := db.Raw(`SELECT count(*) FROM audit_pending`).Scan(&pending).Error; err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Fatalf("%d events queued after rollback, want 0", pending)
	}
	ev := &models.AuditEvent{Action: "child.update", Entity: "child", EntityID: "5"}
	appendEvent(t, db, ev)
	wantLeafHashes(t, ev)

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

func changesOf(t *testing.T, ev *models.AuditEvent) string {
	t.Helper()
	v, err := ev.Changes.Value()
	if err != nil {
		t.Fatal(err)
	}
	return v.(string)
}
