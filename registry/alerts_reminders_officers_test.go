package registry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/notify"
	"github.com/kujdes/kujdes/registry"
)

// reminderSent is one deadline reminder as written: to whom, on which child, which rule.
type reminderSent struct {
	User  int64
	Child string
	Rule  string
}

func (f *alertFixture) remindersSent(t *testing.T) []reminderSent {
	t.Helper()
	var rows []reminderSent
	mustScan(t, f.db, &rows, `SELECT a.user_id AS user, c.registration_number AS child, e.rule FROM alerts a
		JOIN alert_events e ON e.id = a.event_id JOIN children c ON c.id = e.child_id
		WHERE e.kind = 'deadline_due' ORDER BY 1, 2, 3`)
	return rows
}

// unguardedChild adds an active child of the fixture's region registered at registered, with
// no guardian.
func (f *alertFixture) unguardedChild(number string, registered time.Time) int64 {
	return f.exec(`INSERT INTO children (registration_number, region_id, registered_at, given_name, family_name, languages)
		VALUES (?, ?, ?, 'Karim', 'Sultani', '{fa}')`, number, f.region, registered)
}

// Reminders to protection officers (issue 10): the deadlines of a child who has no guardian
// at all go to the active protection officers of the child's region — S1, S2 counted from the
// asylum application (AppointDue), the first placement (S5), the return interview after the
// child is found (S10), the transition plan before 18 (S13) and the next legal step — and to
// nobody else; a child with a guardian (even a provisional one) is the guardian's to be
// reminded of; a closed case is nobody's. Once per day, recipient, child and rule, however
// many instances run the job at once; again the next day while still open.
func TestOfficerReminders(t *testing.T) {
	f := newAlertFixture(t)
	ctx := context.Background()
	now := f.now
	day := 24 * time.Hour

	// U-1: registered 20 h ago (S1 due in 4 h); turns 18 in 80 days, so its transition plan
	// was due 10 days ago (S13).
	u1 := f.unguardedChild("U-1", now.Add(-20*time.Hour))
	born := now.AddDate(-18, 0, 80).Format(time.DateOnly)
	if err := f.db.Exec(`UPDATE children SET birth_date_known = true, birth_date_from = ?, birth_date_to = ? WHERE id = ?`, born, born, u1).Error; err != nil {
		t.Fatal(err)
	}
	// U-2: registered 25 days ago, asylum application made 4 days ago: S2 counts from the
	// application (three weeks away: not reminded), the application's registration (APR27)
	// is due by the end of tomorrow; S1 and the first placement (S5) are overdue.
	u2 := f.unguardedChild("U-2", now.Add(-25*day))
	f.exec(`INSERT INTO legal_events (child_id, seq, kind, occurred_on) VALUES (?, 1, 'application_made', ?)`,
		u2, now.Add(-4*day).Format(time.DateOnly))
	// U-3: registered 3 days ago, found 30 hours ago after going missing, no return interview
	// yet: S10 due in 42 h.
	u3 := f.unguardedChild("U-3", now.Add(-3*day))
	f.exec(`INSERT INTO missing_episodes (child_id, last_seen_at, last_seen_place, discovered_at, discovered_by, risk_assessed, risk, reported_at, found_at)
		VALUES (?, ?, 'centre', ?, 'staff', 'medium', 'medium', ?, ?)`, u3, now.Add(-50*time.Hour), now.Add(-48*time.Hour), now.Add(-48*time.Hour), now.Add(-30*time.Hour))
	// U-4: registered 25 days ago, no application: S2 from registration is overdue.
	u4 := f.unguardedChild("U-4", now.Add(-25*day))
	// U-5: only a provisional guardian (appointed yesterday): S2 is the guardian's reminder.
	u5 := f.unguardedChild("U-5", now.Add(-25*day))
	f.appoint(u5, f.guardian.UserID, now.Add(-day), nil)
	// U-7: a provisional guardian and an application made 4 days ago: the guardian is
	// reminded of the legal step (APR27); S2 counts from the application, weeks away.
	u7 := f.unguardedChild("U-7", now.Add(-25*day))
	f.appoint(u7, f.guardian.UserID, now.Add(-day), nil)
	f.exec(`INSERT INTO legal_events (child_id, seq, kind, occurred_on) VALUES (?, 1, 'application_made', ?)`,
		u7, now.Add(-4*day).Format(time.DateOnly))
	// U-6: closed; nobody is reminded.
	u6 := f.unguardedChild("U-6", now.Add(-25*day))
	if err := f.db.Exec(`UPDATE children SET status = 'closed' WHERE id = ?`, u6).Error; err != nil {
		t.Fatal(err)
	}

	po1, there, g := f.po1.UserID, f.poThere.UserID, f.guardian.UserID
	want := []reminderSent{
		{po1, "U-1", "S1"}, {po1, "U-1", "S13"},
		{po1, "U-2", "APR27"}, {po1, "U-2", "S1"}, {po1, "U-2", "S5"},
		{po1, "U-3", "S1"}, {po1, "U-3", "S10"},
		{po1, "U-4", "S1"}, {po1, "U-4", "S2"}, {po1, "U-4", "S5"},
		{there, "T-2", "S1"}, // registered now in the other region: S1 due in 24 h
		{g, "U-5", "S2"}, {g, "U-7", "APR27"},
	}
	slices.SortFunc(want, func(x, y reminderSent) int {
		return strings.Compare(fmt.Sprint(x.User, " ", x.Child, " ", x.Rule), fmt.Sprint(y.User, " ", y.Child, " ", y.Rule))
	})
	sortSent := func(rs []reminderSent) []reminderSent {
		slices.SortFunc(rs, func(x, y reminderSent) int {
			return strings.Compare(fmt.Sprint(x.User, " ", x.Child, " ", x.Rule), fmt.Sprint(y.User, " ", y.Child, " ", y.Rule))
		})
		return rs
	}

	today := now.Format(time.DateOnly)
	var wg sync.WaitGroup
	totals := make([]int, 3)
	for i := range totals {
		wg.Go(func() {
			n, err := f.reg.SendDeadlineReminders(ctx, today)
			if err != nil {
				t.Error(err)
			}
			totals[i] = n
		})
	}
	wg.Wait()
	if s := totals[0] + totals[1] + totals[2]; s != len(want) {
		t.Errorf("three concurrent runs wrote %v reminders, want %d in all", totals, len(want))
	}
	if got := sortSent(f.remindersSent(t)); !slices.Equal(got, want) {
		t.Errorf("reminders\n got %v\nwant %v", got, want)
	}
	if n := f.count(t, `SELECT count(*) FROM alert_events WHERE kind = 'deadline_due'`); n != int64(len(want)) {
		t.Errorf("%d reminder events, want %d (none left over by the runs that found one sent)", n, len(want))
	}
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'alert_email'`); n != int64(len(want)) {
		t.Errorf("%d e-mail jobs, want one per reminder (%d)", n, len(want))
	}
	// The due dates are the rules' own: S2 of U-4 from registration, S10 72 h after the finding.
	var dues []struct {
		Child string
		Rule  string
		DueAt time.Time
	}
	mustScan(t, f.db, &dues, `SELECT c.registration_number AS child, e.rule, e.due_at FROM alert_events e JOIN children c ON c.id = e.child_id
		WHERE e.kind = 'deadline_due' AND e.rule IN ('S1', 'S10') AND c.registration_number IN ('U-1', 'U-3')`)
	for _, d := range dues {
		var wantDue time.Time
		switch d.Child + " " + d.Rule {
		case "U-1 S1":
			wantDue = now.Add(4 * time.Hour)
		case "U-3 S1":
			wantDue = now.Add(-2 * day)
		case "U-3 S10":
			wantDue = now.Add(42 * time.Hour)
		}
		if !d.DueAt.Equal(wantDue) {
			t.Errorf("%s %s due %v, want %v", d.Child, d.Rule, d.DueAt, wantDue)
		}
	}
	// The officer's alert list shows the reminder, naming the child (in scope).
	list, err := f.reg.ListAlerts(ctx, f.po1)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range list.Alerts {
		if a.Kind == "deadline_due" && a.ChildID == u1 && a.Rule == "S1" && a.InScope && a.ChildName == "Karim Sultani" && a.NoGuardian {
			found = true
		}
	}
	if !found {
		t.Errorf("po1's alerts lack U-1's S1 reminder, saying the child has no guardian: %+v", list.Alerts)
	}
	// The guardian's reminder is about a ward: it has a guardian.
	glist, err := f.reg.ListAlerts(ctx, f.guardian)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range glist.Alerts {
		if a.NoGuardian {
			t.Errorf("the guardian's reminder %+v says the child has no guardian", a)
		}
	}
	// Run again the same day: nothing new.
	if n, err := f.reg.SendDeadlineReminders(ctx, today); err != nil || n != 0 {
		t.Errorf("second run the same day: %d, %v; want 0", n, err)
	}
	// A guardian is appointed to U-4: from then on, its deadlines are the guardian's, not the
	// officers'. The next day, the officers are reminded again of what is still open.
	f.appoint(u4, f.former.UserID, now, nil)
	f.now = now.Add(day)
	n, err := f.reg.SendDeadlineReminders(ctx, f.now.Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	var nextDay []reminderSent
	mustScan(t, f.db, &nextDay, `SELECT a.user_id AS user, c.registration_number AS child, e.rule FROM alerts a
		JOIN alert_events e ON e.id = a.event_id JOIN children c ON c.id = e.child_id
		WHERE e.kind = 'deadline_due' AND a.dedup_key LIKE ? ORDER BY 1, 2, 3`, "deadline:"+f.now.Format(time.DateOnly)+":%")
	if len(nextDay) != n {
		t.Errorf("next day: %d new, %d rows", n, len(nextDay))
	}
	for _, r := range nextDay {
		if r.Child == "U-4" && r.User != f.former.UserID {
			t.Errorf("U-4 has a guardian now, yet user %d was reminded of its %s", r.User, r.Rule)
		}
	}
	if !slices.Contains(nextDay, reminderSent{po1, "U-2", "S1"}) || !slices.Contains(nextDay, reminderSent{po1, "U-3", "S10"}) {
		t.Errorf("next day's reminders lack what is still open: %v", nextDay)
	}
}

// The reminders to officers travel like every alert: the daily River job, run by two
// instances at once, e-mails each officer once per deadline through the real SMTP server, in
// English by default, naming no child.
func TestOfficerRemindersByEmail(t *testing.T) {
	f := newAlertFixture(t)
	f.unguardedChild("U-1", f.now.Add(-20*time.Hour)) // S1 due in 4 h, to po1
	// T-2 (the other region, registered now): S1 due in 24 h, to po-there.
	sm, wh := startSMTP(t), startWebhook(t)
	startWorker(t, f.url, f.reg, deliveryConfig(sm, wh))
	startWorker(t, f.url, f.reg, deliveryConfig(sm, wh))
	sm.waitFor(t, "two reminders", 60*time.Second, func(acc []arrival, _ int) bool { return len(acc) >= 2 })
	time.Sleep(2 * time.Second) // a duplicate would come now
	mails, _, _ := sm.snapshot()
	if k, rep := distinct(mails); len(mails) != 2 || k != 2 || rep != 1 {
		t.Fatalf("reminder e-mails: %d accepted, %d distinct; want 2 once each", len(mails), k)
	}
	got := map[string]string{}
	for _, m := range mails {
		to, subject, body := decodeMail(t, m.raw)
		got[to] = subject
		if strings.Contains(string(m.raw), "Karim") || strings.Contains(body, "Sultani") {
			t.Errorf("the reminder to %s names the child", to)
		}
		if !strings.Contains(body, "The child has no guardian yet") {
			t.Errorf("the reminder to %s does not say why it comes to an officer:\n%s", to, body)
		}
	}
	want := map[string]string{
		f.emailOf[f.po1.UserID]:     "Kujdes: S1 deadline for child U-1",
		f.emailOf[f.poThere.UserID]: "Kujdes: S1 deadline for child T-2",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reminders %v, want %v", got, want)
	}
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'deadline_reminders'`); n != 1 {
		t.Errorf("%d daily reminder jobs for two instances, want 1", n)
	}
	if hooks, _, _ := wh.snapshot(); len(hooks) != 0 {
		t.Errorf("%d webhooks for reminders; a reminder is not an event", len(hooks))
	}
}

// Turning 18 as a River periodic job (issue 10): with the registry's clock on a child's 18th
// birthday, two instances start; the day's age-out job runs once, the child's record moves to
// aged out (one transition, one audit row), the guardian loses access, a child turning 18
// tomorrow stays. An instance that takes over the same day does not run it again.
func TestAgeOutJob(t *testing.T) {
	f := newAlertFixture(t)
	ctx := context.Background()
	f.now = time.Date(2030, 3, 15, 8, 0, 0, 0, time.UTC)
	born := func(number, on string) int64 {
		id := f.exec(`INSERT INTO children (registration_number, region_id, registered_at, given_name, birth_date_known, birth_date_from, birth_date_to)
			VALUES (?, ?, '2029-01-10', 'Omar', true, ?, ?)`, number, f.region, on, on)
		f.exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at) VALUES (?, ?, 'full', '2029-01-11')`, id, f.guardian.UserID)
		return id
	}
	adult, tomorrow := born("A-1", "2012-03-15"), born("A-2", "2012-03-16")
	if _, err := f.reg.GetChild(ctx, f.guardian, adult); err != nil {
		t.Fatalf("the guardian reads the ward before the job: %v", err)
	}
	sm, wh := startSMTP(t).ignoreReminders(), startWebhook(t)
	cfg := deliveryConfig(sm, wh)
	first := startWorker(t, f.url, f.reg, cfg)
	second := startWorker(t, f.url, f.reg, cfg)
	waitUntil(t, "the age-out job to complete", 60*time.Second, func() bool {
		return f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'age_out' AND state = 'completed'`) == 1
	})
	status := func(id int64) string {
		var s string
		mustScan(t, f.db, &s, `SELECT status FROM children WHERE id = ?`, id)
		return s
	}
	if s := status(adult); s != "aged_out" {
		t.Errorf("A-1 on its 18th birthday: %s", s)
	}
	if s := status(tomorrow); s != "active" {
		t.Errorf("A-2, 18 tomorrow: %s", s)
	}
	if n := f.count(t, `SELECT count(*) FROM child_lifecycle_events WHERE child_id = ? AND transition = 'age_out' AND occurred_on = '2030-03-15'`, adult); n != 1 {
		t.Errorf("%d age-out transitions, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE actor_subject = 'system:age_out'`); n != 1 {
		t.Errorf("%d age-out audit rows, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM guardian_appointments WHERE child_id = ? AND end_reason = 'aged_out' AND ended_at IS NOT NULL`, adult); n != 1 {
		t.Errorf("the guardianship did not end with aged_out: %d", n)
	}
	if _, err := f.reg.GetChild(ctx, f.guardian, adult); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("the guardian still reads the aged-out record: %v", err)
	}
	if _, err := f.reg.GetChild(ctx, f.guardian, tomorrow); err != nil {
		t.Errorf("the guardian lost a ward who is 17: %v", err)
	}
	// Both instances stop (either may have been elected: which one wins is a race); a third
	// takes over the same day and inserts the day's job again at start: River's uniqueness
	// keeps it one.
	var leader string
	mustScan(t, f.db, &leader, `SELECT leader_id FROM river_leader`)
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, w := range []*notify.Service{first, second} {
		if err := w.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
	}
	startWorker(t, f.url, f.reg, cfg)
	waitUntil(t, "a new leader", 60*time.Second, func() bool {
		return f.count(t, `SELECT count(*) FROM river_leader WHERE leader_id <> ?`, leader) == 1
	})
	time.Sleep(2 * time.Second) // the new leader's start-up insert would land now
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'age_out'`); n != 1 {
		t.Errorf("%d age-out jobs for one day, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM child_lifecycle_events WHERE transition = 'age_out'`); n != 1 {
		t.Errorf("%d age-out transitions after the takeover, want 1", n)
	}
}

// waitUntil polls cond every 100 ms until it holds, or fails the test after timeout.
func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("waiting for %s: not after %v", what, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A child reported missing while the day's reminders are queued is not queued behind them:
// the reminders' e-mails run at a lower River priority, so the event's two e-mails are among
// the first the SMTP server receives, not after sixty reminders.
func TestMissingAlertOvertakesReminders(t *testing.T) {
	f := newAlertFixture(t)
	ctx := context.Background()
	for i := range 60 {
		f.unguardedChild(fmt.Sprintf("R-%02d", i), f.now.Add(-20*time.Hour)) // S1 due in 4 h, to po1
	}
	n, err := f.reg.SendDeadlineReminders(ctx, f.now.Format(time.DateOnly))
	if err != nil || n != 61 { // and T-2's, to po-there
		t.Fatalf("reminders %d, %v; want 61", n, err)
	}
	if err := registry.ReportMissingForTest(ctx, f.db, f.child, time.Now()); err != nil {
		t.Fatal(err)
	}
	if k := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'alert_email' AND priority = 3`); k != 61 {
		t.Errorf("%d reminder e-mails at priority 3, want 61", k)
	}
	sm, wh := startSMTP(t), startWebhook(t)
	startWorker(t, f.url, f.reg, deliveryConfig(sm, wh))
	sm.waitFor(t, "every e-mail", 120*time.Second, func(acc []arrival, _ int) bool { return len(acc) >= 63 })
	mails, _, _ := sm.snapshot()
	var at []int
	for i, m := range mails {
		if strings.Contains(string(m.raw), "Kujdes-Alert-Kind: child_missing") {
			at = append(at, i+1)
		}
	}
	// River fetches 8 jobs at a time (the queue's workers), most urgent first: the event's
	// e-mails are in the first fetch; a margin of a second fetch for arrival order.
	if len(at) != 2 || at[0] > 16 || at[1] > 16 {
		t.Errorf("the missing-child e-mails arrived at positions %v of %d, want both within the first 16", at, len(mails))
	}
}
