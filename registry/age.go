package registry

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// Age-assessment methods. A medical examination is intrusive, imprecise and, for a child,
// frightening: it is a last resort, used only when the others were not enough.
const (
	AgeMethodDocuments    = "documents"
	AgeMethodInterview    = "interview"
	AgeMethodPsychosocial = "psychosocial"
	AgeMethodMedical      = "medical"
)

// AgeMethods are the known methods, in the order forms show them (medical last).
var AgeMethods = []string{AgeMethodDocuments, AgeMethodInterview, AgeMethodPsychosocial, AgeMethodMedical}

// Outcomes of an age assessment. Pending is the state of a request; the others are decisions.
const (
	AgeOutcomePending      = "pending"
	AgeOutcomeMinor        = "minor"
	AgeOutcomeAdult        = "adult"
	AgeOutcomeInconclusive = "inconclusive"
)

// AgeOutcomes are the decisions an assessment can conclude with.
var AgeOutcomes = []string{AgeOutcomeMinor, AgeOutcomeAdult, AgeOutcomeInconclusive}

// Outcomes of an appeal against an age decision.
const (
	AppealDecisionConfirmed = "decision_confirmed" // the decision stands
	AppealDecisionSetAside  = "decision_set_aside" // the decision is void: the person is a child
	AppealWithdrawn         = "withdrawn"
)

// AppealOutcomes are the known appeal outcomes.
var AppealOutcomes = []string{AppealDecisionConfirmed, AppealDecisionSetAside, AppealWithdrawn}

const (
	// AdultAge is the age of majority.
	AdultAge = 18
	// MaxAssessedAge bounds a result range: an assessment answers "child or young adult?",
	// so a higher bound is a typing error.
	MaxAssessedAge = 30
	// MinMedicalJustification is the shortest accepted reason (in characters) why the
	// non-medical methods were not enough.
	MinMedicalJustification = 10
	// maxAgeText bounds the free-text fields.
	maxAgeText = MaxAssessmentText
	// dateSlack tolerates dates typed in the user's time zone (up to UTC+14) and small clock
	// differences when refusing dates in the future.
	dateSlack = 14 * time.Hour
)

// AgeCheck is what the age-assessment rules look at.
type AgeCheck struct {
	Methods              []string
	MedicalJustification string
	ResultMin, ResultMax *int
	// Outcome is "pending" (or empty) while no decision is recorded.
	Outcome string
	// TriedNonMedical is true when an earlier, decided assessment of the same person used a
	// non-medical method, so a medical-only assessment can be the last resort.
	TriedNonMedical bool
}

// CheckAgeAssessment applies the age-assessment rules and returns every violation (nil when
// there is none):
//
//   - at least one method, each a known one;
//   - a medical method only with a written reason why the non-medical methods were not enough
//     (age_medical_needs_justification), and never as the only method unless a non-medical
//     method was already tried in an earlier assessment (age_medical_last_resort);
//   - a result range within 0–MaxAssessedAge, lower bound not above the upper;
//   - a range only with a decision;
//   - benefit of the doubt: "adult" only when the whole range is at or above 18
//     (age_benefit_of_doubt); "minor" and "inconclusive" keep the person a child and are
//     always allowed.
func CheckAgeAssessment(in AgeCheck) *models.ValidationError {
	var verr models.ValidationError
	nonMedical, medical := false, false
	for _, m := range in.Methods {
		switch {
		case m == AgeMethodMedical:
			medical = true
		case slices.Contains(AgeMethods, m):
			nonMedical = true
		default:
			verr.Add("methods", "age_method_unknown", map[string]any{"Value": m})
		}
	}
	if len(in.Methods) == 0 {
		verr.Add("methods", "age_method_required", nil)
	}
	if medical {
		if utf8.RuneCountInString(strings.TrimSpace(in.MedicalJustification)) < MinMedicalJustification {
			verr.Add("medical_justification", "age_medical_needs_justification", map[string]any{"Min": MinMedicalJustification})
		}
		if !nonMedical && !in.TriedNonMedical {
			verr.Add("methods", "age_medical_last_resort", nil)
		}
	}
	rangeOK := true
	for _, b := range []struct {
		field string
		v     *int
	}{{"result_min", in.ResultMin}, {"result_max", in.ResultMax}} {
		if b.v != nil && (*b.v < 0 || *b.v > MaxAssessedAge) {
			verr.Add(b.field, "age_result_out_of_range", map[string]any{"Min": 0, "Max": MaxAssessedAge})
			rangeOK = false
		}
	}
	if rangeOK && in.ResultMin != nil && in.ResultMax != nil && *in.ResultMin > *in.ResultMax {
		verr.Add("result_max", "age_result_min_above_max", nil)
	}
	switch in.Outcome {
	case "", AgeOutcomePending:
		if in.ResultMin != nil || in.ResultMax != nil {
			verr.Add("outcome", "age_outcome_required", nil)
		}
	case AgeOutcomeAdult:
		// Benefit of the doubt: a range that reaches below 18, or no lower bound at all,
		// cannot conclude that the person is an adult.
		if in.ResultMin == nil || *in.ResultMin < AdultAge {
			verr.Add("outcome", "age_benefit_of_doubt", map[string]any{"Age": AdultAge})
		}
	case AgeOutcomeMinor, AgeOutcomeInconclusive:
	default:
		verr.Add("outcome", "age_outcome_unknown", map[string]any{"Value": in.Outcome})
	}
	if len(verr.Fields) == 0 {
		return nil
	}
	return &verr
}

// TreatedAsChild applies the benefit of the doubt to a person's assessments: they are a child
// unless the most recent decision concluded "adult" on a range wholly at or above 18 and no
// appeal against it is pending or succeeded. No assessment, only pending ones, an inconclusive
// result or a range reaching below 18 all keep the person a child.
func TreatedAsChild(as []models.AgeAssessment) bool {
	var latest *models.AgeAssessment
	for i := range as {
		a := &as[i]
		if a.Outcome == AgeOutcomePending || a.Outcome == "" || a.DecidedAt == nil {
			continue
		}
		if latest == nil || a.DecidedAt.After(*latest.DecidedAt) ||
			(a.DecidedAt.Equal(*latest.DecidedAt) && a.ID > latest.ID) {
			latest = a
		}
	}
	if latest == nil || latest.Outcome != AgeOutcomeAdult {
		return true
	}
	if latest.ResultMin == nil || *latest.ResultMin < AdultAge {
		return true
	}
	if latest.AppealLodgedAt != nil {
		switch latest.AppealOutcome {
		case AppealDecisionConfirmed, AppealWithdrawn:
			return false
		default: // pending (no outcome yet) or set aside
			return true
		}
	}
	return false
}

// AgeRequestInput asks for a person's age to be assessed.
type AgeRequestInput struct {
	// Reason is why the age is in doubt.
	Reason  string   `json:"reason" input:"len=4000,multiline"`
	Methods []string `json:"methods" input:"items=20,len=35"`
	// MedicalJustification says why the non-medical methods are not enough; required with
	// the medical method.
	MedicalJustification string `json:"medical_justification" input:"len=4000,multiline"`
	// Professionals who will carry out the assessment (names, roles, organisations).
	Professionals string `json:"professionals" input:"len=4000,multiline"`
}

// RequestAgeAssessment records a request to assess a child's age. The person stays a child
// while it is pending.
func (r *Registry) RequestAgeAssessment(ctx context.Context, a *models.Actor, childID int64, in AgeRequestInput) (models.AgeAssessment, error) {
	if err := require(a, models.PermChildAgeAssess); err != nil {
		return models.AgeAssessment{}, err
	}
	if err := CheckInput(in); err != nil {
		return models.AgeAssessment{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	in.MedicalJustification = strings.TrimSpace(in.MedicalJustification)
	in.Professionals = strings.TrimSpace(in.Professionals)
	methods := normalizeMethods(in.Methods)
	if !slices.Contains(methods, AgeMethodMedical) {
		in.MedicalJustification = "" // nothing to justify
	}
	var out models.AgeAssessment
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := r.writableChild(tx, a, childID, false); err != nil {
			return err
		}
		tried, err := triedNonMedical(tx, childID, 0)
		if err != nil {
			return err
		}
		var verr models.ValidationError
		if in.Reason == "" {
			verr.Add("reason", "required", nil)
		}
		checkTextLength(&verr, "reason", in.Reason)
		checkTextLength(&verr, "medical_justification", in.MedicalJustification)
		checkTextLength(&verr, "professionals", in.Professionals)
		if v := CheckAgeAssessment(AgeCheck{Methods: methods, MedicalJustification: in.MedicalJustification, Outcome: AgeOutcomePending, TriedNonMedical: tried}); v != nil {
			verr.Fields = append(verr.Fields, v.Fields...)
		}
		if err := verr.Err(); err != nil {
			return err
		}
		uid := a.UserID
		out = models.AgeAssessment{
			ChildID: childID, RequestedAt: r.now(), Reason: in.Reason, Methods: methods,
			MedicalJustification: in.MedicalJustification, Professionals: in.Professionals,
			Outcome: AgeOutcomePending, Version: 1,
		}
		if uid != 0 {
			out.RequestedBy = &uid
		}
		if err := tx.Create(&out).Error; err != nil {
			return err
		}
		changes := models.AuditChanges{
			"age_assessment_id": {After: out.ID},
			"methods":           {After: []string(methods)},
			// Free texts may hold health and family details: the trail says they were written,
			// not what they say.
			"reason": {},
		}
		if in.MedicalJustification != "" {
			changes["medical_justification"] = models.FieldChange{}
		}
		if in.Professionals != "" {
			changes["professionals"] = models.FieldChange{}
		}
		return audit(ctx, tx, a, "age_assessment.request", "child", strconv.FormatInt(childID, 10), changes, "")
	})
	return out, r.denied(ctx, a, err)
}

// AgeResultInput records the result and decision of a pending assessment, or an appeal
// against a decided one. Nil and empty fields leave the record as it is.
//
// A decision is final: once the outcome is recorded it is not rewritten — it is appealed, or
// a new assessment is requested. So on a decided assessment only the appeal can be recorded
// (the unchanged decision may be sent again, as forms do).
type AgeResultInput struct {
	// Methods actually used, when they differ from those requested.
	Methods              []string `json:"methods,omitempty" input:"items=20,len=35"`
	MedicalJustification *string  `json:"medical_justification,omitempty" input:"len=4000,multiline"`
	Professionals        *string  `json:"professionals,omitempty" input:"len=4000,multiline"`
	// ResultMin and ResultMax are the assessed age range, in whole years.
	ResultMin *int `json:"result_min,omitempty"`
	ResultMax *int `json:"result_max,omitempty"`
	// Outcome is "minor", "adult" or "inconclusive".
	Outcome string `json:"outcome,omitempty" input:"len=35"`
	// DecidedAt defaults to now when a decision is recorded.
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	AppealLodgedAt *time.Time `json:"appeal_lodged_at,omitempty"`
	// AppealOutcome is "decision_confirmed", "decision_set_aside" or "withdrawn".
	AppealOutcome string `json:"appeal_outcome,omitempty" input:"len=35"`
}

// RecordAgeResult records the result and decision of an assessment, or an appeal, when the
// caller's version is still current. A concluded "adult" outcome does not change the child's
// status: a human procedure follows (and the person stays a child while an appeal is pending);
// the decision is in the audit trail.
func (r *Registry) RecordAgeResult(ctx context.Context, a *models.Actor, childID, assessmentID int64, version int, in AgeResultInput) (models.AgeAssessment, error) {
	if err := require(a, models.PermChildAgeAssess); err != nil {
		return models.AgeAssessment{}, err
	}
	if err := CheckInput(in); err != nil {
		return models.AgeAssessment{}, err
	}
	if version <= 0 {
		return models.AgeAssessment{}, models.ErrPreconditionRequired
	}
	var out models.AgeAssessment
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := r.writableChild(tx, a, childID, false); err != nil {
			return err
		}
		var cur models.AgeAssessment
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("id = ? AND child_id = ?", assessmentID, childID).Take(&cur).Error
		if err != nil {
			return notFound(err)
		}
		// The rules below depend on the state the caller saw (pending or decided): a stale
		// caller is told so before being told anything else.
		if cur.Version != version {
			return models.ErrConflict
		}
		tried, err := triedNonMedical(tx, childID, cur.ID)
		if err != nil {
			return err
		}
		next, verr := r.applyAgeResult(cur, in, tried)
		if err := verr.Err(); err != nil {
			return err
		}
		changes := ageChanges(cur, next)
		if len(changes) == 0 {
			out = cur
			return nil
		}
		next.Version = cur.Version + 1
		res := tx.Model(&models.AgeAssessment{}).Where("id = ? AND version = ?", cur.ID, version).Updates(map[string]any{
			"methods": next.Methods, "medical_justification": next.MedicalJustification,
			"professionals": next.Professionals, "result_min": next.ResultMin, "result_max": next.ResultMax,
			"outcome": next.Outcome, "decided_at": next.DecidedAt, "appeal_lodged_at": next.AppealLodgedAt,
			"appeal_outcome": next.AppealOutcome, "version": next.Version,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.ErrConflict
		}
		changes["age_assessment_id"] = models.FieldChange{After: cur.ID}
		out = next
		return audit(ctx, tx, a, "age_assessment.record", "child", strconv.FormatInt(childID, 10), changes, "")
	})
	return out, r.denied(ctx, a, err)
}

// applyAgeResult validates in against the current record and returns the record as it would
// be, with every problem found.
func (r *Registry) applyAgeResult(cur models.AgeAssessment, in AgeResultInput, triedNonMedical bool) (models.AgeAssessment, *models.ValidationError) {
	var verr models.ValidationError
	next := cur
	decided := cur.Outcome != AgeOutcomePending
	deciding := !decided && in.Outcome != "" && in.Outcome != AgeOutcomePending
	now := r.now()

	if in.Methods != nil {
		next.Methods = normalizeMethods(in.Methods)
	}
	if in.MedicalJustification != nil {
		next.MedicalJustification = strings.TrimSpace(*in.MedicalJustification)
		checkTextLength(&verr, "medical_justification", next.MedicalJustification)
	}
	if in.Professionals != nil {
		next.Professionals = strings.TrimSpace(*in.Professionals)
		checkTextLength(&verr, "professionals", next.Professionals)
	}
	if in.ResultMin != nil {
		next.ResultMin = in.ResultMin
	}
	if in.ResultMax != nil {
		next.ResultMax = in.ResultMax
	}
	if in.Outcome != "" {
		next.Outcome = in.Outcome
	}

	if !decided && !slices.Contains(next.Methods, AgeMethodMedical) {
		next.MedicalJustification = "" // nothing to justify
	}

	if decided {
		// Only the appeal may change; resending the decision as it is, is fine.
		for _, f := range []struct {
			field   string
			changed bool
		}{
			{"methods", !slices.Equal(next.Methods, cur.Methods)},
			{"medical_justification", next.MedicalJustification != cur.MedicalJustification},
			{"professionals", next.Professionals != cur.Professionals},
			{"result_min", !sameInt(next.ResultMin, cur.ResultMin)},
			{"result_max", !sameInt(next.ResultMax, cur.ResultMax)},
			{"outcome", next.Outcome != cur.Outcome},
			{"decided_at", in.DecidedAt != nil && (cur.DecidedAt == nil || !sameDay(*in.DecidedAt, *cur.DecidedAt))},
		} {
			if f.changed {
				verr.Add(f.field, "age_decision_final", nil)
			}
		}
	} else {
		// A pending assessment may be completed (methods actually used, professionals) and
		// decided; without an outcome it stays pending and may hold no result.
		if v := CheckAgeAssessment(AgeCheck{
			Methods: next.Methods, MedicalJustification: next.MedicalJustification,
			ResultMin: next.ResultMin, ResultMax: next.ResultMax, Outcome: next.Outcome, TriedNonMedical: triedNonMedical,
		}); v != nil {
			verr.Fields = append(verr.Fields, v.Fields...)
		}
		switch {
		case deciding:
			decidedAt := now
			if in.DecidedAt != nil {
				decidedAt = in.DecidedAt.UTC()
				switch {
				case decidedAt.After(now.Add(dateSlack)):
					verr.Add("decided_at", "age_date_in_future", nil)
				case dayBefore(decidedAt, cur.RequestedAt):
					verr.Add("decided_at", "age_decided_before_request", nil)
				}
			}
			next.DecidedAt = &decidedAt
		case in.DecidedAt != nil && next.ResultMin == nil && next.ResultMax == nil: // else reported above
			verr.Add("outcome", "age_outcome_required", nil)
		}
	}

	// The appeal: lodged once, its outcome recorded once.
	if in.AppealLodgedAt != nil {
		at := in.AppealLodgedAt.UTC()
		switch {
		case cur.AppealLodgedAt != nil && !sameDay(at, *cur.AppealLodgedAt):
			verr.Add("appeal_lodged_at", "age_appeal_final", nil)
		case !decided && !deciding:
			verr.Add("appeal_lodged_at", "age_appeal_needs_decision", nil)
		case at.After(now.Add(dateSlack)):
			verr.Add("appeal_lodged_at", "age_date_in_future", nil)
		case next.DecidedAt != nil && dayBefore(at, *next.DecidedAt):
			verr.Add("appeal_lodged_at", "age_appeal_before_decision", nil)
		case cur.AppealLodgedAt == nil:
			next.AppealLodgedAt = &at
		}
	}
	if in.AppealOutcome != "" {
		switch {
		case !slices.Contains(AppealOutcomes, in.AppealOutcome):
			verr.Add("appeal_outcome", "age_appeal_outcome_unknown", map[string]any{"Value": in.AppealOutcome})
		case cur.AppealOutcome != "" && in.AppealOutcome != cur.AppealOutcome:
			verr.Add("appeal_outcome", "age_appeal_final", nil)
		case next.AppealLodgedAt == nil && in.AppealLodgedAt == nil:
			verr.Add("appeal_outcome", "age_appeal_outcome_needs_appeal", nil)
		default:
			next.AppealOutcome = in.AppealOutcome
		}
	}
	return next, &verr
}

// ageChanges lists what a result changes, for the audit trail. Outcome, range, dates and
// methods are recorded with their values (the decision is what an audit must show); free
// texts only as "changed".
func ageChanges(cur, next models.AgeAssessment) models.AuditChanges {
	ch := models.AuditChanges{}
	if !slices.Equal(cur.Methods, next.Methods) {
		ch["methods"] = models.FieldChange{Before: []string(cur.Methods), After: []string(next.Methods)}
	}
	if cur.MedicalJustification != next.MedicalJustification {
		ch["medical_justification"] = models.FieldChange{}
	}
	if cur.Professionals != next.Professionals {
		ch["professionals"] = models.FieldChange{}
	}
	if !sameInt(cur.ResultMin, next.ResultMin) {
		ch["result_min"] = models.FieldChange{Before: cur.ResultMin, After: next.ResultMin}
	}
	if !sameInt(cur.ResultMax, next.ResultMax) {
		ch["result_max"] = models.FieldChange{Before: cur.ResultMax, After: next.ResultMax}
	}
	if cur.Outcome != next.Outcome {
		ch["outcome"] = models.FieldChange{Before: cur.Outcome, After: next.Outcome}
	}
	if !sameTime(cur.DecidedAt, next.DecidedAt) {
		ch["decided_at"] = models.FieldChange{After: formatTime(next.DecidedAt)}
	}
	if !sameTime(cur.AppealLodgedAt, next.AppealLodgedAt) {
		ch["appeal_lodged_at"] = models.FieldChange{After: formatTime(next.AppealLodgedAt)}
	}
	if cur.AppealOutcome != next.AppealOutcome {
		ch["appeal_outcome"] = models.FieldChange{Before: cur.AppealOutcome, After: next.AppealOutcome}
	}
	return ch
}

// ListAgeAssessments returns a child's age assessments, oldest first, and audits the read.
func (r *Registry) ListAgeAssessments(ctx context.Context, a *models.Actor, childID int64) ([]models.AgeAssessment, error) {
	if err := require(a, models.PermChildRead); err != nil {
		return nil, err
	}
	out := []models.AgeAssessment{}
	err := r.readChild(ctx, a, childID, "age_assessment.list", func(db *gorm.DB, _ ChildView) error {
		return db.Where("child_id = ?", childID).Order("requested_at, id").Find(&out).Error
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// triedNonMedical reports whether a decided assessment of the child, other than except, used
// a non-medical method.
func triedNonMedical(tx *gorm.DB, childID, except int64) (bool, error) {
	var n int64
	err := tx.Model(&models.AgeAssessment{}).
		Where("child_id = ? AND id <> ? AND outcome <> ?", childID, except, AgeOutcomePending).
		Where("methods && ?::text[]", models.Strings{AgeMethodDocuments, AgeMethodInterview, AgeMethodPsychosocial}).
		Count(&n).Error
	return n > 0, err
}

// normalizeMethods trims, drops blanks and duplicates, and puts known methods in the canonical
// order (unknown ones after them, for the rules to report).
func normalizeMethods(in []string) models.Strings {
	out := models.Strings{}
	seen := map[string]bool{}
	var unknown []string
	for _, m := range in {
		m = strings.TrimSpace(m)
		if m == "" || seen[m] {
			continue
		}
		seen[m] = true
		if !slices.Contains(AgeMethods, m) {
			unknown = append(unknown, m)
		}
	}
	for _, m := range AgeMethods {
		if seen[m] {
			out = append(out, m)
		}
	}
	return append(out, unknown...)
}

func checkTextLength(verr *models.ValidationError, field, s string) {
	if utf8.RuneCountInString(s) > maxAgeText {
		verr.Add(field, "age_text_too_long", map[string]any{"Max": maxAgeText})
	}
}

func sameInt(a, b *int) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func sameTime(a, b *time.Time) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(*b))
}

// sameDay compares calendar days (UTC): forms send dates, the API may send instants.
func sameDay(a, b time.Time) bool {
	return a.UTC().Format(time.DateOnly) == b.UTC().Format(time.DateOnly)
}

// dayBefore reports whether a falls on an earlier calendar day (UTC) than b.
func dayBefore(a, b time.Time) bool {
	return a.UTC().Format(time.DateOnly) < b.UTC().Format(time.DateOnly)
}

func formatTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
