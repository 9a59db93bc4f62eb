package registry

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// Missing children (issue 10). A child goes missing by the transition report_missing
// (ReportMissing) and comes back by found (RecordFound); both are rows of the lifecycle
// table and run in one transaction with the episode they record, its audit row and the
// alerts of the people responsible (enqueueAlerts). Between the two, the reaction of the
// authorities is recorded on the episode (RecordReaction, with its version: 412 when stale),
// and after them the return interview (RecordReturnInterview). The rules — the risk, S9 and
// S10 — are in missing_rules.go.
//
// The child's open placement is not closed while the child is missing: they may come back to
// it. It is flagged instead, derived from the open episode (missingSince).

// episodeOpen is THE condition of an open episode (the child has not been found), over a
// missing_episodes row aliased me.
const episodeOpen = "me.found_at IS NULL"

// missingSince is, as a column, when the child of childCol went missing (the discovery of
// their open episode; NULL when they are not missing).
func missingSince(childCol string) string {
	return "(SELECT me.discovered_at FROM missing_episodes me WHERE me.child_id = " + childCol + " AND " + episodeOpen + ")"
}

// MissingEpisodeView is an episode with what the rules make of it.
type MissingEpisodeView struct {
	models.MissingEpisode
	Open bool `json:"open"`
	// Deadlines: S9 (police) always, S10 (return interview) once the child is found.
	Deadlines []Deadline `json:"deadlines"`
	// Delays from the discovery to each reaction step, in minutes (null: not yet taken).
	PoliceDelayMinutes   *int `json:"police_delay_minutes"`
	HotlineDelayMinutes  *int `json:"hotline_delay_minutes"`
	GuardianDelayMinutes *int `json:"guardian_delay_minutes"`
	// PoliceReportLate: the police were told later than S9 allows, or not yet and S9 has passed.
	PoliceReportLate bool `json:"police_report_late"`
	// ReturnInterviewLate: S10 has passed without the interview, or it was held late.
	ReturnInterviewLate bool `json:"return_interview_late"`
	// StepsOutstanding are the reaction steps not yet recorded (police, hotline, sis, guardian).
	StepsOutstanding []string `json:"steps_outstanding"`
}

// episodeView applies the rules to an episode at now.
func (m MissingRules) episodeView(e models.MissingEpisode, now time.Time) MissingEpisodeView {
	if e.RiskReasons == nil {
		e.RiskReasons = models.Strings{}
	}
	police, interview := m.episodeDeadlines(e, now)
	v := MissingEpisodeView{MissingEpisode: e, Open: e.FoundAt == nil, Deadlines: []Deadline{police},
		PoliceDelayMinutes: minutesAfter(e.DiscoveredAt, e.PoliceReportedAt), HotlineDelayMinutes: minutesAfter(e.DiscoveredAt, e.HotlineNotifiedAt),
		GuardianDelayMinutes: minutesAfter(e.DiscoveredAt, e.GuardianInformedAt), PoliceReportLate: police.Overdue,
		StepsOutstanding: stepsOutstanding(e)}
	if interview != nil {
		v.Deadlines = append(v.Deadlines, *interview)
		v.ReturnInterviewLate = interview.Overdue
	}
	return v
}

// MissingReportInput reports a child missing.
type MissingReportInput struct {
	// LastSeenAt and DiscoveredAt are RFC 3339, or "2006-01-02T15:04" (UTC) as a
	// datetime-local field sends.
	LastSeenAt    string `json:"last_seen_at" input:"len=35"`
	LastSeenPlace string `json:"last_seen_place" input:"len=200"`
	LastSeenWith  string `json:"last_seen_with" input:"len=200"`
	DiscoveredAt  string `json:"discovered_at" input:"len=35"`
	DiscoveredBy  string `json:"discovered_by" input:"len=200"`
	Circumstances string `json:"circumstances" input:"len=2000,multiline"`
	// Description: what the child looked like and wore (for the missing-person sheet).
	Description string `json:"description" input:"len=2000,multiline"`
	// Risk is the reporter's assessment (low, medium, high); the rules may raise it.
	Risk string `json:"risk" input:"len=35"`
}

// parseMoment reads a required or optional moment of a form or body: not in the future.
func parseMoment(verr *models.ValidationError, field, s string, required bool, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			verr.Add(field, "required", nil)
		}
		return time.Time{}, false
	}
	t, err := parseArrivalTime(s)
	if err != nil {
		verr.Add(field, "date_invalid", nil)
		return time.Time{}, false
	}
	if t = t.UTC(); t.After(now.Add(dateSlack)) {
		verr.Add(field, "date_in_future", nil)
		return time.Time{}, false
	}
	return t, true
}

// ReportMissing records that a child in the actor's scope has gone missing: the episode with
// its risk (AssessMissingRisk over the child's record and earlier episodes), the transition
// report_missing (active → missing) and the alerts, in one transaction. The open placement
// stays open.
func (r *Registry) ReportMissing(ctx context.Context, a *models.Actor, childID int64, in MissingReportInput) (MissingEpisodeView, error) {
	if err := require(a, models.PermMissingReport); err != nil {
		return MissingEpisodeView{}, err
	}
	if err := CheckInput(in); err != nil {
		return MissingEpisodeView{}, err
	}
	now := r.now()
	var verr models.ValidationError
	lastSeen, okSeen := parseMoment(&verr, "last_seen_at", in.LastSeenAt, true, now)
	discovered, okDisc := parseMoment(&verr, "discovered_at", in.DiscoveredAt, true, now)
	if okSeen && okDisc && discovered.Before(lastSeen) {
		verr.Add("discovered_at", "missing_discovered_before_last_seen", nil)
	}
	e := models.MissingEpisode{ChildID: childID, LastSeenAt: lastSeen, LastSeenPlace: strings.TrimSpace(in.LastSeenPlace),
		LastSeenWith: strings.TrimSpace(in.LastSeenWith), DiscoveredAt: discovered, DiscoveredBy: strings.TrimSpace(in.DiscoveredBy),
		Circumstances: strings.TrimSpace(in.Circumstances), Description: strings.TrimSpace(in.Description),
		RiskAssessed: strings.TrimSpace(in.Risk), ReportedAt: now, Version: 1, CreatedAt: now, UpdatedAt: now}
	if e.LastSeenPlace == "" {
		verr.Add("last_seen_place", "required", nil)
	}
	if e.DiscoveredBy == "" {
		verr.Add("discovered_by", "required", nil)
	}
	switch {
	case e.RiskAssessed == "":
		verr.Add("risk", "required", nil)
	case !slices.Contains(models.MissingRiskLevels, e.RiskAssessed):
		verr.Add("risk", "code_unknown", map[string]any{"Value": e.RiskAssessed})
	}
	if err := verr.Err(); err != nil {
		return MissingEpisodeView{}, err
	}
	if a.UserID != 0 {
		e.ReportedBy = &a.UserID
	}
	m := r.missingRules()
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.scopedChild(tx, a, childID, true)
		if err != nil {
			return err
		}
		t, err := checkTransition(a, "report_missing", c.Status)
		if err != nil {
			return err
		}
		var earlier []time.Time
		if err := tx.Model(&models.MissingEpisode{}).Where("child_id = ?", childID).Pluck("discovered_at", &earlier).Error; err != nil {
			return err
		}
		risk := AssessMissingRisk(RiskFacts{Assessed: e.RiskAssessed, BirthFrom: c.BirthDateFrom, BirthTo: c.BirthDateTo,
			TraffickingIndicators: c.TraffickingIndicators, Earlier: earlier}, now)
		e.Risk, e.RiskReasons, e.StrategyMeeting = risk.Level, models.Strings(risk.Reasons), risk.StrategyMeeting
		if err := tx.Create(&e).Error; err != nil {
			return err
		}
		if err := setStatus(tx, c.Child, t.To, now); err != nil {
			return err
		}
		// Free texts (places, people, circumstances, description) only as "written".
		if err := audit(ctx, tx, a, "missing.report", "child", strconv.FormatInt(childID, 10), models.AuditChanges{
			"status": {Before: c.Status, After: t.To}, "transition": {After: t.Name}, "episode_id": {After: e.ID},
			"last_seen_at": {After: lastSeen.Format(time.RFC3339)}, "discovered_at": {After: discovered.Format(time.RFC3339)},
			"risk": {After: e.Risk}, "risk_assessed": {After: e.RiskAssessed}, "risk_reasons": {After: risk.Reasons},
			"strategy_meeting": {After: e.StrategyMeeting}, "last_seen_place": {}, "last_seen_with": {}, "discovered_by": {},
			"circumstances": {}, "description": {},
		}, ""); err != nil {
			return err
		}
		return enqueueAlerts(tx, AlertEvent{Kind: "child_missing", ChildID: childID, EpisodeID: e.ID, At: now})
	})
	if err != nil {
		return MissingEpisodeView{}, r.denied(ctx, a, err)
	}
	return m.episodeView(e, now), nil
}

// setStatus moves the child (read under its row lock in tx) to status, as a transition of the
// lifecycle table that the caller has checked.
func setStatus(tx *gorm.DB, c models.Child, status string, now time.Time) error {
	res := tx.Model(&models.Child{}).Where("id = ? AND version = ?", c.ID, c.Version).Updates(map[string]any{
		"status": status, "version": gorm.Expr("version + 1"), "updated_at": now,
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return models.ErrConflict
	}
	return nil
}

// MissingEpisodes lists a child's missing episodes, newest first, and audits the read.
func (r *Registry) MissingEpisodes(ctx context.Context, a *models.Actor, childID int64) ([]MissingEpisodeView, error) {
	if err := require(a, models.PermChildRead); err != nil {
		return nil, err
	}
	out := []MissingEpisodeView{}
	now, m := r.now(), r.missingRules()
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.scopedChild(tx, a, childID, false)
		if err != nil {
			return err
		}
		var rows []models.MissingEpisode
		if err := tx.Where("child_id = ?", childID).Order("discovered_at DESC, id DESC").Find(&rows).Error; err != nil {
			return err
		}
		for _, e := range rows {
			out = append(out, m.episodeView(e, now))
		}
		return audit(ctx, tx, a, "missing.list", "child", strconv.FormatInt(childID, 10), nil, breakGlassReason(c))
	})
	return out, r.denied(ctx, a, err)
}

func breakGlassReason(c ChildView) string {
	if c.ViaBreakGlass {
		return "break-glass"
	}
	return ""
}

// MissingSheet is what the printable missing-person sheet shows: the child's record, the
// episode and whom to contact.
type MissingSheet struct {
	Child   ChildView          `json:"child"`
	Episode MissingEpisodeView `json:"episode"`
	// Guardians are the names of the child's current guardians.
	Guardians []string `json:"guardians"`
	// RegionName is the child-protection region responsible for the child.
	RegionName string `json:"region_name"`
}

// MissingEpisode reads one episode of a child with the child's record and guardians (the
// missing-person sheet and the episode resource), and audits the read.
func (r *Registry) MissingEpisode(ctx context.Context, a *models.Actor, childID, episodeID int64) (MissingSheet, error) {
	if err := require(a, models.PermChildRead); err != nil {
		return MissingSheet{}, err
	}
	var out MissingSheet
	now, m := r.now(), r.missingRules()
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.scopedRecord(tx, a, childID)
		if err != nil {
			return err
		}
		if err := r.loadRecord(tx, &c); err != nil {
			return err
		}
		var e models.MissingEpisode
		if err := tx.Where("id = ? AND child_id = ?", episodeID, childID).Take(&e).Error; err != nil {
			return notFound(err)
		}
		out = MissingSheet{Child: c, Episode: m.episodeView(e, now), Guardians: []string{}}
		cur := appointmentIsCurrent(now)
		if err := tx.Table("guardian_appointments ga").Joins("JOIN users u ON u.id = ga.guardian_user_id").
			Where("ga.child_id = ? AND "+cur.sql, append([]any{childID}, cur.args...)...).
			Order("ga.kind DESC, ga.started_at").Pluck("coalesce(nullif(u.display_name, ''), u.username)", &out.Guardians).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Region{}).Where("id = ?", c.RegionID).Pluck("name", &out.RegionName).Error; err != nil {
			return err
		}
		return audit(ctx, tx, a, "missing.read", "child", strconv.FormatInt(childID, 10), models.AuditChanges{"episode_id": {After: episodeID}}, breakGlassReason(c))
	})
	return out, r.denied(ctx, a, err)
}

// lockEpisode reads a child's episode for a change: the child in the actor's scope (locked,
// so the status and the episode move together) and the episode, whose version must be the
// caller's (412 otherwise; 428 without one).
func (r *Registry) lockEpisode(tx *gorm.DB, a *models.Actor, childID, episodeID int64, version int) (ChildView, models.MissingEpisode, error) {
	var e models.MissingEpisode
	c, err := r.scopedChild(tx, a, childID, true)
	if err != nil {
		return c, e, err
	}
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND child_id = ?", episodeID, childID).Take(&e).Error; err != nil {
		return c, e, notFound(err)
	}
	if version <= 0 {
		return c, e, models.ErrPreconditionRequired
	}
	if e.Version != version {
		return c, e, models.ErrConflict
	}
	return c, e, nil
}

// saveEpisode writes the changed columns of an episode under its version.
func saveEpisode(tx *gorm.DB, e models.MissingEpisode, cols map[string]any, now time.Time) error {
	cols["version"], cols["updated_at"] = gorm.Expr("version + 1"), now
	res := tx.Model(&models.MissingEpisode{}).Where("id = ? AND version = ?", e.ID, e.Version).Updates(cols)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return models.ErrConflict
	}
	return nil
}

// ReactionInput records the reaction of the authorities to a disappearance (PATCH: a field
// left out is unchanged; an empty string clears it). Times are RFC 3339 or
// "2006-01-02T15:04" (UTC).
type ReactionInput struct {
	PoliceReportedAt   *string `json:"police_reported_at,omitempty" input:"len=35"`
	PoliceReference    *string `json:"police_reference,omitempty" input:"len=200"`
	HotlineNotifiedAt  *string `json:"hotline_notified_at,omitempty" input:"len=35"`
	SISRequestedAt     *string `json:"sis_requested_at,omitempty" input:"len=35"`
	SISReference       *string `json:"sis_reference,omitempty" input:"len=200"`
	GuardianInformedAt *string `json:"guardian_informed_at,omitempty" input:"len=35"`
}

// RecordReaction records reaction steps on an episode when the caller's version is still
// current. A time may not be in the future or before the disappearance was discovered.
func (r *Registry) RecordReaction(ctx context.Context, a *models.Actor, childID, episodeID int64, version int, in ReactionInput) (MissingEpisodeView, error) {
	if err := require(a, models.PermMissingReport); err != nil {
		return MissingEpisodeView{}, err
	}
	if err := CheckInput(in); err != nil {
		return MissingEpisodeView{}, err
	}
	now, m := r.now(), r.missingRules()
	var out MissingEpisodeView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, e, err := r.lockEpisode(tx, a, childID, episodeID, version)
		if err != nil {
			return err
		}
		var verr models.ValidationError
		cols := map[string]any{}
		changes := models.AuditChanges{"episode_id": {After: e.ID}}
		moment := func(field string, v *string, dst **time.Time) {
			if v == nil {
				return
			}
			var next *time.Time
			if strings.TrimSpace(*v) != "" {
				t, ok := parseMoment(&verr, field, *v, false, now)
				if !ok {
					return
				}
				if t.Before(e.DiscoveredAt) {
					verr.Add(field, "missing_before_discovery", nil)
					return
				}
				next = &t
			}
			if sameTime(*dst, next) {
				return
			}
			changes[field] = models.FieldChange{Before: formatTime(*dst), After: formatTime(next)}
			cols[field], *dst = next, next
		}
		text := func(field string, v *string, dst *string) {
			if v == nil || strings.TrimSpace(*v) == *dst {
				return
			}
			*dst = strings.TrimSpace(*v)
			cols[field], changes[field] = *dst, models.FieldChange{}
		}
		moment("police_reported_at", in.PoliceReportedAt, &e.PoliceReportedAt)
		text("police_reference", in.PoliceReference, &e.PoliceReference)
		moment("hotline_notified_at", in.HotlineNotifiedAt, &e.HotlineNotifiedAt)
		moment("sis_requested_at", in.SISRequestedAt, &e.SISRequestedAt)
		text("sis_reference", in.SISReference, &e.SISReference)
		moment("guardian_informed_at", in.GuardianInformedAt, &e.GuardianInformedAt)
		if err := verr.Err(); err != nil {
			return err
		}
		if len(cols) > 0 {
			if err := saveEpisode(tx, e, cols, now); err != nil {
				return err
			}
			e.Version++
			e.UpdatedAt = now
			police, _ := m.episodeDeadlines(e, now)
			changes["police_report_late"] = models.FieldChange{After: police.Overdue}
			if err := audit(ctx, tx, a, "missing.reaction", "child", strconv.FormatInt(childID, 10), changes, ""); err != nil {
				return err
			}
		}
		out = m.episodeView(e, now)
		return nil
	})
	return out, r.denied(ctx, a, err)
}

// FoundInput records that a missing child was found or came back.
type FoundInput struct {
	// FoundAt is RFC 3339 or "2006-01-02T15:04" (UTC).
	FoundAt    string `json:"found_at" input:"len=35"`
	FoundPlace string `json:"found_place" input:"len=200"`
	FoundBy    string `json:"found_by" input:"len=200"`
	// Condition: unharmed, injured, ill, distressed or other.
	Condition string `json:"condition" input:"len=35"`
	Notes     string `json:"notes" input:"len=2000,multiline"`
	// Placement places the child somewhere new, in the same transaction (the placements use
	// case and its rules). Without it the child is back in the placement that stayed open.
	Placement *PlacementInput `json:"placement,omitempty"`
}

// RecordFound closes an open episode: when, where, by whom and in what condition the child
// was found, optionally a new placement, the transition found (missing → active) and the
// alerts, in one transaction. The return interview is then due (S10).
func (r *Registry) RecordFound(ctx context.Context, a *models.Actor, childID, episodeID int64, version int, in FoundInput) (MissingEpisodeView, error) {
	if err := require(a, models.PermMissingReport); err != nil {
		return MissingEpisodeView{}, err
	}
	if in.Placement != nil {
		if err := require(a, models.PermPlacementRecord); err != nil {
			return MissingEpisodeView{}, err
		}
	}
	if err := CheckInput(in); err != nil {
		return MissingEpisodeView{}, err
	}
	now, m := r.now(), r.missingRules()
	var out MissingEpisodeView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, e, err := r.lockEpisode(tx, a, childID, episodeID, version)
		if err != nil {
			return err
		}
		var verr models.ValidationError
		if e.FoundAt != nil {
			verr.Add("found_at", "missing_already_found", nil)
			return &verr
		}
		t, err := checkTransition(a, "found", c.Status)
		if err != nil {
			return err
		}
		found, ok := parseMoment(&verr, "found_at", in.FoundAt, true, now)
		if ok && found.Before(e.LastSeenAt) {
			verr.Add("found_at", "missing_found_before_last_seen", nil)
		}
		place, by, cond := strings.TrimSpace(in.FoundPlace), strings.TrimSpace(in.FoundBy), strings.TrimSpace(in.Condition)
		if place == "" {
			verr.Add("found_place", "required", nil)
		}
		if by == "" {
			verr.Add("found_by", "required", nil)
		}
		switch {
		case cond == "":
			verr.Add("condition", "required", nil)
		case !slices.Contains(models.FoundConditions, cond):
			verr.Add("condition", "code_unknown", map[string]any{"Value": cond})
		}
		if err := verr.Err(); err != nil {
			return err
		}
		changes := models.AuditChanges{"status": {Before: c.Status, After: t.To}, "transition": {After: t.Name}, "episode_id": {After: e.ID},
			"found_at": {After: found.Format(time.RFC3339)}, "condition": {After: cond}, "found_place": {}, "found_by": {}, "notes": {}}
		var placementID *int64
		if in.Placement != nil {
			pv, err := r.recordPlacementIn(ctx, tx, a, childID, *in.Placement)
			var pverr *models.ValidationError
			if errors.As(err, &pverr) {
				// The placement's fields, named as in the body.
				for i := range pverr.Fields {
					pverr.Fields[i].Field = "placement." + pverr.Fields[i].Field
				}
				return pverr
			}
			if err != nil {
				return err
			}
			placementID = &pv.ID
			changes["placement_id"] = models.FieldChange{After: pv.ID}
		}
		cols := map[string]any{"found_at": found, "found_place": place, "found_by": by, "found_condition": cond,
			"found_notes": strings.TrimSpace(in.Notes), "found_placement_id": placementID}
		if a.UserID != 0 {
			cols["found_recorded_by"] = a.UserID
		}
		if err := saveEpisode(tx, e, cols, now); err != nil {
			return err
		}
		// The child's row may have moved with the placement: read its version again.
		var cur models.Child
		if err := tx.Where("id = ?", childID).Take(&cur).Error; err != nil {
			return err
		}
		if err := setStatus(tx, cur, t.To, now); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, "missing.found", "child", strconv.FormatInt(childID, 10), changes, ""); err != nil {
			return err
		}
		if err := tx.Where("id = ?", e.ID).Take(&e).Error; err != nil {
			return err
		}
		out = m.episodeView(e, now)
		return enqueueAlerts(tx, AlertEvent{Kind: "child_found", ChildID: childID, EpisodeID: e.ID, At: now})
	})
	return out, r.denied(ctx, a, err)
}

// InterviewInput records the return interview after a child was found (S10).
type InterviewInput struct {
	// HeldAt is RFC 3339 or "2006-01-02T15:04" (UTC).
	HeldAt  string `json:"held_at" input:"len=35"`
	HeldBy  string `json:"held_by" input:"len=200"`
	Summary string `json:"summary" input:"len=4000,multiline"`
}

// RecordReturnInterview records (or corrects, with the current version) the return interview
// of a found child.
func (r *Registry) RecordReturnInterview(ctx context.Context, a *models.Actor, childID, episodeID int64, version int, in InterviewInput) (MissingEpisodeView, error) {
	if err := require(a, models.PermMissingReport); err != nil {
		return MissingEpisodeView{}, err
	}
	if err := CheckInput(in); err != nil {
		return MissingEpisodeView{}, err
	}
	now, m := r.now(), r.missingRules()
	var out MissingEpisodeView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, e, err := r.lockEpisode(tx, a, childID, episodeID, version)
		if err != nil {
			return err
		}
		var verr models.ValidationError
		if e.FoundAt == nil {
			verr.Add("held_at", "missing_not_found_yet", nil)
			return &verr
		}
		held, ok := parseMoment(&verr, "held_at", in.HeldAt, true, now)
		if ok && held.Before(*e.FoundAt) {
			verr.Add("held_at", "missing_interview_before_found", nil)
		}
		by, summary := strings.TrimSpace(in.HeldBy), strings.TrimSpace(in.Summary)
		if by == "" {
			verr.Add("held_by", "required", nil)
		}
		if summary == "" {
			verr.Add("summary", "required", nil)
		}
		if err := verr.Err(); err != nil {
			return err
		}
		cols := map[string]any{"interview_at": held, "interview_by": by, "interview_summary": summary}
		if a.UserID != 0 {
			cols["interview_recorded_by"] = a.UserID
		}
		if err := saveEpisode(tx, e, cols, now); err != nil {
			return err
		}
		e.InterviewAt, e.InterviewBy, e.InterviewSummary, e.Version, e.UpdatedAt = &held, by, summary, e.Version+1, now
		_, interview := m.episodeDeadlines(e, now)
		if err := audit(ctx, tx, a, "missing.return_interview", "child", strconv.FormatInt(childID, 10), models.AuditChanges{
			"episode_id": {After: e.ID}, "held_at": {After: held.Format(time.RFC3339)}, "late": {After: interview.Overdue},
			"held_by": {}, "summary": {},
		}, ""); err != nil {
			return err
		}
		out = m.episodeView(e, now)
		return nil
	})
	return out, r.denied(ctx, a, err)
}

// MissingNow is one child on the "Missing now" board.
type MissingNow struct {
	ChildView
	Episode MissingEpisodeView `json:"episode"`
	// ElapsedMinutes since the disappearance was discovered.
	ElapsedMinutes int `json:"elapsed_minutes"`
}

// viaMissingNow is how the board shows a child, in its access history.
const viaMissingNow = "missing_now"

// MissingNowBoard lists every child in the actor's scope who is missing now, most urgent
// first (compareUrgency), with the elapsed time and the reaction steps still outstanding.
// One query; every child shown is written into its access history.
func (r *Registry) MissingNowBoard(ctx context.Context, a *models.Actor) ([]MissingNow, error) {
	if err := require(a, models.PermMissingBoard); err != nil {
		return nil, err
	}
	out := []MissingNow{}
	now, m := r.now(), r.missingRules()
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		type row struct {
			models.Child
			RegionCode     string
			BorderPostCode *string
			ViaBreakGlass  bool
			EpisodeID      int64
		}
		var rows []row
		if err := r.childViews(tx, a, sqlCond{sql: "me.id AS episode_id"}).
			Joins("JOIN missing_episodes me ON me.child_id = children.id AND " + episodeOpen).
			Where("children.status = 'missing'").Limit(MaxPageSize).Find(&rows).Error; err != nil {
			return err
		}
		ids := make([]int64, len(rows))
		for i, x := range rows {
			ids[i] = x.EpisodeID
		}
		var eps []models.MissingEpisode
		if err := tx.Where("id IN ?", ids).Find(&eps).Error; err != nil {
			return err
		}
		byID := map[int64]models.MissingEpisode{}
		for _, e := range eps {
			byID[e.ID] = e
		}
		for _, x := range rows {
			e := byID[x.EpisodeID]
			v := childRow{Child: x.Child, RegionCode: x.RegionCode, BorderPostCode: x.BorderPostCode, ViaBreakGlass: x.ViaBreakGlass}.view()
			out = append(out, MissingNow{ChildView: v, Episode: m.episodeView(e, now), ElapsedMinutes: int(now.Sub(e.DiscoveredAt) / time.Minute)})
		}
		slices.SortFunc(out, compareUrgency)
		for _, x := range out {
			if err := audit(ctx, tx, a, "missing.shown", "child", strconv.FormatInt(x.ID, 10), models.AuditChanges{
				"via": {After: viaMissingNow}, "episode_id": {After: x.Episode.ID},
			}, breakGlassReason(x.ChildView)); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
