package compliance

import (
	"sort"
	"time"
)

// NoData is the status of an indicator over nobody (no children in the period).
const NoData Status = "none"

// IndicatorDef defines an indicator: its key (i18n "compliance_indicator_<key>"), rule and
// kind; ZeroTolerance for counts that must be 0 (S6).
type IndicatorDef struct {
	Key           string
	Rule          Code
	Kind          IndicatorKind
	ZeroTolerance bool
}

// Indicator keys.
const (
	IndS1InTime         = "s1_provisional_in_time"
	IndS2InTime         = "s2_appointed_in_time"
	IndS2MedianWorkdays = "s2_median_workdays"
	IndS3OverCap        = "s3_guardians_over_cap"
	IndS4InTime         = "s4_assessed_in_time"
	IndS5InTime         = "s5_placed_in_time"
	IndS6Prohibited     = "s6_prohibited_placements"
	IndS7ReviewsOverdue = "s7_reviews_overdue"
	IndS8VisitsOverdue  = "s8_visits_overdue"
	IndS9Missing        = "s9_missing_children"
	IndS9InTime         = "s9_reported_in_time"
	IndS9MedianMinutes  = "s9_median_report_minutes"
	IndS10InTime        = "s10_interviews_in_time"
	IndS11InTime        = "s11_rights_in_time"
	IndS13PlansMissing  = "s13_plans_missing"
)

// Indicators are the headline indicators, in the order the dashboard shows them.
//
// How each reads (docs/compliance.md):
//   - a share is over the children whose outcome became known in the period — met when the
//     step was taken in time (in the month it was taken), failed when the deadline passed
//     without it (in the month of the deadline); children whose deadline has not come yet are
//     not counted, and neither are cases closed before the outcome;
//   - a count is over the children whose case is open at the end of the month (for S3: the
//     guardians with at least one ward), the violating ones in the numerator;
//   - a median is over the cases whose step was taken in the period, in the rule's unit
//     (working days for S2, minutes for S9).
var Indicators = []IndicatorDef{
	{Key: IndS6Prohibited, Rule: S6, Kind: KindCount, ZeroTolerance: true},
	{Key: IndS2InTime, Rule: S2, Kind: KindShare},
	{Key: IndS2MedianWorkdays, Rule: S2, Kind: KindMedian},
	{Key: IndS1InTime, Rule: S1, Kind: KindShare},
	{Key: IndS3OverCap, Rule: S3, Kind: KindCount},
	{Key: IndS4InTime, Rule: S4, Kind: KindShare},
	{Key: IndS5InTime, Rule: S5, Kind: KindShare},
	{Key: IndS7ReviewsOverdue, Rule: S7, Kind: KindCount},
	{Key: IndS8VisitsOverdue, Rule: S8, Kind: KindCount},
	{Key: IndS9Missing, Rule: S9, Kind: KindCount},
	{Key: IndS9InTime, Rule: S9, Kind: KindShare},
	{Key: IndS9MedianMinutes, Rule: S9, Kind: KindMedian},
	{Key: IndS10InTime, Rule: S10, Kind: KindShare},
	{Key: IndS11InTime, Rule: S11, Kind: KindShare},
	{Key: IndS13PlansMissing, Rule: S13, Kind: KindCount},
}

// IndicatorOf returns the definition of the key.
func IndicatorOf(key string) (IndicatorDef, bool) {
	for _, d := range Indicators {
		if d.Key == key {
			return d, true
		}
	}
	return IndicatorDef{}, false
}

// Share targets: a share at or above GreenShare is green, at or above AmberShare amber.
const (
	GreenShare = 0.9
	AmberShare = 0.75
	// AmberCount: a count (not zero-tolerance) over at most this share of its population is
	// amber; above, red.
	AmberCount = 0.1
	// GreenMedian: a median at or below this fraction of the threshold is green; up to the
	// threshold amber; above red.
	GreenMedian = 0.8
)

// Case is one contribution to an indicator: a child (or, for S3, a guardian) counted in a
// month, attributed to a region, facility and guardian (0: none), with a Value — 1 met / 0
// failed for a share, 1 violating / 0 not for a count, the measure for a median.
type Case struct {
	Indicator  string
	Month      time.Time // first day of the month, UTC
	RegionID   int64
	FacilityID int64
	GuardianID int64
	Value      int
}

// MonthOf is the first instant of t's month (UTC).
func MonthOf(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// Months are the 12 months ending with now's, oldest first.
func Months(now time.Time) []time.Time {
	cur := MonthOf(now)
	out := make([]time.Time, 12)
	for i := range out {
		out[i] = cur.AddDate(0, i-11, 0)
	}
	return out
}

// monthEnd is the instant a month's counts are taken at: its last instant, or now for the
// current month.
func monthEnd(month, now time.Time) time.Time {
	e := month.AddDate(0, 1, 0).Add(-time.Nanosecond)
	if e.After(now) {
		return now
	}
	return e
}

// Cases are the child's contributions to the indicators over the 12 months ending at now:
// the outcomes of its deadlines (shares and medians) in the months they became known, and its
// state at the end of each month (counts). S3 is counted over guardians (GuardianCases).
func (r Rules) Cases(c ChildFacts, now time.Time) []Case {
	if c.Status == "duplicate" {
		return nil
	}
	months := Months(now)
	first := months[0]
	var out []Case
	attr := func(key string, at time.Time, value int) {
		if at.Before(first) || at.After(now) {
			return
		}
		k := Case{Indicator: key, Month: MonthOf(at), RegionID: c.RegionID, Value: value}
		if p := c.CurrentPlacement(at); p != nil {
			k.FacilityID = p.FacilityID
		}
		if a := c.CurrentAppointment(at); a != nil {
			k.GuardianID = a.GuardianID
		}
		out = append(out, k)
	}
	// cohort: the outcome of a deadline, known when the step was taken in time or when the
	// deadline passed; not counted when the case was closed before.
	cohort := func(key string, due time.Time, met *time.Time) {
		at, v := due, 0
		if met != nil && !met.After(due) {
			at, v = *met, 1
		} else if !now.After(due) {
			return
		}
		if c.ClosedOn != nil && c.ClosedOn.Before(at) || c.ClosedOn == nil && c.Status != "active" && c.Status != "missing" {
			return
		}
		attr(key, at, v)
	}
	var firstAp *time.Time
	for i, a := range c.Appointments {
		if firstAp == nil || a.Started.Before(*firstAp) {
			firstAp = &c.Appointments[i].Started
		}
	}
	cohort(IndS1InTime, r.ProvisionalDue(c.RegisteredAt), firstAp)
	app := c.ApplicationMadeOn
	cohort(IndS2InTime, r.AppointDue(c.RegisteredAt, app), firstAp)
	if firstAp != nil && (c.ClosedOn == nil || !c.ClosedOn.Before(*firstAp)) {
		from := c.RegisteredAt
		if app != nil && !app.After(*firstAp) {
			from = *app
		}
		attr(IndS2MedianWorkdays, *firstAp, r.WorkdaysTo(from, *firstAp))
	}
	cohort(IndS4InTime, r.AssessDue(c.RegisteredAt), c.AssessedAt)
	var firstPl *time.Time
	for i, p := range c.Placements {
		if firstPl == nil || p.Started.Before(*firstPl) {
			firstPl = &c.Placements[i].Started
		}
	}
	cohort(IndS5InTime, r.PlacementDue(c.RegisteredAt), firstPl)
	for _, e := range c.Missing {
		cohort(IndS9InTime, r.PoliceReportDue(e.Discovered), e.PoliceReported)
		if e.PoliceReported != nil {
			attr(IndS9MedianMinutes, *e.PoliceReported, int(e.PoliceReported.Sub(e.Discovered).Minutes()))
		}
		if e.Found != nil {
			cohort(IndS10InTime, r.ReturnInterviewDue(*e.Found), e.Interview)
		}
	}
	cohort(IndS11InTime, endOfDay(r.InformDue(c.RegisteredAt)), firstOn(c.RightsOn, now))
	// Counts at each month's end.
	for _, m := range months {
		at := monthEnd(m, now)
		if !c.openAt(at) {
			continue
		}
		vs := r.Evaluate(c, at)
		has := map[Code]bool{}
		for _, v := range vs {
			has[v.Rule] = true
		}
		missing := 0
		for _, e := range c.Missing {
			if !e.Discovered.After(at) && !before(e.Found, at) {
				missing = 1
			}
		}
		for _, x := range []struct {
			key string
			v   bool
		}{{IndS6Prohibited, has[S6]}, {IndS7ReviewsOverdue, has[S7]}, {IndS8VisitsOverdue, has[S8]},
			{IndS9Missing, missing == 1}, {IndS13PlansMissing, has[S13]}} {
			v := 0
			if x.v {
				v = 1
			}
			attr(x.key, at, v)
		}
	}
	return out
}

// GuardianLoad is one guardian's current wards at a month's end (from the children's
// appointments) and own cap.
type GuardianLoad struct {
	GuardianID int64
	RegionID   int64
	Cap        *int
	Wards      int
}

// GuardianCases are S3's cases for one month: each guardian with at least one ward, 1 when
// over their cap.
func (r Rules) GuardianCases(month time.Time, loads []GuardianLoad) []Case {
	var out []Case
	for _, g := range loads {
		if g.Wards == 0 {
			continue
		}
		v := 0
		if g.Wards > r.CaseloadCap(g.Cap) {
			v = 1
		}
		out = append(out, Case{Indicator: IndS3OverCap, Month: month, RegionID: g.RegionID, GuardianID: g.GuardianID, Value: v})
	}
	return out
}

// MonthEnds are the instants S3's loads are taken at, one per month of Months(now).
func MonthEnds(now time.Time) []time.Time {
	ms := Months(now)
	out := make([]time.Time, len(ms))
	for i, m := range ms {
		out[i] = monthEnd(m, now)
	}
	return out
}

// Distribution is how many cases had each value (value → count).
type Distribution map[int]int

// Summarise turns an indicator's distribution into its figure and status under the rules.
func (r Rules) Summarise(def IndicatorDef, d Distribution) Indicator {
	in := Indicator{Key: def.Key, Rule: def.Rule, Kind: def.Kind}
	for v, n := range d {
		in.Denominator += n
		if def.Kind != KindMedian && v == 1 {
			in.Numerator += n
		}
	}
	switch def.Kind {
	case KindShare:
		in.Threshold = GreenShare
		if in.Denominator > 0 {
			in.Value = float64(in.Numerator) / float64(in.Denominator)
		}
	case KindCount:
		in.Value = float64(in.Numerator)
	case KindMedian:
		in.Threshold = float64(r.Threshold(def.Rule))
		if def.Rule == S9 {
			in.Threshold *= 60 // minutes
		}
		in.Value = d.Median()
		in.Numerator = int(in.Value)
	}
	in.Status = status(def, in)
	return in
}

func status(def IndicatorDef, in Indicator) Status {
	if in.Denominator == 0 {
		if def.Kind == KindCount {
			return Green
		}
		return NoData
	}
	switch def.Kind {
	case KindShare:
		switch {
		case in.Value >= GreenShare:
			return Green
		case in.Value >= AmberShare:
			return Amber
		}
		return Red
	case KindCount:
		switch {
		case in.Numerator == 0:
			return Green
		case def.ZeroTolerance:
			return Red
		case float64(in.Numerator) <= AmberCount*float64(in.Denominator):
			return Amber
		}
		return Red
	}
	switch {
	case in.Value <= GreenMedian*in.Threshold:
		return Green
	case in.Value <= in.Threshold:
		return Amber
	}
	return Red
}

// Median of the distribution (the mean of the two middle values for an even count; 0 when
// empty).
func (d Distribution) Median() float64 {
	n := 0
	vals := make([]int, 0, len(d))
	for v, c := range d {
		n += c
		vals = append(vals, v)
	}
	if n == 0 {
		return 0
	}
	sort.Ints(vals)
	at := func(i int) int { // the i-th value (0-based) in order
		for _, v := range vals {
			if i < d[v] {
				return v
			}
			i -= d[v]
		}
		return vals[len(vals)-1]
	}
	if n%2 == 1 {
		return float64(at(n / 2))
	}
	return float64(at(n/2-1)+at(n/2)) / 2
}

// Suppress hides a figure about fewer than SmallCell children from a monitor: a count of 1
// to 4, or a share or median over 1 to 4 cases, reads "<5" (zero stays zero: nobody is
// identified by it). THE small-cell rule; every aggregate shown to a monitor passes here.
func Suppress(in Indicator) Indicator {
	n := in.Denominator
	if in.Kind == KindCount {
		n = in.Numerator
	}
	if n > 0 && n < SmallCell {
		in.Value, in.Numerator, in.Denominator, in.Suppressed = 0, 0, 0, true
	}
	return in
}

// SuppressCount is Suppress for a bare count (breakdowns, trend points): true when it must
// read "<5".
func SuppressCount(n int) bool { return n > 0 && n < SmallCell }
