package frontend

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/registry"
)

// auditLog shows the signed audit log's newest checkpoint, its public key and how to check
// evidence offline (administrators and monitors).
func (f *Frontend) auditLog(c *gin.Context) {
	st, err := f.Registry.AuditLogStatus(c.Request.Context(), auth.ActorFrom(c.Request.Context()))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "audit_log", "audit_log.title", st)
}

// auditCheckpoint downloads the newest signed checkpoint as a text file.
func (f *Frontend) auditCheckpoint(c *gin.Context) {
	st, err := f.Registry.AuditLogStatus(c.Request.Context(), auth.ActorFrom(c.Request.Context()))
	if err != nil {
		f.fail(c, err)
		return
	}
	if len(st.Checkpoint) == 0 {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="kujdes-audit-checkpoint-%d.txt"`, st.Size))
	c.Data(http.StatusOK, "text/plain; charset=utf-8", st.Checkpoint)
}

// auditEvidence downloads one event's evidence file; before the sealer covered it, a page
// says to try again in a few seconds.
func (f *Frontend) auditEvidence(c *gin.Context) {
	id, ok := childID(c) // any positive id
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	data, err := f.Registry.AuditEvidence(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id)
	if errors.Is(err, registry.ErrAuditNotSealed) {
		f.r.render(c, http.StatusConflict, "message", "audit_log.not_sealed.title",
			message{TitleID: "audit_log.not_sealed.title", TextID: "audit_log.not_sealed.text", Link: c.Request.URL.Path, LinkID: "audit_log.try_again"})
		return
	}
	if err != nil {
		f.fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="kujdes-audit-event-%d.json"`, id))
	c.Data(http.StatusOK, "application/json", data)
}
