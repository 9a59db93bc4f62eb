package registry

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// TransitionPlanInput records a plan for a child's leaving care at 18 (S13).
type TransitionPlanInput struct {
	PlannedOn string `json:"planned_on" input:"len=35"` // YYYY-MM-DD
	Summary   string `json:"summary" input:"len=2000,multiline"`
}

// TransitionPlanView is a recorded plan with who recorded it.
type TransitionPlanView struct {
	models.TransitionPlan
	RecordedByName string `json:"recorded_by_name"`
}

// RightsInformationView is a record of information on rights with who recorded it.
type RightsInformationView struct {
	models.RightsInformation
	RecordedByName string `json:"recorded_by_name"`
}

// LifecycleSection is what a child's page and the API show of the case lifecycle: the day
// the child turns 18 and the transition-plan deadline (S13), the plans, when and in which
// language the child was informed of their rights (S11), the details of closing transitions,
// and whether the record is read-only.
type LifecycleSection struct {
	// AdultOn is the 18th birthday by models.TurnsAdultOn; nil without a birth date.
	AdultOn *time.Time `json:"adult_on"`
	// PlanDue is S13 while the case is open and the birthday known; PlanWarning is set from
	// the due day on while no plan is recorded.
	PlanDue     *Deadline               `json:"plan_due,omitempty"`
	PlanWarning bool                    `json:"plan_warning"`
	Plans       []TransitionPlanView    `json:"plans"`
	InformDue   Deadline                `json:"inform_due"`
	Rights      []RightsInformationView `json:"rights_information"`
	Events      []models.LifecycleEvent `json:"events"`
	ReadOnly    bool                    `json:"read_only"`
}

// lifecycleSection reads the section inside tx (the child already in scope).
func (r *Registry) lifecycleSection(tx *gorm.DB, c models.Child, now time.Time) (LifecycleSection, error) {
	l := r.lifecycleRules()
	s := LifecycleSection{ReadOnly: ReadOnly(c.Status), Plans: []TransitionPlanView{}, Rights: []RightsInformationView{}, Events: []models.LifecycleEvent{}}
	if err := tx.Table("transition_plans tp").Select("tp.*, COALESCE(u.display_name, '') AS recorded_by_name").
		Joins("LEFT JOIN users u ON u.id = tp.recorded_by").Where("tp.child_id = ?", c.ID).
		Order("tp.planned_on DESC, tp.id DESC").Find(&s.Plans).Error; err != nil {
		return s, err
	}
	if err := tx.Table("rights_information ri").Select("ri.*, COALESCE(u.display_name, '') AS recorded_by_name").
		Joins("LEFT JOIN users u ON u.id = ri.recorded_by").Where("ri.child_id = ?", c.ID).
		Order("ri.informed_on DESC, ri.id DESC").Find(&s.Rights).Error; err != nil {
		return s, err
	}
	if err := tx.Where("child_id = ?", c.ID).Order("id DESC").Find(&s.Events).Error; err != nil {
		return s, err
	}
	if on, ok := models.TurnsAdultOn(c.BirthDateFrom, c.BirthDateTo); ok {
		s.AdultOn = &on
		if c.Status == "active" || c.Status == "missing" {
			var met *time.Time
			if len(s.Plans) > 0 {
				met = &s.Plans[len(s.Plans)-1].CreatedAt // the first plan met the rule
			}
			d := deadline(RuleS13, l.PlanDue(on), met, now)
			s.PlanDue = &d
			s.PlanWarning = met == nil && !dayBefore(now, d.Due)
		}
	}
	var informed *time.Time
	if len(s.Rights) > 0 {
		first := s.Rights[len(s.Rights)-1].InformedOn
		informed = &first
	}
	s.InformDue = deadline(RuleS11, l.InformDue(c.RegisteredAt), informed, now)
	return s, nil
}

// Lifecycle returns a child's lifecycle section, audited as a read of the record.
func (r *Registry) Lifecycle(ctx context.Context, a *models.Actor, childID int64) (LifecycleSection, error) {
	if err := require(a, models.PermChildRead); err != nil {
		return LifecycleSection{}, err
	}
	var out LifecycleSection
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.scopedChild(tx, a, childID, false)
		if err != nil {
			return err
		}
		if out, err = r.lifecycleSection(tx, c.Child, r.now()); err != nil {
			return err
		}
		reason := ""
		if c.ViaBreakGlass {
			reason = "break-glass"
		}
		return audit(ctx, tx, a, "lifecycle.read", "child", strconv.FormatInt(childID, 10), nil, reason)
	})
	return out, r.denied(ctx, a, err)
}

// RecordTransitionPlan records a plan for the child's leaving care (S13): a date, a summary
// and who recorded it. A later plan revises it; the record must be open (childWritable).
func (r *Registry) RecordTransitionPlan(ctx context.Context, a *models.Actor, childID int64, in TransitionPlanInput) (TransitionPlanView, error) {
	if err := require(a, models.PermChildTransitionPlan); err != nil {
		return TransitionPlanView{}, err
	}
	if err := CheckInput(in); err != nil {
		return TransitionPlanView{}, err
	}
	in.Summary = strings.TrimSpace(in.Summary)
	var out TransitionPlanView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.writableChild(tx, a, childID, true)
		if err != nil {
			return err
		}
		now := r.now()
		var verr models.ValidationError
		on := caseDate(&verr, "planned_on", in.PlannedOn, c.RegisteredAt, now)
		if in.Summary == "" {
			verr.Add("summary", "required", nil)
		}
		if err := verr.Err(); err != nil {
			return err
		}
		p := models.TransitionPlan{ChildID: childID, PlannedOn: on, Summary: in.Summary}
		if a.UserID != 0 {
			uid := a.UserID
			p.RecordedBy = &uid
		}
		if err := tx.Create(&p).Error; err != nil {
			return err
		}
		out = TransitionPlanView{TransitionPlan: p, RecordedByName: a.Name}
		// The summary holds the child's plans: the trail says it was written, not what it says.
		return audit(ctx, tx, a, "child.transition_plan", "child", strconv.FormatInt(childID, 10), models.AuditChanges{
			"transition_plan_id": {After: p.ID}, "planned_on": {After: on.Format(time.DateOnly)}, "summary": {},
		}, "")
	})
	return out, r.denied(ctx, a, err)
}

// RightsMethods are the ways a child can be informed of their rights.
var RightsMethods = []string{"in_person", "interpreter", "written_sheet", "other"}

// RightsInput records that the child was informed of their rights (S11).
type RightsInput struct {
	InformedOn string `json:"informed_on" input:"len=35"` // YYYY-MM-DD
	Language   string `json:"language" input:"len=35"`    // BCP 47, a language the child understands
	Method     string `json:"method" input:"len=35"`
	Note       string `json:"note" input:"len=2000,multiline"`
}

// RecordRightsInformation records when, in which language and how the child was informed of
// their rights (S11). The record must be open (childWritable).
func (r *Registry) RecordRightsInformation(ctx context.Context, a *models.Actor, childID int64, in RightsInput) (RightsInformationView, error) {
	if err := require(a, models.PermChildRights); err != nil {
		return RightsInformationView{}, err
	}
	if err := CheckInput(in); err != nil {
		return RightsInformationView{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	var out RightsInformationView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.writableChild(tx, a, childID, true)
		if err != nil {
			return err
		}
		now := r.now()
		var verr models.ValidationError
		on := caseDate(&verr, "informed_on", in.InformedOn, c.RegisteredAt, now)
		lang := ""
		if strings.TrimSpace(in.Language) == "" {
			verr.Add("language", "required", nil)
		} else if tags := languageTags([]string{in.Language}, "language", &verr); len(tags) == 1 {
			lang = tags[0]
		}
		if !slices.Contains(RightsMethods, in.Method) {
			verr.Add("method", "code_unknown", map[string]any{"Value": in.Method})
		}
		if err := verr.Err(); err != nil {
			return err
		}
		ri := models.RightsInformation{ChildID: childID, InformedOn: on, Language: lang, Method: in.Method, Note: in.Note}
		if a.UserID != 0 {
			uid := a.UserID
			ri.RecordedBy = &uid
		}
		if err := tx.Create(&ri).Error; err != nil {
			return err
		}
		out = RightsInformationView{RightsInformation: ri, RecordedByName: a.Name}
		changes := models.AuditChanges{"rights_information_id": {After: ri.ID}, "informed_on": {After: on.Format(time.DateOnly)},
			"language": {After: lang}, "method": {After: in.Method}}
		if in.Note != "" {
			changes["note"] = models.FieldChange{}
		}
		return audit(ctx, tx, a, "child.rights_information", "child", strconv.FormatInt(childID, 10), changes, "")
	})
	return out, r.denied(ctx, a, err)
}

// RightsSheet is what the printable rights sheet tells a child: their name and number, and
// who their guardian is and how to reach them.
type RightsSheet struct {
	ChildID            int64  `json:"child_id"`
	RegistrationNumber string `json:"registration_number"`
	GivenName          string `json:"given_name"`
	GivenNameLatin     string `json:"given_name_latin"`
	// Languages the child speaks (to offer the sheet in them first).
	Languages []string `json:"languages"`
	// The current guardian: the full one, else the provisional representative; empty when
	// none is appointed yet.
	GuardianName         string `json:"guardian_name"`
	GuardianOrganisation string `json:"guardian_organisation"`
	GuardianEmail        string `json:"guardian_email"`
	GuardianProvisional  bool   `json:"guardian_provisional"`
}

// ChildRightsSheet reads what the rights sheet of a child shows, in the actor's scope; the
// print is audited with its language (lang, not checked here: the sheet's catalogue decides).
func (r *Registry) ChildRightsSheet(ctx context.Context, a *models.Actor, childID int64, lang string) (RightsSheet, error) {
	if err := require(a, models.PermChildRights); err != nil {
		return RightsSheet{}, err
	}
	var out RightsSheet
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.scopedChild(tx, a, childID, false)
		if err != nil {
			return err
		}
		out = RightsSheet{ChildID: c.ID, RegistrationNumber: c.RegistrationNumber, GivenName: c.GivenName,
			GivenNameLatin: c.GivenNameLatin, Languages: c.Languages}
		cur := appointmentIsCurrent(r.now())
		var g struct {
			Kind, DisplayName, Email, OrganisationName string
		}
		err = tx.Table("guardian_appointments ga").
			Select("ga.kind, u.display_name, u.email, COALESCE(gd.organisation_name, '') AS organisation_name").
			Joins("JOIN users u ON u.id = ga.guardian_user_id").
			Joins("LEFT JOIN guardians gd ON gd.user_id = ga.guardian_user_id").
			Where("ga.child_id = ? AND "+cur.sql, append([]any{childID}, cur.args...)...).
			Order("ga.kind = 'full' DESC, ga.started_at DESC").Limit(1).Scan(&g).Error
		if err != nil {
			return err
		}
		out.GuardianName, out.GuardianEmail, out.GuardianOrganisation = g.DisplayName, g.Email, g.OrganisationName
		out.GuardianProvisional = g.Kind == KindProvisional
		reason := ""
		if c.ViaBreakGlass {
			reason = "break-glass"
		}
		return audit(ctx, tx, a, "child.rights_sheet", "child", strconv.FormatInt(childID, 10),
			models.AuditChanges{"language": {After: lang}}, reason)
	})
	return out, r.denied(ctx, a, err)
}
