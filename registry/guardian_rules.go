package registry

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/internal/workdays"
	"github.com/kujdes/kujdes/models"
)

// The guardianship rules (MISSION.md S1, S2, S3, S8), each in one function used by both faces,
// the suggestions, the "My wards" board and the needs-action queue.

// GuardianRules are the thresholds of the guardianship standards, from configuration
// (internal/config Guardianship). Zero fields take the defaults of DefaultGuardianRules.
type GuardianRules struct {
	// CaseloadCap is the default most active wards per guardian (S3).
	CaseloadCap int
	// ProvisionalWithin: a provisional representative is due this long after registration (S1).
	ProvisionalWithin time.Duration
	// AppointWithinWorkdays: a guardian is due this many working days after the application
	// was made, or after registration while there is none (S2).
	AppointWithinWorkdays int
	// VisitEvery: the longest time between two visits where the child was seen (S8).
	VisitEvery time.Duration
	// Calendar counts the working days of S2.
	Calendar *workdays.Calendar
}

// DefaultGuardianRules are MISSION.md's defaults, with Albania's calendar (without listed
// holidays: configuration adds them).
func DefaultGuardianRules() GuardianRules {
	return GuardianRules{CaseloadCap: 30, ProvisionalWithin: 24 * time.Hour, AppointWithinWorkdays: 15,
		VisitEvery: 30 * 24 * time.Hour, Calendar: workdays.MustAlbania(nil)}
}

// guardianRules are the registry's rules, defaults filled in.
func (r *Registry) guardianRules() GuardianRules {
	g, d := r.GuardianRules, DefaultGuardianRules()
	if g.CaseloadCap <= 0 {
		g.CaseloadCap = d.CaseloadCap
	}
	if g.ProvisionalWithin <= 0 {
		g.ProvisionalWithin = d.ProvisionalWithin
	}
	if g.AppointWithinWorkdays <= 0 {
		g.AppointWithinWorkdays = d.AppointWithinWorkdays
	}
	if g.VisitEvery <= 0 {
		g.VisitEvery = d.VisitEvery
	}
	if g.Calendar == nil {
		g.Calendar = d.Calendar
	}
	return g
}

// Rule names, as deadlines show them.
const (
	RuleS1 = "S1" // provisional representative designated
	RuleS2 = "S2" // guardian appointed
	RuleS8 = "S8" // guardian visit
	RuleS5 = "S5" // first placement (placements.go placementDue)
	RuleS7 = "S7" // placement review (placements.go reviewDue)
)

// Deadline is a due date of a standard: the rule, when it falls due, and whether it is met or
// already late.
type Deadline struct {
	Rule    string     `json:"rule"`
	Due     time.Time  `json:"due"`
	MetAt   *time.Time `json:"met_at,omitempty"`
	Overdue bool       `json:"overdue"`
}

func deadline(rule string, due time.Time, met *time.Time, now time.Time) Deadline {
	d := Deadline{Rule: rule, Due: due.UTC(), MetAt: met}
	if met == nil {
		d.Overdue = now.After(due)
	} else {
		d.Overdue = met.After(due)
	}
	return d
}

// ProvisionalDue is when a provisional representative must be designated for a child
// registered at registered (S1).
func (g GuardianRules) ProvisionalDue(registered time.Time) time.Time {
	return registered.Add(g.ProvisionalWithin)
}

// AppointDue is the end of the last working day by which a guardian must be appointed (S2):
// AppointWithinWorkdays working days after the day the child's asylum application was made
// (applicationMade, from the legal timeline: legal.go applicationMadeOn), or — while the child
// has none — after the day of registration; weekends and public holidays not counted. Every
// S2 deadline (the child page, My wards, the needs-action queue) comes from here.
func (g GuardianRules) AppointDue(registered time.Time, applicationMade *time.Time) time.Time {
	return compliance.AppointDue(g.Calendar, g.AppointWithinWorkdays, registered, applicationMade)
}

// NextVisitDue is when the next visit to a ward is due (S8): VisitEvery after the latest of
// the last visit where the child was seen and the start of the current appointment (a new
// guardian has VisitEvery to make their first visit). lastSeen is nil without such a visit.
func (g GuardianRules) NextVisitDue(lastSeen *time.Time, appointed time.Time) time.Time {
	return compliance.NextVisitDue(g.VisitEvery, lastSeen, appointed)
}

// visitOverdueBefore is NextVisitDue turned round for a query: a ward is overdue at now when
// its base date (the latest of the last visit and the appointment start) is before this
// instant — NextVisitDue(base) < now ⇔ base < now − VisitEvery.
func (g GuardianRules) visitOverdueBefore(now time.Time) time.Time { return now.Add(-g.VisitEvery) }

// EffectiveCap is a guardian's caseload cap: their own when set, else the default (S3).
func (g GuardianRules) EffectiveCap(own *int) int {
	if own != nil && *own > 0 {
		return *own
	}
	return g.CaseloadCap
}

// MinOverrideReason is the shortest accepted reason (in characters) for exceeding a cap.
const MinOverrideReason = 10

// SharesLanguage reports whether a guardian speaks one of the child's languages. Languages are
// BCP 47 tags compared by their primary language ("fa-AF" and "fa" match; "ar" and "ar-SY" do).
func SharesLanguage(guardian, child []string) bool {
	base := func(tag string) string {
		b, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		return b
	}
	for _, g := range guardian {
		for _, c := range child {
			if bg := base(g); bg != "" && bg == base(c) {
				return true
			}
		}
	}
	return false
}

// AppointmentCheck is what the appointment rules look at when a guardian is designated or
// appointed.
type AppointmentCheck struct {
	Kind           string // provisional or full
	GuardianActive bool
	// Conflict: the guardian declared a conflict of interest with this child.
	Conflict bool
	// ActiveWards is the guardian's current caseload, not counting this child; Cap their
	// effective cap (EffectiveCap).
	ActiveWards, Cap int
	// OverrideReason explains why the cap may be exceeded; MayOverride is true for a
	// protection officer, the only role who may record an override.
	OverrideReason string
	MayOverride    bool
	// Languages of the guardian and the child; Interpretation the arrangements recorded.
	GuardianLanguages, ChildLanguages []string
	Interpretation                    string
	// The decision of a full appointment.
	Authority, Reference string
	DecidedOn            *time.Time
	Registered, Now      time.Time
}

// CheckAppointment applies every rule of an appointment and returns every violation (nil when
// there is none):
//
//   - the guardian is active in the registry;
//   - a declared conflict of interest blocks (guardian_conflict_of_interest);
//   - the caseload cap (S3): one more ward than the cap is refused unless a protection
//     officer records an override with a reason of at least MinOverrideReason characters
//     (guardian_over_cap); an override is refused when nobody needs one, so a reason is
//     never recorded for nothing (guardian_override_not_needed);
//   - no shared language: interpretation arrangements are required (guardian_interpretation_required);
//   - a full appointment names the appointing authority, the decision reference and its date,
//     not in the future and not before the child's registration.
func CheckAppointment(in AppointmentCheck) *models.ValidationError {
	var verr models.ValidationError
	switch in.Kind {
	case KindProvisional, KindFull:
	default:
		verr.Add("kind", "code_unknown", map[string]any{"Value": in.Kind})
	}
	if !in.GuardianActive {
		verr.Add("guardian_id", "guardian_inactive", nil)
	}
	if in.Conflict {
		verr.Add("guardian_id", "guardian_conflict_of_interest", nil)
	}
	reason := strings.TrimSpace(in.OverrideReason)
	over := in.ActiveWards+1 > in.Cap
	switch {
	case over && reason == "":
		verr.Add("cap_override_reason", "guardian_over_cap", map[string]any{"Cap": in.Cap, "Count": in.ActiveWards})
	case over && !in.MayOverride:
		verr.Add("cap_override_reason", "guardian_override_not_allowed", nil)
	case over && utf8.RuneCountInString(reason) < MinOverrideReason:
		verr.Add("cap_override_reason", "guardian_override_too_short", map[string]any{"Min": MinOverrideReason})
	case !over && reason != "":
		verr.Add("cap_override_reason", "guardian_override_not_needed", map[string]any{"Cap": in.Cap, "Count": in.ActiveWards})
	}
	if !SharesLanguage(in.GuardianLanguages, in.ChildLanguages) && strings.TrimSpace(in.Interpretation) == "" {
		verr.Add("interpretation", "guardian_interpretation_required", nil)
	}
	if in.Kind == KindFull {
		if strings.TrimSpace(in.Authority) == "" {
			verr.Add("appointing_authority", "required", nil)
		}
		if strings.TrimSpace(in.Reference) == "" {
			verr.Add("decision_reference", "required", nil)
		}
		switch {
		case in.DecidedOn == nil:
			verr.Add("decided_on", "required", nil)
		case in.DecidedOn.After(in.Now.Add(dateSlack)):
			verr.Add("decided_on", "date_in_future", nil)
		case dayBefore(*in.DecidedOn, in.Registered):
			verr.Add("decided_on", "guardian_decided_before_registration", nil)
		}
	}
	if len(verr.Fields) == 0 {
		return nil
	}
	return &verr
}

// ReasonVisitOverdue is the needs-action reason of S8.
const ReasonVisitOverdue = "visit_overdue"

// visitBase is the date S8 counts from, as a column over "children": the later of the latest
// current appointment's start and the last visit where the child was seen (NULL without a
// current appointment or visit).
func visitBase(now time.Time) sqlCond {
	cur := appointmentIsCurrent(now)
	return sqlCond{
		sql: `GREATEST((SELECT max(ga.started_at) FROM guardian_appointments ga WHERE ga.child_id = children.id AND ` + cur.sql + `),
			(SELECT max(v.visited_on) FROM guardian_visits v WHERE v.child_id = children.id AND v.child_seen)::timestamptz)`,
		args: cur.args,
	}
}

// visitOverdue is S8 as a condition over "children", for the needs-action queue: the child has
// a current appointment and NextVisitDue (from visitBase) has passed at now.
func (g GuardianRules) visitOverdue(now time.Time) sqlCond {
	base, cur := visitBase(now), currentAppointment(0, now)
	return sqlCond{
		sql:  base.sql + ` < ? AND ` + cur.sql,
		args: append(append(append([]any{}, base.args...), g.visitOverdueBefore(now)), cur.args...),
	}
}

// queueDeadlines are the deadlines the needs-action queue shows for a child's reasons: S1 and
// S2 without a guardian (S2 from applicationMade when the child has one), S8 when a visit is
// overdue (base from visitBase).
func (g GuardianRules) queueDeadlines(registered time.Time, applicationMade *time.Time, noGuardian, overdue bool, base *time.Time, now time.Time) []Deadline {
	var out []Deadline
	if noGuardian {
		out = append(out, deadline(RuleS1, g.ProvisionalDue(registered), nil, now), deadline(RuleS2, g.AppointDue(registered, applicationMade), nil, now))
	}
	if overdue && base != nil {
		out = append(out, deadline(RuleS8, g.NextVisitDue(nil, *base), nil, now))
	}
	return out
}
