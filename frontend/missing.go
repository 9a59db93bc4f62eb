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
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Missing children (issue 10): the "Missing now" board (its own page and the top of the home
// page of protection officers and guardians), a child's missing episodes with the forms to
// report, record the reaction, the finding and the return interview, and the printable
// missing-person sheet. Every rule is the use case's (registry/missing.go); a refused form
// comes back as typed, with the errors next to the fields.

func (f *Frontend) missingRoutes(r gin.IRouter) {
	r.GET("/missing", f.missingBoard)
	r.GET("/children/:id/missing", f.childMissing)
	r.POST("/children/:id/missing", f.reportMissing)
	r.GET("/children/:id/missing/:eid/sheet", f.missingSheet)
	r.POST("/children/:id/missing/:eid/reactions", f.recordMissingReaction)
	r.POST("/children/:id/missing/:eid/found", f.recordMissingFound)
	r.POST("/children/:id/missing/:eid/return-interview", f.recordReturnInterview)
}

// missingHome is the board at the top of the home page (nil for readers without it).
type missingHome struct {
	Items []registry.MissingNow
}

// missingBoardPage is the board's own page (the same shape as the home page's, so one
// partial draws both).
type missingBoardPage struct{ Missing *missingHome }

// loadMissingHome reads the board for the home page of those who hold missing.board.
func (f *Frontend) loadMissingHome(c *gin.Context) (*missingHome, error) {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	if !a.Can(models.PermMissingBoard) {
		return nil, nil
	}
	items, err := f.Registry.MissingNowBoard(ctx, a)
	if err != nil {
		return nil, err
	}
	return &missingHome{Items: items}, nil
}

func (f *Frontend) missingBoard(c *gin.Context) {
	m, err := f.loadMissingHome(c)
	if err != nil {
		f.fail(c, err)
		return
	}
	if m == nil {
		f.fail(c, models.ErrForbidden)
		return
	}
	f.r.render(c, http.StatusOK, "missing_now", "missing.board_title", missingBoardPage{Missing: m})
}

// Elapsed writes a number of minutes as days and hours, or hours and minutes.
func (p Page) Elapsed(minutes int) string {
	if minutes < 0 {
		minutes = 0
	}
	if minutes >= 24*60 {
		return p.T("missing.elapsed_days", "Days", minutes/(24*60), "Hours", minutes%(24*60)/60)
	}
	return p.T("missing.elapsed_hours", "Hours", minutes/60, "Minutes", minutes%60)
}

// Delay writes a delay in minutes (Elapsed), or "not yet" when the step was not taken.
func (p Page) Delay(minutes *int) string {
	if minutes == nil {
		return p.T("missing.not_yet")
	}
	return p.Elapsed(*minutes)
}

// localTime is a moment as a datetime-local field shows it (UTC, as the use cases read it).
func localTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04")
}

// reactionForm is the reaction form as typed (times as datetime-local values).
type reactionForm struct {
	PoliceReportedAt, PoliceReference, HotlineNotifiedAt, SISRequestedAt, SISReference, GuardianInformedAt string
}

func reactionOf(e registry.MissingEpisodeView) reactionForm {
	return reactionForm{PoliceReportedAt: localTime(e.PoliceReportedAt), PoliceReference: e.PoliceReference,
		HotlineNotifiedAt: localTime(e.HotlineNotifiedAt), SISRequestedAt: localTime(e.SISRequestedAt), SISReference: e.SISReference,
		GuardianInformedAt: localTime(e.GuardianInformedAt)}
}

// foundForm is the found form as typed.
type foundForm struct {
	FoundAt, FoundPlace, FoundBy, Condition, Notes string
	// FacilityID "" keeps the placement that stayed open.
	FacilityID, Reason, DecidedBy, WarningJustification string
	CurrentPlacementID                                  int64
	AcknowledgedWarnings                                []string
}

// episodeForms are an episode's forms, as shown (prefilled) or as the user left them.
type episodeForms struct {
	Episode   registry.MissingEpisodeView
	Reaction  reactionForm
	Found     foundForm
	Interview registry.InterviewInput
	// Form names the refused form ("reaction", "found", "interview"), Errors its errors.
	Form     string
	Errors   map[string]string
	Conflict bool
	Warnings []string
}

// missingChildPage is a child's missing episodes and forms.
type missingChildPage struct {
	Child        registry.ChildView
	Episodes     []episodeForms
	CanReport    bool
	Report       registry.MissingReportInput
	ReportErrors map[string]string
	Saved        string
	Facilities   []registry.FacilityView
	Risks        []string
	Conditions   []string
	Now          string
}

// Acknowledged reports whether warning w was ticked on the found form.
func (e episodeForms) Acknowledged(w string) bool {
	return slices.Contains(e.Found.AcknowledgedWarnings, w)
}

// childMissingState is a refused form to show again on the child's missing page.
type childMissingState struct {
	report       *registry.MissingReportInput
	reportErrors map[string]string
	episode      *episodeForms
}

func (f *Frontend) childMissing(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	f.renderChildMissing(c, id, http.StatusOK, childMissingState{})
}

// renderChildMissing shows the child's missing page as it is now, with a refused form (if
// any) as the user left it.
func (f *Frontend) renderChildMissing(c *gin.Context, id int64, status int, st childMissingState) {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	child, err := f.Registry.GetChild(ctx, a, id)
	if err != nil {
		f.fail(c, err)
		return
	}
	eps, err := f.Registry.MissingEpisodes(ctx, a, id)
	if err != nil {
		f.fail(c, err)
		return
	}
	now := f.now()
	p := missingChildPage{Child: child, CanReport: a.Can(models.PermMissingReport) && child.Status == "active",
		Saved: c.Query("saved"), Risks: models.MissingRiskLevels, Conditions: models.FoundConditions, Now: localTime(&now),
		Report: registry.MissingReportInput{Risk: registry.RiskMedium, DiscoveredAt: localTime(&now)}}
	if st.report != nil {
		p.Report, p.ReportErrors = *st.report, st.reportErrors
	}
	var current int64
	if a.Can(models.PermMissingReport) && a.Can(models.PermPlacementRecord) {
		if p.Facilities, err = f.Registry.FacilityChoices(ctx, a, child.RegionID); err != nil {
			f.fail(c, err)
			return
		}
		sec, err := f.Registry.ChildPlacements(ctx, a, id)
		if err != nil {
			f.fail(c, err)
			return
		}
		if sec.Current != nil {
			current = sec.Current.ID
		}
	}
	for _, e := range eps {
		ef := episodeForms{Episode: e, Reaction: reactionOf(e), Found: foundForm{FoundAt: localTime(&now), CurrentPlacementID: current},
			Interview: registry.InterviewInput{HeldAt: localTime(&now)}}
		if e.InterviewAt != nil {
			ef.Interview = registry.InterviewInput{HeldAt: localTime(e.InterviewAt), HeldBy: e.InterviewBy, Summary: e.InterviewSummary}
		}
		if st.episode != nil && st.episode.Episode.ID == e.ID {
			ref := st.episode
			ef.Form, ef.Errors, ef.Conflict, ef.Warnings = ref.Form, ref.Errors, ref.Conflict, ref.Warnings
			switch ref.Form {
			case "reaction":
				if !ref.Conflict { // after a conflict the form shows what the record says now
					ef.Reaction = ref.Reaction
				}
			case "found":
				ef.Found = ref.Found
				ef.Found.CurrentPlacementID = current
			case "interview":
				if !ref.Conflict {
					ef.Interview = ref.Interview
				}
			}
		}
		p.Episodes = append(p.Episodes, ef)
	}
	f.r.render(c, status, "missing_child", "missing.child_title", p)
}

func (f *Frontend) reportMissing(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	in := registry.MissingReportInput{LastSeenAt: c.PostForm("last_seen_at"), LastSeenPlace: c.PostForm("last_seen_place"),
		LastSeenWith: c.PostForm("last_seen_with"), DiscoveredAt: c.PostForm("discovered_at"), DiscoveredBy: c.PostForm("discovered_by"),
		Circumstances: c.PostForm("circumstances"), Description: c.PostForm("description"), Risk: c.PostForm("risk")}
	_, err := f.Registry.ReportMissing(ctx, auth.ActorFrom(ctx), id, in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d/missing?saved=report", id))
		return
	}
	fields, invalid := fieldErrors(c, err)
	if !invalid {
		f.fail(c, err)
		return
	}
	f.renderChildMissing(c, id, http.StatusUnprocessableEntity, childMissingState{report: &in, reportErrors: fields})
}

// episodePost reads the ids and version of an episode form; on a malformed id it answers 404.
func (f *Frontend) episodePost(c *gin.Context) (id, eid int64, version int, ok bool) {
	if id, eid, ok = f.pathIDs(c, "eid"); !ok {
		return 0, 0, 0, false
	}
	version, _ = strconv.Atoi(c.PostForm("version"))
	return id, eid, version, true
}

// episodeFailed shows the page again after a refused episode form: the errors by field, or
// the conflict (409) when someone changed the episode meanwhile.
func (f *Frontend) episodeFailed(c *gin.Context, id int64, err error, ef episodeForms) {
	r, ok := f.refused(c, err)
	if !ok {
		return
	}
	ef.Errors, ef.Conflict = r.fields, r.stale
	var verr *models.ValidationError
	if errors.As(err, &verr) {
		for _, fe := range verr.Fields {
			for _, w := range registry.PlacementWarnings {
				if fe.Field == "placement.acknowledged_warnings" && fe.Code == registry.WarningCode(w) {
					ef.Warnings = append(ef.Warnings, w)
				}
			}
		}
	}
	for _, w := range ef.Found.AcknowledgedWarnings {
		if slices.Contains(registry.PlacementWarnings, w) && !slices.Contains(ef.Warnings, w) {
			ef.Warnings = append(ef.Warnings, w)
		}
	}
	f.renderChildMissing(c, id, r.status(), childMissingState{episode: &ef})
}

// optional is a form value as a PATCH field: present (possibly empty, which clears it).
func optional(c *gin.Context, name string) *string {
	v, ok := c.GetPostForm(name)
	if !ok {
		return nil
	}
	return &v
}

func (f *Frontend) recordMissingReaction(c *gin.Context) {
	id, eid, version, ok := f.episodePost(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	in := registry.ReactionInput{PoliceReportedAt: optional(c, "police_reported_at"), PoliceReference: optional(c, "police_reference"),
		HotlineNotifiedAt: optional(c, "hotline_notified_at"), SISRequestedAt: optional(c, "sis_requested_at"),
		SISReference: optional(c, "sis_reference"), GuardianInformedAt: optional(c, "guardian_informed_at")}
	_, err := f.Registry.RecordReaction(ctx, auth.ActorFrom(ctx), id, eid, version, in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d/missing?saved=reaction#episode-%d", id, eid))
		return
	}
	f.episodeFailed(c, id, err, episodeForms{Episode: registry.MissingEpisodeView{MissingEpisode: models.MissingEpisode{ID: eid}}, Form: "reaction",
		Reaction: reactionForm{PoliceReportedAt: c.PostForm("police_reported_at"), PoliceReference: c.PostForm("police_reference"),
			HotlineNotifiedAt: c.PostForm("hotline_notified_at"), SISRequestedAt: c.PostForm("sis_requested_at"),
			SISReference: c.PostForm("sis_reference"), GuardianInformedAt: c.PostForm("guardian_informed_at")}})
}

func (f *Frontend) recordMissingFound(c *gin.Context) {
	id, eid, version, ok := f.episodePost(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	form := foundForm{FoundAt: c.PostForm("found_at"), FoundPlace: c.PostForm("found_place"), FoundBy: c.PostForm("found_by"),
		Condition: c.PostForm("condition"), Notes: c.PostForm("notes"), FacilityID: strings.TrimSpace(c.PostForm("facility_id")),
		Reason: c.PostForm("reason"), DecidedBy: c.PostForm("decided_by"), WarningJustification: c.PostForm("warning_justification"),
		AcknowledgedWarnings: c.PostFormArray("acknowledged_warnings")}
	in := registry.FoundInput{FoundAt: form.FoundAt, FoundPlace: form.FoundPlace, FoundBy: form.FoundBy, Condition: form.Condition, Notes: form.Notes}
	if form.FacilityID != "" {
		fid, _ := strconv.ParseInt(form.FacilityID, 10, 64)
		cur, _ := strconv.ParseInt(c.PostForm("current_placement_id"), 10, 64)
		ack := form.AcknowledgedWarnings
		if ack == nil {
			ack = []string{}
		}
		in.Placement = &registry.PlacementInput{FacilityID: fid, StartedAt: form.FoundAt, Reason: form.Reason, DecidedBy: form.DecidedBy,
			CurrentPlacementID: cur, AcknowledgedWarnings: ack, WarningJustification: form.WarningJustification}
	}
	_, err := f.Registry.RecordFound(ctx, auth.ActorFrom(ctx), id, eid, version, in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d/missing?saved=found#episode-%d", id, eid))
		return
	}
	f.episodeFailed(c, id, err, episodeForms{Episode: registry.MissingEpisodeView{MissingEpisode: models.MissingEpisode{ID: eid}}, Form: "found", Found: form})
}

func (f *Frontend) recordReturnInterview(c *gin.Context) {
	id, eid, version, ok := f.episodePost(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	in := registry.InterviewInput{HeldAt: c.PostForm("held_at"), HeldBy: c.PostForm("held_by"), Summary: c.PostForm("summary")}
	_, err := f.Registry.RecordReturnInterview(ctx, auth.ActorFrom(ctx), id, eid, version, in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d/missing?saved=interview#episode-%d", id, eid))
		return
	}
	f.episodeFailed(c, id, err, episodeForms{Episode: registry.MissingEpisodeView{MissingEpisode: models.MissingEpisode{ID: eid}}, Form: "interview", Interview: in})
}

func (f *Frontend) missingSheet(c *gin.Context) {
	id, eid, ok := f.pathIDs(c, "eid")
	if !ok {
		return
	}
	s, err := f.Registry.MissingEpisode(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id, eid)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "missing_sheet", "missing.sheet_title", s)
}
