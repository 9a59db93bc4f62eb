package registry

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// A child's legal procedure (issue 10): a timeline of events, append-only, from which the
// current legal status is derived by the state machine of legal_rules.go. Guardians (for their
// current wards) and protection officers (in their regions) read and record it; the record
// scope is scopedChild's. A correction is a void event naming the event it voids and why.
//
// Concurrency: the timeline's version is the number of its events + 1 (1 when empty). A new
// event or a void names the version it was decided on; a timeline that grew meanwhile is a
// conflict (412), so nobody adds to a timeline they have not seen. Writes run under the
// child's row lock, and (child_id, seq) is unique besides.

// MinVoidReason is the shortest accepted reason (in characters) for voiding an event.
const MinVoidReason = 10

// LegalEventInput is one step of a child's legal procedure.
type LegalEventInput struct {
	Kind string `json:"kind" input:"len=35"`
	// Outcome of a decision or an appeal decision: refugee_status, subsidiary_protection,
	// rejected; empty for the other kinds.
	Outcome string `json:"outcome" input:"len=35"`
	// OccurredOn is the date of the step, YYYY-MM-DD.
	OccurredOn        string `json:"occurred_on" input:"len=35"`
	Authority         string `json:"authority" input:"len=200"`
	DocumentReference string `json:"document_reference" input:"len=200"`
	// BestInterestsReference is the best-interests determination a voluntary return rests on
	// (required for that kind).
	BestInterestsReference string `json:"best_interests_reference" input:"len=200"`
	Note                   string `json:"note" input:"len=4000,multiline"`
}

// LegalVoidInput voids an event of the timeline (a correction).
type LegalVoidInput struct {
	Reason string `json:"reason" input:"len=2000,multiline"`
}

// LegalEventView is an event as the timeline shows it: who recorded it and, when a later
// correction voided it, which one.
type LegalEventView struct {
	models.LegalEvent
	RecordedByName string `json:"recorded_by_name"`
	// VoidedByEventID is the void event that voided this one (nil: it counts).
	VoidedByEventID *int64 `json:"voided_by_event_id,omitempty"`
	VoidedReason    string `json:"voided_reason,omitempty"`
}

// Voided reports whether a later correction voided the event.
func (v LegalEventView) Voided() bool { return v.VoidedByEventID != nil }

// LegalTimeline is a child's legal procedure: every event (voids included) in timeline order
// (date, then recording order), the status derived from them and the next deadline.
type LegalTimeline struct {
	ChildID int64 `json:"child_id"`
	// Version is the timeline's version (events + 1); If-Match of the next write.
	Version      int              `json:"version"`
	Status       LegalStatus      `json:"status"`
	NextDeadline *Deadline        `json:"next_deadline,omitempty"`
	Events       []LegalEventView `json:"events"`
}

// LegalSummary is a child's derived legal status and next procedure deadline, for boards and
// the compliance view (LegalSummaries).
type LegalSummary struct {
	Status       LegalStatus `json:"status"`
	NextDeadline *Deadline   `json:"next_deadline,omitempty"`
}

// applicationMadeOn is, as a column over "children", the date the child's asylum application
// was made — its application_made event that is not voided (the state machine admits one) —
// or NULL. S2 counts from it (GuardianRules.AppointDue); it agrees with
// LegalStatus.ApplicationMadeOn (TestLegalS2FromApplicationMade).
//
// "Not voided" is a LIMIT 1 probe of legal_events_voided_once, not NOT EXISTS: inside this
// per-child subquery PostgreSQL planned NOT EXISTS as a merge anti-join that walked the voids
// index from its start for every child — 1.4 s per 2 000 children at 100 000 children, growing
// with the number of voids nationwide (issue 11, the compliance refresh); the probe is 16 ms.
func applicationMadeOn() sqlCond {
	return sqlCond{sql: `(SELECT (min(le.occurred_on)::timestamp AT TIME ZONE 'UTC') FROM legal_events le WHERE le.child_id = children.id AND le.kind = 'application_made'
		AND (SELECT lv.id FROM legal_events lv WHERE lv.voids_event_id = le.id LIMIT 1) IS NULL)`}
}

// childApplicationMadeOn reads applicationMadeOn for one child.
func childApplicationMadeOn(tx *gorm.DB, childID int64) (*time.Time, error) {
	var out struct{ On *time.Time }
	c := applicationMadeOn()
	err := tx.Table("children").Select(c.sql+" AS on", c.args...).Where("children.id = ?", childID).Take(&out).Error
	return out.On, err
}

// legalEvents reads every event of a child's timeline, voids included, in recording order.
func legalEvents(tx *gorm.DB, childID int64) ([]models.LegalEvent, error) {
	var out []models.LegalEvent
	err := tx.Where("child_id = ?", childID).Order("seq").Find(&out).Error
	return out, err
}

// legalTimeline builds the timeline of events.
func (r *Registry) legalTimeline(tx *gorm.DB, childID int64, events []models.LegalEvent) (LegalTimeline, error) {
	out := LegalTimeline{ChildID: childID, Version: len(events) + 1, Events: []LegalEventView{}}
	out.Status = DeriveLegalStatus(events)
	out.NextDeadline = NextLegalDeadline(out.Status, r.now())
	var users []int64
	for _, e := range events {
		if e.RecordedBy != nil {
			users = append(users, *e.RecordedBy)
		}
	}
	names := map[int64]string{}
	if len(users) > 0 {
		var rows []struct {
			ID          int64
			DisplayName string
		}
		if err := tx.Table("users").Select("id, display_name").Where("id IN ?", users).Find(&rows).Error; err != nil {
			return out, err
		}
		for _, x := range rows {
			names[x.ID] = x.DisplayName
		}
	}
	voids := map[int64]models.LegalEvent{}
	for _, e := range events {
		if e.Kind == LegalVoid && e.VoidsEventID != nil {
			voids[*e.VoidsEventID] = e
		}
	}
	for _, e := range events {
		v := LegalEventView{LegalEvent: e}
		if e.RecordedBy != nil {
			v.RecordedByName = names[*e.RecordedBy]
		}
		if vd, ok := voids[e.ID]; ok {
			id := vd.ID
			v.VoidedByEventID, v.VoidedReason = &id, vd.VoidReason
		}
		out.Events = append(out.Events, v)
	}
	slices.SortStableFunc(out.Events, func(x, y LegalEventView) int {
		if c := x.OccurredOn.Compare(y.OccurredOn); c != 0 {
			return c
		}
		return x.Seq - y.Seq
	})
	return out, nil
}

// LegalTimelineOf reads a child's legal timeline with its derived status, and audits the read.
func (r *Registry) LegalTimelineOf(ctx context.Context, a *models.Actor, childID int64) (LegalTimeline, error) {
	if err := require(a, models.PermLegalRead); err != nil {
		return LegalTimeline{}, err
	}
	var out LegalTimeline
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.scopedChild(tx, a, childID, false)
		if err != nil {
			return err
		}
		events, err := legalEvents(tx, childID)
		if err != nil {
			return err
		}
		if out, err = r.legalTimeline(tx, childID, events); err != nil {
			return err
		}
		reason := ""
		if c.ViaBreakGlass {
			reason = "break-glass"
		}
		return audit(ctx, tx, a, "legal.read", "child", strconv.FormatInt(childID, 10), nil, reason)
	})
	return out, r.denied(ctx, a, err)
}

// checkLegalEvent validates an event's fields (not yet its place in the timeline) and returns
// the event to record.
func (r *Registry) checkLegalEvent(verr *models.ValidationError, child ChildView, in LegalEventInput) models.LegalEvent {
	e := models.LegalEvent{ChildID: child.ID, Kind: strings.TrimSpace(in.Kind), Outcome: strings.TrimSpace(in.Outcome),
		Authority: strings.TrimSpace(in.Authority), DocumentReference: strings.TrimSpace(in.DocumentReference),
		Note: strings.TrimSpace(in.Note)}
	switch {
	case e.Kind == "":
		verr.Add("kind", "required", nil)
	case !slices.Contains(LegalEventKinds, e.Kind):
		verr.Add("kind", "code_unknown", map[string]any{"Value": e.Kind})
	}
	decided := e.Kind == LegalDecision || e.Kind == LegalAppealDecided
	switch {
	case decided && e.Outcome == "":
		verr.Add("outcome", "required", nil)
	case decided && !slices.Contains(LegalOutcomes, e.Outcome):
		verr.Add("outcome", "code_unknown", map[string]any{"Value": e.Outcome})
	case !decided && e.Outcome != "":
		verr.Add("outcome", "legal_outcome_not_applicable", nil)
	}
	if d, ok := parseDay(verr, "occurred_on", in.OccurredOn, true); ok {
		switch {
		case d.After(r.now().Add(dateSlack)):
			verr.Add("occurred_on", "date_in_future", nil)
		case child.BirthDateFrom != nil && dayBefore(d, *child.BirthDateFrom):
			verr.Add("occurred_on", "legal_before_birth", nil)
		}
		e.OccurredOn = d
	}
	if e.Authority == "" {
		verr.Add("authority", "required", nil)
	}
	switch e.Kind {
	case LegalDecision, LegalAppealDecided, LegalResidencePermit, LegalProtectionGranted:
		if e.DocumentReference == "" {
			verr.Add("document_reference", "required", nil)
		}
	case LegalVoluntaryReturn:
		// A return is only in the child's best interests when a determination says so.
		if e.BestInterestsReference = strings.TrimSpace(in.BestInterestsReference); e.BestInterestsReference == "" {
			verr.Add("best_interests_reference", "legal_return_needs_best_interests", nil)
		}
	}
	return e
}

// refuseReplay turns a replay that refused an event into validation errors: on the new event
// itself (field), or on a later event it would contradict (its date named).
func refuseReplay(verr *models.ValidationError, rp legalReplay, newSeq int, field, breaks string) {
	date := map[string]any{"Date": rp.Refused.OccurredOn.Format(time.DateOnly)}
	if rp.Refused.Seq == newSeq {
		verr.Add(field, rp.Code, date)
		return
	}
	verr.Add(field, breaks, date)
	verr.Add("timeline", rp.Code, date)
}

// RecordLegalEvent adds an event to a child's legal timeline. version is the timeline version
// the caller saw (0: none given → ErrPreconditionRequired; another → ErrConflict). The event is
// refused (validation error, nothing written) when its fields are invalid or when the timeline
// with it would not replay through the state machine.
func (r *Registry) RecordLegalEvent(ctx context.Context, a *models.Actor, childID int64, version int, in LegalEventInput) (LegalTimeline, error) {
	if err := require(a, models.PermLegalRecord); err != nil {
		return LegalTimeline{}, err
	}
	if err := CheckInput(in); err != nil {
		return LegalTimeline{}, err
	}
	var out LegalTimeline
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		child, err := r.writableChild(tx, a, childID, true)
		if err != nil {
			return err
		}
		var verr models.ValidationError
		e := r.checkLegalEvent(&verr, child, in)
		if err := verr.Err(); err != nil {
			return err
		}
		events, err := legalEvents(tx, childID)
		if err != nil {
			return err
		}
		if version == 0 {
			return models.ErrPreconditionRequired
		}
		if version != len(events)+1 {
			return models.ErrConflict
		}
		e.Seq = len(events) + 1
		if rp := replayLegal(append(slices.Clone(events), e)); rp.Refused != nil {
			refuseReplay(&verr, rp, e.Seq, "kind", "legal_breaks_later_event")
			return verr.Err()
		}
		if a.UserID != 0 {
			e.RecordedBy = &a.UserID
		}
		e.RecordedAt = r.now()
		if err := tx.Create(&e).Error; err != nil {
			return uniqueConflict(err)
		}
		changes := models.AuditChanges{"event_id": {After: e.ID}, "seq": {After: e.Seq}, "kind": {After: e.Kind},
			"occurred_on": {After: e.OccurredOn.Format(time.DateOnly)}, "authority": {}, "document_reference": {}}
		if e.Outcome != "" {
			changes["outcome"] = models.FieldChange{After: e.Outcome}
		}
		if e.Note != "" {
			changes["note"] = models.FieldChange{}
		}
		if e.BestInterestsReference != "" {
			changes["best_interests_reference"] = models.FieldChange{}
		}
		if err := audit(ctx, tx, a, "legal.record", "child", strconv.FormatInt(childID, 10), changes, ""); err != nil {
			return err
		}
		out, err = r.legalTimeline(tx, childID, append(events, e))
		return err
	})
	return out, r.denied(ctx, a, err)
}

// VoidLegalEvent corrects a child's timeline: it records a void event naming eventID and why.
// Refused when the event is a void itself or already voided, when the reason is shorter than
// MinVoidReason, and when the timeline without the event would not replay (a later event
// rests on it: void that one first). version as in RecordLegalEvent.
func (r *Registry) VoidLegalEvent(ctx context.Context, a *models.Actor, childID, eventID int64, version int, in LegalVoidInput) (LegalTimeline, error) {
	if err := require(a, models.PermLegalRecord); err != nil {
		return LegalTimeline{}, err
	}
	if err := CheckInput(in); err != nil {
		return LegalTimeline{}, err
	}
	var out LegalTimeline
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := r.writableChild(tx, a, childID, true); err != nil {
			return err
		}
		events, err := legalEvents(tx, childID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(events, func(e models.LegalEvent) bool { return e.ID == eventID })
		if i < 0 {
			return models.ErrNotFound
		}
		target := events[i]
		var verr models.ValidationError
		reason := strings.TrimSpace(in.Reason)
		if utf8.RuneCountInString(reason) < MinVoidReason {
			verr.Add("reason", "legal_void_reason_too_short", map[string]any{"Min": MinVoidReason})
		}
		switch {
		case target.Kind == LegalVoid:
			verr.Add("event_id", "legal_void_of_void", nil)
		case slices.ContainsFunc(events, func(e models.LegalEvent) bool { return e.VoidsEventID != nil && *e.VoidsEventID == eventID }):
			verr.Add("event_id", "legal_already_voided", nil)
		}
		if err := verr.Err(); err != nil {
			return err
		}
		if version == 0 {
			return models.ErrPreconditionRequired
		}
		if version != len(events)+1 {
			return models.ErrConflict
		}
		today := r.now().UTC().Truncate(24 * time.Hour)
		v := models.LegalEvent{ChildID: childID, Seq: len(events) + 1, Kind: LegalVoid, OccurredOn: today,
			VoidsEventID: &target.ID, VoidReason: reason, RecordedAt: r.now()}
		if rp := replayLegal(append(slices.Clone(events), v)); rp.Refused != nil {
			refuseReplay(&verr, rp, v.Seq, "event_id", "legal_void_breaks_timeline")
			return verr.Err()
		}
		if a.UserID != 0 {
			v.RecordedBy = &a.UserID
		}
		if err := tx.Create(&v).Error; err != nil {
			return uniqueConflict(err)
		}
		if err := audit(ctx, tx, a, "legal.void", "child", strconv.FormatInt(childID, 10), models.AuditChanges{
			"event_id": {After: v.ID}, "voided_event_id": {After: target.ID}, "voided_kind": {After: target.Kind}, "reason": {},
		}, ""); err != nil {
			return err
		}
		out, err = r.legalTimeline(tx, childID, append(events, v))
		return err
	})
	return out, r.denied(ctx, a, err)
}

// uniqueConflict maps a unique violation (two writes of the same timeline position, or two
// voids of one event, at once) to a conflict.
func uniqueConflict(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return models.ErrConflict
	}
	return err
}

// LegalSummaries returns the derived legal status and next procedure deadline of each of the
// children, for a board of children the caller has already read in tx ("My wards", the
// compliance view): children outside the actor's scope are left out, and so are those for
// whom the actor may not read legal data. One statement.
func (r *Registry) LegalSummaries(tx *gorm.DB, a *models.Actor, childIDs []int64) (map[int64]LegalSummary, error) {
	out := map[int64]LegalSummary{}
	if len(childIDs) == 0 || a == nil || !a.Can(models.PermLegalRead) {
		return out, nil
	}
	scoped := r.children(tx, a).Select("children.id").Where("children.id IN ?", childIDs)
	var rows []models.LegalEvent
	if err := tx.Where("child_id IN (?)", scoped).Order("child_id, seq").Find(&rows).Error; err != nil {
		return out, err
	}
	byChild := map[int64][]models.LegalEvent{}
	for _, e := range rows {
		byChild[e.ChildID] = append(byChild[e.ChildID], e)
	}
	now := r.now()
	for id, events := range byChild {
		s := DeriveLegalStatus(events)
		out[id] = LegalSummary{Status: s, NextDeadline: NextLegalDeadline(s, now)}
	}
	return out, nil
}
