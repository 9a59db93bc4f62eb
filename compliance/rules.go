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
	{Code: S6, Source: "UN Guidelines for the Alternative Care of Children ¶143; Directive 2013/33/EU Art 24(2)", DefaultThreshold: 16, Unit: UnitNone, Measured: true},
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
	values   map[Code]int
	Calendar *workdays.Calendar
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

func (r Rules) hours(c Code) time.Duration { return time.Duration(r.Threshold(c)) * time.Hour }

// ProvisionalDue (S1): a provisional representative is due this long after registration.
func (r Rules) ProvisionalDue(registered time.Time) time.Time { return registered.Add(r.hours(S1)) }

// AppointDue (S2) is the end of the last working day by which a guardian must be appointed:
// the threshold's working days after the day the asylum application was made
// (applicationMade, voided events excluded) or — while the child has none — after the day of
// registration; weekends and public holidays not counted.
func (r Rules) AppointDue(registered time.Time, applicationMade *time.Time) time.Time {
	from := registered
	if applicationMade != nil {
		from = *applicationMade
	}
	return r.Calendar.Deadline(from, r.Threshold(S2))
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
func (r Rules) AdultCentreMinAge() int { return r.Threshold(S6) }

// MinJustification is the shortest accepted best-interests justification (characters).
const MinJustification = 20

// Prohibited (S6) reports whether a placement of this kind is prohibited for a child aged
// ageLo (the youngest possible age; known false when the age is unknown, which counts as
// too young) with the recorded best-interests justification: police custody or detention
// always; an adult reception centre under AdultCentreMinAge, or without a justification.
func (r Rules) Prohibited(kind string, ageLo int, known bool, bestInterests string) bool {
	switch kind {
	case models.FacilityPoliceDetention:
		return true
	case models.FacilityAdultReception:
		return !known || ageLo < r.AdultCentreMinAge() || utf8.RuneCountInString(strings.TrimSpace(bestInterests)) < MinJustification
	}
	return false
}

// ReviewDue (S7): a placement is next due for review the threshold's months after its last
// condition check, or after its start (dates, UTC).
func (r Rules) ReviewDue(started time.Time, lastCheck *time.Time) time.Time {
	base := started.UTC()
	if lastCheck != nil && lastCheck.After(base) {
		base = lastCheck.UTC()
	}
	y, m, d := base.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, r.Threshold(S7), 0)
}

// NextVisitDue (S8): the next visit is due the threshold's days after the latest of the last
// visit where the child was seen and the start of the current appointment.
func (r Rules) NextVisitDue(lastSeen *time.Time, appointed time.Time) time.Time {
	base := appointed
	if lastSeen != nil && lastSeen.After(base) {
		base = *lastSeen
	}
	return base.Add(r.VisitEvery())
}

// VisitEvery is S8's longest time between two visits.
func (r Rules) VisitEvery() time.Duration { return time.Duration(r.Threshold(S8)) * 24 * time.Hour }

// PoliceReportDue (S9): a disappearance is reported to the police this long after it is
// discovered.
func (r Rules) PoliceReportDue(discovered time.Time) time.Time { return discovered.Add(r.hours(S9)) }

// ReturnInterviewDue (S10): the return interview is held this long after the child is found.
func (r Rules) ReturnInterviewDue(found time.Time) time.Time { return found.Add(r.hours(S10)) }

// InformDue (S11): rights information is given this many days after registration.
func (r Rules) InformDue(registered time.Time) time.Time {
	return registered.AddDate(0, 0, r.Threshold(S11))
}

// PlanDue (S13): a transition plan is due this many days before the 18th birthday.
func (r Rules) PlanDue(adultOn time.Time) time.Time { return adultOn.AddDate(0, 0, -r.Threshold(S13)) }

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
