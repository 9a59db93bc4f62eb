package registry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// alertFixture: region "Here" with a protection officer (po1), an inactive officer of the
// region, an officer of another region, a border officer, a current guardian and a former
// guardian of the child; a child in the region and one elsewhere.
type alertFixture struct {
	db                                  *gorm.DB
	url                                 string
	reg                                 *registry.Registry
	now                                 time.Time
	region                              int64
	po1, poInactive, poThere, border    *models.Actor
	guardian, former                    *models.Actor
	child, elsewhere                    int64
	exec                                func(q string, args ...any) int64
	addChild                            func(number string) int64
	appoint                             func(child, guardian int64, start time.Time, end *time.Time)
	emailOf                             map[int64]string
	officerRegionName, childDisplayName string
}

func newAlertFixture(t *testing.T) *alertFixture {
	t.Helper()
	url := testdb.URL(t)
	db, err := models.Open(context.Background(), url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	f := &alertFixture{db: db, url: url, reg: registry.New(db), now: time.Now().UTC().Truncate(time.Second), emailOf: map[int64]string{}}
	f.reg.Now = func() time.Time { return f.now }
	f.exec = func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	f.region = f.exec(`INSERT INTO regions (code, name) VALUES ('GRA', 'Here')`)
	there := f.exec(`INSERT INTO regions (code, name) VALUES ('GRB', 'There')`)
	user := func(name string, active bool, roles []models.Role, regions ...int64) *models.Actor {
		rs := make([]string, len(roles))
		for i, r := range roles {
			rs[i] = string(r)
		}
		email := name + "@example.org"
		id := f.exec(`INSERT INTO users (issuer, subject, username, display_name, email, active, roles) VALUES ('test', ?, ?, ?, ?, ?, ?)`,
			name, name, "Name "+name, email, active, models.Strings(rs))
		for _, r := range regions {
			if err := db.Exec(`INSERT INTO user_regions (user_id, region_id) VALUES (?, ?)`, id, r).Error; err != nil {
				t.Fatal(err)
			}
		}
		f.emailOf[id] = email
		return &models.Actor{UserID: id, Issuer: "test", Subject: name, Roles: roles, RegionIDs: regions, Permissions: auth.PermissionsFor(roles)}
	}
	po := []models.Role{models.RoleProtectionOfficer}
	f.po1 = user("po1", true, po, f.region)
	f.poInactive = user("po-inactive", false, po, f.region)
	f.poThere = user("po-there", true, po, there)
	f.border = user("border1", true, []models.Role{models.RoleBorderOfficer})
	f.guardian = user("g1", true, []models.Role{models.RoleGuardian})
	f.former = user("g2", true, []models.Role{models.RoleGuardian})
	n := 0
	f.addChild = func(number string) int64 {
		n++
		return f.exec(`INSERT INTO children (registration_number, region_id, registered_at, given_name, family_name, languages)
			VALUES (?, ?, ?, 'Amira', 'Haddad', '{ar}')`, number, f.region, f.now.Add(-72*time.Hour))
	}
	f.appoint = func(child, guardian int64, start time.Time, end *time.Time) {
		f.exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at, ended_at) VALUES (?, ?, 'provisional', ?, ?)`,
			child, guardian, start, end)
	}
	f.child = f.addChild("T-1")
	f.elsewhere = f.exec(`INSERT INTO children (registration_number, region_id, registered_at) VALUES ('T-2', ?, ?)`, there, f.now)
	ended := f.now.Add(-24 * time.Hour)
	f.appoint(f.child, f.former.UserID, f.now.Add(-60*24*time.Hour), &ended)
	f.appoint(f.child, f.guardian.UserID, f.now.Add(-24*time.Hour), nil)
	return f
}

func (f *alertFixture) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	mustScan(t, f.db, &n, q, args...)
	return n
}

// The people responsible hear about the event, and nobody else: the region's active
// protection officers and the child's current guardian — not an inactive officer, an officer
// of another region, a border officer or a former guardian. The jobs that deliver it are in
// the queue, committed with the event.
func TestAlertRecipients(t *testing.T) {
	f := newAlertFixture(t)
	ctx := context.Background()
	if err := registry.ReportMissingForTest(ctx, f.db, f.child, f.now); err != nil {
		t.Fatal(err)
	}
	var got []int64
	mustScan(t, f.db, &got, `SELECT user_id FROM alerts ORDER BY user_id`)
	want := []int64{f.po1.UserID, f.guardian.UserID}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("recipients %v, want po1 and the current guardian %v", got, want)
	}
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'alert_email' AND state = 'available' AND queue = 'alerts'`); n != 2 {
		t.Errorf("%d e-mail jobs, want 2", n)
	}
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'alert_webhook' AND state = 'available'`); n != 1 {
		t.Errorf("%d webhook jobs, want 1 per event", n)
	}
	if n := f.count(t, `SELECT count(*) FROM alert_events e JOIN missing_episodes m ON m.id = e.episode_id AND m.child_id = e.child_id
		WHERE e.kind = 'child_missing' AND e.child_id = ?`, f.child); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
	// A child elsewhere alerts that region's officer only (it has no guardian).
	if err := registry.ReportMissingForTest(ctx, f.db, f.elsewhere, f.now); err != nil {
		t.Fatal(err)
	}
	mustScan(t, f.db, &got, `SELECT a.user_id FROM alerts a JOIN alert_events e ON e.id = a.event_id WHERE e.child_id = ?`, f.elsewhere)
	if !slices.Equal(got, []int64{f.poThere.UserID}) {
		t.Errorf("recipients elsewhere %v, want %v", got, []int64{f.poThere.UserID})
	}
}

// A transaction that fails after enqueueing leaves nothing: no status change, no alert, no
// job. (This is what makes the alert impossible to lose or to send for nothing.)
func TestAlertsRollBackWithTheEvent(t *testing.T) {
	f := newAlertFixture(t)
	err := registry.ReportMissingThenFailForTest(context.Background(), f.db, f.child, f.now)
	if !errors.Is(err, registry.ErrTestCrash) {
		t.Fatalf("err %v", err)
	}
	for q, want := range map[string]int64{
		`SELECT count(*) FROM alerts`:                            0,
		`SELECT count(*) FROM alert_events`:                      0,
		`SELECT count(*) FROM river_job`:                         0,
		`SELECT count(*) FROM children WHERE status = 'missing'`: 0,
	} {
		if n := f.count(t, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
}

func TestListAlertsAndMarkRead(t *testing.T) {
	f := newAlertFixture(t)
	ctx := context.Background()
	if err := registry.ReportMissingForTest(ctx, f.db, f.child, f.now); err != nil {
		t.Fatal(err)
	}
	if n, err := f.reg.UnreadAlerts(ctx, f.po1); err != nil || n != 1 {
		t.Fatalf("po1 unread %d, %v; want 1", n, err)
	}
	list, err := f.reg.ListAlerts(ctx, f.po1)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Alerts) != 1 || list.Unread != 1 {
		t.Fatalf("po1's list %+v", list)
	}
	al := list.Alerts[0]
	if al.Kind != "child_missing" || al.RegistrationNumber != "T-1" || al.ChildID != f.child || !al.InScope || al.ChildName != "Amira Haddad" {
		t.Errorf("alert %+v", al)
	}
	// Naming the child is a disclosure, in the child's access history.
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'child.alert_listed' AND entity_id = ? AND actor_user_id = ?`,
		fmt.Sprint(f.child), f.po1.UserID); n != 1 {
		t.Errorf("%d access-history rows for the listing, want 1", n)
	}
	// Someone else's alert is not found, and stays unread.
	for _, other := range []*models.Actor{f.guardian, f.border} {
		if err := f.reg.MarkAlertRead(ctx, other, al.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("user %d marking po1's alert: %v, want not found", other.UserID, err)
		}
	}
	if err := f.reg.MarkAlertRead(ctx, f.po1, al.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.MarkAlertRead(ctx, f.po1, al.ID); err != nil {
		t.Errorf("marking read again: %v", err)
	}
	if n, _ := f.reg.UnreadAlerts(ctx, f.po1); n != 0 {
		t.Errorf("po1 unread after marking: %d", n)
	}
	if n, _ := f.reg.UnreadAlerts(ctx, f.guardian); n != 1 {
		t.Errorf("the guardian's own alert is unread still: %d", n)
	}
	// The guardian's appointment ends: the alert stays, but the child is out of scope — the
	// registration number and the kind only.
	if err := f.db.Exec(`UPDATE guardian_appointments SET ended_at = ? WHERE guardian_user_id = ?`, f.now.Add(-time.Minute), f.guardian.UserID).Error; err != nil {
		t.Fatal(err)
	}
	list, err = f.reg.ListAlerts(ctx, f.guardian)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Alerts) != 1 || list.Alerts[0].InScope || list.Alerts[0].ChildName != "" || list.Alerts[0].RegistrationNumber != "T-1" {
		t.Errorf("former guardian's list %+v", list.Alerts)
	}
	// No permission, no list.
	if _, err := f.reg.ListAlerts(ctx, &models.Actor{UserID: f.po1.UserID}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("without alerts.read: %v", err)
	}
}

// The daily reminders: a ward's visit (S8) falling due tomorrow is reminded to the guardian
// once a day, however many instances run the job at once; a deadline weeks away is not.
func TestDeadlineReminders(t *testing.T) {
	f := newAlertFixture(t)
	ctx := context.Background()
	// The fixture's guardian was appointed yesterday: S8 is due in 29 days — not yet. (T-2,
	// elsewhere, gets a guardian too: a child without one is its region's officers' to be
	// reminded of, TestOfficerReminders.)
	f.appoint(f.elsewhere, f.former.UserID, f.now, nil)
	day := f.now.Format(time.DateOnly)
	if n, err := f.reg.SendDeadlineReminders(ctx, day); err != nil || n != 0 {
		t.Fatalf("reminders %d, %v; want none", n, err)
	}
	// A second ward appointed 29 days ago and never visited: S8 due in a day.
	due := f.addChild("T-3")
	f.appoint(due, f.guardian.UserID, f.now.Add(-29*24*time.Hour), nil)
	var wg sync.WaitGroup
	totals := make([]int, 3)
	for i := range totals {
		wg.Go(func() {
			n, err := f.reg.SendDeadlineReminders(ctx, day)
			if err != nil {
				t.Error(err)
			}
			totals[i] = n
		})
	}
	wg.Wait()
	if s := totals[0] + totals[1] + totals[2]; s != 1 {
		t.Errorf("three concurrent runs wrote %v reminders, want 1 in all", totals)
	}
	type row struct {
		UserID  int64
		ChildID int64
		Rule    string
		DueAt   time.Time
	}
	var rows []row
	mustScan(t, f.db, &rows, `SELECT a.user_id, e.child_id, e.rule, e.due_at FROM alerts a JOIN alert_events e ON e.id = a.event_id WHERE e.kind = 'deadline_due'`)
	want := f.now.Add(-29 * 24 * time.Hour).Add(30 * 24 * time.Hour)
	if len(rows) != 1 || rows[0].UserID != f.guardian.UserID || rows[0].ChildID != due || rows[0].Rule != "S8" || !rows[0].DueAt.Equal(want) {
		t.Errorf("reminders %+v, want S8 for T-3 due %v to the guardian", rows, want)
	}
	if n := f.count(t, `SELECT count(*) FROM alert_events WHERE kind = 'deadline_due'`); n != 1 {
		t.Errorf("%d reminder events, want 1 (none left over by the runs that found it sent)", n)
	}
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'alert_email'`); n != 1 {
		t.Errorf("%d e-mail jobs for reminders, want 1", n)
	}
	// The next day it is reminded again (still due, and then overdue).
	f.now = f.now.Add(24 * time.Hour)
	if n, err := f.reg.SendDeadlineReminders(ctx, f.now.Format(time.DateOnly)); err != nil || n != 1 {
		t.Errorf("next day: %d, %v; want 1", n, err)
	}
	if _, err := f.reg.SendDeadlineReminders(ctx, "yesterday"); err == nil {
		t.Error("a malformed day is refused")
	}
}

// The seam's validation: a found child alerts the same people; an unknown kind or an event
// without a time is refused and writes nothing.
func TestEnqueueAlertsKinds(t *testing.T) {
	f := newAlertFixture(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		ev   registry.AlertEvent
		ok   bool
	}{
		{"found", registry.AlertEvent{Kind: "child_found", ChildID: f.child, EpisodeID: 3, At: f.now}, true},
		{"unknown kind", registry.AlertEvent{Kind: "child_sad", ChildID: f.child, At: f.now}, false},
		{"deadline kind is not an event", registry.AlertEvent{Kind: "deadline_due", ChildID: f.child, At: f.now}, false},
		{"no time", registry.AlertEvent{Kind: "child_missing", ChildID: f.child}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := f.count(t, `SELECT count(*) FROM alerts`)
			err := registry.EnqueueAlertsForTest(ctx, f.db, tt.ev)
			after := f.count(t, `SELECT count(*) FROM alerts`)
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, want ok %v", err, tt.ok)
			}
			if (tt.ok && after-before != 2) || (!tt.ok && after != before) {
				t.Errorf("alerts %d → %d", before, after)
			}
		})
	}
	if n := f.count(t, `SELECT count(*) FROM alert_events WHERE kind = 'child_found' AND episode_id = 3`); n != 1 {
		t.Errorf("%d found events, want 1", n)
	}
}
