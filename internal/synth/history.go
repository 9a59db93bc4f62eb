package synth

import (
	"fmt"
	"math"
	"time"

	"github.com/kujdes/kujdes/models"
)

// Histories (issue 11, the compliance benchmark): each synthetic child gets what happened to
// them after the first arrival, as the use cases would have recorded it — a provisional
// representative (mostly within 24 h, some late, a few never), the legal procedure (identified,
// application made, registered, lodged, interview, decision, appeal; a few events voided and
// recorded again), a full guardian (mostly within 15 working days of the application, some
// late, some replaced), placements (a few in police custody or, under 16, in an adult centre;
// 16–17-year-olds in adult centres mostly with a best-interests justification), placement
// reviews, guardian visits, missing episodes with the police-report delay and the return
// interview, rights information, transition plans before the 18th birthday, and the end of the
// case (aged out on the 18th birthday, reunified, transferred, closed). The shares are set so
// that every standard has both kept and broken cases; they are not statistics of the route.
//
// Everything is generated from the seed alone, in order: the same seed, size and clock always
// give the same histories.

// HistoryConfig sizes a population with histories.
type HistoryConfig struct {
	Seed     int64
	Children int
	// Now is the clock: nothing happens after it.
	Now time.Time
	// Months spreads the first arrivals over the last Months months (default 15).
	Months int
	// Batch is how many children one transaction writes (default 5000).
	Batch int
}

func (c HistoryConfig) withDefaults() HistoryConfig {
	if c.Months <= 0 {
		c.Months = 15
	}
	if c.Batch <= 0 {
		c.Batch = 5000
	}
	c.Now = c.Now.UTC().Truncate(time.Minute)
	return c
}

// History is one child's generated history: the child, their status today, and the rows of
// every table, with child and event references as indices into the batch (the loader turns
// them into ids).
type History struct {
	Person
	RegionID     int64
	AssessedAt   *time.Time
	Appointments []Appointment
	Placements   []Placement
	Checks       []PlacementCheck
	Visits       []Visit
	Legal        []LegalEvent
	Missing      []MissingEpisode
	Rights       []RightsInfo
	Plans        []TransitionPlan
	Lifecycle    []LifecycleEvent
}

// Appointment is a guardian appointment (provisional or full).
type Appointment struct {
	GuardianUserID      int64
	Kind                string
	StartedAt           time.Time
	EndedAt             *time.Time
	EndReason           string
	DecidedOn           *time.Time
	FirstMeetingAt      *time.Time
	AppointingAuthority string
}

// Placement is one stay in a facility.
type Placement struct {
	FacilityID    int64
	FacilityKind  string
	StartedAt     time.Time
	EndedAt       *time.Time
	Reason        string
	BestInterests string
	EndReason     string
}

// PlacementCheck is a review of the placement at index Placement of the child's list.
type PlacementCheck struct {
	Placement int
	CheckedOn time.Time
}

// Visit is a guardian's contact with the child.
type Visit struct {
	By        int64
	On        time.Time
	Kind      string
	ChildSeen bool
}

// LegalEvent is one event of the legal timeline; Voids is the index (in the child's Legal) of
// the event a void event voids, or -1.
type LegalEvent struct {
	Kind       string
	Outcome    string
	On         time.Time
	RecordedAt time.Time
	Voids      int
	VoidReason string
}

// MissingEpisode is one time the child went missing.
type MissingEpisode struct {
	LastSeenAt, DiscoveredAt, ReportedAt time.Time
	PoliceReportedAt, HotlineAt          *time.Time
	FoundAt, InterviewAt                 *time.Time
	RiskAssessed, Risk                   string
}

// RightsInfo is the child informed of their rights.
type RightsInfo struct {
	On       time.Time
	Language string
	Method   string
}

// TransitionPlan is a plan for leaving care.
type TransitionPlan struct{ On time.Time }

// LifecycleEvent is a status change with details (age out, reunify, transfer).
type LifecycleEvent struct {
	Transition, To string
	On             time.Time
}

// histRefs are the facilities and guardians of each region the histories draw from.
type histRefs struct {
	facilities map[int64]map[string][]int64 // region → kind → ids
	guardians  map[int64][]int64            // region → guardian user ids
}

const day = 24 * time.Hour

func (g *gen) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(g.r.Int64N(int64(hi-lo)))
}

func (g *gen) days(lo, hi int) time.Duration {
	return g.between(time.Duration(lo)*day, time.Duration(hi)*day)
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func ptrTime(t time.Time) *time.Time { return &t }

// calendarDays is the calendar span of n working days (weekends only: a generator's
// approximation, the rules count with the real calendar).
func calendarDays(n int) time.Duration { return time.Duration(n+2*(n/5)) * day }

// skewed picks one of xs, the first ones much more often (some guardians carry far more
// wards than others, so a few exceed the caseload cap).
func skewed[T any](g *gen, xs []T) T {
	i := int(float64(len(xs)) * math.Pow(g.r.Float64(), 1.3))
	return xs[min(i, len(xs)-1)]
}

// history generates one child arriving within the configured months before now.
func (g *gen) history(cfg HistoryConfig, refs *histRefs, regionByPost map[string]int64) History {
	now := cfg.Now
	span := time.Duration(cfg.Months) * 30 * day
	p := g.personArriving(now, func() time.Time { return now.Add(-g.between(2*time.Hour, span)) })
	h := History{Person: p, RegionID: regionByPost[p.Arrivals[0].PostCode]}
	t0 := p.RegisteredAt
	age18 := dateOf(p.BirthDateTo.AddDate(18, 0, 0))
	youngest := func(t time.Time) int { return models.AgeAt(p.BirthDateTo, t) }

	// How the case ends (if it has ended).
	status, end := "active", time.Time{}
	switch x := g.r.Float64(); {
	case !age18.After(now):
		// Aged out on the 18th birthday (a child judged older on arrival than the estimate
		// said: at once).
		status, end = "aged_out", age18
		if end.Before(t0.Add(time.Hour)) {
			end = t0.Add(time.Hour)
		}
		if end.After(now) {
			end = now
		}
	case x < 0.04:
		status, end = "reunified", t0.Add(g.days(20, 400)).Truncate(time.Minute)
	case x < 0.12:
		status, end = "transferred", t0.Add(g.days(20, 400)).Truncate(time.Minute)
	case x < 0.15:
		status, end = "closed", t0.Add(g.days(20, 400)).Truncate(time.Minute)
	}
	if status != "aged_out" && !end.IsZero() && !end.Before(now) {
		status, end = "active", time.Time{}
	}
	horizon := now
	if !end.IsZero() {
		horizon = end
	}
	var arrivals []Arrival
	for i, a := range h.Arrivals {
		if i == 0 || a.ArrivedAt.Before(horizon) {
			arrivals = append(arrivals, a)
		}
	}
	h.Arrivals = arrivals

	// S4: special needs identified.
	switch x := g.r.Float64(); {
	case x < 0.80:
		h.AssessedAt = ptrTime(t0.Add(g.between(time.Hour, 20*time.Hour)).Truncate(time.Minute))
	case x < 0.92:
		h.AssessedAt = ptrTime(t0.Add(g.between(25*time.Hour, 120*time.Hour)).Truncate(time.Minute))
	}
	if h.AssessedAt != nil && h.AssessedAt.After(now) {
		h.AssessedAt = nil
	}

	// Missing episodes first: visits skip the days the child was away, and an open episode
	// makes the child missing today.
	var away [][2]time.Time
	if g.chance(0.13) {
		n := 1
		if g.chance(0.25) {
			n++
			if g.chance(0.4) {
				n++
			}
		}
		cursor := t0.Add(2 * day)
		for i := 0; i < n; i++ {
			lastSeen := cursor.Add(g.days(1, 120)).Truncate(time.Minute)
			if !lastSeen.Before(horizon) {
				break
			}
			e := MissingEpisode{LastSeenAt: lastSeen}
			e.DiscoveredAt = lastSeen.Add(g.between(30*time.Minute, 18*time.Hour)).Truncate(time.Minute)
			e.ReportedAt = e.DiscoveredAt.Add(g.between(5*time.Minute, 60*time.Minute)).Truncate(time.Minute)
			switch x := g.r.Float64(); { // S9: police without delay
			case x < 0.70:
				e.PoliceReportedAt = ptrTime(e.DiscoveredAt.Add(g.between(10*time.Minute, 110*time.Minute)).Truncate(time.Minute))
			case x < 0.88:
				e.PoliceReportedAt = ptrTime(e.DiscoveredAt.Add(g.between(150*time.Minute, 24*time.Hour)).Truncate(time.Minute))
			case x < 0.98:
				e.PoliceReportedAt = ptrTime(e.DiscoveredAt.Add(g.days(1, 4)).Truncate(time.Minute))
			}
			if e.PoliceReportedAt != nil && e.PoliceReportedAt.After(now) {
				e.PoliceReportedAt = nil
			}
			if g.chance(0.6) {
				if t := e.DiscoveredAt.Add(g.between(time.Hour, 6*time.Hour)).Truncate(time.Minute); t.Before(now) {
					e.HotlineAt = &t
				}
			}
			e.RiskAssessed = pickWeighted(g, []weighted[string]{{"low", 20}, {"medium", 50}, {"high", 30}})
			e.Risk = e.RiskAssessed
			if i > 0 || len(p.TraffickingIndicators) > 0 {
				e.Risk = "high" // repeated episodes and trafficking indicators raise the risk
			}
			var gone time.Duration
			switch x := g.r.Float64(); {
			case x < 0.4:
				gone = g.between(2*time.Hour, 48*time.Hour)
			case x < 0.8:
				gone = g.days(2, 14)
			default:
				gone = g.days(15, 90)
			}
			found := e.DiscoveredAt.Add(gone).Truncate(time.Minute)
			if !found.Before(horizon) {
				if end.IsZero() { // still missing today
					h.Missing = append(h.Missing, e)
					away = append(away, [2]time.Time{lastSeen, now})
					status = "missing"
				}
				break
			}
			e.FoundAt = &found
			switch x := g.r.Float64(); { // S10: return interview within 72 h
			case x < 0.65:
				e.InterviewAt = ptrTime(found.Add(g.between(2*time.Hour, 70*time.Hour)).Truncate(time.Minute))
			case x < 0.85:
				e.InterviewAt = ptrTime(found.Add(g.between(73*time.Hour, 240*time.Hour)).Truncate(time.Minute))
			}
			if e.InterviewAt != nil && e.InterviewAt.After(now) {
				e.InterviewAt = nil
			}
			h.Missing = append(h.Missing, e)
			away = append(away, [2]time.Time{lastSeen, found})
			cursor = found
		}
	}
	isAway := func(t time.Time) bool {
		for _, a := range away {
			if !t.Before(a[0]) && t.Before(a[1]) {
				return true
			}
		}
		return false
	}

	// The legal procedure.
	addLegal := func(kind, outcome string, on time.Time) bool {
		on = dateOf(on)
		if !on.Before(dateOf(horizon)) || on.After(now) {
			return false
		}
		rec := on.Add(g.between(8*time.Hour, 60*time.Hour)).Truncate(time.Minute)
		if rec.After(now) {
			rec = now
		}
		h.Legal = append(h.Legal, LegalEvent{Kind: kind, Outcome: outcome, On: on, RecordedAt: rec, Voids: -1})
		return true
	}
	var appMade time.Time
	if g.chance(0.9) {
		addLegal("identified", "", t0)
	}
	if g.chance(0.88) {
		at := t0.Add(g.days(1, 25))
		if addLegal("application_made", "", at) {
			appMade = dateOf(at)
			at = at.Add(g.days(2, 10))
			if g.chance(0.9) && addLegal("application_registered", "", at) {
				at = at.Add(g.days(5, 40))
				if g.chance(0.9) && addLegal("application_lodged", "", at) {
					if g.chance(0.8) {
						at = at.Add(g.days(20, 120))
						addLegal("interview", "", at)
					}
					at = at.Add(g.days(20, 150))
					outcome := pickWeighted(g, []weighted[string]{{"subsidiary_protection", 40}, {"refugee_status", 25}, {"rejected", 35}})
					if g.chance(0.8) && addLegal("decision", outcome, at) && outcome == "rejected" && g.chance(0.6) {
						at = at.Add(g.days(5, 30))
						if addLegal("appeal_lodged", "", at) && g.chance(0.5) {
							addLegal("appeal_decided", pickWeighted(g, []weighted[string]{{"subsidiary_protection", 40}, {"rejected", 60}}), at.Add(g.days(40, 150)))
						}
					}
				}
			}
		}
	}
	// A few events were recorded with a wrong date: voided, then recorded again.
	if len(h.Legal) >= 2 && g.chance(0.03) {
		j := 1 + g.r.IntN(len(h.Legal)-1)
		wrong := h.Legal[j]
		rec := wrong.RecordedAt.Add(g.days(1, 20)).Truncate(time.Minute)
		if rec.Before(now) {
			h.Legal = append(h.Legal, LegalEvent{Kind: "void", On: dateOf(rec), RecordedAt: rec, Voids: j, VoidReason: "Recorded with the wrong date"})
			right := wrong
			right.On = wrong.On.AddDate(0, 0, -1-g.r.IntN(3))
			if j > 0 && right.On.Before(h.Legal[j-1].On) {
				right.On = h.Legal[j-1].On
			}
			right.RecordedAt, right.Voids = rec.Add(time.Minute), -1
			h.Legal = append(h.Legal, right)
			if wrong.Kind == "application_made" {
				appMade = right.On
			}
		}
	}

	// Guardians: a provisional representative (S1), then a full guardian (S2), sometimes
	// replaced; every appointment open at the end of the case ends with it.
	pool := refs.guardians[h.RegionID]
	var provisional *Appointment
	if g.chance(0.96) {
		var delay time.Duration
		switch x := g.r.Float64(); {
		case x < 0.78:
			delay = g.between(time.Hour, 20*time.Hour)
		case x < 0.95:
			delay = g.between(24*time.Hour, 120*time.Hour)
		default:
			delay = g.days(5, 15)
		}
		if start := t0.Add(delay).Truncate(time.Minute); start.Before(horizon) {
			provisional = &Appointment{GuardianUserID: skewed(g, pool), Kind: "provisional", StartedAt: start,
				AppointingAuthority: "Regional child protection unit"}
		}
	}
	var fulls []Appointment
	if !appMade.IsZero() && g.chance(0.95) {
		var wd int
		switch x := g.r.Float64(); {
		case x < 0.70:
			wd = 2 + g.r.IntN(14)
		case x < 0.93:
			wd = 16 + g.r.IntN(20)
		default:
			wd = 36 + g.r.IntN(45)
		}
		start := appMade.Add(calendarDays(wd)).Add(g.between(9*time.Hour, 16*time.Hour)).Truncate(time.Minute)
		if start.Before(horizon) {
			gu := skewed(g, pool)
			if provisional != nil && g.chance(0.6) {
				gu = provisional.GuardianUserID
			}
			full := Appointment{GuardianUserID: gu, Kind: "full", StartedAt: start, DecidedOn: ptrTime(dateOf(start)),
				AppointingAuthority: "Court of the district"}
			if m := start.Add(g.days(0, 6)).Truncate(time.Minute); m.Before(horizon) {
				full.FirstMeetingAt = &m
			}
			if provisional != nil {
				if !provisional.StartedAt.Before(start) {
					provisional = nil
				} else {
					provisional.EndedAt, provisional.EndReason = ptrTime(start), "full_appointed"
				}
			}
			fulls = append(fulls, full)
			if g.chance(0.07) {
				if change := start.Add(g.days(30, 200)).Truncate(time.Minute); change.Before(horizon) {
					fulls[0].EndedAt, fulls[0].EndReason = ptrTime(change), "replaced"
					fulls = append(fulls, Appointment{GuardianUserID: skewed(g, pool), Kind: "full", StartedAt: change,
						DecidedOn: ptrTime(dateOf(change)), FirstMeetingAt: ptrTime(change.Add(g.days(0, 4)).Truncate(time.Minute)),
						AppointingAuthority: "Court of the district"})
					if fm := fulls[1].FirstMeetingAt; fm.After(horizon) {
						fulls[1].FirstMeetingAt = nil
					}
				}
			}
		}
	}
	if provisional != nil {
		h.Appointments = append(h.Appointments, *provisional)
	}
	h.Appointments = append(h.Appointments, fulls...)
	endReason := map[string]string{"aged_out": "aged_out", "reunified": "reunified", "transferred": "transferred", "closed": "other"}[status]
	for i := range h.Appointments {
		if a := &h.Appointments[i]; a.EndedAt == nil && !end.IsZero() {
			a.EndedAt, a.EndReason = ptrTime(end), endReason
		}
	}

	// S8: visits by the guardian of the time (the full guardian; the provisional one before).
	diligent := g.chance(0.8)
	for _, a := range h.Appointments {
		if a.Kind == "provisional" && len(fulls) > 0 {
			continue
		}
		until := horizon
		if a.EndedAt != nil {
			until = *a.EndedAt
		}
		for t := a.StartedAt.Add(g.days(1, 10)); t.Before(until); {
			if !isAway(t) {
				v := Visit{By: a.GuardianUserID, On: dateOf(t), Kind: pickWeighted(g, []weighted[string]{{"visit", 80}, {"call", 15}, {"other", 5}})}
				v.ChildSeen = v.Kind == "visit" && g.chance(0.95) || v.Kind != "visit" && g.chance(0.2)
				h.Visits = append(h.Visits, v)
			}
			if diligent {
				t = t.Add(g.days(7, 30))
			} else {
				t = t.Add(g.days(20, 60))
			}
		}
	}

	// Placements (S5, S6) and their reviews (S7).
	fac := refs.facilities[h.RegionID]
	place := func(kind string, start time.Time, reason string) *Placement {
		h.Placements = append(h.Placements, Placement{FacilityID: pick(g, fac[kind]), FacilityKind: kind, StartedAt: start.Truncate(time.Minute),
			Reason: reason})
		return &h.Placements[len(h.Placements)-1]
	}
	suitable := func(at time.Time) string {
		if youngest(at) < 16 {
			return pickWeighted(g, []weighted[string]{{"childrens_centre", 60}, {"foster_family", 30}, {"kinship_care", 10}})
		}
		return pickWeighted(g, []weighted[string]{{"childrens_centre", 55}, {"foster_family", 15}, {"supervised_independent_living", 25}, {"kinship_care", 5}})
	}
	start := t0.Add(g.between(time.Hour, 8*time.Hour))
	if g.chance(0.05) { // no placement recorded for a week or more (S5)
		start = t0.Add(g.days(8, 20))
	}
	stayOpen := false
	switch {
	case g.chance(0.05): // police custody on the first nights (S6)
		place("police_detention", start, "No other place available on arrival")
		if t0.After(now.Add(-20*day)) && g.chance(0.3) {
			stayOpen = true // still there today
			break
		}
		if g.chance(0.7) {
			start = start.Add(g.days(1, 3))
		} else {
			start = start.Add(g.days(8, 20))
		}
	case youngest(start) < 16 && g.chance(0.012): // an adult centre under 16 (S6)
		place("adult_reception_centre", start, "Placed with an adult travelling group")
		if g.chance(0.3) {
			stayOpen = true
			break
		}
		start = start.Add(g.days(5, 60))
	case youngest(start) >= 16 && g.chance(0.08): // 16–17 in an adult centre
		pl := place("adult_reception_centre", start, "No place in a children's centre")
		if g.chance(0.85) {
			pl.BestInterests = "Best-interests assessment: stays with his brother's group; weekly check by the unit"
		}
		start = start.Add(g.days(10, 120))
	}
	for !stayOpen && start.Before(horizon) {
		reason := "Initial placement after arrival"
		if len(h.Placements) > 0 {
			reason = "Moved to a better-suited placement"
		}
		place(suitable(start), start, reason)
		if !g.chance(0.3) {
			break
		}
		start = start.Add(g.days(40, 250))
	}
	// Close each placement at the next one's start, the last at the end of the case.
	var kept []Placement
	for i, pl := range h.Placements {
		if !pl.StartedAt.Before(horizon) {
			break
		}
		if i+1 < len(h.Placements) && h.Placements[i+1].StartedAt.Before(horizon) {
			pl.EndedAt, pl.EndReason = ptrTime(h.Placements[i+1].StartedAt), "moved"
		} else if !end.IsZero() {
			pl.EndedAt, pl.EndReason = ptrTime(end), endReason
		}
		kept = append(kept, pl)
	}
	h.Placements = kept
	reviewGap := func() time.Duration { return g.days(45, 88) }
	if g.chance(0.2) {
		reviewGap = func() time.Duration { return g.days(60, 150) }
	}
	for i, pl := range h.Placements {
		until := horizon
		if pl.EndedAt != nil {
			until = *pl.EndedAt
		}
		for t := pl.StartedAt.Add(g.days(7, 30)); t.Before(until) && !t.After(now); t = t.Add(reviewGap()) {
			h.Checks = append(h.Checks, PlacementCheck{Placement: i, CheckedOn: dateOf(t)})
		}
	}

	// S11: rights information in a language the child understands.
	var informed time.Time
	switch x := g.r.Float64(); {
	case x < 0.85:
		informed = t0.Add(g.days(0, 14))
	case x < 0.95:
		informed = t0.Add(g.days(16, 60))
	}
	if !informed.IsZero() && informed.Before(horizon) {
		h.Rights = append(h.Rights, RightsInfo{On: dateOf(informed), Language: p.Languages[0],
			Method: pickWeighted(g, []weighted[string]{{"interpreter", 50}, {"in_person", 20}, {"written_sheet", 25}, {"other", 5}})})
	}

	// S13: a transition plan before the 18th birthday.
	if age18.After(t0.Add(30*day)) && age18.Before(now.Add(100*day)) {
		var planned time.Time
		switch x := g.r.Float64(); {
		case x < 0.6:
			planned = age18.Add(-g.days(91, 200))
		case x < 0.85:
			planned = age18.Add(-g.days(5, 89))
		}
		if !planned.IsZero() {
			if planned.Before(t0) {
				planned = t0.Add(day)
			}
			if planned.Before(horizon) && !planned.After(now) {
				h.Plans = append(h.Plans, TransitionPlan{On: dateOf(planned)})
			}
		}
	}

	switch status {
	case "aged_out":
		h.Lifecycle = append(h.Lifecycle, LifecycleEvent{Transition: "age_out", To: status, On: dateOf(end)})
	case "reunified":
		h.Lifecycle = append(h.Lifecycle, LifecycleEvent{Transition: "reunify", To: status, On: dateOf(end)})
	case "transferred":
		h.Lifecycle = append(h.Lifecycle, LifecycleEvent{Transition: "transfer", To: status, On: dateOf(end)})
	}
	h.Status = status
	return h
}

// GenerateHistories returns n children with histories, for tests and the loader (which
// streams batches instead of holding a national population in memory). refs name the
// facilities (region → kind → ids) and guardian users (region → ids) to draw from; every
// region of regionByPost needs facilities of every kind and at least one guardian.
func GenerateHistories(cfg HistoryConfig, facilities map[int64]map[string][]int64, guardians map[int64][]int64, regionByPost map[string]int64) ([]History, error) {
	cfg = cfg.withDefaults()
	refs := &histRefs{facilities: facilities, guardians: guardians}
	if err := refs.check(regionByPost); err != nil {
		return nil, err
	}
	g := newGen(cfg.Seed)
	out := make([]History, cfg.Children)
	for i := range out {
		out[i] = g.history(cfg, refs, regionByPost)
	}
	return out, nil
}

// FacilityKinds are the facility kinds a region needs for histories.
var FacilityKinds = []string{"foster_family", "kinship_care", "childrens_centre", "supervised_independent_living",
	"adult_reception_centre", "police_detention"}

func (r *histRefs) check(regionByPost map[string]int64) error {
	for code, region := range regionByPost {
		for _, k := range FacilityKinds {
			if len(r.facilities[region][k]) == 0 {
				return fmt.Errorf("synth: region %d (post %s) has no facility of kind %s", region, code, k)
			}
		}
		if len(r.guardians[region]) == 0 {
			return fmt.Errorf("synth: region %d (post %s) has no guardian", region, code)
		}
	}
	return nil
}
