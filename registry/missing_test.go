package registry_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The missing-child use cases on a real database: who may report, validation before any
// write, the transition and the episode together, the reaction with its version (412) and
// the S9 flag, the board and its access history, found (with a refused and an accepted new
// placement, in the same transaction), the return interview and S10 in the needs-action
// queue, and the repeat-runaway flag.
func TestMissingEpisodeUseCases(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	now := f.reg.Now()
	po, guardian, border := f.actors[models.RoleProtectionOfficer], f.actors[models.RoleGuardian], f.actors[models.RoleBorderOfficer]
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	day := 24 * time.Hour
	report := registry.MissingReportInput{LastSeenAt: at(-5 * day), LastSeenPlace: "Bus station", LastSeenWith: "two older boys",
		DiscoveredAt: at(-5*day + time.Hour), DiscoveredBy: "night carer", Circumstances: "Did not come back", Description: "Grey hoodie", Risk: "medium"}

	// Refused: a border officer holds no missing.report; out of scope is not found; bad input
	// changes nothing.
	if _, err := f.reg.ReportMissing(ctx, border, f.child, report); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("border officer: %v", err)
	}
	elsewhere := *po
	elsewhere.RegionIDs = []int64{0}
	if _, err := f.reg.ReportMissing(ctx, &elsewhere, f.child, report); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("out of scope: %v", err)
	}
	bad := report
	bad.DiscoveredAt, bad.LastSeenPlace, bad.Risk = at(-6*day), " ", "extreme"
	_, err := f.reg.ReportMissing(ctx, guardian, f.child, bad)
	if got := problems(t, err); !slices.Equal(got, []string{"discovered_at:missing_discovered_before_last_seen", "last_seen_place:required", "risk:code_unknown"}) {
		t.Errorf("bad report: %v", got)
	}
	if n := f.count(t, `SELECT count(*) FROM missing_episodes`); n != 0 {
		t.Fatalf("a refused report wrote %d episodes", n)
	}

	// The guardian reports their ward: the child is missing, the episode open, audited.
	ep, err := f.reg.ReportMissing(ctx, guardian, f.child, report)
	if err != nil {
		t.Fatal(err)
	}
	if status, version := f.state(t, f.child); status != "missing" || version != 2 {
		t.Errorf("after the report: %s v%d", status, version)
	}
	if ep.Risk != "medium" || !ep.Open || ep.Version != 1 || !ep.PoliceReportLate || !slices.Contains(ep.StepsOutstanding, registry.StepPolice) {
		t.Errorf("episode %+v", ep)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'missing.report' AND entity_id = ? AND changes->'status'->>'after' = 'missing'`, strconv.FormatInt(ep.ChildID, 10)); n != 1 {
		t.Errorf("%d report audit rows", n)
	}
	if _, err := f.reg.ReportMissing(ctx, po, f.child, report); !slices.Equal(problems(t, err), []string{"transition:transition_not_allowed"}) {
		t.Errorf("reported twice: %v", err)
	}

	// The reaction: police 3 hours after the discovery is late (S9, 2 h); a stale version is 412.
	police, ref := at(-5*day+4*time.Hour), "GJ-2026-4411"
	ep, err = f.reg.RecordReaction(ctx, po, f.child, ep.ID, 1, registry.ReactionInput{PoliceReportedAt: &police, PoliceReference: &ref})
	if err != nil {
		t.Fatal(err)
	}
	if ep.PoliceDelayMinutes == nil || *ep.PoliceDelayMinutes != 180 || !ep.PoliceReportLate || ep.Version != 2 || slices.Contains(ep.StepsOutstanding, registry.StepPolice) {
		t.Errorf("after the police report: %+v", ep)
	}
	if _, err := f.reg.RecordReaction(ctx, po, f.child, ep.ID, 1, registry.ReactionInput{PoliceReference: &ref}); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
	if _, err := f.reg.RecordReaction(ctx, po, f.child, ep.ID, 0, registry.ReactionInput{PoliceReference: &ref}); !errors.Is(err, models.ErrPreconditionRequired) {
		t.Errorf("no version: %v", err)
	}
	early := at(-6 * day)
	if _, err := f.reg.RecordReaction(ctx, po, f.child, ep.ID, 2, registry.ReactionInput{HotlineNotifiedAt: &early}); !slices.Equal(problems(t, err), []string{"hotline_notified_at:missing_before_discovery"}) {
		t.Errorf("hotline before the discovery: %v", err)
	}

	// The board, for both roles; each showing is in the child's access history.
	for _, a := range []*models.Actor{po, guardian} {
		board, err := f.reg.MissingNowBoard(ctx, a)
		if err != nil || len(board) != 1 || board[0].ID != f.child || board[0].Episode.ID != ep.ID || board[0].ElapsedMinutes != int((5*day-time.Hour)/time.Minute) {
			t.Errorf("board of %s: %+v %v", a.Roles, board, err)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'missing.shown' AND entity = 'child' AND entity_id = ?`, strconv.FormatInt(ep.ChildID, 10)); n != 2 {
		t.Errorf("%d showings in the access history", n)
	}
	if _, err := f.reg.MissingNowBoard(ctx, border); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("border officer's board: %v", err)
	}

	// Found, with a new placement in a police station: refused, and nothing changes.
	exec := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := f.db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	var region int64
	mustScan(t, f.db, &region, `SELECT region_id FROM children WHERE id = ?`, f.child)
	station := exec(`INSERT INTO facilities (name, kind, region_id, capacity) VALUES ('Station', 'police_detention', ?, 5)`, region)
	centre := exec(`INSERT INTO facilities (name, kind, region_id, capacity) VALUES ('Centre', 'childrens_centre', ?, 5)`, region)
	found := registry.FoundInput{FoundAt: at(-4 * day), FoundPlace: "Vlorë port", FoundBy: "police patrol", Condition: "unharmed",
		Placement: &registry.PlacementInput{FacilityID: station, StartedAt: at(-4 * day), Reason: "found at night", DecidedBy: "police"}}
	_, err = f.reg.RecordFound(ctx, po, f.child, ep.ID, 2, found)
	if got := problems(t, err); !slices.Equal(got, []string{"placement.facility_id:placement_detention_refused"}) {
		t.Errorf("found into detention: %v", got)
	}
	if status, _ := f.state(t, f.child); status != "missing" || f.count(t, `SELECT count(*) FROM placements WHERE child_id = ?`, f.child) != 0 ||
		f.count(t, `SELECT count(*) FROM missing_episodes WHERE found_at IS NOT NULL`) != 0 {
		t.Fatalf("a refused finding changed the record (status %s)", status)
	}
	found.Placement.FacilityID = centre
	ep, err = f.reg.RecordFound(ctx, po, f.child, ep.ID, 2, found)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := f.state(t, f.child); status != "active" || ep.Open || ep.FoundPlacementID == nil || len(ep.Deadlines) != 2 ||
		ep.Deadlines[1].Rule != registry.RuleS10 || !ep.Deadlines[1].Overdue || !ep.ReturnInterviewLate {
		t.Errorf("after the finding (status %s): %+v", status, ep)
	}
	if n := f.count(t, `SELECT count(*) FROM placements WHERE child_id = ? AND facility_id = ? AND ended_at IS NULL`, f.child, centre); n != 1 {
		t.Errorf("the new placement: %d", n)
	}
	// S10 in the needs-action queue.
	queue, err := f.reg.NeedsActionQueue(ctx, po, 0)
	if err != nil {
		t.Fatal(err)
	}
	var s10 bool
	for _, q := range queue {
		if q.ID == f.child && slices.Contains(q.Reasons, registry.ReasonReturnInterviewDue) {
			for _, d := range q.Deadlines {
				s10 = s10 || (d.Rule == registry.RuleS10 && d.Overdue)
			}
		}
	}
	if !s10 {
		t.Errorf("the needs-action queue does not show the overdue S10: %+v", queue)
	}
	// S10 on the guardian's board too (the daily reminders read it from there), until the
	// interview is held.
	wardS10 := func() bool {
		t.Helper()
		wards, err := f.reg.MyWards(ctx, guardian)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range wards {
			for _, d := range w.OpenDeadlines {
				if w.ID == f.child && d.Rule == registry.RuleS10 {
					return true
				}
			}
		}
		return false
	}
	if !wardS10() {
		t.Error("My wards does not show the S10 return interview")
	}
	// The return interview: refused without a summary, then recorded, late.
	if _, err := f.reg.RecordReturnInterview(ctx, guardian, f.child, ep.ID, ep.Version, registry.InterviewInput{HeldAt: at(0), HeldBy: "Drita"}); !slices.Equal(problems(t, err), []string{"summary:required"}) {
		t.Errorf("no summary: %v", err)
	}
	ep, err = f.reg.RecordReturnInterview(ctx, guardian, f.child, ep.ID, ep.Version, registry.InterviewInput{HeldAt: at(0), HeldBy: "Drita", Summary: "Went to meet a cousin."})
	if err != nil || ep.InterviewAt == nil || !ep.ReturnInterviewLate || ep.Deadlines[1].MetAt == nil {
		t.Errorf("interview: %+v %v", ep, err)
	}
	if wardS10() {
		t.Error("My wards still shows S10 after the return interview")
	}

	// Twice more within 30 days: the third episode is high risk and calls for a strategy meeting.
	second := report
	second.LastSeenAt, second.DiscoveredAt = at(-2*day), at(-2*day+time.Hour)
	ep2, err := f.reg.ReportMissing(ctx, po, f.child, second)
	if err != nil || ep2.Risk != "high" || ep2.StrategyMeeting || !slices.Contains(ep2.RiskReasons, registry.RiskReasonBefore) {
		t.Fatalf("second episode: %+v %v", ep2, err)
	}
	if _, err := f.reg.RecordFound(ctx, po, f.child, ep2.ID, ep2.Version, registry.FoundInput{FoundAt: at(-day), FoundPlace: "home", FoundBy: "carer", Condition: "unharmed"}); err != nil {
		t.Fatal(err)
	}
	third := report
	third.LastSeenAt, third.DiscoveredAt = at(-2*time.Hour), at(-time.Hour)
	ep3, err := f.reg.ReportMissing(ctx, po, f.child, third)
	if err != nil || ep3.Risk != "high" || !ep3.StrategyMeeting {
		t.Fatalf("third episode: %+v %v", ep3, err)
	}
	list, err := f.reg.MissingEpisodes(ctx, guardian, f.child)
	if err != nil || len(list) != 3 || list[0].ID != ep3.ID {
		t.Errorf("episodes: %d %v", len(list), err)
	}
	// The sheet: the record, the episode, the guardian to contact.
	sheet, err := f.reg.MissingEpisode(ctx, po, f.child, ep3.ID)
	if err != nil || sheet.Episode.ID != ep3.ID || sheet.Child.ID != f.child || !slices.Equal(sheet.Guardians, []string{"guardian"}) || sheet.RegionName != "Here" {
		t.Errorf("sheet: %+v %v", sheet.Guardians, err)
	}
	if _, err := f.reg.MissingEpisode(ctx, &elsewhere, f.child, ep3.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("sheet out of scope: %v", err)
	}
	// The placement stays open while the child is missing, flagged.
	sec, err := f.reg.ChildPlacements(ctx, po, f.child)
	if err != nil || sec.Current == nil || sec.ChildMissingSince == nil || !sec.ChildMissingSince.Equal(ep3.DiscoveredAt) {
		t.Errorf("placement while missing: %+v %v", sec.ChildMissingSince, err)
	}
}
