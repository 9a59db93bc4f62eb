package registry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The state machine, every transition: each event kind (a decision and an appeal decision
// with each outcome) tried in every stage. The expectations are written here by hand, from
// the table in docs/legal-status.md — not derived from the code's table.
func TestLegalStateMachine(t *testing.T) {
	open := []string{"identified", "application_made", "application_registered", "application_lodged", "interviewed",
		"refugee_status", "subsidiary_protection", "rejected", "appeal_pending", "rejected_final", "protection_granted"}
	stages := append([]string{"none"}, append(slices.Clone(open), "reunified", "transferred", "returned")...)
	type rule struct {
		from   []string
		to     string // "" = the stage does not change
		refuse string
	}
	same := ""
	rules := map[string]rule{
		"identified":                           {[]string{"none"}, "identified", "legal_identified_first"},
		"application_made":                     {[]string{"none", "identified"}, "application_made", "legal_application_exists"},
		"application_registered":               {[]string{"application_made"}, "application_registered", "legal_registration_needs_application"},
		"application_lodged":                   {[]string{"application_made", "application_registered"}, "application_lodged", "legal_lodging_needs_application"},
		"interview":                            {[]string{"application_lodged", "interviewed"}, "interviewed", "legal_interview_needs_lodged"},
		"decision/refugee_status":              {[]string{"application_lodged", "interviewed"}, "refugee_status", "legal_decision_needs_lodged"},
		"decision/subsidiary_protection":       {[]string{"application_lodged", "interviewed"}, "subsidiary_protection", "legal_decision_needs_lodged"},
		"decision/rejected":                    {[]string{"application_lodged", "interviewed"}, "rejected", "legal_decision_needs_lodged"},
		"appeal_lodged":                        {[]string{"subsidiary_protection", "rejected", "rejected_final"}, "appeal_pending", "legal_appeal_needs_decision"},
		"appeal_decided/refugee_status":        {[]string{"appeal_pending"}, "refugee_status", "legal_appeal_decision_needs_appeal"},
		"appeal_decided/subsidiary_protection": {[]string{"appeal_pending"}, "subsidiary_protection", "legal_appeal_decision_needs_appeal"},
		"appeal_decided/rejected":              {[]string{"appeal_pending"}, "rejected_final", "legal_appeal_decision_needs_appeal"},
		"protection_granted": {[]string{"identified", "application_made", "application_registered", "application_lodged", "interviewed",
			"rejected", "appeal_pending", "rejected_final"}, "protection_granted", "legal_already_protected"},
		"residence_permit":               {open, same, ""},
		"voluntary_return":               {open, "returned", ""},
		"family_reunification_requested": {open, same, ""},
		"transfer_requested":             {open, same, ""},
		// With no request open, the other side-track steps are refused everywhere.
		"family_reunification_accepted":  {nil, same, "legal_accept_needs_request"},
		"family_reunification_refused":   {nil, same, "legal_refusal_needs_request"},
		"family_reunification_completed": {nil, same, "legal_completion_needs_acceptance"},
		"transfer_accepted":              {nil, same, "legal_accept_needs_request"},
		"transfer_refused":               {nil, same, "legal_refusal_needs_request"},
		"transfer_completed":             {nil, same, "legal_completion_needs_acceptance"},
	}
	// Every kind a user may record is covered.
	for _, k := range registry.LegalEventKinds {
		_, plain := rules[k]
		_, decided := rules[k+"/rejected"]
		if !plain && !decided {
			t.Fatalf("kind %s has no expectation", k)
		}
	}
	on := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	for name, r := range rules {
		kind, outcome, _ := strings.Cut(name, "/")
		for _, st := range stages {
			t.Run(name+" in "+st, func(t *testing.T) {
				got, code := registry.LegalStep(registry.LegalStatus{Stage: st}, kind, outcome, on)
				var wantCode, wantStage string
				switch {
				case st == "reunified" || st == "transferred" || st == "returned":
					wantCode, wantStage = "legal_procedure_ended", st
				case st == "none" && kind != "identified" && kind != "application_made":
					wantCode, wantStage = "legal_timeline_starts", st
				case slices.Contains(r.from, st):
					wantStage = r.to
					if wantStage == "" {
						wantStage = st
					}
				default:
					wantCode, wantStage = r.refuse, st
				}
				if code != wantCode || got.Stage != wantStage {
					t.Errorf("got stage %s, refusal %q; want %s, %q", got.Stage, code, wantStage, wantCode)
				}
			})
		}
	}

	// The side track (family reunification, transfer) with a request open.
	type side struct {
		pending, kind     string
		wantPending, code string
		wantStage         string
	}
	for _, tc := range []side{
		{"family_reunification_requested", "family_reunification_requested", "family_reunification_requested", "legal_request_open", "interviewed"},
		{"family_reunification_requested", "transfer_requested", "family_reunification_requested", "legal_request_open", "interviewed"},
		{"family_reunification_requested", "family_reunification_accepted", "family_reunification_accepted", "", "interviewed"},
		{"family_reunification_requested", "transfer_accepted", "family_reunification_requested", "legal_accept_needs_request", "interviewed"},
		{"family_reunification_requested", "family_reunification_refused", "", "", "interviewed"},
		{"family_reunification_requested", "transfer_refused", "family_reunification_requested", "legal_refusal_needs_request", "interviewed"},
		{"family_reunification_requested", "family_reunification_completed", "family_reunification_requested", "legal_completion_needs_acceptance", "interviewed"},
		{"family_reunification_accepted", "family_reunification_completed", "", "", "reunified"},
		{"family_reunification_accepted", "family_reunification_refused", "", "", "interviewed"},
		{"family_reunification_accepted", "family_reunification_accepted", "family_reunification_accepted", "legal_accept_needs_request", "interviewed"},
		{"family_reunification_accepted", "transfer_completed", "family_reunification_accepted", "legal_completion_needs_acceptance", "interviewed"},
		{"transfer_requested", "transfer_accepted", "transfer_accepted", "", "interviewed"},
		{"transfer_accepted", "transfer_completed", "", "", "transferred"},
		{"transfer_accepted", "family_reunification_completed", "transfer_accepted", "legal_completion_needs_acceptance", "interviewed"},
		// A return waits for an open request to be closed; the asylum track goes on beside it.
		{"transfer_requested", "voluntary_return", "transfer_requested", "legal_request_open", "interviewed"},
		{"transfer_requested", "interview", "transfer_requested", "", "interviewed"},
		{"transfer_requested", "residence_permit", "transfer_requested", "", "interviewed"},
	} {
		t.Run("side "+tc.pending+" then "+tc.kind, func(t *testing.T) {
			got, code := registry.LegalStep(registry.LegalStatus{Stage: "interviewed", Pending: tc.pending}, tc.kind, "", on)
			if code != tc.code || got.Pending != tc.wantPending || got.Stage != tc.wantStage {
				t.Errorf("got %s/%q refusal %q; want %s/%q refusal %q", got.Stage, got.Pending, code, tc.wantStage, tc.wantPending, tc.code)
			}
		})
	}
}

// legalEv builds an event for the pure replay tests.
func legalEv(id int64, seq int, kind, outcome, date string) models.LegalEvent {
	return models.LegalEvent{ID: id, Seq: seq, Kind: kind, Outcome: outcome, OccurredOn: *day(date)}
}

func voidEv(id int64, seq int, voids int64) models.LegalEvent {
	return models.LegalEvent{ID: id, Seq: seq, Kind: "void", VoidsEventID: &voids, OccurredOn: *day("2026-05-01"), VoidReason: "recorded on the wrong child"}
}

// The status derived from a timeline follows its voids, its dates and its recording order.
func TestDeriveLegalStatus(t *testing.T) {
	made := legalEv(1, 1, "application_made", "", "2026-03-02")
	lodged := legalEv(2, 2, "application_lodged", "", "2026-03-10")
	rejected := legalEv(3, 3, "decision", "rejected", "2026-04-01")
	appeal := legalEv(4, 4, "appeal_lodged", "", "2026-04-10")
	for _, tc := range []struct {
		name   string
		events []models.LegalEvent
		stage  string
		since  string
	}{
		{"empty", nil, "none", ""},
		{"appeal pending", []models.LegalEvent{made, lodged, rejected, appeal}, "appeal_pending", "2026-04-10"},
		{"the appeal voided", []models.LegalEvent{made, lodged, rejected, appeal, voidEv(5, 5, 4)}, "rejected", "2026-04-01"},
		{"appeal and decision voided", []models.LegalEvent{made, lodged, rejected, appeal, voidEv(5, 5, 4), voidEv(6, 6, 3)}, "application_lodged", "2026-03-10"},
		{"a decision re-recorded after voiding", []models.LegalEvent{made, lodged, rejected, voidEv(5, 4, 3),
			legalEv(6, 5, "decision", "subsidiary_protection", "2026-04-02")}, "subsidiary_protection", "2026-04-02"},
		{"recorded late, replayed by date", []models.LegalEvent{made, lodged, legalEv(7, 3, "application_registered", "", "2026-03-05")}, "application_lodged", "2026-03-10"},
		{"same date: recording order", []models.LegalEvent{legalEv(1, 1, "identified", "", "2026-03-02"), legalEv(2, 2, "application_made", "", "2026-03-02")}, "application_made", "2026-03-02"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := registry.DeriveLegalStatus(tc.events)
			since := ""
			if s.Since != nil {
				since = s.Since.Format(time.DateOnly)
			}
			if s.Stage != tc.stage || since != tc.since {
				t.Errorf("derived %s since %q, want %s since %q", s.Stage, since, tc.stage, tc.since)
			}
		})
	}
	// Registration and lodging deadlines (APR Art. 27, 28) follow the stage.
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	d := registry.NextLegalDeadline(registry.DeriveLegalStatus([]models.LegalEvent{made}), now)
	if d == nil || d.Rule != registry.RuleAPR27 || d.Due.Format(time.DateOnly) != "2026-03-07" || d.Overdue {
		t.Errorf("registration deadline %+v", d)
	}
	reg := legalEv(8, 2, "application_registered", "", "2026-03-03")
	d = registry.NextLegalDeadline(registry.DeriveLegalStatus([]models.LegalEvent{made, reg}), now.AddDate(0, 1, 0))
	if d == nil || d.Rule != registry.RuleAPR28 || d.Due.Format(time.DateOnly) != "2026-03-24" || !d.Overdue {
		t.Errorf("lodging deadline %+v", d)
	}
	if d := registry.NextLegalDeadline(registry.DeriveLegalStatus([]models.LegalEvent{made, lodged}), now); d != nil {
		t.Errorf("a lodged application has no procedure deadline here, got %+v", d)
	}
}

type legalFixture struct {
	db                      *gorm.DB
	reg                     *registry.Registry
	now                     time.Time
	child, other, noGuard   int64
	officer, guardian       *models.Actor
	otherGuardian, border   *models.Actor
	monitor                 *models.Actor
	registeredAt            time.Time
	childBornFrom           time.Time
	endedGuardian           *models.Actor
	endedChild              int64
	officerOutside          *models.Actor
	otherRegionChild        int64
	exec                    func(q string, args ...any) int64
	ctx                     context.Context
	officerUserID, guardUID int64
}

func newLegalFixture(t *testing.T) *legalFixture {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	f := &legalFixture{db: db, reg: registry.New(db), now: now, ctx: context.Background()}
	f.reg.Now = func() time.Time { return now }
	f.exec = func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	here := f.exec(`INSERT INTO regions (code, name) VALUES ('LGA', 'Here')`)
	there := f.exec(`INSERT INTO regions (code, name) VALUES ('LGB', 'There')`)
	post := f.exec(`INSERT INTO border_posts (code, name, region_id) VALUES ('LGP', 'Post', ?)`, here)
	user := func(name string) int64 {
		return f.exec(`INSERT INTO users (issuer, subject, username, display_name) VALUES ('test', ?, ?, ?)`, name, name, "User "+name)
	}
	po, g, g2, g3, bo, mo, po2 := user("po"), user("g"), user("g2"), user("g3"), user("bo"), user("mo"), user("po2")
	f.officerUserID, f.guardUID = po, g
	f.registeredAt = time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC) // a Monday
	from, to := models.BirthDatesForAges(14, 15, now)
	f.childBornFrom = from
	child := func(number string, region int64) int64 {
		return f.exec(`INSERT INTO children (registration_number, region_id, border_post_id, sex, birth_date_from, birth_date_to, registered_at)
			VALUES (?, ?, ?, 'male', ?, ?, ?)`, number, region, post, from, to, f.registeredAt)
	}
	f.child, f.other, f.noGuard, f.endedChild = child("L-1", here), child("L-2", here), child("L-3", here), child("L-4", here)
	f.otherRegionChild = child("L-5", there)
	// g: a provisional appointment on L-1 (so S2 is still open on My wards); g2: L-2; g3: L-4, ended.
	f.exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at) VALUES (?, ?, 'provisional', ?)`, f.child, g, f.registeredAt.Add(time.Hour))
	f.exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at) VALUES (?, ?, 'full', ?)`, f.other, g2, f.registeredAt.Add(time.Hour))
	f.exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at, ended_at, end_reason) VALUES (?, ?, 'full', ?, ?, 'replaced')`,
		f.endedChild, g3, f.registeredAt.Add(time.Hour), now.AddDate(0, 0, -1))
	actor := func(id int64, sub string, role models.Role) *models.Actor {
		roles := []models.Role{role}
		return &models.Actor{UserID: id, Issuer: "test", Subject: sub, Roles: roles, Permissions: auth.PermissionsFor(roles)}
	}
	f.officer = actor(po, "po", models.RoleProtectionOfficer)
	f.officer.RegionIDs = []int64{here}
	f.officerOutside = actor(po2, "po2", models.RoleProtectionOfficer)
	f.officerOutside.RegionIDs = []int64{there}
	f.guardian = actor(g, "g", models.RoleGuardian)
	f.otherGuardian = actor(g2, "g2", models.RoleGuardian)
	f.endedGuardian = actor(g3, "g3", models.RoleGuardian)
	f.border = actor(bo, "bo", models.RoleBorderOfficer)
	f.border.BorderPostIDs = []int64{post}
	f.monitor = actor(mo, "mo", models.RoleMonitor)
	return f
}

func (f *legalFixture) count(t *testing.T, child int64) int64 {
	t.Helper()
	var n int64
	mustScan(t, f.db, &n, `SELECT count(*) FROM legal_events WHERE child_id = ?`, child)
	return n
}

func TestRecordLegalEvent(t *testing.T) {
	f := newLegalFixture(t)
	ctx := f.ctx
	ev := func(kind, outcome, date string) registry.LegalEventInput {
		return registry.LegalEventInput{Kind: kind, Outcome: outcome, OccurredOn: date, Authority: "Drejtoria e Azilit",
			DocumentReference: "DA-" + date, Note: "noted"}
	}
	tl, err := f.reg.LegalTimelineOf(ctx, f.guardian, f.child)
	if err != nil || tl.Version != 1 || tl.Status.Stage != "none" || len(tl.Events) != 0 {
		t.Fatalf("empty timeline %+v, %v", tl, err)
	}
	// Refusals write nothing.
	for _, tc := range []struct {
		name string
		in   registry.LegalEventInput
		want []string
	}{
		{"a decision before any application", ev("decision", "rejected", "2026-03-01"), []string{"kind:legal_timeline_starts"}},
		{"an appeal with no decision", ev("appeal_lodged", "", "2026-03-01"), []string{"kind:legal_timeline_starts"}},
		{"in the future", ev("application_made", "", "2026-03-12"), []string{"occurred_on:date_in_future"}},
		{"before birth", ev("application_made", "", f.childBornFrom.AddDate(0, 0, -1).Format(time.DateOnly)), []string{"occurred_on:legal_before_birth"}},
		{"no date, no authority", registry.LegalEventInput{Kind: "identified"}, []string{"authority:required", "occurred_on:required"}},
		{"unknown kind", ev("asylum_granted", "", "2026-03-01"), []string{"kind:code_unknown"}},
		{"a decision without an outcome", ev("decision", "", "2026-03-01"), []string{"outcome:required"}},
		{"an outcome on an interview", ev("interview", "rejected", "2026-03-01"), []string{"outcome:legal_outcome_not_applicable"}},
		{"a return without a best-interests determination", ev("voluntary_return", "", "2026-03-01"), []string{"best_interests_reference:legal_return_needs_best_interests"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.reg.RecordLegalEvent(ctx, f.guardian, f.child, 1, tc.in)
			if got := problems(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if n := f.count(t, f.child); n != 0 {
				t.Errorf("%d events written by a refused request", n)
			}
		})
	}

	// The procedure: made, lodged; a guardian and a protection officer both record.
	tl, err = f.reg.RecordLegalEvent(ctx, f.guardian, f.child, 1, ev("application_made", "", "2026-03-02"))
	if err != nil || tl.Version != 2 || tl.Status.Stage != "application_made" || tl.NextDeadline == nil || tl.NextDeadline.Rule != "APR27" {
		t.Fatalf("made: %+v, %v", tl, err)
	}
	tl, err = f.reg.RecordLegalEvent(ctx, f.officer, f.child, 2, ev("application_lodged", "", "2026-03-06"))
	if err != nil || tl.Status.Stage != "application_lodged" || tl.Events[1].RecordedByName != "User po" {
		t.Fatalf("lodged: %+v, %v", tl, err)
	}
	// A stale version (someone added meanwhile) is a conflict; none is a precondition.
	if _, err := f.reg.RecordLegalEvent(ctx, f.guardian, f.child, 2, ev("interview", "", "2026-03-09")); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
	if _, err := f.reg.RecordLegalEvent(ctx, f.guardian, f.child, 0, ev("interview", "", "2026-03-09")); !errors.Is(err, models.ErrPreconditionRequired) {
		t.Errorf("no version: %v", err)
	}
	// An event recorded late but dated before a step it must precede is refused when the
	// timeline would no longer replay: an interview dated before the lodging.
	_, err = f.reg.RecordLegalEvent(ctx, f.guardian, f.child, 3, ev("interview", "", "2026-03-04"))
	if got := problems(t, err); !slices.Equal(got, []string{"kind:legal_interview_needs_lodged"}) {
		t.Errorf("interview before lodging: %v", got)
	}
	// A registration dated between made and lodged fits; one dated after lodging does not,
	// and the refusal names the later event it would contradict.
	_, err = f.reg.RecordLegalEvent(ctx, f.guardian, f.child, 3, ev("application_registered", "", "2026-03-08"))
	if got := problems(t, err); !slices.Equal(got, []string{"kind:legal_registration_needs_application"}) {
		t.Errorf("registration after lodging: %v", got)
	}
	tl, err = f.reg.RecordLegalEvent(ctx, f.guardian, f.child, 3, ev("application_registered", "", "2026-03-04"))
	if err != nil || tl.Status.Stage != "application_lodged" || tl.Events[1].Kind != "application_registered" {
		t.Fatalf("registration recorded late: %+v, %v", tl, err)
	}
	// A second "made" dated before the first would leave the first one contradicted.
	_, err = f.reg.RecordLegalEvent(ctx, f.guardian, f.child, 4, ev("application_made", "", "2026-03-01"))
	if got := problems(t, err); !slices.Equal(got, []string{"kind:legal_breaks_later_event", "timeline:legal_application_exists"}) {
		t.Errorf("second application before the first: %v", got)
	}
	// Decision rejected, then the appeal.
	if tl, err = f.reg.RecordLegalEvent(ctx, f.officer, f.child, 4, ev("decision", "rejected", "2026-03-09")); err != nil || tl.Status.Stage != "rejected" {
		t.Fatalf("decision: %+v, %v", tl, err)
	}
	if tl, err = f.reg.RecordLegalEvent(ctx, f.guardian, f.child, 5, ev("appeal_lodged", "", "2026-03-10")); err != nil || tl.Status.Stage != "appeal_pending" {
		t.Fatalf("appeal: %+v, %v", tl, err)
	}
	n := f.count(t, f.child)

	// Voiding: a reason is required; a decision an appeal rests on cannot be voided first.
	var decisionID, appealID, madeID int64
	for _, e := range tl.Events {
		switch e.Kind {
		case "decision":
			decisionID = e.ID
		case "appeal_lodged":
			appealID = e.ID
		case "application_made":
			madeID = e.ID
		}
	}
	_, err = f.reg.VoidLegalEvent(ctx, f.guardian, f.child, decisionID, 6, registry.LegalVoidInput{Reason: "typo"})
	if got := problems(t, err); !slices.Equal(got, []string{"reason:legal_void_reason_too_short"}) {
		t.Errorf("short reason: %v", got)
	}
	_, err = f.reg.VoidLegalEvent(ctx, f.guardian, f.child, decisionID, 6, registry.LegalVoidInput{Reason: "The decision letter was for another child."})
	if got := problems(t, err); !slices.Equal(got, []string{"event_id:legal_void_breaks_timeline", "timeline:legal_appeal_needs_decision"}) {
		t.Errorf("void under an appeal: %v", got)
	}
	_, err = f.reg.VoidLegalEvent(ctx, f.guardian, f.child, madeID, 6, registry.LegalVoidInput{Reason: "Recorded on the wrong child."})
	if got := problems(t, err); !slices.Equal(got, []string{"event_id:legal_void_breaks_timeline", "timeline:legal_timeline_starts"}) {
		t.Errorf("void of the application: %v", got)
	}
	if _, err := f.reg.VoidLegalEvent(ctx, f.guardian, f.child, appealID, 5, registry.LegalVoidInput{Reason: "The appeal was withdrawn before filing."}); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale void: %v", err)
	}
	if _, err := f.reg.VoidLegalEvent(ctx, f.guardian, f.child, 999999, 6, registry.LegalVoidInput{Reason: "The appeal was withdrawn before filing."}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("void of a missing event: %v", err)
	}
	if got := f.count(t, f.child); got != n {
		t.Errorf("refused voids wrote %d events", got-n)
	}
	// The appeal voided, then the decision: the status steps back each time.
	tl, err = f.reg.VoidLegalEvent(ctx, f.guardian, f.child, appealID, 6, registry.LegalVoidInput{Reason: "The appeal was withdrawn before filing."})
	if err != nil || tl.Status.Stage != "rejected" || tl.Version != 7 {
		t.Fatalf("void appeal: %+v, %v", tl, err)
	}
	var voidID int64
	for _, e := range tl.Events {
		if e.ID == appealID && (!e.Voided() || e.VoidedReason != "The appeal was withdrawn before filing.") {
			t.Errorf("the appeal is not shown voided: %+v", e)
		}
		if e.Kind == "void" {
			voidID = e.ID
		}
	}
	_, err = f.reg.VoidLegalEvent(ctx, f.guardian, f.child, appealID, 7, registry.LegalVoidInput{Reason: "Voiding it a second time."})
	if got := problems(t, err); !slices.Equal(got, []string{"event_id:legal_already_voided"}) {
		t.Errorf("second void: %v", got)
	}
	_, err = f.reg.VoidLegalEvent(ctx, f.guardian, f.child, voidID, 7, registry.LegalVoidInput{Reason: "Undo the correction."})
	if got := problems(t, err); !slices.Equal(got, []string{"event_id:legal_void_of_void"}) {
		t.Errorf("void of a void: %v", got)
	}
	if tl, err = f.reg.VoidLegalEvent(ctx, f.officer, f.child, decisionID, 7, registry.LegalVoidInput{Reason: "The decision letter was for another child."}); err != nil || tl.Status.Stage != "application_lodged" {
		t.Fatalf("void decision: %+v, %v", tl, err)
	}
	// The table is append-only, in the database too.
	if err := f.db.Exec(`UPDATE legal_events SET kind = 'interview' WHERE id = ?`, decisionID).Error; err == nil {
		t.Error("an event was edited in place")
	}
	if err := f.db.Exec(`DELETE FROM legal_events WHERE id = ?`, decisionID).Error; err == nil {
		t.Error("an event was deleted")
	}
	if err := f.db.Exec(`TRUNCATE legal_events`).Error; err == nil {
		t.Error("the timeline was truncated")
	}
	// Every write and read is audited.
	var actions []string
	mustScan(t, f.db, &actions, `SELECT action FROM audit_events WHERE entity_id = ? AND action LIKE 'legal.%' ORDER BY id`, fmt.Sprint(f.child))
	want := map[string]int{"legal.read": 1, "legal.record": 5, "legal.void": 2}
	for a, w := range want {
		if got := countOf(actions, a); got != w {
			t.Errorf("%d %s audit events, want %d (%v)", got, a, w, actions)
		}
	}
}

func countOf(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

// Who may read and record: guardians for their current wards, protection officers in their
// regions; out of scope is 404, without the permission 403.
func TestLegalScope(t *testing.T) {
	f := newLegalFixture(t)
	ctx := f.ctx
	in := registry.LegalEventInput{Kind: "identified", OccurredOn: "2026-03-02", Authority: "Policia e Kufirit"}
	for _, tc := range []struct {
		name  string
		a     *models.Actor
		child int64
		want  error
	}{
		{"own ward", f.guardian, f.child, nil},
		{"another guardian's ward", f.otherGuardian, f.child, models.ErrNotFound},
		{"an ended appointment", f.endedGuardian, f.endedChild, models.ErrNotFound},
		{"officer of the region", f.officer, f.other, nil},
		{"officer of another region", f.officerOutside, f.child, models.ErrNotFound},
		{"officer, other region's child", f.officer, f.otherRegionChild, models.ErrNotFound},
		{"border officer", f.border, f.child, models.ErrForbidden},
		{"monitor", f.monitor, f.child, models.ErrForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.count(t, tc.child)
			if _, err := f.reg.LegalTimelineOf(ctx, tc.a, tc.child); !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
				t.Errorf("read: %v, want %v", err, tc.want)
			}
			_, err := f.reg.RecordLegalEvent(ctx, tc.a, tc.child, int(before)+1, in)
			if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
				t.Errorf("record: %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				if n := f.count(t, tc.child) - before; n != 0 {
					t.Errorf("%d events written", n)
				}
			}
		})
	}
}

// S2 counts 15 working days from the application made when the child has one, else from
// registration — on the child page, in the needs-action queue and on My wards alike.
func TestLegalS2FromApplicationMade(t *testing.T) {
	f := newLegalFixture(t)
	ctx := f.ctx
	tirana, _ := time.LoadLocation("Europe/Tirane")
	s2 := func(ds []registry.Deadline) string {
		for _, d := range ds {
			if d.Rule == registry.RuleS2 {
				return d.Due.In(tirana).Format(time.DateOnly)
			}
		}
		return ""
	}
	check := func(label, want string) {
		t.Helper()
		gs, err := f.reg.Guardianship(ctx, f.officer, f.child)
		if err != nil {
			t.Fatal(err)
		}
		if got := s2(gs.Deadlines); got != want {
			t.Errorf("%s: child page S2 %s, want %s", label, got, want)
		}
		wards, err := f.reg.MyWards(ctx, f.guardian)
		if err != nil || len(wards) != 1 {
			t.Fatalf("wards %v, %v", wards, err)
		}
		if got := s2(wards[0].OpenDeadlines); got != want {
			t.Errorf("%s: My wards S2 %s, want %s", label, got, want)
		}
		// The needs-action queue shows S2 for children without any guardian: L-3.
		queue, err := f.reg.NeedsActionQueue(ctx, f.officer, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range queue {
			if q.ID == f.noGuard {
				if got := s2(q.Deadlines); got != want {
					t.Errorf("%s: needs-action S2 %s, want %s", label, got, want)
				}
			}
		}
	}
	// Registered Monday 2 February 2026: 15 working days → Monday 23 February.
	check("registered only", "2026-02-23")
	for _, child := range []int64{f.child, f.noGuard} {
		if _, err := f.reg.RecordLegalEvent(ctx, f.officer, child, 1, registry.LegalEventInput{Kind: "application_made",
			OccurredOn: "2026-03-02", Authority: "Drejtoria e Azilit"}); err != nil {
			t.Fatal(err)
		}
	}
	// Application made Monday 2 March: 15 working days, without Summer Day (observed Monday 16
	// March) and Nevruz (observed Monday 23 March) → Wednesday 25 March.
	check("application made", "2026-03-25")
	wards, _ := f.reg.MyWards(ctx, f.guardian)
	if l := wards[0].Legal; l == nil || l.Status.Stage != "application_made" || l.NextDeadline == nil {
		t.Errorf("My wards legal summary %+v", l)
	}
	// The SQL column S2 reads and the derived status agree on the date.
	tl, _ := f.reg.LegalTimelineOf(ctx, f.officer, f.child)
	if tl.Status.ApplicationMadeOn == nil || tl.Status.ApplicationMadeOn.Format(time.DateOnly) != "2026-03-02" {
		t.Errorf("derived application date %v", tl.Status.ApplicationMadeOn)
	}
	// Voiding the application puts S2 back on the registration.
	if _, err := f.reg.VoidLegalEvent(ctx, f.officer, f.child, tl.Events[0].ID, 2, registry.LegalVoidInput{Reason: "Recorded on the wrong child."}); err != nil {
		t.Fatal(err)
	}
	gs, _ := f.reg.Guardianship(ctx, f.officer, f.child)
	if got := s2(gs.Deadlines); got != "2026-02-23" {
		t.Errorf("after voiding the application S2 %s, want 2026-02-23", got)
	}
	// A monitor's board has no legal data.
	sum, err := f.reg.LegalSummaries(f.db, f.monitor, []int64{f.child})
	if err != nil || len(sum) != 0 {
		t.Errorf("monitor summaries %v, %v", sum, err)
	}
}

// Two people adding to the same timeline at once: one wins, the other gets a conflict.
func TestLegalConcurrentAppend(t *testing.T) {
	f := newLegalFixture(t)
	in := registry.LegalEventInput{Kind: "identified", OccurredOn: "2026-03-02", Authority: "Policia e Kufirit"}
	errs := make(chan error, 2)
	for _, a := range []*models.Actor{f.guardian, f.officer} {
		go func() {
			_, err := f.reg.RecordLegalEvent(f.ctx, a, f.child, 1, in)
			errs <- err
		}()
	}
	var ok, conflict int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			ok++
		case errors.Is(err, models.ErrConflict):
			conflict++
		default:
			t.Errorf("unexpected %v", err)
		}
	}
	if ok != 1 || conflict != 1 || f.count(t, f.child) != 1 {
		t.Errorf("%d saved, %d conflicts, %d events", ok, conflict, f.count(t, f.child))
	}
}
