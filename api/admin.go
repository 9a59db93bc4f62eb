package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

func (a *API) listUsers(c *gin.Context) {
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return items(a.Registry.ListUsers(ctx, act))
	})
}

func (a *API) getUser(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	readVersioned(c, func(ctx context.Context, act *models.Actor) (any, int, error) {
		u, err := a.Registry.GetUser(ctx, act, id)
		if err != nil {
			return nil, 0, err
		}
		return u, u.Version, nil
	})
}

func (a *API) updateUser(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.UserUpdate
	versionedUpdate(c, &in, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		u, err := a.Registry.UpdateUser(ctx, act, id, version, in)
		if err != nil {
			return nil, 0, err
		}
		return u, u.Version, nil
	})
}

// listGrants lists the access grants waiting for a second administrator.
func (a *API) listGrants(c *gin.Context) {
	read(c, func(ctx context.Context, act *models.Actor) (any, error) {
		rows, err := a.Registry.ListGrants(ctx, act)
		if rows == nil {
			rows = []registry.GrantView{}
		}
		return items(rows, err)
	})
}

func (a *API) approveGrant(c *gin.Context) { a.decideGrant(c, true) }
func (a *API) refuseGrant(c *gin.Context)  { a.decideGrant(c, false) }

func (a *API) decideGrant(c *gin.Context, approve bool) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	g, err := a.Registry.DecideGrant(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id, approve)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

func (a *API) listRegions(c *gin.Context) {
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		regions, _, err := a.Registry.ReferenceData(ctx, act)
		return items(regions, err)
	})
}

func (a *API) listBorderPosts(c *gin.Context) {
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		_, posts, err := a.Registry.ReferenceData(ctx, act)
		return items(posts, err)
	})
}

func (a *API) createRegion(c *gin.Context) {
	var in registry.ReferenceInput
	create(c, &in, func(ctx context.Context, act *models.Actor) (any, error) {
		in.RegionCode = ""
		return a.Registry.CreateRegion(ctx, act, in)
	})
}

func (a *API) createBorderPost(c *gin.Context) {
	var in registry.ReferenceInput
	create(c, &in, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.CreateBorderPost(ctx, act, in)
	})
}

func (a *API) listBreakGlass(c *gin.Context) {
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		rows, err := a.Registry.ListBreakGlass(ctx, act, 0)
		if rows == nil {
			rows = []registry.BreakGlassEntry{}
		}
		return items(rows, err)
	})
}

func (a *API) listDeniedReads(c *gin.Context) {
	read(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return items(a.Registry.ListDeniedReads(ctx, act))
	})
}
