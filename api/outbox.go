package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
)

// outboxKey hands the signed-in officer's registration page the key that encrypts its offline
// outbox (issue 13; docs/offline.md). Same-origin pages call it with the session cookie; the
// answer is never cached (noStore), and every hand-out is audited.
func (a *API) outboxKey(c *gin.Context) {
	k, err := a.Registry.OutboxKey(c.Request.Context(), auth.ActorFrom(c.Request.Context()))
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, k)
}
