package api

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"

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
	createVersioned(c, &in, func(ctx context.Context, act *models.Actor) (any, string, int, error) {
		v, err := a.Registry.LinkRelative(ctx, act, id, in)
		return v, fmt.Sprintf("%s/children/%d/relatives", Prefix, id), v.Version, err
	})
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
