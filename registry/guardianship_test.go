package registry_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/internal/workdays"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

func TestCheckAppointment(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	reg := now.Add(-72 * time.Hour)
	day := func(s string) *time.Time { d, _ := time.Parse(time.DateOnly, s); return &d }
	ok := registry.AppointmentCheck{Kind: "provisional", GuardianActive: true, ActiveWards: 3, Cap: 30,
		GuardianLanguages: []string{"ar"}, ChildLanguages: []string{"ar-SY"}, Registered: reg, Now: now}
	full := ok
	full.Kind, full.Authority, full.Reference, full.DecidedOn = "full", "Gjykata e Rrethit Gjirokastër", "Nr. 123/2026", day("2026-05-03")
	with := func(base registry.AppointmentCheck, f func(*registry.AppointmentCheck)) registry.AppointmentCheck {
		f(&base)
		return base
	}
	for _, tt := range []struct {
		name string
		in   registry.AppointmentCheck
		want []string
	}{
		{"provisional, shared language, under cap", ok, nil},
		{"full with its decision", full, nil},
		{"unknown kind", with(ok, func(c *registry.AppointmentCheck) { c.Kind = "temporary" }), []string{"kind:code_unknown"}},
		{"inactive guardian", with(ok, func(c *registry.AppointmentCheck) { c.GuardianActive = false }), []string{"guardian_id:guardian_inactive"}},
		// Conflict of interest.
		{"declared conflict blocks", with(ok, func(c *registry.AppointmentCheck) { c.Conflict = true }), []string{"guardian_id:guardian_conflict_of_interest"}},
		{"a cap override does not lift a conflict", with(ok, func(c *registry.AppointmentCheck) {
			c.Conflict, c.ActiveWards, c.OverrideReason, c.MayOverride = true, 30, "No other Pashto speaker in the region.", true
		}), []string{"guardian_id:guardian_conflict_of_interest"}},
		// Caseload cap (S3): the boundary is the cap itself.
		{"the 30th ward is within the cap", with(ok, func(c *registry.AppointmentCheck) { c.ActiveWards = 29 }), nil},
		{"the 31st ward is over the cap", with(ok, func(c *registry.AppointmentCheck) { c.ActiveWards = 30 }), []string{"cap_override_reason:guardian_over_cap"}},
		{"over the guardian's own cap", with(ok, func(c *registry.AppointmentCheck) { c.ActiveWards, c.Cap = 5, 5 }), []string{"cap_override_reason:guardian_over_cap"}},
		{"over the cap with an officer's override", with(ok, func(c *registry.AppointmentCheck) {
			c.ActiveWards, c.OverrideReason, c.MayOverride = 30, "Only guardian speaking Pashto in Gjirokastër.", true
		}), nil},
		{"override by someone who may not", with(ok, func(c *registry.AppointmentCheck) {
			c.ActiveWards, c.OverrideReason = 30, "Only guardian speaking Pashto in Gjirokastër."
		}), []string{"cap_override_reason:guardian_override_not_allowed"}},
		{"override reason too short", with(ok, func(c *registry.AppointmentCheck) {
			c.ActiveWards, c.OverrideReason, c.MayOverride = 31, "urgent", true
		}), []string{"cap_override_reason:guardian_override_too_short"}},
		{"override when under the cap is refused", with(ok, func(c *registry.AppointmentCheck) {
			c.OverrideReason, c.MayOverride = "Only guardian speaking Pashto in Gjirokastër.", true
		}), []string{"cap_override_reason:guardian_override_not_needed"}},
		// Language and interpretation.
		{"no shared language, no arrangements", with(ok, func(c *registry.AppointmentCheck) { c.GuardianLanguages = []string{"sq", "en"} }),
			[]string{"interpretation:guardian_interpretation_required"}},
		{"no shared language, interpreter arranged", with(ok, func(c *registry.AppointmentCheck) {
			c.GuardianLanguages, c.Interpretation = []string{"sq", "en"}, "Arabic interpreter from the regional office at every visit."
		}), nil},
		{"blank arrangements are none", with(ok, func(c *registry.AppointmentCheck) { c.GuardianLanguages, c.Interpretation = []string{"sq"}, "  \n " }),
			[]string{"interpretation:guardian_interpretation_required"}},
		{"child with no recorded language needs arrangements", with(ok, func(c *registry.AppointmentCheck) { c.ChildLanguages = nil }),
			[]string{"interpretation:guardian_interpretation_required"}},
		{"Dari (fa-AF) matches Persian (fa)", with(ok, func(c *registry.AppointmentCheck) {
			c.GuardianLanguages, c.ChildLanguages = []string{"fa"}, []string{"fa-AF"}
		}), nil},
		// The decision of a full appointment.
		{"full without a decision", with(full, func(c *registry.AppointmentCheck) { c.Authority, c.Reference, c.DecidedOn = " ", "", nil }),
			[]string{"appointing_authority:required", "decided_on:required", "decision_reference:required"}},
		{"decision in the future", with(full, func(c *registry.AppointmentCheck) { c.DecidedOn = day("2026-05-06") }), []string{"decided_on:date_in_future"}},
		{"decision before registration", with(full, func(c *registry.AppointmentCheck) { c.DecidedOn = day("2026-04-30") }),
			[]string{"decided_on:guardian_decided_before_registration"}},
		{"decision on the day of registration", with(full, func(c *registry.AppointmentCheck) { c.DecidedOn = day("2026-05-01") }), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if v := registry.CheckAppointment(tt.in); v != nil {
				err = v
			}
			if got := problems(t, err); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGuardianDeadlines(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Tirane")
	g := registry.DefaultGuardianRules()
	g.Calendar = workdays.MustAlbania([]time.Time{time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)})
	reg := time.Date(2026, 3, 2, 10, 0, 0, 0, loc) // a Monday
	if got := g.ProvisionalDue(reg); !got.Equal(reg.Add(24 * time.Hour)) {
		t.Errorf("S1 due %v", got)
	}
	// S2: 15 working days; 16 March (Summer Day observed), 20 March (Bajram) and 23 March
	// (Nevruz observed) are not working days.
	due := g.AppointDue(reg, nil)
	if d := due.In(loc).Format(time.DateOnly); d != "2026-03-26" {
		t.Errorf("S2 due %s, want 2026-03-26", d)
	}
	if !due.Before(time.Date(2026, 3, 27, 0, 0, 0, 0, loc)) || due.Before(time.Date(2026, 3, 26, 23, 59, 59, 0, loc)) {
		t.Errorf("S2 due %v is not the end of 26 March in Tirana", due.In(loc))
	}
	// S8: 30 days after the later of the last visit and the appointment.
	start := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	seen := time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	early := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		last *time.Time
		want time.Time
	}{
		{"never visited", nil, start.AddDate(0, 0, 30)},
		{"visited", &seen, seen.AddDate(0, 0, 30)},
		{"a visit before this appointment does not count", &early, start.AddDate(0, 0, 30)},
	} {
		if got := g.NextVisitDue(tt.last, start); !got.Equal(tt.want) {
			t.Errorf("%s: next visit %v, want %v", tt.name, got, tt.want)
		}
	}
	if g.EffectiveCap(nil) != 30 || g.EffectiveCap(intp(12)) != 12 {
		t.Error("effective cap: default 30, else the guardian's own")
	}
}

func TestRankGuardian(t *testing.T) {
	gv := func(id int64, langs []string, region int64, load, cap int) registry.GuardianView {
		return registry.GuardianView{Guardian: models.Guardian{ID: id, Languages: langs, RegionID: region}, ActiveWards: load, Cap: cap}
	}
	child := []string{"ps", "fa-AF"}
	cases := []registry.Suggestion{
		registry.RankGuardian(gv(1, []string{"sq"}, 1, 0, 30), child, 1, false),        // region, empty, no language
		registry.RankGuardian(gv(2, []string{"ps"}, 2, 10, 30), child, 1, false),       // language, other region
		registry.RankGuardian(gv(3, []string{"fa", "sq"}, 1, 29, 30), child, 1, false), // language, region, nearly full
		registry.RankGuardian(gv(4, []string{"ps"}, 1, 30, 30), child, 1, false),       // at cap
		registry.RankGuardian(gv(5, []string{"ps"}, 1, 0, 30), child, 1, true),         // conflict
	}
	want := []int{40, 54, 61, 10, -920} // load: 20 − 20·load/cap, in whole points
	for i, s := range cases {
		if s.Score != want[i] {
			t.Errorf("guardian %d: score %d, want %d (%v)", s.Guardian.ID, s.Score, want[i], s.Reasons)
		}
	}
	if !cases[3].NeedsOverride || cases[2].NeedsOverride || !cases[4].Blocked {
		t.Error("at cap needs an override; a conflict blocks")
	}
	if cases[2].Reasons[0].Code != "language_match" || fmt.Sprint(cases[2].Reasons[0].Data["Languages"]) != "[fa]" {
		t.Errorf("reason: %v", cases[2].Reasons)
	}
}

// guardianFixture: one region, two protection officers, an administrator, guardians g1–g4
// in the registry and children in the region.
type guardianFixture struct {
	db                 *gorm.DB
	reg                *registry.Registry
	now                time.Time
	region             int64
	po1, po2, admin    *models.Actor
	guardians          []*models.Actor // g1..g4 as actors
	guardianIDs        []int64         // their registry ids
	child, otherRegion int64
}

func newGuardianFixture(t *testing.T) *guardianFixture {
	t.Helper()
	db := testdb.New(t)
	f := &guardianFixture{db: db, reg: registry.New(db), now: time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)}
	f.reg.Now = func() time.Time { return f.now }
	exec := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	f.region = exec(`INSERT INTO regions (code, name) VALUES ('GRA', 'Here')`)
	there := exec(`INSERT INTO regions (code, name) VALUES ('GRB', 'There')`)
	actor := func(name string, roles []models.Role, regions ...int64) *models.Actor {
		id := exec(`INSERT INTO users (issuer, subject, username, display_name) VALUES ('test', ?, ?, ?)`, name, name, "Name "+name)
		return &models.Actor{UserID: id, Issuer: "test", Subject: name, Roles: roles, RegionIDs: regions, Permissions: auth.PermissionsFor(roles)}
	}
	po := []models.Role{models.RoleProtectionOfficer}
	f.po1, f.po2 = actor("po1", po, f.region), actor("po2", po, f.region)
	f.admin = actor("admin", []models.Role{models.RoleAdmin})
	langs := [][]string{{"ar"}, {"ar", "fr"}, {"ps"}, {"sq"}}
	for i, l := range langs {
		name := fmt.Sprintf("g%d", i+1)
		f.guardians = append(f.guardians, actor(name, []models.Role{models.RoleGuardian}))
		g, err := f.reg.CreateGuardian(context.Background(), f.admin, registry.GuardianInput{Username: name, Kind: "person", Languages: l, RegionCode: "GRA"})
		if err != nil {
			t.Fatal(err)
		}
		f.guardianIDs = append(f.guardianIDs, g.ID)
	}
	f.child = exec(`INSERT INTO children (registration_number, region_id, registered_at, languages) VALUES ('T-1', ?, ?, '{ar}')`, f.region, f.now.Add(-72*time.Hour))
	f.otherRegion = exec(`INSERT INTO children (registration_number, region_id, registered_at, languages) VALUES ('T-2', ?, ?, '{ar}')`, there, f.now.Add(-72*time.Hour))
	return f
}

func (f *guardianFixture) newChild(t *testing.T, n int) int64 {
	t.Helper()
	var id int64
	if err := f.db.Raw(`INSERT INTO children (registration_number, region_id, registered_at, languages) VALUES (?, ?, ?, '{ar}') RETURNING id`,
		fmt.Sprintf("T-C%d", n), f.region, f.now.Add(-72*time.Hour)).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

func fullInput(guardianID, replaces int64) registry.AppointInput {
	return registry.AppointInput{GuardianID: guardianID, Kind: "full", Replaces: replaces,
		AppointingAuthority: "Gjykata e Rrethit Gjirokastër", DecisionReference: "Nr. 45/2026", DecidedOn: "2026-05-04"}
}

func TestAppointmentWorkflow(t *testing.T) {
	f := newGuardianFixture(t)
	ctx := context.Background()
	g1, g2, g3 := f.guardians[0], f.guardians[1], f.guardians[2]
	sees := func(g *models.Actor) bool {
		t.Helper()
		_, err := f.reg.GetChild(ctx, g, f.child)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	if sees(g1) {
		t.Fatal("no appointment yet")
	}
	view, err := f.reg.Guardianship(ctx, f.po1, f.child)
	if err != nil || view.Stage != registry.StageNeeded || !view.Deadlines[0].Overdue || view.Deadlines[0].Rule != "S1" {
		t.Fatalf("stage %q deadlines %+v: %v", view.Stage, view.Deadlines, err)
	}

	// Provisional representative (S1), then the full guardian (S2).
	prov, err := f.reg.AppointGuardian(ctx, f.po1, f.child, registry.AppointInput{GuardianID: f.guardianIDs[0], Kind: "provisional"})
	if err != nil {
		t.Fatal(err)
	}
	if !sees(g1) {
		t.Fatal("the provisional representative must see the child")
	}
	if _, err := f.reg.AppointGuardian(ctx, f.po1, f.child, registry.AppointInput{GuardianID: f.guardianIDs[0], Kind: "provisional"}); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("designating again without naming the current one: %v, want a conflict", err)
	}
	full, err := f.reg.AppointGuardian(ctx, f.po1, f.child, fullInput(f.guardianIDs[1], 0))
	if err != nil {
		t.Fatal(err)
	}
	if sees(g1) || !sees(g2) {
		t.Fatal("the full guardian replaces the provisional representative at once")
	}
	view, _ = f.reg.Guardianship(ctx, f.po1, f.child)
	if view.Stage != registry.StageAppointed || len(view.History) != 1 || view.History[0].ID != prov.ID || view.History[0].EndReason != "full_appointed" {
		t.Fatalf("after appointing: %+v", view)
	}
	if view.Deadlines[1].Rule != "S2" || view.Deadlines[1].MetAt == nil || view.Deadlines[1].Overdue {
		t.Errorf("S2 met on time: %+v", view.Deadlines[1])
	}
	if _, err := f.reg.AppointGuardian(ctx, f.po1, f.child, registry.AppointInput{GuardianID: f.guardianIDs[0], Kind: "provisional"}); problemsOf(err) != "[kind:guardian_full_exists]" {
		t.Errorf("provisional after full: %v", err)
	}

	// The first meeting, by the guardian; not by another guardian.
	if _, err := f.reg.RecordFirstMeeting(ctx, g1, f.child, full.ID, full.Version, registry.FirstMeetingInput{MetOn: "2026-05-04"}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a former representative recording the meeting: %v", err)
	}
	met, err := f.reg.RecordFirstMeeting(ctx, g2, f.child, full.ID, full.Version, registry.FirstMeetingInput{MetOn: "2026-05-04"})
	if err != nil || met.FirstMeetingAt == nil {
		t.Fatalf("first meeting: %v", err)
	}
	if _, err := f.reg.RecordFirstMeeting(ctx, g2, f.child, full.ID, full.Version, registry.FirstMeetingInput{MetOn: "2026-05-04"}); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}

	// A visit moves S8.
	seen := true
	rec, err := f.reg.RecordVisit(ctx, g2, f.child, registry.VisitInput{VisitedOn: "2026-05-04", Kind: "visit", ChildSeen: &seen, ChildViews: "يريد الذهاب إلى المدرسة"})
	if err != nil || rec.NextVisitDue.Rule != "S8" || rec.NextVisitDue.Due.Format(time.DateOnly) != "2026-06-03" {
		t.Fatalf("visit: %+v %v", rec.NextVisitDue, err)
	}

	// Replacement: stale → 412; current → the old guardian loses access in the same step.
	if _, err := f.reg.AppointGuardian(ctx, f.po1, f.child, fullInput(f.guardianIDs[0], 0)); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("replacement naming no current guardian: %v", err)
	}
	if _, err := f.reg.AppointGuardian(ctx, f.po1, f.child, fullInput(f.guardianIDs[1], full.ID)); problemsOf(err) != "[guardian_id:guardian_already_appointed]" {
		t.Errorf("replacing a guardian by themself: %v", err)
	}
	// g3 speaks Pashto only: interpretation needed.
	in := fullInput(f.guardianIDs[2], full.ID)
	if _, err := f.reg.AppointGuardian(ctx, f.po1, f.child, in); problemsOf(err) != "[interpretation:guardian_interpretation_required]" {
		t.Fatalf("no shared language: %v", err)
	}
	in.Interpretation = "Arabic interpreter of the regional office at every meeting."
	third, err := f.reg.AppointGuardian(ctx, f.po1, f.child, in)
	if err != nil {
		t.Fatal(err)
	}
	if sees(g2) || !sees(g3) {
		t.Fatal("after replacement the old guardian must get not found at once")
	}
	if _, err := f.reg.RecordVisit(ctx, g2, f.child, registry.VisitInput{VisitedOn: "2026-05-04", Kind: "call", ChildSeen: &seen}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("old guardian recording a visit: %v", err)
	}
	var active int64
	mustScan(t, f.db, &active, `SELECT count(*) FROM guardian_appointments WHERE child_id = ? AND ended_at IS NULL`, f.child)
	if active != 1 {
		t.Errorf("%d open appointments, want 1", active)
	}

	// Ending: a known reason, with the current version.
	if _, err := f.reg.EndAppointment(ctx, f.po1, f.child, third.ID, third.Version, registry.EndInput{Reason: "bored"}); problemsOf(err) != "[reason:code_unknown]" {
		t.Errorf("unknown reason: %v", err)
	}
	if _, err := f.reg.EndAppointment(ctx, f.po1, f.child, third.ID, third.Version, registry.EndInput{Reason: "reunified"}); err != nil {
		t.Fatal(err)
	}
	if sees(g3) {
		t.Fatal("an ended appointment gives no access")
	}
	// Guardians and border officers cannot appoint; an officer of another region gets 404.
	if _, err := f.reg.AppointGuardian(ctx, g1, f.child, fullInput(f.guardianIDs[0], 0)); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("guardian appointing: %v", err)
	}
	if _, err := f.reg.AppointGuardian(ctx, f.po1, f.otherRegion, fullInput(f.guardianIDs[0], 0)); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("child of another region: %v", err)
	}
	var audited int64
	mustScan(t, f.db, &audited, `SELECT count(*) FROM audit_events WHERE entity = 'child' AND entity_id = ? AND action IN ('guardian.designate','guardian.appoint','guardian.end','guardian.first_meeting','guardian.visit')`, fmt.Sprint(f.child))
	if audited != 6 {
		t.Errorf("%d audited guardianship changes, want 6", audited)
	}
}

func problemsOf(err error) string {
	var verr *models.ValidationError
	if !errors.As(err, &verr) {
		return fmt.Sprint(err)
	}
	var out []string
	for _, f := range verr.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	return fmt.Sprint(out)
}

func TestCapOverrideAndConflict(t *testing.T) {
	f := newGuardianFixture(t)
	ctx := context.Background()
	g4 := f.guardianIDs[3] // speaks Albanian only
	cur, _ := f.reg.GetGuardian(ctx, f.admin, g4)
	if _, err := f.reg.UpdateGuardian(ctx, f.admin, g4, cur.Version, registry.GuardianInput{CaseloadCap: intp(1), Languages: []string{"sq", "ar"}}); err != nil {
		t.Fatal(err)
	}
	a, b := f.newChild(t, 1), f.newChild(t, 2)
	if _, err := f.reg.AppointGuardian(ctx, f.po1, a, fullInput(g4, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.AppointGuardian(ctx, f.po1, b, fullInput(g4, 0)); problemsOf(err) != "[cap_override_reason:guardian_over_cap]" {
		t.Fatalf("over the cap of 1: %v", err)
	}
	var n int64
	mustScan(t, f.db, &n, `SELECT count(*) FROM guardian_appointments WHERE child_id = ?`, b)
	if n != 0 {
		t.Fatal("a refused appointment must change nothing")
	}
	in := fullInput(g4, 0)
	in.CapOverrideReason = "Only Arabic-speaking guardian available this week."
	ap, err := f.reg.AppointGuardian(ctx, f.po1, b, in)
	if err != nil {
		t.Fatal(err)
	}
	var reason string
	mustScan(t, f.db, &reason, `SELECT reason FROM audit_events WHERE action = 'guardian.appoint' AND entity_id = ? ORDER BY id DESC LIMIT 1`, fmt.Sprint(b))
	if reason != in.CapOverrideReason || ap.CapOverrideReason != in.CapOverrideReason {
		t.Errorf("the override must be recorded and audited with its reason: %q", reason)
	}
	// A declared conflict blocks, and the suggestions show it as blocked.
	c := f.newChild(t, 3)
	if _, err := f.reg.DeclareConflict(ctx, f.po1, c, registry.ConflictInput{GuardianID: f.guardianIDs[0], Reason: "Related to the accompanying adult."}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.AppointGuardian(ctx, f.po1, c, fullInput(f.guardianIDs[0], 0)); problemsOf(err) != "[guardian_id:guardian_conflict_of_interest]" {
		t.Fatalf("conflict: %v", err)
	}
	sug, err := f.reg.SuggestGuardians(ctx, f.po1, c)
	if err != nil {
		t.Fatal(err)
	}
	last := sug[len(sug)-1]
	if last.Guardian.ID != f.guardianIDs[0] || !last.Blocked {
		t.Errorf("the guardian with a conflict is listed last, blocked: %+v", last)
	}
	if sug[0].Guardian.ID != f.guardianIDs[1] { // g2: Arabic, same region, empty (g4 is at its cap)
		t.Errorf("best suggestion %d, want g2", sug[0].Guardian.ID)
	}
}

// Two officers appointing different guardians to the same child at the same moment: exactly
// one succeeds, the other is told the guardianship changed, and no child ever has two current
// full guardians. Run with -race.
func TestConcurrentAppointments(t *testing.T) {
	f := newGuardianFixture(t)
	ctx := context.Background()
	const children, perChild = 8, 6
	var wg sync.WaitGroup
	type result struct {
		child int64
		err   error
	}
	results := make(chan result, children*perChild)
	for i := range children {
		child := f.newChild(t, 100+i)
		for j := range perChild {
			officer := f.po1
			if j%2 == 1 {
				officer = f.po2
			}
			gid := f.guardianIDs[j%2] // g1 and g2 both speak Arabic
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.reg.AppointGuardian(ctx, officer, child, fullInput(gid, 0))
				results <- result{child, err}
			}()
		}
	}
	wg.Wait()
	close(results)
	won := map[int64]int{}
	for r := range results {
		switch {
		case r.err == nil:
			won[r.child]++
		case errors.Is(r.err, models.ErrConflict):
		default:
			t.Errorf("child %d: %v", r.child, r.err)
		}
	}
	if len(won) != children {
		t.Errorf("%d children got a guardian, want %d", len(won), children)
	}
	for c, n := range won {
		if n != 1 {
			t.Errorf("child %d: %d appointments succeeded, want exactly 1", c, n)
		}
	}
	var doubles int64
	mustScan(t, f.db, &doubles, `SELECT count(*) FROM (SELECT child_id FROM guardian_appointments WHERE ended_at IS NULL AND kind = 'full' GROUP BY child_id HAVING count(*) > 1) x`)
	if doubles != 0 {
		t.Errorf("%d children with two active full guardians", doubles)
	}
}

func TestMyWardsShowsOnlyCurrentWards(t *testing.T) {
	f := newGuardianFixture(t)
	ctx := context.Background()
	g1 := f.guardians[0]
	a, b, c := f.newChild(t, 1), f.newChild(t, 2), f.newChild(t, 3)
	for _, id := range []int64{a, b} {
		if _, err := f.reg.AppointGuardian(ctx, f.po1, id, fullInput(f.guardianIDs[0], 0)); err != nil {
			t.Fatal(err)
		}
	}
	other, err := f.reg.AppointGuardian(ctx, f.po1, c, fullInput(f.guardianIDs[1], 0))
	if err != nil {
		t.Fatal(err)
	}
	_ = other
	// b is handed over to g2: it leaves g1's board.
	view, _ := f.reg.Guardianship(ctx, f.po1, b)
	if _, err := f.reg.AppointGuardian(ctx, f.po1, b, fullInput(f.guardianIDs[1], view.CurrentOf("full").ID)); err != nil {
		t.Fatal(err)
	}
	seen := true
	f.now = f.now.Add(40 * 24 * time.Hour)
	if _, err := f.reg.RecordVisit(ctx, g1, a, registry.VisitInput{VisitedOn: f.now.Add(-5 * 24 * time.Hour).Format(time.DateOnly), Kind: "visit", ChildSeen: &seen}); err != nil {
		t.Fatal(err)
	}
	wards, err := f.reg.MyWards(ctx, g1)
	if err != nil {
		t.Fatal(err)
	}
	if len(wards) != 1 || wards[0].ID != a {
		t.Fatalf("g1's wards: %+v, want only child %d", wards, a)
	}
	w := wards[0]
	if w.DaysSinceVisit == nil || *w.DaysSinceVisit != 5 || w.NextVisitDue.Overdue || w.NextVisitDue.Rule != "S8" {
		t.Errorf("ward figures: %+v", w)
	}
	wards2, _ := f.reg.MyWards(ctx, f.guardians[1])
	if len(wards2) != 2 || !wards2[0].NextVisitDue.Overdue {
		t.Errorf("g2's wards (never visited, appointed 40 days ago, overdue first): %+v", wards2)
	}
	if _, err := f.reg.MyWards(ctx, f.po1); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("officers have no wards board: %v", err)
	}
}

// mustScan runs a query of the test's own and fails the test when it errs, so a check never
// passes on a zero value left by a failed query.
func mustScan(t testing.TB, db *gorm.DB, dest any, query string, args ...any) {
	t.Helper()
	if err := db.Raw(query, args...).Scan(dest).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
