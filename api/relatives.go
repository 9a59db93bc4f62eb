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

// Family links between children (issue 9, siblings): a child's relatives, a new link, and
// the void of a link recorded in error.

func (a *API) childRelatives(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.ChildRelatives(ctx, act, id)
	})
}

// linkRelative answers 201 with the link as this child's reader sees it.
func (a *API) linkRelative(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.RelativeInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, err)
		return
	}
	v, err := a.Registry.LinkRelative(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id, in)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("Location", fmt.Sprintf("%s/children/%d/relatives", Prefix, id))
	c.Header("ETag", etag(v.Version))
	c.JSON(http.StatusCreated, v)
}

// voidRelative voids a link on the version in If-Match (missing → 428, stale → 412).
func (a *API) voidRelative(c *gin.Context) {
	id, rid, ok := pathIDs(c, "rid")
	if !ok {
		return
	}
	var in registry.VoidRelativeInput
	versionedUpdate(c, &in, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		v, err := a.Registry.VoidRelative(ctx, act, id, rid, version, in)
		return v, v.Version, err
	})
}
