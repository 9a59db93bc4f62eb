package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// etag is the entity tag of a record version.
func etag(version int) string { return fmt.Sprintf(`"%d"`, version) }

// ifMatch reads the version an update is based on; 0 when the header is missing (→ 428),
// -1 when it cannot be a version of ours (→ 412).
func ifMatch(c *gin.Context) int {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" {
		return 0
	}
	h = strings.TrimPrefix(h, "W/")
	v, err := strconv.Atoi(strings.Trim(h, `"`))
	if err != nil || v <= 0 {
		return -1
	}
	return v
}

// versionedUpdate is every update with optimistic concurrency: it decodes the JSON body into
// body, reads the If-Match version (missing → the use case answers 428; malformed → 412, it
// can only be stale), runs update and answers with the result and its new ETag.
func versionedUpdate[T any](c *gin.Context, body *T, update func(ctx context.Context, a *models.Actor, version int) (any, int, error)) {
	if err := decodeJSON(c, body); err != nil {
		WriteError(c, err)
		return
	}
	version := ifMatch(c)
	if version < 0 {
		WriteError(c, models.ErrConflict)
		return
	}
	ctx := c.Request.Context()
	out, newVersion, err := update(ctx, auth.ActorFrom(ctx), version)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("ETag", etag(newVersion))
	c.JSON(http.StatusOK, out)
}

// pathID parses the :id parameter; a malformed id is simply not found.
func pathID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		WriteError(c, models.ErrNotFound)
		return 0, false
	}
	return id, true
}

func (a *API) listChildren(c *gin.Context) {
	q, ok := listQueryOf(c, "after", "limit")
	if !ok {
		return
	}
	page, err := a.Registry.ListChildren(c.Request.Context(), auth.ActorFrom(c.Request.Context()), q.After, q.Limit)
	if err != nil {
		WriteError(c, err)
		return
	}
	if page.Items == nil {
		page.Items = []registry.ChildView{}
	}
	c.JSON(http.StatusOK, page)
}

func (a *API) getChild(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	v, err := a.Registry.GetChild(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

func (a *API) updateChild(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var p registry.ChildPatch
	versionedUpdate(c, &p, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		v, err := a.Registry.UpdateChild(ctx, act, id, version, p)
		return v, v.Version, err
	})
}

// transitionChild changes a child's status by a named transition (If-Match like every update).
func (a *API) transitionChild(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.TransitionInput
	versionedUpdate(c, &in, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		v, err := a.Registry.TransitionChild(ctx, act, id, version, in)
		return v, v.Version, err
	})
}

// accessEvent is one row of a child's access history as the API shows it.
type accessEvent struct {
	At      string              `json:"at"`
	Actor   string              `json:"actor"`
	Roles   string              `json:"roles"`
	Action  string              `json:"action"`
	Outcome string              `json:"outcome"`
	Reason  string              `json:"reason,omitempty"`
	Changes models.AuditChanges `json:"changes,omitempty"`
}

func (a *API) childAccessHistory(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	if _, ok := listQueryOf(c); !ok {
		return
	}
	evs, err := a.Registry.AccessHistory(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id, 0)
	if err != nil {
		WriteError(c, err)
		return
	}
	out := make([]accessEvent, len(evs))
	for i, e := range evs {
		out[i] = accessEvent{At: e.OccurredAt.UTC().Format("2006-01-02T15:04:05Z"), Actor: e.ActorSubject, Roles: e.ActorRoles,
			Action: e.Action, Outcome: e.Outcome, Reason: e.Reason, Changes: e.Changes}
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (a *API) breakGlass(c *gin.Context) {
	var in registry.BreakGlassInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, err)
		return
	}
	g, err := a.Registry.BreakGlass(c.Request.Context(), auth.ActorFrom(c.Request.Context()), in)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("Location", fmt.Sprintf("%s/children/%d", Prefix, g.ChildID))
	c.JSON(http.StatusCreated, g)
}
