package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
)

// Alerts (issue 10): the signed-in user's own alerts, newest first, and marking one read.

func (a *API) listAlerts(c *gin.Context) {
	if _, ok := listQueryOf(c); !ok {
		return
	}
	out, err := a.Registry.ListAlerts(c.Request.Context(), auth.ActorFrom(c.Request.Context()))
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
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
