package frontend

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The placement section of the child page (issue 9): the current placement, its history and
// condition checks, and the forms to record a placement (or a change) and a check. A
// placement with warnings comes back with each warning to acknowledge and a justification to
// write; nothing is recorded until both are given.

// placementFormState is the placement forms as the user left them after a refused post.
type placementFormState struct {
	Form   registry.PlacementInput
	Errors map[string]string
	// Warnings are the warnings the use case asks the user to acknowledge.
	Warnings []string
	Conflict bool
	// CheckFor is the placement whose check form was refused (0: none).
	CheckFor    int64
	Check       registry.PlacementCheckInput
	CheckErrors map[string]string
}

// Acknowledged reports whether warning w was ticked.
func (s placementFormState) Acknowledged(w string) bool {
	return slices.Contains(s.Form.AcknowledgedWarnings, w)
}

// Answer is the typed answer to condition cond of the refused check form.
func (s placementFormState) Answer(cond string) string {
	return map[string]string{
		"separated_from_adults": s.Check.SeparatedFromAdults, "same_sex_sleeping": s.Check.SameSexSleeping,
		"school_access": s.Check.SchoolAccess, "health_care": s.Check.HealthCare, "interpreter": s.Check.Interpreter,
		"psychosocial_support": s.Check.PsychosocialSupport,
	}[cond]
}

// placementData is what the placement section shows.
type placementData struct {
	Section    registry.PlacementSection
	Facilities []registry.FacilityView
	State      placementFormState
	Answers    []string
	Conditions []string
	Kinds      []string
}

// loadPlacements fills the placement section of the child page.
func (f *Frontend) loadPlacements(c *gin.Context, p *childPage) error {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	sec, err := f.Registry.ChildPlacements(ctx, a, p.Child.ID)
	if err != nil {
		return err
	}
	p.Placements.Section = sec
	p.Placements.Answers = registry.CheckAnswers
	p.Placements.Conditions = []string{"separated_from_adults", "same_sex_sleeping", "school_access", "health_care", "interpreter", "psychosocial_support"}
	p.Placements.Kinds = models.FacilityKinds
	if a.Can(models.PermPlacementRecord) {
		if p.Placements.Facilities, err = f.Registry.FacilityChoices(ctx, a, p.Child.RegionID); err != nil {
			return err
		}
		st := &p.Placements.State
		if sec.Current != nil && st.Form.CurrentPlacementID == 0 {
			st.Form.CurrentPlacementID = sec.Current.ID
		}
		if st.Conflict && sec.Current != nil { // the next save is based on what is shown now
			st.Form.CurrentPlacementID = sec.Current.ID
		}
		if st.Form.StartedAt == "" {
			st.Form.StartedAt = f.now().Format("2006-01-02T15:04")
		}
	}
	return nil
}

func (f *Frontend) recordPlacement(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	in := registry.PlacementInput{StartedAt: strings.TrimSpace(c.PostForm("started_at")), Reason: c.PostForm("reason"),
		DecidedBy: c.PostForm("decided_by"), BestInterests: c.PostForm("best_interests"),
		AcknowledgedWarnings: c.PostFormArray("acknowledged_warnings"), WarningJustification: c.PostForm("warning_justification")}
	in.FacilityID, _ = strconv.ParseInt(c.PostForm("facility_id"), 10, 64)
	in.CurrentPlacementID, _ = strconv.ParseInt(c.PostForm("current_placement_id"), 10, 64)
	if in.AcknowledgedWarnings == nil {
		in.AcknowledgedWarnings = []string{}
	}
	_, err := f.Registry.RecordPlacement(ctx, auth.ActorFrom(ctx), id, in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d#placements", id))
		return
	}
	st := placementFormState{Form: in}
	status := http.StatusUnprocessableEntity
	var verr *models.ValidationError
	switch {
	case errors.As(err, &verr):
		st.Errors, _ = fieldErrors(c, err)
		for _, fe := range verr.Fields {
			for _, w := range registry.PlacementWarnings {
				if fe.Field == "acknowledged_warnings" && fe.Code == registry.WarningCode(w) {
					st.Warnings = append(st.Warnings, w)
				}
			}
		}
		// The warnings the user already acknowledged stay shown, ticked, with the others.
		for _, w := range in.AcknowledgedWarnings {
			if slices.Contains(registry.PlacementWarnings, w) && !slices.Contains(st.Warnings, w) {
				st.Warnings = append(st.Warnings, w)
			}
		}
	case errors.Is(err, models.ErrConflict):
		st.Conflict, status = true, http.StatusConflict
	default:
		f.fail(c, err)
		return
	}
	f.renderChildPlacements(c, id, status, st)
}

func (f *Frontend) recordPlacementCheck(c *gin.Context) {
	id, pid, ok := f.pathIDs(c, "pid")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	in := registry.PlacementCheckInput{CheckedOn: strings.TrimSpace(c.PostForm("checked_on")),
		SeparatedFromAdults: c.PostForm("separated_from_adults"), SameSexSleeping: c.PostForm("same_sex_sleeping"),
		SchoolAccess: c.PostForm("school_access"), HealthCare: c.PostForm("health_care"), Interpreter: c.PostForm("interpreter"),
		PsychosocialSupport: c.PostForm("psychosocial_support"), SafetyConcerns: c.PostForm("safety_concerns"), ChildView: c.PostForm("child_view")}
	_, err := f.Registry.RecordPlacementCheck(ctx, auth.ActorFrom(ctx), id, pid, in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d#placements", id))
		return
	}
	fields, invalid := fieldErrors(c, err)
	if !invalid {
		f.fail(c, err)
		return
	}
	f.renderChildPlacements(c, id, http.StatusUnprocessableEntity, placementFormState{CheckFor: pid, Check: in, CheckErrors: fields})
}

// renderChildPlacements shows the child page as it is now, with the placement forms as the
// user left them.
func (f *Frontend) renderChildPlacements(c *gin.Context, id int64, status int, st placementFormState) {
	p, ok := f.childNow(c, id)
	if !ok {
		return
	}
	p.Placements.State = st
	f.renderChild(c, status, p)
}
