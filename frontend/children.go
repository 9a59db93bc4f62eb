package frontend

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

type childrenPage struct {
	Page   registry.ChildPage
	Search registry.SearchInput
	Errors map[string]string
	Codes  codeLists
	Posted bool
}

func (f *Frontend) children(c *gin.Context) {
	after, ok := f.pageStart(c, c.Query("after"))
	if !ok {
		return
	}
	page, err := f.Registry.ListChildren(c.Request.Context(), auth.ActorFrom(c.Request.Context()), after, registry.DefaultPageSize)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "children", "children.title", childrenPage{Page: page, Codes: codes})
}

// searchChildren answers the search form; names travel in the POST body, never in the URL.
func (f *Frontend) searchChildren(c *gin.Context) {
	in := registry.SearchInput{
		Name: c.PostForm("name"), Status: c.PostForm("status"), Nationality: c.PostForm("nationality"),
		AgeBand: c.PostForm("age_band"), RegisteredFrom: c.PostForm("registered_from"), RegisteredTo: c.PostForm("registered_to"),
	}
	after, ok := f.pageStart(c, c.PostForm("after"))
	if !ok {
		return
	}
	in.After = after
	page, err := f.Registry.SearchChildren(c.Request.Context(), auth.ActorFrom(c.Request.Context()), in)
	if err != nil {
		if fields, ok := fieldErrors(c, err); ok {
			f.r.render(c, http.StatusUnprocessableEntity, "children", "children.title", childrenPage{Search: in, Errors: fields, Codes: codes, Posted: true})
			return
		}
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "children", "children.title", childrenPage{Page: page, Search: in, Codes: codes, Posted: true})
}

type needsActionPage struct{ Items []registry.NeedsAction }

func (f *Frontend) needsAction(c *gin.Context) {
	rows, err := f.Registry.NeedsActionQueue(c.Request.Context(), auth.ActorFrom(c.Request.Context()), 0)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "needs_action", "needs_action.title", needsActionPage{Items: rows})
}

// childPage shows a child's record with its forms. On a conflict it shows the record as it is
// now, names what changed meanwhile, and keeps what the user typed.
type childPage struct {
	Child       registry.ChildView
	In          registry.RegistrationInput // the identity form and the new-arrival form
	Form        childForm
	Errors      map[string]string
	Codes       codeLists
	Regions     []models.Region
	BorderPosts []models.BorderPost
	Conflict    bool
	Changed     []string // fields that differ between the record now and the user's input
	Saved       bool

	AgeAssessments []models.AgeAssessment
	AgeForm        ageFormState

	// Guardianship is the guardian section (guardians.go); nil when the reader may not see it.
	Guardianship *guardianSection
	// Placements is the placement section (issue 9, placements.go).
	Placements placementData
	// Relatives is the family section (issue 9 siblings, relatives.go).
	Relatives *relativesSection
	// Legal is the legal procedure section (issue 10, legal.go); nil when not readable.
	Legal *legalSection

	// Transitions are the status changes the reader may make now (lifecycle.go).
	Transitions []registry.Transition
	// Lifecycle is the lifecycle and rights section (issue 10, frontend/lifecycle.go).
	Lifecycle lifecycleData
	// Refused is set when the edit changed fields the reader may not change (403).
	Refused bool
}

func (childPage) editsChild() bool { return true }

type childForm struct {
	Status, RegionCode string
	Version            int
}

func childID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

// identityOf turns a record back into form input.
func identityOf(v registry.ChildView) registry.IdentityInput {
	in := registry.IdentityInput{
		GivenName: v.GivenName, FamilyName: v.FamilyName, GivenNameLatin: v.GivenNameLatin, FamilyNameLatin: v.FamilyNameLatin,
		Aliases: v.Aliases, FatherName: v.FatherName, MotherName: v.MotherName, Sex: v.Sex,
		Nationalities: v.Nationalities, Languages: v.Languages, ProtectionStatus: v.ProtectionStatus, Vulnerabilities: v.Vulnerabilities, SpecialNeeds: v.SpecialNeeds,
		TraffickingIndicators: v.TraffickingIndicators, TraffickingNotes: v.TraffickingNotes,
		VulnerabilitiesAssessed: v.VulnerabilitiesAt != nil,
	}
	if v.BirthDateKnown && v.BirthDateFrom != nil {
		in.BirthDate = v.BirthDateFrom.Format("2006-01-02")
	} else if v.BirthDateFrom != nil && v.BirthDateTo != nil {
		lo, hi := models.AgeRangeAt(*v.BirthDateFrom, *v.BirthDateTo, v.RegisteredAt)
		in.AgeMin, in.AgeMax = &lo, &hi
	}
	return in
}

func (f *Frontend) child(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	v, err := f.Registry.GetChild(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id)
	if err != nil {
		f.fail(c, err)
		return
	}
	p := childPage{Child: v, In: registry.RegistrationInput{IdentityInput: identityOf(v)},
		Form: childForm{Status: v.Status, RegionCode: v.RegionCode, Version: v.Version}, Saved: c.Query("saved") == "1"}
	f.renderChild(c, http.StatusOK, p)
}

func (f *Frontend) renderChild(c *gin.Context, status int, p childPage) {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	regions, posts, err := f.Registry.ReferenceData(ctx, a)
	if err != nil {
		f.fail(c, err)
		return
	}
	if p.In.Arrival.ArrivedAt == "" {
		p.In.Arrival.ArrivedAt = f.Registry.Now().UTC().Format("2006-01-02T15:04")
		p.In.Arrival.HowFound = "presented_at_border"
	}
	for len(p.In.Arrival.AccompanyingAdults) < formRows {
		p.In.Arrival.AccompanyingAdults = append(p.In.Arrival.AccompanyingAdults, models.AccompanyingAdult{})
	}
	for len(p.In.Arrival.Documents) < formRows {
		p.In.Arrival.Documents = append(p.In.Arrival.Documents, models.Document{})
	}
	p.Regions, p.BorderPosts, p.Codes = regions, postsToOffer(a, posts), codes
	p.AgeAssessments = p.Child.AgeAssessments
	p.Transitions = registry.AvailableTransitions(a, p.Child.Status)
	if p.Guardianship == nil {
		g, err := f.guardianSection(c, p.Child.ID, formState{})
		if err != nil {
			f.fail(c, err)
			return
		}
		p.Guardianship = g
	}
	if err := f.loadPlacements(c, &p); err != nil {
		f.fail(c, err)
		return
	}
	if p.Relatives == nil { // issue 9: siblings
		if p.Relatives, err = f.relativesSection(c, p.Child.ID, formState{}); err != nil {
			f.fail(c, err)
			return
		}
	}
	if p.Legal == nil { // issue 10
		if p.Legal, err = f.legalFor(c, p.Child.ID, legalSection{}); err != nil {
			f.fail(c, err)
			return
		}
	}
	if err := f.loadLifecycle(c, &p); err != nil { // issue 10
		f.fail(c, err)
		return
	}
	f.r.render(c, status, "child", "child.title", p)
}

func (f *Frontend) updateChild(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	form := childForm{}
	form.Version, _ = strconv.Atoi(c.PostForm("version"))
	ident := identityFromForm(c)
	patch := registry.ChildPatch{Identity: &ident}
	// The region select is on the form only for those who may move a child; status is never
	// on it (transitions have their own form).
	if code, ok := c.GetPostForm("child_region_code"); ok {
		form.RegionCode, patch.RegionCode = code, &code
	}
	if st, ok := c.GetPostForm("status"); ok {
		patch.Status = &st
	}
	_, err := f.Registry.UpdateChild(ctx, a, id, form.Version, patch)
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d?saved=1", id))
		return
	}
	fields, invalid := fieldErrors(c, err)
	conflict := errors.Is(err, models.ErrConflict) || errors.Is(err, models.ErrPreconditionRequired)
	if !invalid && !conflict {
		f.fail(c, err)
		return
	}
	current, gerr := f.Registry.GetChild(ctx, a, id)
	if gerr != nil {
		f.fail(c, gerr)
		return
	}
	if form.RegionCode == "" {
		form.RegionCode = current.RegionCode
	}
	form.Status = current.Status
	p := childPage{Child: current, In: registry.RegistrationInput{IdentityInput: ident}, Form: form, Errors: fields, Conflict: conflict}
	status := http.StatusUnprocessableEntity
	if errors.Is(err, models.ErrForbidden) {
		p.Refused, status = true, http.StatusForbidden
	}
	if conflict {
		p.Changed = changedFields(a, identityOf(current), ident, current, form)
		p.Form.Version = current.Version // the next save is based on what the user has now seen
		status = http.StatusConflict
	}
	f.renderChild(c, status, p)
}

// changedFields names the fields where the record now differs from what the user submitted,
// among those the user may change (the others were not on their form).
func changedFields(a *models.Actor, now, typed registry.IdentityInput, v registry.ChildView, form childForm) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ && a.MayEdit(name) {
			out = append(out, name)
		}
	}
	add("region_code", v.RegionCode != form.RegionCode)
	add("given_name", now.GivenName != strings.TrimSpace(typed.GivenName))
	add("family_name", now.FamilyName != strings.TrimSpace(typed.FamilyName))
	add("father_name", now.FatherName != strings.TrimSpace(typed.FatherName))
	add("mother_name", now.MotherName != strings.TrimSpace(typed.MotherName))
	add("sex", now.Sex != typed.Sex)
	add("birth_date", now.BirthDate != typed.BirthDate)
	add("nationalities", !slices.Equal(now.Nationalities, typed.Nationalities))
	add("languages", !slices.Equal(now.Languages, typed.Languages))
	add("vulnerabilities", !slices.Equal(now.Vulnerabilities, typed.Vulnerabilities))
	add("trafficking_indicators", !slices.Equal(now.TraffickingIndicators, typed.TraffickingIndicators))
	return out
}

// recordArrival records another arrival of this child from its page.
func (f *Frontend) recordArrival(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	in := arrivalFromForm(c)
	if _, err := f.Registry.RecordArrival(ctx, a, id, in); err != nil {
		f.childFormFailed(c, id, err, in)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d?saved=1#arrivals", id))
}

// childFormFailed answers a refused form on a child's page: the page again, with the field
// errors and the arrival the user typed (invalid input), or the error page.
func (f *Frontend) childFormFailed(c *gin.Context, id int64, err error, arrival registry.ArrivalInput) {
	fields, ok := fieldErrors(c, err)
	if !ok {
		f.fail(c, err)
		return
	}
	v, gerr := f.Registry.GetChild(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id)
	if gerr != nil {
		f.fail(c, gerr)
		return
	}
	f.renderChild(c, http.StatusUnprocessableEntity, childPage{Child: v, In: registry.RegistrationInput{IdentityInput: identityOf(v), Arrival: arrival},
		Form: childForm{Status: v.Status, RegionCode: v.RegionCode, Version: v.Version}, Errors: fields})
}

// mergeChild marks the record named by its registration number as a duplicate of this one.
func (f *Frontend) mergeChild(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	dupID, err := f.Registry.ChildIDByNumber(ctx, a, c.PostForm("duplicate_number"))
	if err == nil {
		_, err = f.Registry.MergeChildren(ctx, a, id, registry.MergeInput{DuplicateID: dupID, Reason: c.PostForm("reason")})
	}
	if err != nil {
		f.childFormFailed(c, id, err, registry.ArrivalInput{})
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d?saved=1", id))
}

func (f *Frontend) unmergeChild(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	if _, err := f.Registry.UnmergeChild(ctx, auth.ActorFrom(ctx), id, c.PostForm("reason")); err != nil {
		if _, ok := fieldErrors(c, err); ok {
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d?unmerge=reason", id))
			return
		}
		f.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d?saved=1", id))
}

// transitionChild changes the child's status by the transition chosen on its page.
func (f *Frontend) transitionChild(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	version, _ := strconv.Atoi(c.PostForm("version"))
	_, err := f.Registry.TransitionChild(ctx, a, id, version, registry.TransitionInput{Transition: c.PostForm("transition"), Reason: c.PostForm("reason")})
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d?saved=1", id))
		return
	}
	if errors.Is(err, models.ErrConflict) || errors.Is(err, models.ErrPreconditionRequired) {
		current, gerr := f.Registry.GetChild(ctx, a, id)
		if gerr != nil {
			f.fail(c, gerr)
			return
		}
		f.renderChild(c, http.StatusConflict, childPage{Child: current, In: registry.RegistrationInput{IdentityInput: identityOf(current)},
			Form: childForm{Status: current.Status, RegionCode: current.RegionCode, Version: current.Version}, Conflict: true})
		return
	}
	f.childFormFailed(c, id, err, registry.ArrivalInput{})
}

type historyPage struct {
	ChildID int64
	Events  []models.AuditEvent
	// Names are the people behind the events, by user id (issue 13: a name, not a login
	// subject); unknown is said for an event no known user made.
	Names   map[int64]string
	unknown string
}

// Who names the person behind an event.
func (h historyPage) Who(ev models.AuditEvent) string {
	if ev.ActorUserID != nil {
		if n, ok := h.Names[*ev.ActorUserID]; ok {
			return n
		}
	}
	return h.unknown
}

func (f *Frontend) childHistory(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	evs, names, err := f.Registry.AccessHistoryNamed(ctx, auth.ActorFrom(ctx), id, 0)
	if err != nil {
		f.fail(c, err)
		return
	}
	unknown := ""
	if loc := i18n.FromContext(ctx); loc != nil {
		unknown = loc.T("history.unknown_actor")
	}
	f.r.render(c, http.StatusOK, "child_history", "history.title", historyPage{ChildID: id, Events: evs, Names: names, unknown: unknown})
}

type breakGlassPage struct {
	Form   registry.BreakGlassInput
	Errors map[string]string
	For    time.Duration // how long an emergency access lasts, said in words on the page
}

func (f *Frontend) breakGlassForm(c *gin.Context) {
	f.r.render(c, http.StatusOK, "break_glass", "break_glass.title", breakGlassPage{
		Form: registry.BreakGlassInput{RegistrationNumber: c.Query("number")}, For: f.Registry.BreakGlassFor,
	})
}

func (f *Frontend) breakGlass(c *gin.Context) {
	in := registry.BreakGlassInput{RegistrationNumber: c.PostForm("registration_number"), Reason: c.PostForm("reason")}
	g, err := f.Registry.BreakGlass(c.Request.Context(), auth.ActorFrom(c.Request.Context()), in)
	if err != nil {
		fields, ok := fieldErrors(c, err)
		if !ok {
			f.fail(c, err)
			return
		}
		f.r.render(c, http.StatusUnprocessableEntity, "break_glass", "break_glass.title", breakGlassPage{Form: in, Errors: fields, For: f.Registry.BreakGlassFor})
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d", g.ChildID))
}
