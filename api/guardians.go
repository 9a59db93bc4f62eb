package api

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The guardianship resources (issue 9): the guardian registry, a child's guardianship,
// suggestions, appointments, declared conflicts, visits and the "My wards" board.

func (a *API) listGuardians(c *gin.Context) {
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return items(a.Registry.ListGuardians(ctx, act))
	})
}

func (a *API) createGuardian(c *gin.Context) {
	var in registry.GuardianInput
	createVersioned(c, &in, func(ctx context.Context, act *models.Actor) (any, string, int, error) {
		g, err := a.Registry.CreateGuardian(ctx, act, in)
		return g, fmt.Sprintf("%s/guardians/%d", Prefix, g.ID), g.Version, err
	})
}

func (a *API) getGuardian(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	readVersioned(c, func(ctx context.Context, act *models.Actor) (any, int, error) {
		g, err := a.Registry.GetGuardian(ctx, act, id)
		return g, g.Version, err
	})
}

func (a *API) updateGuardian(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.GuardianInput
	versionedUpdate(c, &in, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		g, err := a.Registry.UpdateGuardian(ctx, act, id, version, in)
		return g, g.Version, err
	})
}

func (a *API) getGuardianship(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	read(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.Guardianship(ctx, act, id)
	})
}

func (a *API) suggestGuardians(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	read(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return items(a.Registry.SuggestGuardians(ctx, act, id))
	})
}

func (a *API) appointGuardian(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.AppointInput
	createVersioned(c, &in, func(ctx context.Context, act *models.Actor) (any, string, int, error) {
		ap, err := a.Registry.AppointGuardian(ctx, act, id, in)
		return ap, fmt.Sprintf("%s/children/%d/guardianship", Prefix, id), ap.Version, err
	})
}

// appointmentStep answers a versioned step on one appointment (:id the child, :aid the
// appointment): end, first meeting.
func appointmentStep[T any](c *gin.Context, in *T, step func(ctx context.Context, act *models.Actor, id, aid int64, version int) (registry.AppointmentView, error)) {
	id, aid, ok := pathIDs(c, "aid")
	if !ok {
		return
	}
	versionedUpdate(c, in, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		ap, err := step(ctx, act, id, aid, version)
		return ap, ap.Version, err
	})
}

func (a *API) endAppointment(c *gin.Context) {
	var in registry.EndInput
	appointmentStep(c, &in, func(ctx context.Context, act *models.Actor, id, aid int64, version int) (registry.AppointmentView, error) {
		return a.Registry.EndAppointment(ctx, act, id, aid, version, in)
	})
}

func (a *API) recordFirstMeeting(c *gin.Context) {
	var in registry.FirstMeetingInput
	appointmentStep(c, &in, func(ctx context.Context, act *models.Actor, id, aid int64, version int) (registry.AppointmentView, error) {
		return a.Registry.RecordFirstMeeting(ctx, act, id, aid, version, in)
	})
}

func (a *API) declareConflict(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.ConflictInput
	create(c, &in, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.DeclareConflict(ctx, act, id, in)
	})
}

func (a *API) recordVisit(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.VisitInput
	create(c, &in, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.RecordVisit(ctx, act, id, in)
	})
}

func (a *API) myWards(c *gin.Context) {
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return items(a.Registry.MyWards(ctx, act))
	})
}
