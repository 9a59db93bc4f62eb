package registry_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// bornOn adds an active child of the fixture's region and post, born on birth (a range when
// to is given), with a current full appointment to the fixture's guardian.
func (f lifecycleFixture) bornOn(t *testing.T, number, from, to string) int64 {
	t.Helper()
	guardian := f.actors[models.RoleGuardian].UserID
	var region, post int64
	if err := f.db.Raw(`SELECT region_id, border_post_id FROM children WHERE id = ?`, f.child).Row().Scan(&region, &post); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := f.db.Raw(`INSERT INTO children (registration_number, region_id, border_post_id, status, given_name, sex,
		birth_date_known, birth_date_from, birth_date_to, languages, registered_at)
		VALUES (?, ?, ?, 'active', 'Omar', 'male', ? = ?, ?, ?, '{ar}', '2026-01-05') RETURNING id`,
		number, region, post, from, to, from, to).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at) VALUES (?, ?, 'full', '2026-01-06')`, id, guardian).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// A child is aged out on the birthday even when another transaction holds a row that refers
// to the child (its foreign key locks the child FOR KEY SHARE), and the sweep waits for one
// that edits the child instead of skipping it: a skipped child stays a child for a whole day
// (the daily job runs once). The sweep used FOR UPDATE SKIP LOCKED; TestAgeOutJob failed now
// and then with every sign of a skipped child (the job done, the child still active).
func TestAgeOutDoesNotSkipALockedChild(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	at := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d.Add(8 * time.Hour) }
	shared, edited := f.bornOn(t, "AO-K", "2008-06-20", "2008-06-20"), f.bornOn(t, "AO-U", "2008-06-20", "2008-06-20")
	f.reg.Now = func() time.Time { return at("2026-06-20") }

	other := f.db.Begin()
	defer other.Rollback()
	if err := other.Exec(`SELECT 1 FROM children WHERE id = ? FOR KEY SHARE`, shared).Error; err != nil {
		t.Fatal(err)
	}
	if done, err := f.reg.AgeOut(ctx, shared, at("2026-06-20")); err != nil || !done {
		t.Errorf("a child another transaction refers to: aged out %v, %v", done, err)
	}
	if err := other.Exec(`SELECT 1 FROM children WHERE id = ? FOR UPDATE`, edited).Error; err != nil {
		t.Fatal(err)
	}
	type result struct {
		done bool
		err  error
	}
	res := make(chan result, 1)
	go func() {
		done, err := f.reg.AgeOut(ctx, edited, at("2026-06-20"))
		res <- result{done, err}
	}()
	select {
	case r := <-res:
		t.Fatalf("the sweep did not wait for the edit: aged out %v, %v", r.done, r.err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := other.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	if r := <-res; r.err != nil || !r.done {
		t.Errorf("after the edit ended: aged out %v, %v", r.done, r.err)
	}
	for _, id := range []int64{shared, edited} {
		if status, _ := f.state(t, id); status != "aged_out" {
			t.Errorf("child %d: %s", id, status)
		}
	}
}

// Turning 18 with an injected clock: the day before nothing happens; on the birthday the
// sweep moves the record to aged out, ends the guardianship with that reason as the system,
// and the guardian gets "not found"; running the sweep again changes nothing.
func TestAgeOutDue(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	// Assessed 16–17 in 2026: born between 2008-06-11 and 2010-06-10. The benefit of the doubt
	// counts from the latest birth date: 18 on 2028-06-10, not 2026-06-11.
	ranged := f.bornOn(t, "AO-1", "2008-06-11", "2010-06-10")
	known := f.bornOn(t, "AO-2", "2008-06-20", "2008-06-20")
	g, po := f.actors[models.RoleGuardian], f.actors[models.RoleProtectionOfficer]

	at := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d.Add(8 * time.Hour) }
	if n, err := f.reg.AgeOutDue(ctx, at("2026-06-19")); err != nil || n != 0 {
		t.Fatalf("the day before: %d, %v", n, err)
	}
	if status, _ := f.state(t, known); status != "active" {
		t.Fatalf("aged out before 18: %s", status)
	}
	f.reg.Now = func() time.Time { return at("2026-06-20") }
	if n, err := f.reg.AgeOutDue(ctx, at("2026-06-20")); err != nil || n != 1 {
		t.Fatalf("on the birthday: %d, %v", n, err)
	}
	if status, version := f.state(t, known); status != "aged_out" || version != 2 {
		t.Errorf("after the sweep: %s v%d", status, version)
	}
	if status, _ := f.state(t, ranged); status != "active" {
		t.Errorf("the assessed child (18 only in 2028) was aged out: %s", status)
	}
	if n := f.count(t, `SELECT count(*) FROM guardian_appointments WHERE child_id = ? AND end_reason = 'aged_out' AND ended_at IS NOT NULL AND ended_by IS NULL`, known); n != 1 {
		t.Errorf("appointment not ended with aged_out: %d", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'child.transition' AND entity_id = ? AND actor_subject = 'system:age_out'
		AND actor_user_id IS NULL AND changes->'status'->>'after' = 'aged_out' AND changes->'adult_on'->>'after' = '2026-06-20'`, strconv.FormatInt(known, 10)); n != 1 {
		t.Errorf("age-out audit rows: %d", n)
	}
	if n := f.count(t, `SELECT count(*) FROM child_lifecycle_events WHERE child_id = ? AND transition = 'age_out' AND occurred_on = '2026-06-20'`, known); n != 1 {
		t.Errorf("lifecycle events: %d", n)
	}
	if _, err := f.reg.GetChild(ctx, g, known); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("the guardian still reads the aged-out record: %v", err)
	}
	if _, err := f.reg.GetChild(ctx, g, ranged); err != nil {
		t.Errorf("the guardian lost a ward who is not 18: %v", err)
	}
	v, err := f.reg.GetChild(ctx, po, known)
	if err != nil || v.Status != "aged_out" {
		t.Fatalf("protection officer: %v %s", err, v.Status)
	}
	// Idempotent, and the record is read-only now.
	if n, err := f.reg.AgeOutDue(ctx, at("2026-06-21")); err != nil || n != 0 {
		t.Errorf("second run: %d, %v", n, err)
	}
	if _, err := f.reg.RecordVisit(ctx, po, known, registry.VisitInput{VisitedOn: "2026-06-20", Kind: "visit", ChildSeen: new(true)}); !errors.Is(err, models.ErrReadOnly) {
		t.Errorf("visit on an aged-out record: %v", err)
	}
	// The assessed child ages out on the latest 18th birthday, 2028-06-10.
	if n, _ := f.reg.AgeOutDue(ctx, at("2028-06-09")); n != 0 {
		t.Errorf("assessed child aged out a day early")
	}
	if n, err := f.reg.AgeOutDue(ctx, at("2028-06-10")); err != nil || n != 1 { // the fixture's own children turn 18 in 2030
		t.Errorf("on the assessed child's latest 18th birthday: %d, %v", n, err)
	}
	if status, _ := f.state(t, ranged); status != "aged_out" {
		t.Errorf("assessed child not aged out on 2028-06-10: %s", status)
	}
}

// Several instances sweep at once: every child is aged out exactly once.
func TestAgeOutDueConcurrent(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	var ids []int64
	for i := range 12 {
		ids = append(ids, f.bornOn(t, "AC-"+strconv.Itoa(i), "2008-03-01", "2008-03-01"))
	}
	now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	counts := make([]int, 3)
	for w := range counts {
		wg.Go(func() {
			n, err := f.reg.AgeOutDue(ctx, now)
			if err != nil {
				t.Error(err)
			}
			counts[w] = n
		})
	}
	wg.Wait()
	if total := counts[0] + counts[1] + counts[2]; total != len(ids) {
		t.Errorf("aged out %v = %d, want %d", counts, total, len(ids))
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE actor_subject = 'system:age_out'`); n != int64(len(ids)) {
		t.Errorf("%d audit rows for %d children", n, len(ids))
	}
	if n := f.count(t, `SELECT count(*) FROM child_lifecycle_events WHERE transition = 'age_out'`); n != int64(len(ids)) {
		t.Errorf("%d events for %d children", n, len(ids))
	}
}

// S13: the transition-plan warning appears exactly 90 days before the 18th birthday, in the
// needs-action queue, on My wards and on the child's page, and goes when a plan is recorded.
func TestTransitionPlanWarning(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	id := f.bornOn(t, "TP-1", "2008-09-30", "2008-09-30") // 18 on 2026-09-30; plan due 2026-07-02
	po, g := f.actors[models.RoleProtectionOfficer], f.actors[models.RoleGuardian]
	find := func(items []registry.NeedsAction) *registry.NeedsAction {
		for i := range items {
			if items[i].ID == id {
				return &items[i]
			}
		}
		return nil
	}
	wardS13 := func() *registry.Deadline {
		ws, err := f.reg.MyWards(ctx, g)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if w.ID == id {
				for _, d := range w.OpenDeadlines {
					if d.Rule == registry.RuleS13 {
						return &d
					}
				}
			}
		}
		return nil
	}
	set := func(s string) {
		d, _ := time.Parse(time.DateOnly, s)
		f.reg.Now = func() time.Time { return d.Add(23 * time.Hour) }
	}
	set("2026-07-01") // 91 days before
	q, err := f.reg.NeedsActionQueue(ctx, po, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := find(q); n != nil && slices.Contains(n.Reasons, registry.ReasonTransitionPlanDue) {
		t.Errorf("91 days before: warned %v", n.Reasons)
	}
	if d := wardS13(); d != nil {
		t.Errorf("91 days before: My wards shows S13 %v", d)
	}
	s, err := f.reg.Lifecycle(ctx, po, id)
	if err != nil || s.PlanWarning || s.AdultOn == nil || s.AdultOn.Format(time.DateOnly) != "2026-09-30" {
		t.Errorf("91 days before: %+v %v", s, err)
	}
	set("2026-07-02") // 90 days before
	q, err = f.reg.NeedsActionQueue(ctx, po, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := find(q)
	if n == nil || !slices.Contains(n.Reasons, registry.ReasonTransitionPlanDue) || dueOn(*n, registry.RuleS13) != "2026-07-02" {
		t.Fatalf("90 days before: %+v", n)
	}
	if d := wardS13(); d == nil || d.Due.Format(time.DateOnly) != "2026-07-02" {
		t.Errorf("90 days before: My wards S13 %v", d)
	}
	if s, _ := f.reg.Lifecycle(ctx, g, id); !s.PlanWarning || s.PlanDue == nil {
		t.Errorf("90 days before, child page: %+v", s)
	}
	// A plan needs a date and a summary; then the warning goes.
	if got := problems(t, func() error {
		_, err := f.reg.RecordTransitionPlan(ctx, g, id, registry.TransitionPlanInput{PlannedOn: "2026-13-01", Summary: " "})
		return err
	}()); !slices.Equal(got, []string{"planned_on:date_invalid", "summary:required"}) {
		t.Errorf("bad plan: %v", got)
	}
	if _, err := f.reg.RecordTransitionPlan(ctx, g, id, registry.TransitionPlanInput{PlannedOn: "2026-07-02", Summary: "Supported housing in Tirana from October; vocational course."}); err != nil {
		t.Fatal(err)
	}
	q, _ = f.reg.NeedsActionQueue(ctx, po, 0)
	if n := find(q); n != nil && slices.Contains(n.Reasons, registry.ReasonTransitionPlanDue) {
		t.Errorf("after the plan: still warned")
	}
	if d := wardS13(); d != nil {
		t.Errorf("after the plan: My wards shows S13")
	}
	if s, _ := f.reg.Lifecycle(ctx, po, id); s.PlanWarning || len(s.Plans) != 1 || s.PlanDue == nil || s.PlanDue.MetAt == nil {
		t.Errorf("after the plan: %+v", s)
	}
}

// Closed records (closed, aged out, reunified, transferred) refuse every write use case with
// ErrReadOnly and change nothing; an open one accepts them.
func TestClosedRecordRefusesWrites(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	po := f.actors[models.RoleProtectionOfficer]
	writes := map[string]func(id int64, version int) error{
		"update": func(id int64, v int) error {
			region := "LCA"
			_, err := f.reg.UpdateChild(ctx, po, id, v, registry.ChildPatch{RegionCode: &region})
			return err
		},
		"visit": func(id int64, _ int) error {
			_, err := f.reg.RecordVisit(ctx, po, id, registry.VisitInput{VisitedOn: "2026-05-30", Kind: "visit", ChildSeen: new(true)})
			return err
		},
		"age assessment": func(id int64, _ int) error {
			_, err := f.reg.RequestAgeAssessment(ctx, po, id, registry.AgeRequestInput{Reason: "documents doubtful", Methods: []string{"interview"}})
			return err
		},
		"transition plan": func(id int64, _ int) error {
			_, err := f.reg.RecordTransitionPlan(ctx, po, id, registry.TransitionPlanInput{PlannedOn: "2026-05-30", Summary: "plan"})
			return err
		},
		"rights information": func(id int64, _ int) error {
			_, err := f.reg.RecordRightsInformation(ctx, po, id, registry.RightsInput{InformedOn: "2026-05-30", Language: "ar", Method: "interpreter"})
			return err
		},
		"legal event": func(id int64, _ int) error {
			_, err := f.reg.RecordLegalEvent(ctx, po, id, 1, registry.LegalEventInput{Kind: registry.LegalIdentified, OccurredOn: "2026-05-30", Authority: "police"})
			return err
		},
	}
	for _, status := range []string{"closed", "aged_out", "reunified", "transferred"} {
		t.Run(status, func(t *testing.T) {
			id := f.newChild(t)
			f.set(t, id, status)
			before := f.count(t, `SELECT count(*) FROM audit_events WHERE entity_id = ?`, strconv.FormatInt(id, 10))
			for name, w := range writes {
				if err := w(id, 1); !errors.Is(err, models.ErrReadOnly) {
					t.Errorf("%s on a %s record: %v", name, status, err)
				}
			}
			if s, v := f.state(t, id); s != status || v != 1 {
				t.Errorf("refused writes changed the record: %s v%d", s, v)
			}
			if after := f.count(t, `SELECT count(*) FROM audit_events WHERE entity_id = ?`, strconv.FormatInt(id, 10)); after != before {
				t.Errorf("refused writes were audited as done: %d → %d", before, after)
			}
			for _, table := range []string{"guardian_visits", "age_assessments", "transition_plans", "rights_information", "legal_events"} {
				if n := f.count(t, `SELECT count(*) FROM `+table+` WHERE child_id = ?`, id); n != 0 {
					t.Errorf("%s: %d rows written", table, n)
				}
			}
		})
	}
	t.Run("active", func(t *testing.T) {
		id := f.newChild(t)
		for name, w := range writes {
			if name == "update" {
				continue // no change to make; the region is already LCA
			}
			if err := w(id, 1); err != nil {
				t.Errorf("%s on an active record: %v", name, err)
			}
		}
	})
}

// Reunify and transfer: their fields are validated, the guardianship ends with the
// transition's reason in the same transaction, the guardian loses access, the details are
// recorded and audited; reopen undoes a reunification.
func TestReunifyAndTransfer(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	po, g := f.actors[models.RoleProtectionOfficer], f.actors[models.RoleGuardian]

	if got := problems(t, func() error {
		_, err := f.reg.Reunify(ctx, po, f.child, 1, registry.ReunifyInput{ReunifiedOn: "2026-07-01"})
		return err
	}()); !slices.Equal(got, []string{"reunified_on:date_in_future", "where:required", "with:required"}) {
		t.Errorf("bad reunification: %v", got)
	}
	if _, err := f.reg.Reunify(ctx, g, f.child, 1, registry.ReunifyInput{ReunifiedOn: "2026-05-31", Where: "Malmö, Sweden", With: "mother"}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("guardian reunifies: %v", err)
	}
	if _, err := f.reg.Reunify(ctx, po, f.child, 9, registry.ReunifyInput{ReunifiedOn: "2026-05-31", Where: "Malmö, Sweden", With: "mother"}); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
	if s, v := f.state(t, f.child); s != "active" || v != 1 {
		t.Fatalf("refused reunifications changed the record: %s v%d", s, v)
	}
	v, err := f.reg.Reunify(ctx, po, f.child, 1, registry.ReunifyInput{ReunifiedOn: "2026-05-31", Where: "Malmö, Sweden", With: "mother"})
	if err != nil || v.Status != "reunified" || v.Version != 2 {
		t.Fatalf("reunify: %v %+v", err, v)
	}
	if n := f.count(t, `SELECT count(*) FROM guardian_appointments WHERE child_id = ? AND end_reason = 'reunified' AND ended_by = ?`, f.child, po.UserID); n != 1 {
		t.Errorf("guardianship not ended as reunified: %d", n)
	}
	if _, err := f.reg.GetChild(ctx, g, f.child); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("guardian still reads the record: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM child_lifecycle_events WHERE child_id = ? AND reunified_where = 'Malmö, Sweden' AND reunified_with = 'mother'`, f.child); n != 1 {
		t.Errorf("event: %d", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE entity_id = ? AND action = 'child.transition' AND changes->'transition'->>'after' = 'reunify'`, strconv.FormatInt(f.child, 10)); n != 1 {
		t.Errorf("audit: %d", n)
	}
	// Transferring a reunified record is not a transition of the table.
	if got := problems(t, func() error {
		_, err := f.reg.Transfer(ctx, po, f.child, 2, registry.TransferInput{TransferredOn: "2026-05-31", DestinationCountry: "DE", Reference: "D-1"})
		return err
	}()); !slices.Equal(got, []string{"transition:transition_not_allowed"}) {
		t.Errorf("transfer after reunify: %v", got)
	}
	if _, err := f.reg.TransitionChild(ctx, po, f.child, 2, registry.TransitionInput{Transition: "reopen", Reason: "family placement broke down"}); err != nil {
		t.Errorf("reopen after reunify: %v", err)
	}

	if got := problems(t, func() error {
		_, err := f.reg.Transfer(ctx, po, f.other, 1, registry.TransferInput{TransferredOn: "2026-05-31", DestinationCountry: "ZZ"})
		return err
	}()); !slices.Equal(got, []string{"destination_country:code_unknown", "reference:required"}) {
		t.Errorf("bad transfer: %v", got)
	}
	if got := problems(t, func() error {
		_, err := f.reg.Transfer(ctx, po, f.other, 1, registry.TransferInput{TransferredOn: "2026-05-31", Reference: "x"})
		return err
	}()); !slices.Equal(got, []string{"destination_authority:transfer_destination_required"}) {
		t.Errorf("transfer without destination: %v", got)
	}
	v, err = f.reg.Transfer(ctx, po, f.other, 1, registry.TransferInput{TransferredOn: "2026-05-31", DestinationCountry: "de",
		DestinationAuthority: "Jugendamt München", Reference: "Dublin 2026/4411"})
	if err != nil || v.Status != "transferred" {
		t.Fatalf("transfer: %v %+v", err, v)
	}
	if n := f.count(t, `SELECT count(*) FROM child_lifecycle_events WHERE child_id = ? AND destination_country = 'DE' AND reference = 'Dublin 2026/4411'`, f.other); n != 1 {
		t.Errorf("transfer event: %d", n)
	}
	if n := f.count(t, `SELECT count(*) FROM guardian_appointments WHERE child_id = ? AND end_reason = 'transferred'`, f.other); n != 1 {
		t.Errorf("guardianship not ended as transferred: %d", n)
	}
}

// Rights information (S11): validated, recorded with its language, and the S11 deadline met.
func TestRightsInformation(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	g := f.actors[models.RoleGuardian]
	if got := problems(t, func() error {
		_, err := f.reg.RecordRightsInformation(ctx, g, f.child, registry.RightsInput{InformedOn: "2026-05-30", Language: "not a tag!", Method: "telepathy"})
		return err
	}()); len(got) != 2 || got[1] != "method:code_unknown" {
		t.Errorf("bad rights information: %v", got)
	}
	if _, err := f.reg.RecordRightsInformation(ctx, f.actors[models.RoleBorderOfficer], f.child, registry.RightsInput{InformedOn: "2026-05-30", Language: "ar", Method: "interpreter"}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("border officer: %v", err)
	}
	ri, err := f.reg.RecordRightsInformation(ctx, g, f.child, registry.RightsInput{InformedOn: "2026-05-30", Language: "fa-AF", Method: "written_sheet"})
	if err != nil || ri.Language != "fa-AF" {
		t.Fatalf("%v %+v", err, ri)
	}
	s, err := f.reg.Lifecycle(ctx, g, f.child)
	if err != nil || len(s.Rights) != 1 || s.InformDue.Rule != registry.RuleS11 || s.InformDue.MetAt == nil || s.InformDue.Overdue {
		t.Errorf("%v %+v", err, s)
	}
	sheet, err := f.reg.ChildRightsSheet(ctx, g, f.child, "fa-AF")
	if err != nil || sheet.RegistrationNumber == "" || sheet.GuardianProvisional || sheet.GivenName != "Ana" {
		t.Errorf("sheet: %v %+v", err, sheet)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'child.rights_sheet' AND changes->'language'->>'after' = 'fa-AF'`); n != 1 {
		t.Errorf("sheet print audited %d times", n)
	}
}
