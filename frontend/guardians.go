package frontend

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The guardianship pages (issue 9): the guardian registry, "My wards", and the guardianship
// section of the child page with its forms (appoint, end, first meeting, conflict, visit).

func (f *Frontend) guardianRoutes(r gin.IRouter) {
	r.GET("/guardians", f.guardians)
	r.POST("/guardians", f.createGuardian)
	r.GET("/guardians/:id", f.guardian)
	r.POST("/guardians/:id", f.updateGuardian)
	r.GET("/wards", f.wards)
	r.POST("/children/:id/guardian-appointments", f.appointGuardian)
	r.POST("/children/:id/guardian-appointments/:aid/end", f.endAppointment)
	r.POST("/children/:id/guardian-appointments/:aid/first-meeting", f.recordFirstMeeting)
	r.POST("/children/:id/guardian-conflicts", f.declareConflict)
	r.POST("/children/:id/visits", f.recordVisit)
}

// formState is a refused guardianship or registry form: which form, what was typed, the
// errors by field, and whether the record changed meanwhile (409).
type formState struct {
	Form   string
	Typed  map[string]string
	Errors map[string]string
	Stale  bool
}

// Val is what the user typed in a field of form, after a refusal of that form.
func (s formState) Val(form, field string) string {
	if s.Form != form {
		return ""
	}
	return s.Typed[field]
}

// Err is the error of a field of form, after a refusal of that form.
func (s formState) Err(form, field string) string {
	if s.Form != form {
		return ""
	}
	return s.Errors[field]
}

// Refused reports whether form was the one refused.
func (s formState) Refused(form string) bool { return s.Form == form }

// typed keeps the posted values of fields, for the form shown again.
func typed(c *gin.Context, fields ...string) map[string]string {
	out := map[string]string{}
	for _, k := range fields {
		out[k] = strings.Join(c.PostFormArray(k), " ")
	}
	return out
}

// guardianSection is the guardianship part of the child page.
type guardianSection struct {
	View        registry.GuardianshipView
	Suggestions []suggestionView
	State       formState
	Today       string
	Saved       bool
}

type suggestionView struct {
	registry.Suggestion
	Why []string
}

// Kinds, EndReasons and VisitKinds are the choices the forms offer.
func (guardianSection) Kinds() []string      { return []string{registry.KindProvisional, registry.KindFull} }
func (guardianSection) EndReasons() []string { return registry.EndReasons }
func (guardianSection) VisitKinds() []string { return registry.VisitKinds }

// Replaces is the id of the current appointment of kind, for the appoint form.
func (s guardianSection) Replaces(kind string) int64 {
	if ap := s.View.CurrentOf(kind); ap != nil {
		return ap.ID
	}
	return 0
}

// guardianSection loads the child's guardianship for the page (nil when the reader may not see
// it), with suggestions for those who appoint. Any other failure fails the page: a missing
// section must never look like a child without a guardian.
func (f *Frontend) guardianSection(c *gin.Context, childID int64, state formState) (*guardianSection, error) {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	v, err := f.Registry.Guardianship(ctx, a, childID)
	if errors.Is(err, models.ErrForbidden) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := &guardianSection{View: v, State: state, Today: f.now().Format("2006-01-02"), Saved: c.Query("saved") == "guardianship"}
	if a.Can(models.PermGuardianAppoint) {
		sug, err := f.Registry.SuggestGuardians(ctx, a, childID)
		if err != nil {
			return nil, err
		}
		loc, regions := i18n.FromContext(ctx), f.regionNames(ctx, a)
		for _, x := range sug {
			sv := suggestionView{Suggestion: x}
			for _, r := range x.Reasons {
				sv.Why = append(sv.Why, reasonText(loc, regions, r))
			}
			s.Suggestions = append(s.Suggestions, sv)
		}
	}
	return s, nil
}

// reasonText says why a guardian is suggested; a region is named, not given by its code.
func reasonText(loc *i18n.Localizer, regions map[string]string, r registry.SuggestionReason) string {
	if loc == nil {
		return r.Code
	}
	data := map[string]any{}
	for k, v := range r.Data {
		if code, ok := v.(string); ok && k == "Region" && regions[code] != "" {
			v = regions[code]
		}
		if langs, ok := v.([]string); ok {
			names := make([]string, len(langs))
			for i, l := range langs {
				names[i] = loc.LanguageName(l)
			}
			v = loc.List(names)
		}
		data[k] = v
	}
	return loc.T("guardian.reason."+r.Code, data)
}

// guardianResult answers a guardianship form: back to the child page on success, the page
// with the form as typed on a refusal (422) or a change meanwhile (409).
func (f *Frontend) guardianResult(c *gin.Context, id int64, form string, fields []string, err error) {
	saved := fmt.Sprintf("/children/%d?saved=guardianship#guardianship", id)
	f.childFormResult(c, id, saved, err, func(p *childPage, r refusal) (err error) {
		p.Guardianship, err = f.guardianSection(c, id, formState{Form: form, Typed: typed(c, fields...), Errors: r.fields, Stale: r.stale})
		return err
	})
}

func postInt(c *gin.Context, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(c.PostForm(name)), 10, 64)
	return n
}

func (f *Frontend) appointGuardian(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	in := registry.AppointInput{GuardianID: postInt(c, "guardian_id"), Kind: c.PostForm("kind"), Replaces: postInt(c, "replaces_"+c.PostForm("kind")),
		AppointingAuthority: c.PostForm("appointing_authority"), DecisionReference: c.PostForm("decision_reference"),
		DecidedOn: strings.TrimSpace(c.PostForm("decided_on")), Interpretation: c.PostForm("interpretation"),
		CapOverrideReason: c.PostForm("cap_override_reason")}
	_, err := f.Registry.AppointGuardian(ctx, auth.ActorFrom(ctx), id, in)
	f.guardianResult(c, id, "appoint", []string{"guardian_id", "kind", "appointing_authority", "decision_reference", "decided_on", "interpretation", "cap_override_reason"}, err)
}

// appointmentStep answers the form of a step on one appointment (end, first meeting): the
// form is named after the step and the appointment, so the page shows its errors beside it.
func (f *Frontend) appointmentStep(c *gin.Context, name string, fields []string,
	step func(ctx context.Context, a *models.Actor, id, aid int64, version int) error) {
	id, aid, ok := f.pathIDs(c, "aid")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	version, _ := strconv.Atoi(c.PostForm("version"))
	err := step(ctx, auth.ActorFrom(ctx), id, aid, version)
	f.guardianResult(c, id, fmt.Sprintf("%s-%d", name, aid), fields, err)
}

func (f *Frontend) endAppointment(c *gin.Context) {
	f.appointmentStep(c, "end", []string{"reason"}, func(ctx context.Context, a *models.Actor, id, aid int64, version int) error {
		_, err := f.Registry.EndAppointment(ctx, a, id, aid, version, registry.EndInput{Reason: c.PostForm("reason")})
		return err
	})
}

func (f *Frontend) recordFirstMeeting(c *gin.Context) {
	f.appointmentStep(c, "meet", []string{"met_on"}, func(ctx context.Context, a *models.Actor, id, aid int64, version int) error {
		_, err := f.Registry.RecordFirstMeeting(ctx, a, id, aid, version, registry.FirstMeetingInput{MetOn: strings.TrimSpace(c.PostForm("met_on"))})
		return err
	})
}

func (f *Frontend) declareConflict(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	_, err := f.Registry.DeclareConflict(ctx, auth.ActorFrom(ctx), id, registry.ConflictInput{GuardianID: postInt(c, "guardian_id"), Reason: c.PostForm("reason")})
	f.guardianResult(c, id, "conflict", []string{"guardian_id", "reason"}, err)
}

func (f *Frontend) recordVisit(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	in := registry.VisitInput{VisitedOn: strings.TrimSpace(c.PostForm("visited_on")), Kind: c.PostForm("kind"), Place: c.PostForm("place"),
		ChildViews: c.PostForm("child_views"), Concerns: c.PostForm("concerns"), FollowUp: c.PostForm("follow_up")}
	switch c.PostForm("child_seen") {
	case "yes":
		in.ChildSeen = ptrTo(true)
	case "no":
		in.ChildSeen = ptrTo(false)
	}
	_, err := f.Registry.RecordVisit(ctx, auth.ActorFrom(ctx), id, in)
	f.guardianResult(c, id, "visit", []string{"visited_on", "kind", "place", "child_seen", "child_views", "concerns", "follow_up"}, err)
}

func ptrTo[T any](v T) *T { return &v }

// wardsPage is the "My wards" board.
type wardsPage struct{ Wards []registry.Ward }

func (f *Frontend) wards(c *gin.Context) {
	ctx := c.Request.Context()
	ws, err := f.Registry.MyWards(ctx, auth.ActorFrom(ctx))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "wards", "wards.title", wardsPage{Wards: ws})
}

// guardianForm is the registry form: the guardian being edited (zero for a new one), the
// regions to choose from, and the refused input.
type guardianForm struct {
	Guardian registry.GuardianView
	Regions  []models.Region
	State    formState
}

// Field is the value a field shows: what was typed after a refusal, else the record.
func (f guardianForm) Field(name string) string {
	if f.State.Form != "" {
		return f.State.Typed[name]
	}
	g := f.Guardian
	switch name {
	case "kind":
		if g.Kind == "" {
			return registry.GuardianPerson
		}
		return g.Kind
	case "organisation_name":
		return g.OrganisationName
	case "languages":
		return strings.Join(g.Languages, " ")
	case "region_code":
		return g.RegionCode
	case "trained_on":
		return day(g.TrainedOn)
	case "record_checked_on":
		return day(g.RecordCheckedOn)
	case "caseload_cap":
		return intString(g.CaseloadCap)
	case "active":
		if g.ID == 0 || g.Active {
			return "yes"
		}
		return "no"
	}
	return ""
}

// guardiansPage is the registry: the list and the form to add a guardian.
type guardiansPage struct {
	guardianForm
	Guardians []registry.GuardianView
	Saved     bool
}

// guardianPage edits one guardian.
type guardianPage struct {
	guardianForm
	Saved bool
}

var guardianFields = []string{"username", "kind", "organisation_name", "languages", "region_code", "trained_on", "record_checked_on", "caseload_cap", "active"}

func (f *Frontend) regionsFor(c *gin.Context) []models.Region {
	ctx := c.Request.Context()
	regions, _, err := f.Registry.ReferenceData(ctx, auth.ActorFrom(ctx))
	if err != nil {
		return nil
	}
	return regions
}

func (f *Frontend) guardians(c *gin.Context) {
	f.renderGuardians(c, http.StatusOK, formState{})
}

func (f *Frontend) renderGuardians(c *gin.Context, status int, st formState) {
	ctx := c.Request.Context()
	gs, err := f.Registry.ListGuardians(ctx, auth.ActorFrom(ctx))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, status, "guardians", "guardians.title", guardiansPage{guardianForm: guardianForm{Regions: f.regionsFor(c), State: st}, Guardians: gs, Saved: c.Query("saved") == "1"})
}

// guardianInput reads the registry form; a cap that is not a number is reported by field.
func guardianInput(c *gin.Context, edit bool) (registry.GuardianInput, map[string]string) {
	org, trained, checked := c.PostForm("organisation_name"), c.PostForm("trained_on"), c.PostForm("record_checked_on")
	in := registry.GuardianInput{Kind: c.PostForm("kind"), OrganisationName: &org, Languages: strings.Fields(strings.ReplaceAll(c.PostForm("languages"), ",", " ")),
		RegionCode: c.PostForm("region_code"), TrainedOn: &trained, RecordCheckedOn: &checked}
	if in.Languages == nil {
		in.Languages = []string{}
	}
	if !edit {
		in.Username = c.PostForm("username")
	} else {
		active := c.PostForm("active") == "yes"
		in.Active = &active
	}
	var bad map[string]string
	capText := strings.TrimSpace(c.PostForm("caseload_cap"))
	n := 0
	if capText != "" {
		var err error
		if n, err = strconv.Atoi(capText); err != nil {
			loc := i18n.FromContext(c.Request.Context())
			msg := "age.error.not_a_number"
			if loc != nil {
				msg = loc.T(msg)
			}
			bad = map[string]string{"caseload_cap": msg}
		}
	}
	in.CaseloadCap = &n
	return in, bad
}

func (f *Frontend) createGuardian(c *gin.Context) {
	ctx := c.Request.Context()
	in, bad := guardianInput(c, false)
	if bad != nil {
		f.renderGuardians(c, http.StatusUnprocessableEntity, formState{Form: "guardian", Typed: typed(c, guardianFields...), Errors: bad})
		return
	}
	if in.CaseloadCap != nil && *in.CaseloadCap == 0 {
		in.CaseloadCap = nil
	}
	_, err := f.Registry.CreateGuardian(ctx, auth.ActorFrom(ctx), in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/guardians?saved=1")
		return
	}
	fields, invalid := fieldErrors(c, err)
	if !invalid {
		f.fail(c, err)
		return
	}
	f.renderGuardians(c, http.StatusUnprocessableEntity, formState{Form: "guardian", Typed: typed(c, guardianFields...), Errors: fields})
}

func (f *Frontend) guardian(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	f.renderGuardian(c, id, http.StatusOK, formState{})
}

func (f *Frontend) renderGuardian(c *gin.Context, id int64, status int, st formState) {
	ctx := c.Request.Context()
	g, err := f.Registry.GetGuardian(ctx, auth.ActorFrom(ctx), id)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, status, "guardian", "guardian.title", guardianPage{guardianForm: guardianForm{Guardian: g, Regions: f.regionsFor(c), State: st}, Saved: c.Query("saved") == "1"})
}

func (f *Frontend) updateGuardian(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	in, bad := guardianInput(c, true)
	st := formState{Form: "guardian", Typed: typed(c, guardianFields...), Errors: bad}
	if bad != nil {
		f.renderGuardian(c, id, http.StatusUnprocessableEntity, st)
		return
	}
	version, _ := strconv.Atoi(c.PostForm("version"))
	_, err := f.Registry.UpdateGuardian(ctx, auth.ActorFrom(ctx), id, version, in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/guardians/%d?saved=1", id))
		return
	}
	r, ok := f.refused(c, err)
	if !ok {
		return
	}
	st.Errors, st.Stale = r.fields, r.stale
	f.renderGuardian(c, id, r.status(), st)
}

// Deadline says a deadline with its rule and due date, and whether it was met or is late:
// "S2 — guardian appointed by 2026-05-22 23:59 UTC — met 2026-05-04".
func (p Page) Deadline(d registry.Deadline) string {
	isolate := func(t time.Time) string { return "\u2066" + t.UTC().Format("2006-01-02 15:04") + " UTC\u2069" }
	s := p.T("deadline."+d.Rule, "Due", isolate(d.Due))
	switch {
	case d.MetAt != nil:
		s += " — " + p.T("deadline.met", "Date", isolate(*d.MetAt))
	case d.Overdue:
		s += " — " + p.T("deadline.overdue")
	}
	return s
}
