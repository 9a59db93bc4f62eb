package compliance

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kujdes/kujdes/internal/workdays"
	"github.com/kujdes/kujdes/models"
)

// Standards are S1–S13 of MISSION.md with their sources and default thresholds, in order.
// S12 (biometrics transmitted) is listed but not measured: Kujdes records no biometrics yet.
var Standards = []Standard{
	{Code: S1, Source: "EU Reception Conditions Directive 2024/1346 Art 27(1)(a)", DefaultThreshold: 24, Unit: UnitHours, Measured: true},
	{Code: S2, Source: "RCD 2024/1346 Art 27(1)(b); Asylum Procedures Regulation 2024/1348 Art 23(2)(b)", DefaultThreshold: 15, Unit: UnitWorkingDays, Measured: true},
	{Code: S3, Source: "RCD 2024/1346; APR 2024/1348 (caseload proportionate and limited)", DefaultThreshold: 30, Unit: UnitWards, Measured: true},
	{Code: S4, Source: "EASO guidance on reception conditions for unaccompanied children (2018)", DefaultThreshold: 24, Unit: UnitHours, Measured: true},
	{Code: S5, Source: "EASO guidance on reception conditions for unaccompanied children (2018)", DefaultThreshold: 7, Unit: UnitDays, Measured: true},
	{Code: S6, Source: "UN Guidelines for the Alternative Care of Children ¶143; Directive 2013/33/EU Art 24(2)", DefaultThreshold: 0, Unit: UnitNone, Measured: true},
	{Code: S7, Source: "UN Guidelines for the Alternative Care of Children ¶67", DefaultThreshold: 3, Unit: UnitMonths, Measured: true},
	{Code: S8, Source: "Council of Europe CM/Rec(2019)11 (regular contact)", DefaultThreshold: 30, Unit: UnitDays, Measured: true},
	{Code: S9, Source: "Missing Children Europe; UNGA resolution 71/177 ¶63", DefaultThreshold: 2, Unit: UnitHours, Measured: true},
	{Code: S10, Source: "UK statutory guidance on children who run away or go missing (good practice)", DefaultThreshold: 72, Unit: UnitHours, Measured: true},
	{Code: S11, Source: "EASO guidance (2018); Screening Regulation 2024/1356 Art 13", DefaultThreshold: 15, Unit: UnitDays, Measured: true},
	{Code: S12, Source: "Eurodac Regulation 2024/1358 Art 14–15", DefaultThreshold: 72, Unit: UnitHours, Measured: false},
	{Code: S13, Source: "Good practice for leaving care", DefaultThreshold: 90, Unit: UnitDays, Measured: true},
}

// StandardOf returns the standard with the code.
func StandardOf(c Code) (Standard, bool) {
	for _, s := range Standards {
		if s.Code == c {
			return s, true
		}
	}
	return Standard{}, false
}

// ParseCode accepts "S1".."S13" in any case.
func ParseCode(s string) (Code, bool) {
	c := Code(strings.ToUpper(strings.TrimSpace(s)))
	_, ok := StandardOf(c)
	return c, ok
}

// Rules are the thresholds in force, resolved (Thresholds over the defaults), with the
// working-day calendar. Every deadline of every standard — on the child page, in the
// needs-action queue, in My wards and on the dashboard — is computed by a method below.
type Rules struct {
	values map[Code]int
	// exact holds thresholds configured as durations finer than the unit (S1, S4, S9, S10
	// in hours, S8 in days: "90m" stays 90 minutes).
	exact    map[Code]time.Duration
	Calendar *workdays.Calendar
}

// WithDuration returns the rules with an hour- or day-based threshold set to exactly d (the
// registry's configuration is in durations); d ≤ 0 changes nothing.
func (r Rules) WithDuration(c Code, d time.Duration) Rules {
	if d <= 0 {
		return r
	}
	out := Rules{values: map[Code]int{}, exact: map[Code]time.Duration{}, Calendar: r.Calendar}
	for k, v := range r.values {
		out.values[k] = v
	}
	for k, v := range r.exact {
		out.exact[k] = v
	}
	out.exact[c] = d
	unit := time.Hour
	if mustStandard(c).Unit == UnitDays {
		unit = 24 * time.Hour
	}
	out.values[c] = int(d / unit)
	return out
}

// With returns the rules with the threshold of c set to n (n ≤ 0 changes nothing).
func (r Rules) With(c Code, n int) Rules {
	if n <= 0 {
		return r
	}
	out := r.WithDuration(c, time.Hour) // copies
	delete(out.exact, c)
	out.values[c] = n
	return out
}

// NewRules resolves thresholds over the defaults; cal counts working days (nil: Albania's
// fixed holidays plus t.Holidays).
func NewRules(t Thresholds, cal *workdays.Calendar) Rules {
	v := map[Code]int{}
	for _, s := range Standards {
		v[s.Code] = s.DefaultThreshold
		if n := t.Values[s.Code]; n > 0 {
			v[s.Code] = n
		}
	}
	if cal == nil {
		cal = workdays.MustAlbania(t.Holidays)
	}
	return Rules{values: v, Calendar: cal}
}

// DefaultRules are MISSION.md's defaults with Albania's calendar.
func DefaultRules() Rules { return NewRules(Thresholds{}, nil) }

// Threshold is the threshold in force for the rule (in its Unit).
func (r Rules) Threshold(c Code) int {
	if n, ok := r.values[c]; ok {
		return n
	}
	s, _ := StandardOf(c)
	return s.DefaultThreshold
}

// Thresholds are the values in force, for display and for the audit of changes.
func (r Rules) Thresholds() Thresholds {
	out := Thresholds{Values: map[Code]int{}}
	for _, s := range Standards {
		out.Values[s.Code] = r.Threshold(s.Code)
	}
	return out
}

func (r Rules) hours(c Code) time.Duration {
	if d, ok := r.exact[c]; ok {
		return d
	}
	return time.Duration(r.Threshold(c)) * time.Hour
}

// ProvisionalDue (S1): a provisional representative is due this long after registration.
func (r Rules) ProvisionalDue(registered time.Time) time.Time { return registered.Add(r.hours(S1)) }

// AppointDue (S2) is the end of the last working day by which a guardian must be appointed:
// the threshold's working days after the day the asylum application was made
// (applicationMade, voided events excluded) or — while the child has none — after the day of
// registration; weekends and public holidays not counted.
func (r Rules) AppointDue(registered time.Time, applicationMade *time.Time) time.Time {
	return AppointDue(r.Calendar, r.Threshold(S2), registered, applicationMade)
}

// AppointDue is S2's deadline for n working days in the calendar (Rules.AppointDue; the
// registry's GuardianRules.AppointDue calls it with its configuration).
func AppointDue(cal *workdays.Calendar, n int, registered time.Time, applicationMade *time.Time) time.Time {
	from := registered
	if applicationMade != nil {
		from = *applicationMade
	}
	return cal.Deadline(from, n)
}

// WorkdaysTo is the measure of "working days to appointment": the fewest working days n
// such that to falls within n working days of from (AppointDue's counting: the day of from
// does not count, weekends and holidays are skipped); 0 when to is on from's day.
func (r Rules) WorkdaysTo(from, to time.Time) int {
	n := 0
	for n < 3660 && to.After(r.Calendar.Deadline(from, n)) {
		n++
	}
	return n
}

// CaseloadCap (S3) is a guardian's cap: their own when set, else the threshold.
func (r Rules) CaseloadCap(own *int) int {
	if own != nil && *own > 0 {
		return *own
	}
	return r.Threshold(S3)
}

// AssessDue (S4): vulnerabilities are identified this long after registration.
func (r Rules) AssessDue(registered time.Time) time.Time { return registered.Add(r.hours(S4)) }

// PlacementDue (S5): a suitable placement this many days after registration.
func (r Rules) PlacementDue(registered time.Time) time.Time {
	return registered.AddDate(0, 0, r.Threshold(S5))
}

// AdultCentreMinAge (S6) is the youngest age at which a child may stay in an adult reception
// centre, and then only with a best-interests justification of MinJustification characters.
func (r Rules) AdultCentreMinAge() int { return AdultCentreMinAge }

// S6's fixed limits (zero tolerance: not configurable). registry.CheckPlacement refuses such
// placements when they are recorded; Prohibited finds those recorded before, or made
// prohibited by a lapse (an undated birth range).
const (
	AdultCentreMinAge = 16
	// MinJustification is the shortest accepted best-interests justification (characters).
	MinJustification = 20
	// PlacementDueDays and ReviewEveryMonths are the defaults of S5 and S7.
	PlacementDueDays  = 7
	ReviewEveryMonths = 3
)

// Prohibited (S6) reports whether a placement of this kind is prohibited for a child aged
// ageLo (the youngest possible age; known false when the age is unknown, which counts as
// too young) with the recorded best-interests justification (ProhibitedBecause).
func (r Rules) Prohibited(kind string, ageLo int, known bool, bestInterests string) bool {
	return ProhibitedBecause(kind, ageLo, known, bestInterests) != ""
}

// Why a placement is prohibited (S6).
const (
	ProhibitedDetention         = "detention"                 // police custody or detention, always
	ProhibitedAdultCentreUnder  = "adult_centre_under_min"    // adult centre under AdultCentreMinAge (or age unknown)
	ProhibitedAdultCentreNoJust = "adult_centre_no_justified" // adult centre at 16–17 without a best-interests justification
)

// ProhibitedBecause is S6, once: why a placement of this kind is prohibited for the child, ""
// when it is not. registry.CheckPlacement refuses a new placement for the same reasons;
// Evaluate flags a current one.
func ProhibitedBecause(kind string, ageLo int, known bool, bestInterests string) string {
	switch kind {
	case models.FacilityPoliceDetention:
		return ProhibitedDetention
	case models.FacilityAdultReception:
		switch {
		case !known || ageLo < AdultCentreMinAge:
			return ProhibitedAdultCentreUnder
		case utf8.RuneCountInString(strings.TrimSpace(bestInterests)) < MinJustification:
			return ProhibitedAdultCentreNoJust
		}
	}
	return ""
}

// ReviewDue (S7): a placement is next due for review the threshold's months after its last
// condition check, or after its start (dates, UTC).
func (r Rules) ReviewDue(started time.Time, lastCheck *time.Time) time.Time {
	return ReviewDue(r.Threshold(S7), started, lastCheck)
}

// ReviewDue is S7's date for a review every `months` months (Rules.ReviewDue; the registry's
// SQL reviewDue is the same rule over the placements table, checked against it in tests).
func ReviewDue(months int, started time.Time, lastCheck *time.Time) time.Time {
	base := started.UTC()
	if lastCheck != nil && lastCheck.After(base) {
		base = lastCheck.UTC()
	}
	y, m, d := base.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, months, 0)
}

// NextVisitDue (S8): the next visit is due the threshold's days after the latest of the last
// visit where the child was seen and the start of the current appointment.
func (r Rules) NextVisitDue(lastSeen *time.Time, appointed time.Time) time.Time {
	return NextVisitDue(r.VisitEvery(), lastSeen, appointed)
}

// NextVisitDue is S8's deadline for a visit every `every` (Rules.NextVisitDue; the registry's
// GuardianRules.NextVisitDue calls it with its configuration).
func NextVisitDue(every time.Duration, lastSeen *time.Time, appointed time.Time) time.Time {
	base := appointed
	if lastSeen != nil && lastSeen.After(base) {
		base = *lastSeen
	}
	return base.Add(every)
}

// VisitEvery is S8's longest time between two visits.
func (r Rules) VisitEvery() time.Duration {
	if d, ok := r.exact[S8]; ok {
		return d
	}
	return time.Duration(r.Threshold(S8)) * 24 * time.Hour
}

// PoliceReportDue (S9): a disappearance is reported to the police this long after it is
// discovered.
func (r Rules) PoliceReportDue(discovered time.Time) time.Time { return discovered.Add(r.hours(S9)) }

// ReturnInterviewDue (S10): the return interview is held this long after the child is found.
func (r Rules) ReturnInterviewDue(found time.Time) time.Time { return found.Add(r.hours(S10)) }

// InformDue (S11): rights information is given this many days after registration.
func (r Rules) InformDue(registered time.Time) time.Time {
	return InformDue(r.Threshold(S11), registered)
}

// InformDue is S11's deadline `days` days after registration (the registry's
// LifecycleRules.InformDue calls it).
func InformDue(days int, registered time.Time) time.Time { return registered.AddDate(0, 0, days) }

// PlanDue (S13): a transition plan is due this many days before the 18th birthday.
func (r Rules) PlanDue(adultOn time.Time) time.Time { return PlanDue(r.Threshold(S13), adultOn) }

// PlanDue is S13's deadline `daysBefore` days before the 18th birthday (the registry's
// LifecycleRules.PlanDue calls it).
func PlanDue(daysBefore int, adultOn time.Time) time.Time { return adultOn.AddDate(0, 0, -daysBefore) }

// AgeBand is the pseudonymised age shown to monitors: the age at `at` of the middle of the
// birth range, in the bands of the search ("0-13", "14-15", "16-17", "18+"), "" when unknown.
func AgeBand(from, to *time.Time, at time.Time) string {
	if from == nil && to == nil {
		return ""
	}
	if from == nil {
		from = to
	}
	if to == nil {
		to = from
	}
	mid := from.Add(to.Sub(*from) / 2)
	switch age := models.AgeAt(mid, at); {
	case age <= 13:
		return "0-13"
	case age <= 15:
		return "14-15"
	case age <= 17:
		return "16-17"
	}
	return "18+"
}
