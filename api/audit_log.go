package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// auditCheckpoint serves the newest signed checkpoint of the audit log as text (a
// golang.org/x/mod/sumdb/note), for monitors to keep copies of.
func (a *API) auditCheckpoint(c *gin.Context) {
	st, err := a.Registry.AuditLogStatus(c.Request.Context(), auth.ActorFrom(c.Request.Context()))
	if err != nil {
		WriteError(c, err)
		return
	}
	if len(st.Checkpoint) == 0 {
		WriteError(c, models.ErrNotFound)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", st.Checkpoint)
}

// auditEvidence downloads one event's evidence file (auditlog.Evidence).
func (a *API) auditEvidence(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	data, err := a.Registry.AuditEvidence(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="kujdes-audit-event-%d.json"`, id))
	c.Data(http.StatusOK, "application/json", data)
}
