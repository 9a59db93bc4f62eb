package api

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The case lifecycle and information on rights (issue 10): the lifecycle section of a child,
// reunification and transfer (If-Match like every status change), transition plans (S13) and
// information on rights (S11). The 18th birthday has no route: the daily sweep ages out.

func (a *API) lifecycleRoutes(v1 gin.IRouter) {
	v1.GET("/children/:id/lifecycle", a.getLifecycle)
	v1.POST("/children/:id/reunify", a.reunify)
	v1.POST("/children/:id/transfer", a.transfer)
	v1.POST("/children/:id/transition-plans", a.recordTransitionPlan)
	v1.POST("/children/:id/rights-information", a.recordRightsInformation)
}

func (a *API) getLifecycle(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.Lifecycle(ctx, act, id)
	})
}

func (a *API) reunify(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.ReunifyInput
	versionedUpdate(c, &in, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		v, err := a.Registry.Reunify(ctx, act, id, version, in)
		return v, v.Version, err
	})
}

func (a *API) transfer(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.TransferInput
	versionedUpdate(c, &in, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		v, err := a.Registry.Transfer(ctx, act, id, version, in)
		return v, v.Version, err
	})
}

func (a *API) recordTransitionPlan(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.TransitionPlanInput
	create(c, &in, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.RecordTransitionPlan(ctx, act, id, in)
	})
}

func (a *API) recordRightsInformation(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.RightsInput
	create(c, &in, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.RecordRightsInformation(ctx, act, id, in)
	})
}
