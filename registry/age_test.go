package registry_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

func intp(v int) *int { return &v }

// problems lists a validation error as sorted "field:code" strings (nil for no error).
func problems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var verr *models.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("want a validation error, got %v", err)
	}
	var out []string
	for _, f := range verr.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	slices.Sort(out)
	return out
}

const justification = "The interview and the documents could not settle whether she is 17 or 19."

func TestCheckAgeAssessment(t *testing.T) {
	tests := []struct {
		name string
		in   registry.AgeCheck
		want []string // sorted field:code; nil = accepted
	}{
		// Methods.
		{"one non-medical method", registry.AgeCheck{Methods: []string{"interview"}}, nil},
		{"every non-medical method", registry.AgeCheck{Methods: []string{"documents", "interview", "psychosocial"}}, nil},
		{"no method", registry.AgeCheck{}, []string{"methods:age_method_required"}},
		{"empty method list", registry.AgeCheck{Methods: []string{}}, []string{"methods:age_method_required"}},
		{"unknown method", registry.AgeCheck{Methods: []string{"interview", "x-ray"}}, []string{"methods:age_method_unknown"}},
		{"method names are exact", registry.AgeCheck{Methods: []string{"Medical"}}, []string{"methods:age_method_unknown"}},
		{"two unknown methods", registry.AgeCheck{Methods: []string{"bone", "teeth"}}, []string{"methods:age_method_unknown", "methods:age_method_unknown"}},

		// Medical: last resort, with a written reason.
		{"medical with another method and a reason", registry.AgeCheck{Methods: []string{"interview", "medical"}, MedicalJustification: justification}, nil},
		{"medical without a reason", registry.AgeCheck{Methods: []string{"interview", "medical"}}, []string{"medical_justification:age_medical_needs_justification"}},
		{"medical with a blank reason", registry.AgeCheck{Methods: []string{"documents", "medical"}, MedicalJustification: "   \n\t "}, []string{"medical_justification:age_medical_needs_justification"}},
		{"medical with a token reason", registry.AgeCheck{Methods: []string{"documents", "medical"}, MedicalJustification: "needed"}, []string{"medical_justification:age_medical_needs_justification"}},
		{"medical reason counted in characters, not bytes", registry.AgeCheck{Methods: []string{"documents", "medical"}, MedicalJustification: "لا يكفي"}, []string{"medical_justification:age_medical_needs_justification"}},
		{"medical reason in Arabic", registry.AgeCheck{Methods: []string{"interview", "medical"}, MedicalJustification: "المقابلة لم تكن كافية لتحديد العمر"}, nil},
		{"medical alone, nothing tried before", registry.AgeCheck{Methods: []string{"medical"}, MedicalJustification: justification}, []string{"methods:age_medical_last_resort"}},
		{"medical alone, no reason, nothing tried", registry.AgeCheck{Methods: []string{"medical"}}, []string{"medical_justification:age_medical_needs_justification", "methods:age_medical_last_resort"}},
		{"medical alone after an earlier non-medical assessment", registry.AgeCheck{Methods: []string{"medical"}, MedicalJustification: justification, TriedNonMedical: true}, nil},
		{"medical alone after an earlier assessment still needs a reason", registry.AgeCheck{Methods: []string{"medical"}, TriedNonMedical: true}, []string{"medical_justification:age_medical_needs_justification"}},
		{"medical with an unknown method is still alone", registry.AgeCheck{Methods: []string{"medical", "x-ray"}, MedicalJustification: justification}, []string{"methods:age_medical_last_resort", "methods:age_method_unknown"}},
		{"a reason without medical is harmless", registry.AgeCheck{Methods: []string{"interview"}, MedicalJustification: justification}, nil},

		// Result range.
		{"range 15–17, minor", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(15), ResultMax: intp(17), Outcome: "minor"}, nil},
		{"single age", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(16), ResultMax: intp(16), Outcome: "minor"}, nil},
		{"bounds 0 and 30 allowed", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(0), ResultMax: intp(30), Outcome: "inconclusive"}, nil},
		{"min above max", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(18), ResultMax: intp(16), Outcome: "minor"}, []string{"result_max:age_result_min_above_max"}},
		{"negative min", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(-1), ResultMax: intp(16), Outcome: "minor"}, []string{"result_min:age_result_out_of_range"}},
		{"max above 30", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(16), ResultMax: intp(31), Outcome: "minor"}, []string{"result_max:age_result_out_of_range"}},
		{"both out of range, order not reported twice", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(99), ResultMax: intp(-5), Outcome: "minor"}, []string{"result_max:age_result_out_of_range", "result_min:age_result_out_of_range"}},
		{"only an upper bound", registry.AgeCheck{Methods: []string{"interview"}, ResultMax: intp(17), Outcome: "minor"}, nil},
		{"only a lower bound", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(15), Outcome: "inconclusive"}, nil},
		{"no range, inconclusive", registry.AgeCheck{Methods: []string{"interview"}, Outcome: "inconclusive"}, nil},
		{"range without a decision", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(15), ResultMax: intp(17)}, []string{"outcome:age_outcome_required"}},
		{"range while explicitly pending", registry.AgeCheck{Methods: []string{"interview"}, ResultMax: intp(17), Outcome: "pending"}, []string{"outcome:age_outcome_required"}},
		{"pending without range", registry.AgeCheck{Methods: []string{"interview"}, Outcome: "pending"}, nil},

		// Outcome and the benefit of the doubt.
		{"adult, whole range at or above 18", registry.AgeCheck{Methods: []string{"documents"}, ResultMin: intp(18), ResultMax: intp(21), Outcome: "adult"}, nil},
		{"adult, lower bound only, 19", registry.AgeCheck{Methods: []string{"documents"}, ResultMin: intp(19), Outcome: "adult"}, nil},
		{"adult, range reaching 17", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(17), ResultMax: intp(20), Outcome: "adult"}, []string{"outcome:age_benefit_of_doubt"}},
		{"adult, range wholly below 18", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(15), ResultMax: intp(16), Outcome: "adult"}, []string{"outcome:age_benefit_of_doubt"}},
		{"adult without any range", registry.AgeCheck{Methods: []string{"interview"}, Outcome: "adult"}, []string{"outcome:age_benefit_of_doubt"}},
		{"adult with only an upper bound", registry.AgeCheck{Methods: []string{"interview"}, ResultMax: intp(25), Outcome: "adult"}, []string{"outcome:age_benefit_of_doubt"}},
		{"minor even though the range is above 18", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(18), ResultMax: intp(20), Outcome: "minor"}, nil},
		{"inconclusive with a range straddling 18", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(16), ResultMax: intp(20), Outcome: "inconclusive"}, nil},
		{"unknown outcome", registry.AgeCheck{Methods: []string{"interview"}, Outcome: "probably_adult"}, []string{"outcome:age_outcome_unknown"}},
		{"outcome names are exact", registry.AgeCheck{Methods: []string{"interview"}, ResultMin: intp(19), Outcome: "Adult"}, []string{"outcome:age_outcome_unknown"}},

		// Everything at once is reported at once.
		{"every problem together", registry.AgeCheck{Methods: []string{"medical", "bone"}, ResultMin: intp(20), ResultMax: intp(19), Outcome: "adult"}, []string{
			"medical_justification:age_medical_needs_justification", "methods:age_medical_last_resort", "methods:age_method_unknown", "result_max:age_result_min_above_max",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verr := registry.CheckAgeAssessment(tt.in)
			var err error
			if verr != nil {
				err = verr
			}
			if got := problems(t, err); !slices.Equal(got, tt.want) {
				t.Errorf("CheckAgeAssessment = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTreatedAsChild(t *testing.T) {
	day := func(d int) *time.Time { v := time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC); return &v }
	decided := func(id int64, outcome string, min, max *int, at *time.Time) models.AgeAssessment {
		return models.AgeAssessment{ID: id, Outcome: outcome, ResultMin: min, ResultMax: max, DecidedAt: at}
	}
	adult := decided(1, "adult", intp(19), intp(22), day(10))
	withAppeal := func(a models.AgeAssessment, lodged *time.Time, outcome string) models.AgeAssessment {
		a.AppealLodgedAt, a.AppealOutcome = lodged, outcome
		return a
	}
	tests := []struct {
		name string
		as   []models.AgeAssessment
		want bool
	}{
		{"no assessment", nil, true},
		{"only a pending request", []models.AgeAssessment{{ID: 1, Outcome: "pending"}}, true},
		{"minor", []models.AgeAssessment{decided(1, "minor", intp(15), intp(17), day(10))}, true},
		{"inconclusive", []models.AgeAssessment{decided(1, "inconclusive", intp(16), intp(20), day(10))}, true},
		{"inconclusive without a range", []models.AgeAssessment{decided(1, "inconclusive", nil, nil, day(10))}, true},
		{"adult on a range wholly at or above 18", []models.AgeAssessment{adult}, false},
		{"adult at exactly 18", []models.AgeAssessment{decided(1, "adult", intp(18), intp(18), day(10))}, false},
		{"adult recorded on a range reaching below 18", []models.AgeAssessment{decided(1, "adult", intp(17), intp(21), day(10))}, true},
		{"adult recorded without a lower bound", []models.AgeAssessment{decided(1, "adult", nil, intp(21), day(10))}, true},
		{"adult without a decision date is not a decision", []models.AgeAssessment{decided(1, "adult", intp(19), intp(21), nil)}, true},
		{"adult, appeal pending", []models.AgeAssessment{withAppeal(adult, day(12), "")}, true},
		{"adult, appeal set the decision aside", []models.AgeAssessment{withAppeal(adult, day(12), "decision_set_aside")}, true},
		{"adult, appeal confirmed the decision", []models.AgeAssessment{withAppeal(adult, day(12), "decision_confirmed")}, false},
		{"adult, appeal withdrawn", []models.AgeAssessment{withAppeal(adult, day(12), "withdrawn")}, false},
		{"adult, then a later minor decision", []models.AgeAssessment{adult, decided(2, "minor", intp(16), intp(17), day(20))}, true},
		{"adult, then a later inconclusive one", []models.AgeAssessment{adult, decided(2, "inconclusive", nil, nil, day(20))}, true},
		{"minor, then a later adult decision", []models.AgeAssessment{decided(1, "minor", intp(16), intp(17), day(5)), adult}, false},
		{"latest by decision date, not by list order", []models.AgeAssessment{decided(2, "minor", intp(16), intp(17), day(5)), adult}, false},
		{"adult decided later than a minor listed after it", []models.AgeAssessment{decided(2, "adult", intp(20), intp(23), day(25)), decided(1, "minor", intp(16), intp(17), day(5))}, false},
		{"same decision date: the later record wins", []models.AgeAssessment{decided(1, "minor", intp(16), intp(17), day(10)), decided(2, "adult", intp(19), intp(21), day(10))}, false},
		{"a pending request after an adult decision does not undo it", []models.AgeAssessment{adult, {ID: 2, Outcome: "pending"}}, false},
		{"an earlier appeal does not count for a later decision", []models.AgeAssessment{withAppeal(decided(1, "inconclusive", nil, nil, day(1)), day(2), ""), adult}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := registry.TreatedAsChild(tt.as); got != tt.want {
				t.Errorf("TreatedAsChild = %v, want %v", got, tt.want)
			}
		})
	}
}

// ageFixture is a database with two regions, a child in each, and a protection officer of the
// first region only.
type ageFixture struct {
	db                *gorm.DB
	reg               *registry.Registry
	officer, guardian *models.Actor
	child, otherChild int64
	now               time.Time
}

func newAgeFixture(t *testing.T) ageFixture {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	f := ageFixture{db: db, reg: registry.New(db), now: now}
	f.reg.Now = func() time.Time { return now }
	exec := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	here := exec(`INSERT INTO regions (code, name) VALUES ('AGA', 'Here')`)
	there := exec(`INSERT INTO regions (code, name) VALUES ('AGB', 'There')`)
	user := exec(`INSERT INTO users (issuer, subject, username) VALUES ('test', 'po', 'po')`)
	guardian := exec(`INSERT INTO users (issuer, subject, username) VALUES ('test', 'g', 'g')`)
	f.child = exec(`INSERT INTO children (registration_number, region_id, registered_at) VALUES ('T-1', ?, ?)`, here, now.Add(-48*time.Hour))
	f.otherChild = exec(`INSERT INTO children (registration_number, region_id, registered_at) VALUES ('T-2', ?, ?)`, there, now.Add(-48*time.Hour))
	exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at) VALUES (?, ?, 'full', ?)`, f.child, guardian, now.Add(-24*time.Hour))
	roles := []models.Role{models.RoleProtectionOfficer}
	f.officer = &models.Actor{UserID: user, Issuer: "test", Subject: "po", Roles: roles, RegionIDs: []int64{here}, Permissions: auth.PermissionsFor(roles)}
	groles := []models.Role{models.RoleGuardian}
	f.guardian = &models.Actor{UserID: guardian, Issuer: "test", Subject: "g", Roles: groles, Permissions: auth.PermissionsFor(groles)}
	return f
}

func (f ageFixture) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.db.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (f ageFixture) auditRows(t *testing.T, action string, childID int64) []models.AuditEvent {
	t.Helper()
	var evs []models.AuditEvent
	if err := f.db.Where("action = ? AND entity = 'child' AND entity_id = ?", action, strconv.FormatInt(childID, 10)).Order("id").Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestAgeAssessmentUseCases(t *testing.T) {
	t.Parallel()
	f := newAgeFixture(t)
	ctx := context.Background()

	// A medical examination without a written reason is refused, and nothing is written.
	_, err := f.reg.RequestAgeAssessment(ctx, f.officer, f.child, registry.AgeRequestInput{
		Reason: "Says 16, looks older", Methods: []string{"interview", "medical"},
	})
	if got := problems(t, err); !slices.Equal(got, []string{"medical_justification:age_medical_needs_justification"}) {
		t.Fatalf("medical without justification: %v", got)
	}
	// Nor as the first and only method; a missing reason is reported with it.
	_, err = f.reg.RequestAgeAssessment(ctx, f.officer, f.child, registry.AgeRequestInput{
		Methods: []string{"medical"}, MedicalJustification: justification,
	})
	if got := problems(t, err); !slices.Equal(got, []string{"methods:age_medical_last_resort", "reason:required"}) {
		t.Fatalf("medical alone: %v", got)
	}
	if n := f.count(t, `SELECT count(*) FROM age_assessments`); n != 0 {
		t.Fatalf("%d assessments written by refused requests", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action LIKE 'age_assessment.%'`); n != 0 {
		t.Fatalf("%d audit rows written by refused requests", n)
	}

	// Out of scope is not found; without the permission, forbidden.
	if _, err := f.reg.RequestAgeAssessment(ctx, f.officer, f.otherChild, registry.AgeRequestInput{Reason: "r", Methods: []string{"interview"}}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("out-of-scope request: %v, want ErrNotFound", err)
	}
	if _, err := f.reg.ListAgeAssessments(ctx, f.officer, f.otherChild); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("out-of-scope list: %v, want ErrNotFound", err)
	}
	if _, err := f.reg.RequestAgeAssessment(ctx, f.guardian, f.child, registry.AgeRequestInput{Reason: "r", Methods: []string{"interview"}}); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("guardian request: %v, want ErrForbidden", err)
	}
	if _, err := f.reg.RequestAgeAssessment(ctx, nil, f.child, registry.AgeRequestInput{}); !errors.Is(err, models.ErrUnauthenticated) {
		t.Fatalf("anonymous request: %v, want ErrUnauthenticated", err)
	}

	// A valid request: methods deduplicated in canonical order, pending, audited.
	first, err := f.reg.RequestAgeAssessment(ctx, f.officer, f.child, registry.AgeRequestInput{
		Reason: "  Says 16; papers say 19  ", Methods: []string{"interview", "documents", "interview"}, Professionals: "Social worker A. Hoxha",
		MedicalJustification: "not needed: no medical method",
	})
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 || first.Version != 1 || first.Outcome != "pending" || first.Reason != "Says 16; papers say 19" ||
		!slices.Equal(first.Methods, models.Strings{"documents", "interview"}) || !first.RequestedAt.Equal(f.now) || first.MedicalJustification != "" {
		t.Fatalf("request stored as %+v", first)
	}
	evs := f.auditRows(t, "age_assessment.request", f.child)
	if len(evs) != 1 || evs[0].ActorUserID == nil || *evs[0].ActorUserID != f.officer.UserID {
		t.Fatalf("request audit rows: %+v", evs)
	}
	if _, ok := evs[0].Changes["reason"]; !ok || evs[0].Changes["reason"].After != nil {
		t.Errorf("the reason should be marked as written, not copied: %+v", evs[0].Changes)
	}

	// Stale or missing versions.
	result := registry.AgeResultInput{ResultMin: intp(16), ResultMax: intp(18), Outcome: "inconclusive"}
	if _, err := f.reg.RecordAgeResult(ctx, f.officer, f.child, first.ID, 0, result); !errors.Is(err, models.ErrPreconditionRequired) {
		t.Fatalf("no version: %v", err)
	}
	if _, err := f.reg.RecordAgeResult(ctx, f.officer, f.child, first.ID, 2, result); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("stale version: %v", err)
	}
	// The assessment must belong to the child in the path, and the child be in scope.
	if _, err := f.reg.RecordAgeResult(ctx, f.officer, f.otherChild, first.ID, 1, result); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("other child's path: %v", err)
	}

	// Benefit of the doubt: "adult" on a range reaching below 18 is refused, nothing changes.
	_, err = f.reg.RecordAgeResult(ctx, f.officer, f.child, first.ID, 1, registry.AgeResultInput{ResultMin: intp(17), ResultMax: intp(20), Outcome: "adult"})
	if got := problems(t, err); !slices.Equal(got, []string{"outcome:age_benefit_of_doubt"}) {
		t.Fatalf("adult on 17–20: %v", got)
	}
	if n := f.count(t, `SELECT count(*) FROM age_assessments WHERE outcome <> 'pending' OR version <> 1`); n != 0 {
		t.Fatal("a refused result changed the assessment")
	}
	// Decision dates: not in the future, not before the request, not without a decision.
	for _, tc := range []struct {
		name string
		in   registry.AgeResultInput
		want []string
	}{
		{"in the future", registry.AgeResultInput{Outcome: "minor", DecidedAt: ptr(f.now.AddDate(0, 0, 2))}, []string{"decided_at:age_date_in_future"}},
		{"before the request", registry.AgeResultInput{Outcome: "minor", DecidedAt: ptr(f.now.AddDate(0, 0, -2))}, []string{"decided_at:age_decided_before_request"}},
		{"without an outcome", registry.AgeResultInput{DecidedAt: ptr(f.now)}, []string{"outcome:age_outcome_required"}},
		{"a range without an outcome", registry.AgeResultInput{ResultMin: intp(15)}, []string{"outcome:age_outcome_required"}},
		{"medical added without a reason", registry.AgeResultInput{Methods: []string{"interview", "medical"}, Outcome: "minor"}, []string{"medical_justification:age_medical_needs_justification"}},
	} {
		_, err := f.reg.RecordAgeResult(ctx, f.officer, f.child, first.ID, 1, tc.in)
		if got := problems(t, err); !slices.Equal(got, tc.want) {
			t.Errorf("decision %s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// An appeal cannot precede a decision.
	_, err = f.reg.RecordAgeResult(ctx, f.officer, f.child, first.ID, 1, registry.AgeResultInput{AppealLodgedAt: &f.now})
	if got := problems(t, err); !slices.Equal(got, []string{"appeal_lodged_at:age_appeal_needs_decision"}) {
		t.Fatalf("appeal on a pending assessment: %v", got)
	}

	// Inconclusive: recorded, decided today, still a child.
	first, err = f.reg.RecordAgeResult(ctx, f.officer, f.child, first.ID, 1, result)
	if err != nil {
		t.Fatal(err)
	}
	if first.Version != 2 || first.Outcome != "inconclusive" || first.DecidedAt == nil || !first.DecidedAt.Equal(f.now) || *first.ResultMin != 16 {
		t.Fatalf("result stored as %+v", first)
	}
	// Two people recording on the same version: the second is told, not overwritten.
	if _, err := f.reg.RecordAgeResult(ctx, f.officer, f.child, first.ID, 1, registry.AgeResultInput{AppealLodgedAt: &f.now}); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("second writer on version 1: %v", err)
	}
	// The decision is final: a different outcome is refused; resending it unchanged is not.
	_, err = f.reg.RecordAgeResult(ctx, f.officer, f.child, first.ID, 2, registry.AgeResultInput{ResultMin: intp(19), ResultMax: intp(21), Outcome: "adult"})
	if got := problems(t, err); !slices.Equal(got, []string{"outcome:age_decision_final", "result_max:age_decision_final", "result_min:age_decision_final"}) {
		t.Fatalf("rewriting a decision: %v", got)
	}
	same, err := f.reg.RecordAgeResult(ctx, f.officer, f.child, first.ID, 2, result)
	if err != nil || same.Version != 2 {
		t.Fatalf("resending the decision: %v, version %d", err, same.Version)
	}

	// A second, medical-only assessment is possible now that non-medical methods were tried —
	// with a written reason.
	second, err := f.reg.RequestAgeAssessment(ctx, f.officer, f.child, registry.AgeRequestInput{
		Reason: "Inconclusive interview", Methods: []string{"medical"}, MedicalJustification: justification,
	})
	if err != nil {
		t.Fatalf("medical as last resort: %v", err)
	}
	second, err = f.reg.RecordAgeResult(ctx, f.officer, f.child, second.ID, 1, registry.AgeResultInput{ResultMin: intp(19), ResultMax: intp(23), Outcome: "adult"})
	if err != nil {
		t.Fatal(err)
	}
	// The child's status is not changed by the decision: a human procedure follows.
	if n := f.count(t, `SELECT count(*) FROM children WHERE id = ? AND status = 'active' AND version = 1`, f.child); n != 1 {
		t.Error("an adult decision changed the child's record")
	}
	evs = f.auditRows(t, "age_assessment.record", f.child)
	if len(evs) != 2 || evs[1].Changes["outcome"].After != "adult" || evs[1].Changes["outcome"].Before != "pending" {
		t.Fatalf("record audit rows: %+v", evs)
	}

	list, err := f.reg.ListAgeAssessments(ctx, f.officer, f.child)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != first.ID || list[1].ID != second.ID || registry.TreatedAsChild(list) {
		t.Fatalf("list after an adult decision: %d items, treated as child %v", len(list), registry.TreatedAsChild(list))
	}

	// An appeal keeps the person a child until it is decided.
	lodged := f.now.Add(-time.Hour)
	_, err = f.reg.RecordAgeResult(ctx, f.officer, f.child, second.ID, 2, registry.AgeResultInput{AppealOutcome: "decision_confirmed"})
	if got := problems(t, err); !slices.Equal(got, []string{"appeal_outcome:age_appeal_outcome_needs_appeal"}) {
		t.Fatalf("appeal outcome without an appeal: %v", got)
	}
	future := f.now.AddDate(0, 0, 3)
	_, err = f.reg.RecordAgeResult(ctx, f.officer, f.child, second.ID, 2, registry.AgeResultInput{AppealLodgedAt: &future})
	if got := problems(t, err); !slices.Equal(got, []string{"appeal_lodged_at:age_date_in_future"}) {
		t.Fatalf("appeal in the future: %v", got)
	}
	second, err = f.reg.RecordAgeResult(ctx, f.officer, f.child, second.ID, 2, registry.AgeResultInput{AppealLodgedAt: &lodged})
	if err != nil {
		t.Fatal(err)
	}
	if list, _ = f.reg.ListAgeAssessments(ctx, f.officer, f.child); !registry.TreatedAsChild(list) {
		t.Error("a pending appeal should keep the person a child")
	}
	_, err = f.reg.RecordAgeResult(ctx, f.officer, f.child, second.ID, 3, registry.AgeResultInput{AppealOutcome: "maybe"})
	if got := problems(t, err); !slices.Equal(got, []string{"appeal_outcome:age_appeal_outcome_unknown"}) {
		t.Fatalf("unknown appeal outcome: %v", got)
	}
	if _, err = f.reg.RecordAgeResult(ctx, f.officer, f.child, second.ID, 3, registry.AgeResultInput{AppealOutcome: "decision_set_aside"}); err != nil {
		t.Fatal(err)
	}
	if list, _ = f.reg.ListAgeAssessments(ctx, f.officer, f.child); !registry.TreatedAsChild(list) {
		t.Error("a decision set aside on appeal should make the person a child")
	}

	// A guardian of the child may read the assessments (not write them); every read is audited.
	if _, err := f.reg.ListAgeAssessments(ctx, f.guardian, f.child); err != nil {
		t.Fatalf("guardian list: %v", err)
	}
	reads := f.auditRows(t, "age_assessment.list", f.child)
	if len(reads) != 4 || reads[3].ActorSubject != "g" {
		t.Fatalf("%d list audit rows, want 4 (the last by the guardian)", len(reads))
	}
	// Refused out-of-scope calls change nothing and leave only the trace of the refusal.
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE entity_id = ? AND action <> 'child.read_denied'`, strconv.FormatInt(f.otherChild, 10)); n != 0 {
		t.Errorf("refused out-of-scope calls wrote %d audit rows besides their denials", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE entity_id = ? AND action = 'child.read_denied' AND outcome = 'denied'`, strconv.FormatInt(f.otherChild, 10)); n != 3 {
		t.Errorf("refused out-of-scope calls wrote %d denial rows, want 3", n)
	}
	if !strings.Contains(second.Reason, "Inconclusive") {
		t.Errorf("second assessment lost its reason: %q", second.Reason)
	}
}

func ptr[T any](v T) *T { return &v }
