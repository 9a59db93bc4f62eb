package api

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/models"
)

// outboxKey hands the signed-in officer's registration page the key that encrypts its offline
// outbox (issue 13; docs/offline.md). Same-origin pages call it with the session cookie; the
// answer is never cached (noStore), and every hand-out is audited.
func (a *API) outboxKey(c *gin.Context) {
	read(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.OutboxKey(ctx, act)
	})
}
