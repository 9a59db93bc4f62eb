package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// Alerts (issue 10): the signed-in user's own alerts, newest first, and marking one read.

func (a *API) listAlerts(c *gin.Context) {
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.ListAlerts(ctx, act)
	})
}

func (a *API) markAlertRead(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	if err := a.Registry.MarkAlertRead(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id); err != nil {
		WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
