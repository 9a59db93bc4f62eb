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

// The appointment workflow of a child's guardianship, a named transition at each step:
//
//	guardian needed (no current appointment — from registration)
//	  → designate: a provisional representative (kind "provisional", S1)
//	  → appoint: a full guardian, with the appointing authority, decision reference and date
//	    (kind "full", S2); it ends the current provisional designation ("full_appointed")
//	  → first meeting recorded
//	  → end: with a reason (aged out, transferred, reunified, guardian unavailable, other).
//
// Replacing a guardian is appointing another one: the old appointment ends ("replaced") in the
// same transaction, so the old guardian loses access at once (scope.go currentAppointment).
// At most one current appointment of each kind per child (unique indexes); an appointment
// names the appointment it replaces as the officer saw it (Replaces), so two officers
// appointing at once cannot both succeed: the second is told the guardianship changed (412).

// Appointment kinds.
const (
	KindProvisional = "provisional"
	KindFull        = "full"
)

// End reasons. EndReasons may be given when ending an appointment; replaced and
// full_appointed are recorded by AppointGuardian.
const (
	EndReplaced      = "replaced"
	EndFullAppointed = "full_appointed"
)

// EndReasons are the reasons an officer may end an appointment with.
var EndReasons = []string{"aged_out", "transferred", "reunified", "guardian_unavailable", "other"}

// Guardianship stages, derived from the current appointments (never stored).
const (
	StageNeeded      = "needed"
	StageProvisional = "provisional"
	StageAppointed   = "appointed"
	StageMet         = "met"
)

// AppointmentView is an appointment with who the guardian is.
type AppointmentView struct {
	models.GuardianAppointment
	// GuardianID is the guardian's registry entry (0 for an account without one).
	GuardianID       int64  `json:"guardian_id"`
	GuardianName     string `json:"guardian_name"`
	OrganisationName string `json:"organisation_name"`
}

// ConflictView is a declared conflict of interest.
type ConflictView struct {
	models.GuardianConflict
	GuardianName string `json:"guardian_name"`
}

// GuardianshipView is a child's guardianship: the stage, the current and past appointments,
// the deadlines of S1, S2 and S8, declared conflicts and the visits, newest first.
type GuardianshipView struct {
	Stage     string                 `json:"stage"`
	Current   []AppointmentView      `json:"current"`
	History   []AppointmentView      `json:"history"`
	Deadlines []Deadline             `json:"deadlines"`
	Conflicts []ConflictView         `json:"conflicts"`
	Visits    []models.GuardianVisit `json:"visits"`
}

// CurrentOf returns the current appointment of a kind, if any.
func (g GuardianshipView) CurrentOf(kind string) *AppointmentView {
	for i := range g.Current {
		if g.Current[i].Kind == kind {
			return &g.Current[i]
		}
	}
	return nil
}

func appointmentViews(tx *gorm.DB) *gorm.DB {
	return tx.Table("guardian_appointments ga").
		Select("ga.*, COALESCE(g.id, 0) AS guardian_id, u.display_name AS guardian_name, COALESCE(g.organisation_name, '') AS organisation_name").
		Joins("JOIN users u ON u.id = ga.guardian_user_id").
		Joins("LEFT JOIN guardians g ON g.user_id = ga.guardian_user_id")
}

// loadGuardianship reads a child's guardianship inside tx (the child already in scope).
func (r *Registry) loadGuardianship(tx *gorm.DB, c ChildView) (GuardianshipView, error) {
	now := r.now()
	out := GuardianshipView{Current: []AppointmentView{}, History: []AppointmentView{}, Conflicts: []ConflictView{}, Visits: []models.GuardianVisit{}}
	var all []AppointmentView
	if err := appointmentViews(tx).Where("ga.child_id = ?", c.ID).Order("ga.started_at DESC, ga.id DESC").Find(&all).Error; err != nil {
		return out, err
	}
	var firstAny, firstFull *time.Time
	for _, ap := range all {
		if ap.StartedAt.After(now) {
			continue
		}
		start := ap.StartedAt
		if firstAny == nil || start.Before(*firstAny) {
			firstAny = &start
		}
		if ap.Kind == KindFull && (firstFull == nil || start.Before(*firstFull)) {
			firstFull = &start
		}
		if ap.EndedAt == nil || ap.EndedAt.After(now) {
			out.Current = append(out.Current, ap)
		} else {
			out.History = append(out.History, ap)
		}
	}
	if err := tx.Table("guardian_conflicts gc").Select("gc.*, u.display_name AS guardian_name").
		Joins("JOIN guardians g ON g.id = gc.guardian_id").Joins("JOIN users u ON u.id = g.user_id").
		Where("gc.child_id = ?", c.ID).Order("gc.declared_at").Find(&out.Conflicts).Error; err != nil {
		return out, err
	}
	if err := tx.Where("child_id = ?", c.ID).Order("visited_on DESC, id DESC").Limit(100).Find(&out.Visits).Error; err != nil {
		return out, err
	}
	g := r.guardianRules()
	applied, err := childApplicationMadeOn(tx, c.ID) // issue 10: S2 counts from the application
	if err != nil {
		return out, err
	}
	out.Stage = StageNeeded
	if full := out.CurrentOf(KindFull); full != nil {
		out.Stage = StageAppointed
		if full.FirstMeetingAt != nil {
			out.Stage = StageMet
		}
	} else if out.CurrentOf(KindProvisional) != nil {
		out.Stage = StageProvisional
	}
	out.Deadlines = []Deadline{
		deadline(RuleS1, g.ProvisionalDue(c.RegisteredAt), firstAny, now),
		deadline(RuleS2, g.AppointDue(c.RegisteredAt, applied), firstFull, now),
	}
	if len(out.Current) > 0 {
		out.Deadlines = append(out.Deadlines, deadline(RuleS8, g.NextVisitDue(lastSeenVisit(out.Visits), latestStart(out.Current)), nil, now))
	}
	return out, nil
}

func lastSeenVisit(vs []models.GuardianVisit) *time.Time {
	for _, v := range vs { // newest first
		if v.ChildSeen {
			d := v.VisitedOn
			return &d
		}
	}
	return nil
}

func latestStart(cur []AppointmentView) time.Time {
	var t time.Time
	for _, ap := range cur {
		if ap.StartedAt.After(t) {
			t = ap.StartedAt
		}
	}
	return t
}

// Guardianship reads a child's guardianship and audits the read.
func (r *Registry) Guardianship(ctx context.Context, a *models.Actor, childID int64) (GuardianshipView, error) {
	if err := require(a, models.PermChildRead); err != nil {
		return GuardianshipView{}, err
	}
	var out GuardianshipView
	err := r.readChild(ctx, a, childID, "guardianship.read", func(db *gorm.DB, c ChildView) error {
		var err error
		if out, err = r.loadGuardianship(db, c); err != nil {
			return err
		}
		// Least privilege: the visits (the child's own words, concerns) are for those who visit,
		// the declared conflicts for those who appoint.
		if !a.Can(models.PermGuardianVisit) {
			out.Visits = []models.GuardianVisit{}
		}
		if !a.Can(models.PermGuardianAppoint) {
			out.Conflicts = []ConflictView{}
		}
		return nil
	})
	if err != nil {
		return GuardianshipView{}, err
	}
	return out, nil
}

// AppointInput designates a provisional representative or appoints a full guardian.
type AppointInput struct {
	GuardianID int64  `json:"guardian_id"`
	Kind       string `json:"kind" input:"len=35"`
	// Replaces is the id of the child's current appointment of this kind as the officer saw
	// it, 0 when there was none. When it is no longer current, nothing changes (412).
	Replaces            int64  `json:"replaces,omitempty"`
	AppointingAuthority string `json:"appointing_authority,omitempty" input:"len=200"`
	DecisionReference   string `json:"decision_reference,omitempty" input:"len=100"`
	DecidedOn           string `json:"decided_on,omitempty" input:"len=35"` // YYYY-MM-DD
	// Interpretation arrangements, required when the guardian speaks none of the child's languages.
	Interpretation string `json:"interpretation,omitempty" input:"len=2000,multiline"`
	// CapOverrideReason, by a protection officer, allows exceeding the guardian's caseload cap.
	CapOverrideReason string `json:"cap_override_reason,omitempty" input:"len=2000,multiline"`
}

// AppointGuardian designates or appoints a guardian for a child, ending the appointment it
// replaces (and, for a full guardian, the provisional designation) in the same transaction.
func (r *Registry) AppointGuardian(ctx context.Context, a *models.Actor, childID int64, in AppointInput) (AppointmentView, error) {
	if err := require(a, models.PermGuardianAppoint); err != nil {
		return AppointmentView{}, err
	}
	if err := CheckInput(in); err != nil {
		return AppointmentView{}, err
	}
	in.AppointingAuthority = strings.TrimSpace(in.AppointingAuthority)
	in.DecisionReference = strings.TrimSpace(in.DecisionReference)
	in.Interpretation = strings.TrimSpace(in.Interpretation)
	in.CapOverrideReason = strings.TrimSpace(in.CapOverrideReason)
	var out AppointmentView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The child's row lock serializes every change of its guardianship.
		c, err := r.writableChild(tx, a, childID, true)
		if err != nil {
			return err
		}
		now := r.now()
		cur, err := r.loadGuardianship(tx, c)
		if err != nil {
			return err
		}
		same := cur.CurrentOf(in.Kind)
		if (same == nil && in.Replaces != 0) || (same != nil && same.ID != in.Replaces) {
			return models.ErrConflict
		}
		var verr models.ValidationError
		var decided *time.Time
		if in.DecidedOn != "" {
			d, err := time.Parse(time.DateOnly, in.DecidedOn)
			if err != nil {
				verr.Add("decided_on", "date_invalid", nil)
			} else {
				decided = &d
			}
		}
		if in.Kind == KindProvisional && cur.CurrentOf(KindFull) != nil {
			verr.Add("kind", "guardian_full_exists", nil)
		}
		var g GuardianView
		if in.GuardianID <= 0 {
			verr.Add("guardian_id", "required", nil)
		} else if g, err = r.guardianView(tx, in.GuardianID); errors.Is(err, models.ErrNotFound) {
			verr.Add("guardian_id", "guardian_unknown", nil)
		} else if err != nil {
			return err
		}
		if same != nil && g.ID != 0 && same.GuardianUserID == g.UserID {
			verr.Add("guardian_id", "guardian_already_appointed", nil)
		}
		if len(verr.Fields) > 0 {
			return verr.Err()
		}
		var conflicts, otherWards int64
		if err := tx.Model(&models.GuardianConflict{}).Where("guardian_id = ? AND child_id = ?", g.ID, childID).Count(&conflicts).Error; err != nil {
			return err
		}
		curq := appointmentIsCurrent(now)
		if err := tx.Table("guardian_appointments ga").Where("ga.guardian_user_id = ? AND ga.child_id <> ?", g.UserID, childID).
			Where(curq.sql, curq.args...).Count(&otherWards).Error; err != nil {
			return err
		}
		if v := CheckAppointment(AppointmentCheck{
			Kind: in.Kind, GuardianActive: g.Active, Conflict: conflicts > 0,
			ActiveWards: int(otherWards), Cap: g.Cap, OverrideReason: in.CapOverrideReason, MayOverride: a.Has(models.RoleProtectionOfficer),
			GuardianLanguages: g.Languages, ChildLanguages: c.Languages, Interpretation: in.Interpretation,
			Authority: in.AppointingAuthority, Reference: in.DecisionReference, DecidedOn: decided,
			Registered: c.RegisteredAt, Now: now,
		}); v != nil {
			return v
		}
		// End what the new appointment replaces: the same kind's current one, and for a full
		// guardian the provisional designation.
		ends := map[int64]string{}
		if same != nil {
			ends[same.ID] = EndReplaced
		}
		if p := cur.CurrentOf(KindProvisional); in.Kind == KindFull && p != nil {
			ends[p.ID] = EndFullAppointed
		}
		uid := a.UserID
		changes := models.AuditChanges{"guardian_id": {After: g.ID}, "kind": {After: in.Kind}}
		for id, reason := range ends {
			if err := r.endAppointment(tx, id, reason, uid, now); err != nil {
				return err
			}
			changes["ended_"+reason] = models.FieldChange{After: id}
		}
		ap := models.GuardianAppointment{ChildID: childID, GuardianUserID: g.UserID, Kind: in.Kind, StartedAt: now,
			AppointingAuthority: in.AppointingAuthority, DecisionReference: in.DecisionReference, DecidedOn: decided,
			Interpretation: in.Interpretation, CapOverrideReason: in.CapOverrideReason, Version: 1}
		if uid != 0 {
			ap.AppointedBy = &uid
		}
		if in.Kind == KindProvisional {
			ap.AppointingAuthority, ap.DecisionReference, ap.DecidedOn = "", "", nil
		}
		if err := tx.Create(&ap).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return models.ErrConflict // the unique indexes: another appointment won
			}
			return err
		}
		out = AppointmentView{GuardianAppointment: ap, GuardianID: g.ID, GuardianName: g.DisplayName, OrganisationName: g.OrganisationName}
		changes["appointment_id"] = models.FieldChange{After: ap.ID}
		if in.Interpretation != "" {
			changes["interpretation"] = models.FieldChange{}
		}
		reason := ""
		if in.CapOverrideReason != "" {
			// The S3 override is audited with its reason and the figures it overrode.
			changes["cap_override"] = models.FieldChange{After: map[string]any{"active_wards": otherWards, "cap": g.Cap}}
			reason = in.CapOverrideReason
		}
		action := "guardian.appoint"
		if in.Kind == KindProvisional {
			action = "guardian.designate"
		}
		return audit(ctx, tx, a, action, "child", strconv.FormatInt(childID, 10), changes, reason)
	})
	return out, r.denied(ctx, a, err)
}

// endAppointment ends an appointment now; the guardian's access ends with it.
func (r *Registry) endAppointment(tx *gorm.DB, id int64, reason string, by int64, now time.Time) error {
	upd := map[string]any{"ended_at": now, "end_reason": reason, "version": gorm.Expr("version + 1")}
	if by != 0 {
		upd["ended_by"] = by
	}
	res := tx.Model(&models.GuardianAppointment{}).Where("id = ? AND ended_at IS NULL", id).Updates(upd)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return models.ErrConflict
	}
	return nil
}

// appointmentStep runs one step on an existing appointment of a child: the permission, the
// input rules, the caller's version, the child in scope (its row locked, as every change of
// its guardianship) and the appointment locked; step validates and writes and returns what it
// changed; the appointment is read back and the step audited, all in one transaction.
func (r *Registry) appointmentStep(ctx context.Context, a *models.Actor, perm models.Permission, action string, childID, apID int64, version int, in any,
	step func(tx *gorm.DB, ap models.GuardianAppointment, now time.Time) (models.AuditChanges, error)) (AppointmentView, error) {
	if err := require(a, perm); err != nil {
		return AppointmentView{}, err
	}
	if err := CheckInput(in); err != nil {
		return AppointmentView{}, err
	}
	if version <= 0 {
		return AppointmentView{}, models.ErrPreconditionRequired
	}
	var out AppointmentView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := r.writableChild(tx, a, childID, true); err != nil {
			return err
		}
		var ap models.GuardianAppointment
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND child_id = ?", apID, childID).Take(&ap).Error; err != nil {
			return notFound(err)
		}
		if ap.Version != version {
			return models.ErrConflict
		}
		changes, err := step(tx, ap, r.now())
		if err != nil {
			return err
		}
		if err := appointmentViews(tx).Where("ga.id = ?", ap.ID).Take(&out).Error; err != nil {
			return err
		}
		changes["appointment_id"] = models.FieldChange{After: ap.ID}
		return audit(ctx, tx, a, action, "child", strconv.FormatInt(childID, 10), changes, "")
	})
	return out, r.denied(ctx, a, err)
}

// EndInput ends an appointment.
type EndInput struct {
	Reason string `json:"reason" input:"len=35"`
}

// EndAppointment ends a current appointment with a reason; the guardian loses access at once.
func (r *Registry) EndAppointment(ctx context.Context, a *models.Actor, childID, apID int64, version int, in EndInput) (AppointmentView, error) {
	return r.appointmentStep(ctx, a, models.PermGuardianAppoint, "guardian.end", childID, apID, version, in,
		func(tx *gorm.DB, ap models.GuardianAppointment, now time.Time) (models.AuditChanges, error) {
			var verr models.ValidationError
			if !slices.Contains(EndReasons, in.Reason) {
				verr.Add("reason", "code_unknown", map[string]any{"Value": in.Reason})
			}
			if ap.EndedAt != nil {
				verr.Add("reason", "guardian_appointment_ended", nil)
			}
			if err := verr.Err(); err != nil {
				return nil, err
			}
			return models.AuditChanges{"end_reason": {After: in.Reason}}, r.endAppointment(tx, ap.ID, in.Reason, a.UserID, now)
		})
}

// FirstMeetingInput records the first meeting of a guardian with the child.
type FirstMeetingInput struct {
	MetOn string `json:"met_on" input:"len=35"` // YYYY-MM-DD
}

// RecordFirstMeeting records when a current appointment's guardian first met the child: by the
// guardian themself, or by a protection officer. It is recorded once.
func (r *Registry) RecordFirstMeeting(ctx context.Context, a *models.Actor, childID, apID int64, version int, in FirstMeetingInput) (AppointmentView, error) {
	return r.appointmentStep(ctx, a, models.PermGuardianVisit, "guardian.first_meeting", childID, apID, version, in,
		func(tx *gorm.DB, ap models.GuardianAppointment, now time.Time) (models.AuditChanges, error) {
			if ap.GuardianUserID != a.UserID && !a.Has(models.RoleProtectionOfficer) {
				return nil, models.ErrForbidden // another guardian's appointment
			}
			var verr models.ValidationError
			met, perr := time.Parse(time.DateOnly, strings.TrimSpace(in.MetOn))
			switch {
			case ap.EndedAt != nil && !ap.EndedAt.After(now):
				verr.Add("met_on", "guardian_appointment_ended", nil)
			case ap.FirstMeetingAt != nil:
				verr.Add("met_on", "guardian_first_meeting_recorded", nil)
			case in.MetOn == "":
				verr.Add("met_on", "required", nil)
			case perr != nil:
				verr.Add("met_on", "date_invalid", nil)
			case met.After(now.Add(dateSlack)):
				verr.Add("met_on", "date_in_future", nil)
			case dayBefore(met, ap.StartedAt):
				verr.Add("met_on", "guardian_met_before_appointment", nil)
			}
			if err := verr.Err(); err != nil {
				return nil, err
			}
			res := tx.Model(&models.GuardianAppointment{}).Where("id = ? AND version = ?", ap.ID, ap.Version).
				Updates(map[string]any{"first_meeting_at": met, "version": ap.Version + 1})
			if res.Error == nil && res.RowsAffected != 1 {
				return nil, models.ErrConflict
			}
			return models.AuditChanges{"first_meeting_at": {After: in.MetOn}}, res.Error
		})
}

// ConflictInput records a conflict of interest a guardian declared with a child.
type ConflictInput struct {
	GuardianID int64  `json:"guardian_id"`
	Reason     string `json:"reason" input:"len=2000,multiline"`
}

// DeclareConflict records a declared conflict of interest; it blocks appointing that guardian
// to the child. A guardian already appointed is not removed by it: ending the appointment is
// a decision of its own.
func (r *Registry) DeclareConflict(ctx context.Context, a *models.Actor, childID int64, in ConflictInput) (models.GuardianConflict, error) {
	if err := require(a, models.PermGuardianAppoint); err != nil {
		return models.GuardianConflict{}, err
	}
	if err := CheckInput(in); err != nil {
		return models.GuardianConflict{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var out models.GuardianConflict
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := r.writableChild(tx, a, childID, true); err != nil {
			return err
		}
		var verr models.ValidationError
		var n int64
		if err := tx.Model(&models.Guardian{}).Where("id = ?", in.GuardianID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			verr.Add("guardian_id", "guardian_unknown", nil)
		}
		if in.Reason == "" {
			verr.Add("reason", "required", nil)
		}
		var dup int64
		if err := tx.Model(&models.GuardianConflict{}).Where("guardian_id = ? AND child_id = ?", in.GuardianID, childID).Count(&dup).Error; err != nil {
			return err
		}
		if dup > 0 {
			verr.Add("guardian_id", "guardian_conflict_recorded", nil)
		}
		if err := verr.Err(); err != nil {
			return err
		}
		out = models.GuardianConflict{GuardianID: in.GuardianID, ChildID: childID, Reason: in.Reason, DeclaredAt: r.now()}
		if a.UserID != 0 {
			uid := a.UserID
			out.DeclaredBy = &uid
		}
		if err := tx.Create(&out).Error; err != nil {
			return err
		}
		return audit(ctx, tx, a, "guardian.conflict", "child", strconv.FormatInt(childID, 10), models.AuditChanges{
			"guardian_id": {After: in.GuardianID}, "reason": {},
		}, "")
	})
	return out, r.denied(ctx, a, err)
}
