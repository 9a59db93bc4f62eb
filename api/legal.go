package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// A child's legal procedure (issue 10): the timeline with its derived status, and the two
// writes — add an event, void one. The timeline's version is its ETag; both writes need it in
// If-Match (missing → 428, stale → 412) and answer 201 with the timeline and its new ETag.

func (a *API) legalTimeline(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	readVersioned(c, func(ctx context.Context, act *models.Actor) (any, int, error) {
		v, err := a.Registry.LegalTimelineOf(ctx, act, id)
		return v, v.Version, err
	})
}

func (a *API) recordLegalEvent(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.LegalEventInput
	legalWrite(c, &in, func(act *models.Actor, version int) (registry.LegalTimeline, error) {
		return a.Registry.RecordLegalEvent(c.Request.Context(), act, id, version, in)
	})
}

func (a *API) voidLegalEvent(c *gin.Context) {
	id, eid, ok := pathIDs(c, "eid")
	if !ok {
		return
	}
	var in registry.LegalVoidInput
	legalWrite(c, &in, func(act *models.Actor, version int) (registry.LegalTimeline, error) {
		return a.Registry.VoidLegalEvent(c.Request.Context(), act, id, eid, version, in)
	})
}

// legalWrite decodes body, reads If-Match and answers 201 with the timeline after write.
func legalWrite[T any](c *gin.Context, body *T, write func(*models.Actor, int) (registry.LegalTimeline, error)) {
	if err := decodeJSON(c, body); err != nil {
		WriteError(c, err)
		return
	}
	version := ifMatch(c)
	if version < 0 {
		WriteError(c, models.ErrConflict)
		return
	}
	v, err := write(auth.ActorFrom(c.Request.Context()), version)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.Header("Location", fmt.Sprintf("%s/children/%d/legal-events", Prefix, v.ChildID))
	c.JSON(http.StatusCreated, v)
}
