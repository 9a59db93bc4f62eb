package registry

import (
	"slices"
	"time"

	"github.com/kujdes/kujdes/models"
)

// The legal-status state machine (issue 10), in one place. A child's current legal status is
// never stored or edited: it is derived from the timeline of legal events that are not voided,
// replayed in order through the table below. Every write (a new event, a void) replays the
// whole timeline as it would be afterwards and is refused when any event of it would be
// refused — so the derived status can never contradict its timeline. docs/legal-status.md
// describes the same machine for people.
//
// Order. Events are replayed by the date they happened (occurred_on); events of the same date
// in the order they were recorded. An event may be recorded late and dated before earlier
// recorded ones (a guardian catching up on paper): it takes its place by date, and it is
// accepted only if the whole timeline still replays. A date in the future is refused, and so
// is a date before the child's earliest possible birth date.
//
// Stages (LegalStatus.Stage) and the events each one admits:
//
//	stage                  | admits                                              | leads to
//	-----------------------+-----------------------------------------------------+------------------------------
//	none                   | identified, application_made                        | identified, application_made
//	identified             | application_made                                    | application_made
//	application_made       | application_registered, application_lodged          | application_registered, application_lodged
//	application_registered | application_lodged                                  | application_lodged
//	application_lodged     | interview, decision                                 | interviewed, decision's outcome
//	interviewed            | interview (another), decision                       | interviewed, decision's outcome
//	refugee_status         | —  (nothing to appeal)                              |
//	subsidiary_protection  | appeal_lodged (for refugee status)                  | appeal_pending
//	rejected               | appeal_lodged                                       | appeal_pending
//	appeal_pending         | appeal_decided                                      | refugee_status, subsidiary_protection, rejected_final
//	rejected_final         | appeal_lodged (a further appeal)                    | appeal_pending
//	protection_granted     | —                                                   |
//	reunified, transferred, returned: the procedure has ended; nothing more is admitted.
//
// Besides the asylum track, in every stage except none and the ended ones:
//
//   - protection_granted (another form of protection, e.g. humanitarian) from any stage that is
//     not already a protection (refugee_status, subsidiary_protection, protection_granted);
//   - residence_permit, any number of times: it does not change the stage, it is shown beside it;
//   - family reunification and transfer run as a side track: *_requested (when no request is
//     open) → *_accepted → *_completed (the procedure ends: reunified / transferred), or
//     *_refused from requested or accepted (the request is closed, the stage unchanged);
//   - voluntary_return, with a best-interests determination (its reference is required), when
//     no reunification or transfer request is open: the procedure ends (returned).
//
// A refusal names why, as a validation code with its message in every language
// ("validation.legal_…"); the date of the event refused is its data.

// Legal event kinds, in the order the forms offer them (the procedure's natural order).
const (
	LegalIdentified                   = "identified"
	LegalApplicationMade              = "application_made"
	LegalApplicationRegistered        = "application_registered"
	LegalApplicationLodged            = "application_lodged"
	LegalInterview                    = "interview"
	LegalDecision                     = "decision"
	LegalAppealLodged                 = "appeal_lodged"
	LegalAppealDecided                = "appeal_decided"
	LegalReunificationRequested       = "family_reunification_requested"
	LegalReunificationAccepted        = "family_reunification_accepted"
	LegalReunificationRefused         = "family_reunification_refused"
	LegalReunificationCompleted       = "family_reunification_completed"
	LegalTransferRequested            = "transfer_requested"
	LegalTransferAccepted             = "transfer_accepted"
	LegalTransferRefused              = "transfer_refused"
	LegalTransferCompleted            = "transfer_completed"
	LegalVoluntaryReturn              = "voluntary_return"
	LegalResidencePermit              = "residence_permit"
	LegalProtectionGranted            = "protection_granted"
	LegalVoid                         = "void" // a correction: voids an earlier event
	legalOutcomeRefugee               = "refugee_status"
	legalOutcomeSubsidiary            = "subsidiary_protection"
	legalOutcomeRejected              = "rejected"
	legalTrackReunification           = "family_reunification"
	legalTrackTransfer                = "transfer"
	legalRequested, legalAcceptedStep = "requested", "accepted"
)

// LegalEventKinds lists the kinds a user may record (void is recorded by voiding an event).
var LegalEventKinds = []string{LegalIdentified, LegalApplicationMade, LegalApplicationRegistered, LegalApplicationLodged,
	LegalInterview, LegalDecision, LegalAppealLodged, LegalAppealDecided,
	LegalReunificationRequested, LegalReunificationAccepted, LegalReunificationRefused, LegalReunificationCompleted,
	LegalTransferRequested, LegalTransferAccepted, LegalTransferRefused, LegalTransferCompleted,
	LegalVoluntaryReturn, LegalResidencePermit, LegalProtectionGranted}

// LegalOutcomes are the outcomes of a decision and of an appeal decision.
var LegalOutcomes = []string{legalOutcomeRefugee, legalOutcomeSubsidiary, legalOutcomeRejected}

// Legal stages (LegalStatus.Stage).
const (
	StageLegalNone          = "none"
	StageLegalIdentified    = "identified"
	StageLegalApplied       = "application_made"
	StageLegalRegistered    = "application_registered"
	StageLegalLodged        = "application_lodged"
	StageLegalInterviewed   = "interviewed"
	StageLegalRefugee       = "refugee_status"
	StageLegalSubsidiary    = "subsidiary_protection"
	StageLegalRejected      = "rejected"
	StageLegalAppeal        = "appeal_pending"
	StageLegalRejectedFinal = "rejected_final"
	StageLegalProtected     = "protection_granted"
	StageLegalReunified     = "reunified"
	StageLegalTransferred   = "transferred"
	StageLegalReturned      = "returned"
)

// LegalStages lists every stage (for the message catalogues and the docs).
var LegalStages = []string{StageLegalNone, StageLegalIdentified, StageLegalApplied, StageLegalRegistered, StageLegalLodged,
	StageLegalInterviewed, StageLegalRefugee, StageLegalSubsidiary, StageLegalRejected, StageLegalAppeal,
	StageLegalRejectedFinal, StageLegalProtected, StageLegalReunified, StageLegalTransferred, StageLegalReturned}

// LegalRefusals lists every refusal code of the state machine (message ids "validation.<code>").
var LegalRefusals = []string{"legal_procedure_ended", "legal_timeline_starts", "legal_identified_first",
	"legal_application_exists", "legal_registration_needs_application", "legal_lodging_needs_application",
	"legal_interview_needs_lodged", "legal_decision_needs_lodged", "legal_appeal_needs_decision",
	"legal_appeal_decision_needs_appeal", "legal_request_open", "legal_accept_needs_request",
	"legal_refusal_needs_request", "legal_completion_needs_acceptance", "legal_already_protected"}

// legalEnded are the stages after which nothing more is admitted.
var legalEnded = []string{StageLegalReunified, StageLegalTransferred, StageLegalReturned}

// legalRule is one row of the asylum track: the stages an event kind may follow and the
// refusal that names what it needs. The stage it leads to is in legalStep.
type legalRule struct {
	from   []string
	refuse string
}

// legalTrack are the asylum-track kinds of the table in the package comment.
var legalTrack = map[string]legalRule{
	LegalIdentified:            {[]string{StageLegalNone}, "legal_identified_first"},
	LegalApplicationMade:       {[]string{StageLegalNone, StageLegalIdentified}, "legal_application_exists"},
	LegalApplicationRegistered: {[]string{StageLegalApplied}, "legal_registration_needs_application"},
	LegalApplicationLodged:     {[]string{StageLegalApplied, StageLegalRegistered}, "legal_lodging_needs_application"},
	LegalInterview:             {[]string{StageLegalLodged, StageLegalInterviewed}, "legal_interview_needs_lodged"},
	LegalDecision:              {[]string{StageLegalLodged, StageLegalInterviewed}, "legal_decision_needs_lodged"},
	LegalAppealLodged:          {[]string{StageLegalSubsidiary, StageLegalRejected, StageLegalRejectedFinal}, "legal_appeal_needs_decision"},
	LegalAppealDecided:         {[]string{StageLegalAppeal}, "legal_appeal_decision_needs_appeal"},
	LegalProtectionGranted: {[]string{StageLegalIdentified, StageLegalApplied, StageLegalRegistered, StageLegalLodged,
		StageLegalInterviewed, StageLegalRejected, StageLegalAppeal, StageLegalRejectedFinal}, "legal_already_protected"},
}

// legalSide are the side-track kinds: track and step.
var legalSide = map[string][2]string{
	LegalReunificationRequested: {legalTrackReunification, legalRequested},
	LegalReunificationAccepted:  {legalTrackReunification, legalAcceptedStep},
	LegalReunificationRefused:   {legalTrackReunification, "refused"},
	LegalReunificationCompleted: {legalTrackReunification, "completed"},
	LegalTransferRequested:      {legalTrackTransfer, legalRequested},
	LegalTransferAccepted:       {legalTrackTransfer, legalAcceptedStep},
	LegalTransferRefused:        {legalTrackTransfer, "refused"},
	LegalTransferCompleted:      {legalTrackTransfer, "completed"},
}

// LegalStatus is the legal status derived from a timeline.
type LegalStatus struct {
	Stage string `json:"stage"`
	// Since is the date of the event that brought the stage (nil for none).
	Since *time.Time `json:"since,omitempty"`
	// Pending is an open family-reunification or transfer request:
	// "family_reunification_requested", "family_reunification_accepted", "transfer_requested"
	// or "transfer_accepted" ("" when none is open), since PendingSince.
	Pending      string     `json:"pending,omitempty"`
	PendingSince *time.Time `json:"pending_since,omitempty"`
	// ResidencePermitOn is the date of the latest residence permit.
	ResidencePermitOn *time.Time `json:"residence_permit_on,omitempty"`
	// ApplicationMadeOn is the date the application was made: S2 counts from it.
	ApplicationMadeOn *time.Time `json:"application_made_on,omitempty"`
	// RegisteredOn is the date the application was registered (APR Art. 28 counts from it).
	RegisteredOn *time.Time `json:"application_registered_on,omitempty"`
	// LodgedOn is the date the application was lodged.
	LodgedOn *time.Time `json:"application_lodged_on,omitempty"`
}

// Ended reports whether the procedure has ended (reunified, transferred, returned).
func (s LegalStatus) Ended() bool { return slices.Contains(legalEnded, s.Stage) }

// LegalStep applies one event to a status: the status after it, or the refusal code naming
// why the event contradicts the status. It is the table of the package comment.
func LegalStep(s LegalStatus, kind, outcome string, on time.Time) (LegalStatus, string) {
	if s.Stage == "" {
		s.Stage = StageLegalNone
	}
	day := on
	if s.Ended() {
		return s, "legal_procedure_ended"
	}
	if s.Stage == StageLegalNone && kind != LegalIdentified && kind != LegalApplicationMade {
		return s, "legal_timeline_starts"
	}
	if rule, ok := legalTrack[kind]; ok {
		if !slices.Contains(rule.from, s.Stage) {
			return s, rule.refuse
		}
		next := s
		next.Since = &day
		switch kind {
		case LegalIdentified:
			next.Stage = StageLegalIdentified
		case LegalApplicationMade:
			next.Stage, next.ApplicationMadeOn = StageLegalApplied, &day
		case LegalApplicationRegistered:
			next.Stage, next.RegisteredOn = StageLegalRegistered, &day
		case LegalApplicationLodged:
			next.Stage, next.LodgedOn = StageLegalLodged, &day
		case LegalInterview:
			next.Stage = StageLegalInterviewed
		case LegalDecision:
			next.Stage = outcome
		case LegalAppealLodged:
			next.Stage = StageLegalAppeal
		case LegalAppealDecided:
			next.Stage = outcome
			if outcome == legalOutcomeRejected {
				next.Stage = StageLegalRejectedFinal
			}
		case LegalProtectionGranted:
			next.Stage = StageLegalProtected
		}
		return next, ""
	}
	if side, ok := legalSide[kind]; ok {
		track, step := side[0], side[1]
		next := s
		switch step {
		case legalRequested:
			if s.Pending != "" {
				return s, "legal_request_open"
			}
			next.Pending, next.PendingSince = kind, &day
		case legalAcceptedStep:
			if s.Pending != track+"_requested" {
				return s, "legal_accept_needs_request"
			}
			next.Pending, next.PendingSince = kind, &day
		case "refused":
			if s.Pending != track+"_requested" && s.Pending != track+"_accepted" {
				return s, "legal_refusal_needs_request"
			}
			next.Pending, next.PendingSince = "", nil
		case "completed":
			if s.Pending != track+"_accepted" {
				return s, "legal_completion_needs_acceptance"
			}
			next.Pending, next.PendingSince, next.Since = "", nil, &day
			next.Stage = StageLegalTransferred
			if track == legalTrackReunification {
				next.Stage = StageLegalReunified
			}
		}
		return next, ""
	}
	switch kind {
	case LegalResidencePermit:
		next := s
		next.ResidencePermitOn = &day
		return next, ""
	case LegalVoluntaryReturn:
		if s.Pending != "" {
			return s, "legal_request_open"
		}
		next := s
		next.Stage, next.Since = StageLegalReturned, &day
		return next, ""
	}
	// Unknown kinds are refused by validation before the machine runs.
	return s, "code_unknown"
}

// legalReplay is the result of replaying a timeline.
type legalReplay struct {
	Status LegalStatus
	// Refused is the first event the machine refused (nil when the timeline replays), and
	// Code why.
	Refused *models.LegalEvent
	Code    string
}

// effectiveLegalEvents are the events of a timeline that count, in replay order: not void
// events, not voided, by date and then recording order.
func effectiveLegalEvents(events []models.LegalEvent) []models.LegalEvent {
	voided := map[int64]bool{}
	for _, e := range events {
		if e.Kind == LegalVoid && e.VoidsEventID != nil {
			voided[*e.VoidsEventID] = true
		}
	}
	out := make([]models.LegalEvent, 0, len(events))
	for _, e := range events {
		if e.Kind != LegalVoid && !voided[e.ID] {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(x, y models.LegalEvent) int {
		if c := x.OccurredOn.Compare(y.OccurredOn); c != 0 {
			return c
		}
		return x.Seq - y.Seq
	})
	return out
}

// replayLegal derives the status of a timeline (all its events, voids included).
func replayLegal(events []models.LegalEvent) legalReplay {
	s := LegalStatus{Stage: StageLegalNone}
	for _, e := range effectiveLegalEvents(events) {
		next, code := LegalStep(s, e.Kind, e.Outcome, e.OccurredOn)
		if code != "" {
			return legalReplay{Status: s, Refused: &e, Code: code}
		}
		s = next
	}
	return legalReplay{Status: s}
}

// DeriveLegalStatus is the legal status of a timeline (all its events, voids included). A
// timeline written through the registry always replays; should one not, the status stops at
// the last event it admits.
func DeriveLegalStatus(events []models.LegalEvent) LegalStatus {
	return replayLegal(events).Status
}

// Deadlines of the procedure (Asylum Procedures Regulation 2024/1348): an application is
// registered no later than 5 days after it is made (Art. 27(1)), and lodged within 21 days
// of its registration (Art. 28(1)).
const (
	RuleAPR27          = "APR27"
	RuleAPR28          = "APR28"
	LegalRegisterDays  = 5
	LegalLodgeWithDays = 21
)

// NextLegalDeadline is the procedure's next deadline for a status (nil when none is open):
// the registration of an application made, or the lodging of one registered.
func NextLegalDeadline(s LegalStatus, now time.Time) *Deadline {
	switch {
	case s.Stage == StageLegalApplied && s.ApplicationMadeOn != nil:
		d := deadline(RuleAPR27, endOfDay(s.ApplicationMadeOn.AddDate(0, 0, LegalRegisterDays)), nil, now)
		return &d
	case s.Stage == StageLegalRegistered && s.RegisteredOn != nil:
		d := deadline(RuleAPR28, endOfDay(s.RegisteredOn.AddDate(0, 0, LegalLodgeWithDays)), nil, now)
		return &d
	}
	return nil
}

// endOfDay is the last instant of a date's day (UTC): a deadline "by day D" is met all of D.
func endOfDay(d time.Time) time.Time {
	y, m, dd := d.UTC().Date()
	return time.Date(y, m, dd, 23, 59, 59, 0, time.UTC)
}

// LegalTimelineProblem replays a whole timeline (all its events, voids included) and returns
// the refusal code of the first event the state machine refuses, or "" when it replays. For
// data loaded outside the use cases (the demo data).
func LegalTimelineProblem(events []models.LegalEvent) string {
	return replayLegal(events).Code
}
