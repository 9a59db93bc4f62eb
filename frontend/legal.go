package frontend

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The "Legal procedure" section of the child page (issue 10): the timeline, the status derived
// from it, the form to add an event and, on each event, a form to void it with a reason.
// Template: partials/legal.html. The forms carry the timeline version they were shown with;
// a timeline that grew meanwhile answers 409 with the section as it is now and what was typed.

func (f *Frontend) legalRoutes(r gin.IRouter) {
	r.POST("/children/:id/legal-events", f.recordLegalEvent)
	r.POST("/children/:id/legal-events/:eid/void", f.voidLegalEvent)
}

// legalSection is what the section shows; nil on the child page when the reader may not read
// legal data.
type legalSection struct {
	Timeline registry.LegalTimeline
	Kinds    []string
	Outcomes []string
	Form     registry.LegalEventInput
	Errors   map[string]string
	Conflict bool
	// VoidFor is the event whose void form was refused (0: none), with what was typed.
	VoidFor    int64
	VoidReason string
	VoidErrors map[string]string
}

// VoidError is the message of field of the refused void form of event eid ("" when none).
func (s legalSection) VoidError(eid int64, field string) string {
	if s.VoidFor != eid {
		return ""
	}
	return s.VoidErrors[field]
}

// legalFor loads the section for child id with the forms as st leaves them.
func (f *Frontend) legalFor(c *gin.Context, id int64, st legalSection) (*legalSection, error) {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	if !a.Can(models.PermLegalRead) {
		return nil, nil
	}
	tl, err := f.Registry.LegalTimelineOf(ctx, a, id)
	if err != nil {
		return nil, err
	}
	st.Timeline, st.Kinds, st.Outcomes = tl, registry.LegalEventKinds, registry.LegalOutcomes
	if st.Form.OccurredOn == "" {
		st.Form.OccurredOn = f.now().Format("2006-01-02")
	}
	return &st, nil
}

func legalVersion(c *gin.Context) int {
	v, _ := strconv.Atoi(c.PostForm("version"))
	return v
}

func (f *Frontend) recordLegalEvent(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	// "legal_outcome": the child page has other forms with an "outcome" (age assessments).
	in := registry.LegalEventInput{Kind: c.PostForm("kind"), Outcome: c.PostForm("legal_outcome"), OccurredOn: strings.TrimSpace(c.PostForm("occurred_on")),
		Authority: c.PostForm("authority"), DocumentReference: c.PostForm("document_reference"),
		BestInterestsReference: c.PostForm("best_interests_reference"), Note: c.PostForm("note")}
	_, err := f.Registry.RecordLegalEvent(ctx, auth.ActorFrom(ctx), id, legalVersion(c), in)
	f.childFormResult(c, id, fmt.Sprintf("/children/%d#legal", id), err, func(p *childPage, r refusal) (err error) {
		p.Legal, err = f.legalFor(c, id, legalSection{Form: in, Errors: r.fields, Conflict: r.stale})
		return err
	})
}

func (f *Frontend) voidLegalEvent(c *gin.Context) {
	id, eid, ok := f.pathIDs(c, "eid")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	in := registry.LegalVoidInput{Reason: c.PostForm("reason")}
	_, err := f.Registry.VoidLegalEvent(ctx, auth.ActorFrom(ctx), id, eid, legalVersion(c), in)
	f.childFormResult(c, id, fmt.Sprintf("/children/%d#legal", id), err, func(p *childPage, r refusal) (err error) {
		p.Legal, err = f.legalFor(c, id, legalSection{VoidFor: eid, VoidReason: in.Reason, VoidErrors: r.fields, Conflict: r.stale})
		return err
	})
}
