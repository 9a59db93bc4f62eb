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

// Facilities and placements (issue 9): the facility registry with its inspections, and each
// child's placements with their condition checks.

func (a *API) listFacilities(c *gin.Context) {
	q, ok := listQueryOf(c, "after", "limit", "region", "kind")
	if !ok {
		return
	}
	read(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.ListFacilities(ctx, act, registry.FacilityFilter{
			RegionCode: c.Query("region"), Kind: c.Query("kind"), After: q.After, Limit: q.Limit,
		})
	})
}

func (a *API) getFacility(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	readVersioned(c, func(ctx context.Context, act *models.Actor) (any, int, error) {
		v, err := a.Registry.GetFacility(ctx, act, id)
		return v, v.Version, err
	})
}

func (a *API) createFacility(c *gin.Context) {
	var in registry.FacilityInput
	createVersioned(c, &in, func(ctx context.Context, act *models.Actor) (any, string, int, error) {
		v, err := a.Registry.CreateFacility(ctx, act, in)
		return v, fmt.Sprintf("%s/facilities/%d", Prefix, v.ID), v.Version, err
	})
}

func (a *API) updateFacility(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.FacilityInput
	versionedUpdate(c, &in, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		v, err := a.Registry.UpdateFacility(ctx, act, id, version, in)
		return v, v.Version, err
	})
}

func (a *API) recordInspection(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.InspectionInput
	create(c, &in, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.RecordInspection(ctx, act, id, in)
	})
}

func (a *API) childPlacements(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.ChildPlacements(ctx, act, id)
	})
}

// recordPlacement answers 201 with the new placement; refusals, and warnings not yet
// acknowledged with a justification, are 422 naming each (field acknowledged_warnings, code
// placement_warning_<warning>); a decision taken on a stale view of the child's placements
// (current_placement_id) is 412.
func (a *API) recordPlacement(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.PlacementInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, err)
		return
	}
	v, err := a.Registry.RecordPlacement(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id, in)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("Location", fmt.Sprintf("%s/children/%d/placements", Prefix, id))
	c.JSON(http.StatusCreated, v)
}

func (a *API) recordPlacementCheck(c *gin.Context) {
	id, pid, ok := pathIDs(c, "pid")
	if !ok {
		return
	}
	var in registry.PlacementCheckInput
	create(c, &in, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.RecordPlacementCheck(ctx, act, id, pid, in)
	})
}
