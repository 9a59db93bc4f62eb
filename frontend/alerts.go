package frontend

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/requestid"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Alerts (issue 10): the header count on every signed-in page and the /alerts page.

func (f *Frontend) alertRoutes(r gin.IRouter) {
	r.GET("/alerts", f.alerts)
	r.POST("/alerts/:id/read", f.markAlertRead)
}

// alertsPage is the data of pages/alerts.html.
type alertsPage struct {
	registry.AlertList
}

func (f *Frontend) alerts(c *gin.Context) {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	list, err := f.Registry.ListAlerts(ctx, a)
	if err != nil {
		f.fail(c, err)
		return
	}
	// The alert e-mails are written in the language of the alerts page the user last opened.
	if loc := i18n.FromContext(ctx); loc != nil {
		if err := f.Registry.SetAlertLanguage(ctx, a, loc.Language.Tag); err != nil {
			f.Log.WarnContext(ctx, "alert language not saved", "err", models.RedactError(err), "request_id", requestid.From(ctx))
		}
	}
	f.r.render(c, http.StatusOK, "alerts", "alerts.title", alertsPage{AlertList: list})
}

func (f *Frontend) markAlertRead(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	if err := f.Registry.MarkAlertRead(ctx, auth.ActorFrom(ctx), id); err != nil {
		f.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/alerts")
}

// unreadAlerts is the header's count. A failure shows no count rather than failing the page
// (it is logged).
func (f *Frontend) unreadAlerts(ctx context.Context, a *models.Actor) int {
	if f.Registry == nil || a == nil || !a.Can(models.PermAlertsRead) {
		return 0
	}
	n, err := f.Registry.UnreadAlerts(ctx, a)
	if err != nil {
		f.Log.ErrorContext(ctx, "unread alerts", "err", models.RedactError(err), "request_id", requestid.From(ctx))
		return 0
	}
	return n
}
