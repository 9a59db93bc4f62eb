package compliance

import (
	"time"

	"github.com/kujdes/kujdes/models"
)

// ChildFacts are one child's dated facts, as the registry reads them for the refresh. A fact
// dated after the evaluation instant is ignored by every rule, so the same facts evaluated at
// the end of each past month give that month's state.
type ChildFacts struct {
	ID                 int64
	RegistrationNumber string
	RegionID           int64
	RegionCode         string
	Status             string // models.ChildStatuses
	BirthFrom, BirthTo *time.Time
	Nationalities      []string
	RegisteredAt       time.Time
	// AssessedAt: vulnerabilities identified (S4).
	AssessedAt *time.Time
	// ApplicationMadeOn: the first asylum application not voided (S2 counts from it).
	ApplicationMadeOn *time.Time
	// ClosedOn: the day the case left "active"/"missing" (aged out, reunified, transferred,
	// closed); nil while it is open. A closed case without a dated transition is closed since
	// registration for the rules (it yields nothing).
	ClosedOn     *time.Time
	Appointments []AppointmentFact
	Placements   []PlacementFact
	VisitsSeen   []time.Time // days of visits where the child was seen (S8)
	Missing      []EpisodeFact
	RightsOn     []time.Time // days rights information was given (S11)
	PlansOn      []time.Time // days transition plans were recorded (S13)
}

// AppointmentFact is a guardian appointment (provisional or full).
type AppointmentFact struct {
	GuardianID int64 // the guardian's user id
	Kind       string
	Started    time.Time
	Ended      *time.Time
}

// PlacementFact is a placement with its facility and condition checks.
type PlacementFact struct {
	FacilityID    int64
	FacilityKind  string
	Started       time.Time
	Ended         *time.Time
	BestInterests string
	Checks        []time.Time // days of condition checks (S7 reviews)
}

// EpisodeFact is a missing episode.
type EpisodeFact struct {
	Discovered     time.Time
	PoliceReported *time.Time
	Found          *time.Time
	Interview      *time.Time
}

// Resolve keys (i18n "compliance_resolve_<key>").
const (
	ResolveDesignate = "designate_provisional"
	ResolveAppoint   = "appoint_guardian"
	ResolveAssess    = "assess_vulnerabilities"
	ResolvePlace     = "record_placement"
	ResolveMove      = "move_child"
	ResolveReview    = "review_placement"
	ResolveVisit     = "visit_child"
	ResolvePolice    = "report_police"
	ResolveInterview = "hold_return_interview"
	ResolveRights    = "give_rights_information"
	ResolvePlan      = "record_transition_plan"
)

func before(t *time.Time, at time.Time) bool { return t != nil && !t.After(at) }

// openAt: the case was open at `at` (registered, not closed, not a duplicate).
func (c ChildFacts) openAt(at time.Time) bool {
	if c.Status == "duplicate" || c.RegisteredAt.After(at) {
		return false
	}
	if c.ClosedOn != nil {
		return c.ClosedOn.After(at)
	}
	return c.Status == "active" || c.Status == "missing"
}

func (a AppointmentFact) currentAt(at time.Time) bool {
	return !a.Started.After(at) && (a.Ended == nil || a.Ended.After(at))
}

func (p PlacementFact) currentAt(at time.Time) bool {
	return !p.Started.After(at) && (p.Ended == nil || p.Ended.After(at))
}

// CurrentAppointment is the child's appointment current at `at` (the latest started), if any.
func (c ChildFacts) CurrentAppointment(at time.Time) *AppointmentFact {
	var out *AppointmentFact
	for i, a := range c.Appointments {
		if a.currentAt(at) && (out == nil || a.Started.After(out.Started)) {
			out = &c.Appointments[i]
		}
	}
	return out
}

// CurrentPlacement is the child's placement current at `at`, if any.
func (c ChildFacts) CurrentPlacement(at time.Time) *PlacementFact {
	for i, p := range c.Placements {
		if p.currentAt(at) {
			return &c.Placements[i]
		}
	}
	return nil
}

// lastEnd is the latest end before `at` of the periods (appointments or placements), nil for none.
func lastEnd(ends []*time.Time, at time.Time) *time.Time {
	var out *time.Time
	for _, e := range ends {
		if before(e, at) && (out == nil || e.After(*out)) {
			out = e
		}
	}
	return out
}

func firstOn(days []time.Time, at time.Time) *time.Time {
	var out *time.Time
	for i, d := range days {
		if !d.After(at) && (out == nil || d.Before(*out)) {
			out = &days[i]
		}
	}
	return out
}

func lastOn(days []time.Time, at time.Time) *time.Time {
	var out *time.Time
	for i, d := range days {
		if !d.After(at) && (out == nil || d.After(*out)) {
			out = &days[i]
		}
	}
	return out
}

func laterOf(due time.Time, t *time.Time) time.Time {
	if t != nil && t.After(due) {
		return *t
	}
	return due
}

// endOfDay is the last instant of t's UTC day (dates recorded without a time are met until
// the day ends).
func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
}

// Evaluate applies every rule to one child at `at` and returns the violations open then,
// without the pseudonymised identity (Pseudonymise adds it). A closed or duplicate case has
// none: the state no longer owes it anything the rules measure (aged-out children are
// excluded this way).
func (r Rules) Evaluate(c ChildFacts, at time.Time) []Violation {
	if !c.openAt(at) {
		return nil
	}
	var out []Violation
	add := func(rule Code, due, since time.Time, resolve string, facts ...Fact) {
		out = append(out, Violation{Rule: rule, Due: due, Since: since, Resolve: resolve, Facts: facts,
			Threshold: r.Threshold(rule), Unit: mustStandard(rule).Unit, Days: int(at.Sub(since).Hours() / 24)})
	}
	reg := Fact{Key: "registered", At: c.RegisteredAt}
	cur := c.CurrentAppointment(at)
	var apEnds []*time.Time
	for _, a := range c.Appointments {
		apEnds = append(apEnds, a.Ended)
	}
	// S1, S2: no current appointment past the deadline; since the deadline, or since the last
	// appointment ended when that is later.
	if cur == nil {
		ended := lastEnd(apEnds, at)
		facts := []Fact{reg}
		if ended != nil {
			facts = append(facts, Fact{Key: "appointment_ended", At: *ended})
		}
		if due := r.ProvisionalDue(c.RegisteredAt); at.After(due) {
			add(S1, due, laterOf(due, ended), ResolveDesignate, facts...)
		}
		app := c.ApplicationMadeOn
		if app != nil && app.After(at) {
			app = nil
		}
		f2 := facts
		if app != nil {
			f2 = append(append([]Fact{}, facts...), Fact{Key: "application_made", At: *app})
		}
		if due := r.AppointDue(c.RegisteredAt, app); at.After(due) {
			add(S2, due, laterOf(due, ended), ResolveAppoint, f2...)
		}
	}
	// S4: vulnerabilities not identified.
	if !before(c.AssessedAt, at) {
		if due := r.AssessDue(c.RegisteredAt); at.After(due) {
			add(S4, due, due, ResolveAssess, reg)
		}
	}
	// S5, S6, S7: placements.
	pl := c.CurrentPlacement(at)
	if pl == nil {
		var ends []*time.Time
		for _, p := range c.Placements {
			ends = append(ends, p.Ended)
		}
		ended := lastEnd(ends, at)
		facts := []Fact{reg}
		if ended != nil {
			facts = append(facts, Fact{Key: "placement_ended", At: *ended})
		}
		if due := r.PlacementDue(c.RegisteredAt); at.After(due) {
			add(S5, due, laterOf(due, ended), ResolvePlace, facts...)
		}
	} else {
		lo, known := 0, c.BirthFrom != nil || c.BirthTo != nil
		if known {
			from, to := c.BirthFrom, c.BirthTo
			if from == nil {
				from = to
			}
			if to == nil {
				to = from
			}
			lo, _ = models.AgeRangeAt(*from, *to, at)
		}
		if r.Prohibited(pl.FacilityKind, lo, known, pl.BestInterests) {
			add(S6, pl.Started, pl.Started, ResolveMove, Fact{Key: "placement_started", At: pl.Started})
		}
		last := lastOn(pl.Checks, at)
		if due := r.ReviewDue(pl.Started, last); at.After(endOfDay(due)) {
			facts := []Fact{{Key: "placement_started", At: pl.Started}}
			if last != nil {
				facts = append(facts, Fact{Key: "placement_reviewed", At: *last})
			}
			add(S7, due, due, ResolveReview, facts...)
		}
	}
	// S8: a current appointment and no visit within the threshold.
	if cur != nil {
		seen := lastOn(c.VisitsSeen, at)
		var seenEnd *time.Time
		if seen != nil {
			e := endOfDay(*seen)
			seenEnd = &e
		}
		if due := r.NextVisitDue(seenEnd, cur.Started); at.After(due) {
			facts := []Fact{{Key: "appointment_started", At: cur.Started}}
			if seen != nil {
				facts = append(facts, Fact{Key: "last_visit", At: *seen})
			}
			add(S8, due, due, ResolveVisit, facts...)
		}
	}
	// S9, S10: missing episodes discovered by `at`.
	for _, e := range c.Missing {
		if e.Discovered.After(at) {
			continue
		}
		if due := r.PoliceReportDue(e.Discovered); !before(e.PoliceReported, at) && at.After(due) {
			add(S9, due, due, ResolvePolice, Fact{Key: "discovered_missing", At: e.Discovered})
		}
		if before(e.Found, at) && !before(e.Interview, at) {
			if due := r.ReturnInterviewDue(*e.Found); at.After(due) {
				add(S10, due, due, ResolveInterview, Fact{Key: "found", At: *e.Found})
			}
		}
	}
	// S11: no rights information.
	if firstOn(c.RightsOn, at) == nil {
		if due := r.InformDue(c.RegisteredAt); at.After(endOfDay(due)) {
			add(S11, due, due, ResolveRights, reg)
		}
	}
	// S13: turning 18 soon (or now), no plan.
	if adult, ok := models.TurnsAdultOn(c.BirthFrom, c.BirthTo); ok && firstOn(c.PlansOn, at) == nil && at.Before(adult) {
		if due := r.PlanDue(adult); !at.Before(due) {
			add(S13, due, due, ResolvePlan, Fact{Key: "turns_18", At: adult})
		}
	}
	return out
}

func mustStandard(c Code) Standard {
	s, _ := StandardOf(c)
	return s
}

// Pseudonymise fills a violation's identity as monitors may see it: registration number, age
// band, nationalities, region — and the facility and guardian it is attributed to at `at`.
func (c ChildFacts) Pseudonymise(v Violation, at time.Time) Violation {
	v.ChildID, v.RegistrationNumber, v.RegionID, v.RegionCode = c.ID, c.RegistrationNumber, c.RegionID, c.RegionCode
	v.AgeBand = AgeBand(c.BirthFrom, c.BirthTo, at)
	v.Nationalities = append([]string{}, c.Nationalities...)
	if p := c.CurrentPlacement(at); p != nil {
		id := p.FacilityID
		v.FacilityID = &id
	}
	if a := c.CurrentAppointment(at); a != nil {
		id := a.GuardianID
		v.GuardianID = &id
	}
	v.ComputedAt = at
	return v
}
