package registry

import (
	"cmp"
	"slices"
	"time"

	"github.com/kujdes/kujdes/models"
)

// The rules of a missing child (MISSION.md S9, S10 and the risk rules of issue 10), each in
// one function used by both faces, the "Missing now" board, the child page, the
// missing-person sheet and the needs-action queue.

// Rule names of the missing-child standards, as deadlines show them.
const (
	RuleS9  = "S9"  // reported to the police without delay
	RuleS10 = "S10" // return interview after the child is found
)

// MissingRules are the thresholds of the missing-child standards, from configuration
// (internal/config Missing). Zero fields take the defaults of DefaultMissingRules.
type MissingRules struct {
	// PoliceReportWithin: a disappearance is reported to the police this long after it is
	// discovered at the latest; any longer delay is flagged (S9).
	PoliceReportWithin time.Duration
	// ReturnInterviewWithin: the return interview is held this long after the child is found
	// at the latest (S10).
	ReturnInterviewWithin time.Duration
}

// DefaultMissingRules are MISSION.md's defaults: police within 2 hours (S9), the return
// interview within 72 hours (S10).
func DefaultMissingRules() MissingRules {
	return MissingRules{PoliceReportWithin: 2 * time.Hour, ReturnInterviewWithin: 72 * time.Hour}
}

// missingRules are the registry's rules, defaults filled in.
func (r *Registry) missingRules() MissingRules {
	m, d := r.MissingRules, DefaultMissingRules()
	if m.PoliceReportWithin <= 0 {
		m.PoliceReportWithin = d.PoliceReportWithin
	}
	if m.ReturnInterviewWithin <= 0 {
		m.ReturnInterviewWithin = d.ReturnInterviewWithin
	}
	return m
}

// PoliceReportDue is when the police must have been told of a disappearance discovered at
// discovered (S9).
func (m MissingRules) PoliceReportDue(discovered time.Time) time.Time {
	return discovered.Add(m.PoliceReportWithin)
}

// ReturnInterviewDue is when the return interview of a child found at found is due (S10).
func (m MissingRules) ReturnInterviewDue(found time.Time) time.Time {
	return found.Add(m.ReturnInterviewWithin)
}

// episodeDeadlines are an episode's deadlines: S9 always, S10 once the child is found.
func (m MissingRules) episodeDeadlines(e models.MissingEpisode, now time.Time) (police Deadline, interview *Deadline) {
	police = deadline(RuleS9, m.PoliceReportDue(e.DiscoveredAt), e.PoliceReportedAt, now)
	if e.FoundAt != nil {
		d := deadline(RuleS10, m.ReturnInterviewDue(*e.FoundAt), e.InterviewAt, now)
		interview = &d
	}
	return police, interview
}

// The automatic risk rules.
const (
	// YoungChildAge: a child who may be younger than this is at high risk when missing.
	YoungChildAge = 13
	// RepeatEpisodes missing episodes within RepeatWindow (this one included) call for a
	// strategy meeting.
	RepeatEpisodes = 3
	RepeatWindow   = 30 * 24 * time.Hour
)

// Risk levels.
const (
	RiskLow    = "low"
	RiskMedium = "medium"
	RiskHigh   = "high"
)

// Reasons the rules raise a risk to high (message ids "missing.risk_reason.<code>").
const (
	RiskReasonUnder13     = "under_13"
	RiskReasonAgeUnknown  = "age_unknown"
	RiskReasonTrafficking = "trafficking_indicators"
	RiskReasonBefore      = "missing_before"
)

// RiskReasons lists every reason code.
var RiskReasons = []string{RiskReasonUnder13, RiskReasonAgeUnknown, RiskReasonTrafficking, RiskReasonBefore}

// RiskFacts is what the risk rules look at when a child is reported missing.
type RiskFacts struct {
	// Assessed is the reporter's own assessment (low, medium, high).
	Assessed string
	// BirthFrom and BirthTo are the child's possible birth dates (nil: unknown).
	BirthFrom, BirthTo    *time.Time
	TraffickingIndicators []string
	// Earlier are the discovery times of the child's earlier missing episodes.
	Earlier []time.Time
}

// Risk is the outcome of the risk rules.
type Risk struct {
	Level   string   `json:"level"`
	Reasons []string `json:"reasons"`
	// StrategyMeeting: RepeatEpisodes or more episodes within RepeatWindow, this one included.
	StrategyMeeting bool `json:"strategy_meeting"`
	// RecentEpisodes counts the episodes within RepeatWindow up to now, this one included.
	RecentEpisodes int `json:"recent_episodes"`
}

// AssessMissingRisk applies the risk rules at now. The level is the reporter's assessment,
// raised to high when:
//
//   - the child may be under YoungChildAge: the youngest age of the birth range (models'
//     one age rule) is under 13 — the benefit of the doubt applied to protection; an unknown
//     age counts as possibly under 13;
//   - the child's record carries trafficking indicators;
//   - the child has been missing before (any earlier episode).
//
// RepeatEpisodes episodes or more within RepeatWindow before now (this one included; an
// episode exactly RepeatWindow ago still counts) flag a strategy meeting.
func AssessMissingRisk(f RiskFacts, now time.Time) Risk {
	out := Risk{Level: f.Assessed, Reasons: []string{}}
	if !slices.Contains(models.MissingRiskLevels, out.Level) {
		out.Level = RiskMedium
	}
	switch {
	case f.BirthFrom == nil || f.BirthTo == nil:
		out.Reasons = append(out.Reasons, RiskReasonAgeUnknown)
	default:
		if lo, _ := models.AgeRangeAt(*f.BirthFrom, *f.BirthTo, now); lo < YoungChildAge {
			out.Reasons = append(out.Reasons, RiskReasonUnder13)
		}
	}
	if len(f.TraffickingIndicators) > 0 {
		out.Reasons = append(out.Reasons, RiskReasonTrafficking)
	}
	if len(f.Earlier) > 0 {
		out.Reasons = append(out.Reasons, RiskReasonBefore)
	}
	if len(out.Reasons) > 0 {
		out.Level = RiskHigh
	}
	out.RecentEpisodes = 1
	for _, at := range f.Earlier {
		if !at.After(now) && !at.Before(now.Add(-RepeatWindow)) {
			out.RecentEpisodes++
		}
	}
	out.StrategyMeeting = out.RecentEpisodes >= RepeatEpisodes
	return out
}

// riskRank orders risk levels: 1 for high, 3 for low.
func riskRank(level string) int {
	return len(models.MissingRiskLevels) - slices.Index(models.MissingRiskLevels, level)
}

// Reaction steps (message ids "missing.step.<code>").
const (
	StepPolice   = "police"
	StepHotline  = "hotline"
	StepSIS      = "sis"
	StepGuardian = "guardian"
)

// ReactionSteps lists every reaction step, in the order they are taken.
var ReactionSteps = []string{StepPolice, StepHotline, StepSIS, StepGuardian}

// stepsOutstanding are the reaction steps not yet recorded on an episode.
func stepsOutstanding(e models.MissingEpisode) []string {
	out := []string{}
	for _, s := range []struct {
		step string
		done bool
	}{
		{StepPolice, e.PoliceReportedAt != nil},
		{StepHotline, e.HotlineNotifiedAt != nil},
		{StepSIS, e.SISRequestedAt != nil || e.SISReference != ""},
		{StepGuardian, e.GuardianInformedAt != nil},
	} {
		if !s.done {
			out = append(out, s.step)
		}
	}
	return out
}

// minutesAfter is the delay from `from` to `to` in whole minutes (nil when to is nil).
func minutesAfter(from time.Time, to *time.Time) *int {
	if to == nil {
		return nil
	}
	m := int(to.Sub(from) / time.Minute)
	return &m
}

// compareUrgency orders the "Missing now" board, most urgent first: higher risk first; then
// a child the police have not been told about yet (S9 asks for it at once); then the child
// missing longest (earliest discovery).
func compareUrgency(x, y MissingNow) int {
	if c := cmp.Compare(riskRank(x.Episode.Risk), riskRank(y.Episode.Risk)); c != 0 {
		return c
	}
	if xp, yp := x.Episode.PoliceReportedAt == nil, y.Episode.PoliceReportedAt == nil; xp != yp {
		if xp {
			return -1
		}
		return 1
	}
	if c := x.Episode.DiscoveredAt.Compare(y.Episode.DiscoveredAt); c != 0 {
		return c
	}
	return cmp.Compare(x.ID, y.ID)
}

// ReasonReturnInterviewDue is the needs-action reason of S10.
const ReasonReturnInterviewDue = "return_interview_due"

// returnInterviewNeed is S10 as a needs-action condition over "children" and, as a column,
// when the child was found (S10 counts from it, ReturnInterviewDue): an episode closed by the
// child being found, without a return interview.
func returnInterviewNeed() placementNeed {
	sub := "(SELECT min(me.found_at) FROM missing_episodes me WHERE me.child_id = children.id AND NOT " + episodeOpen + " AND me.interview_at IS NULL)"
	return placementNeed{when: sqlCond{sql: sub + " IS NOT NULL"}, due: sqlCond{sql: sub}}
}
