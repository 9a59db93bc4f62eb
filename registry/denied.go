package registry

import (
	"context"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/internal/requestid"
	"github.com/kujdes/kujdes/models"
)

// denied audits a refused single-child read (a child out of the actor's scope, or missing)
// and returns err unchanged otherwise. The read's own transaction has failed and rolled
// back, so the denial is written in its own short transaction; the caller is told nothing
// new — still "not found". Probing for children outside one's scope leaves a trace, and a
// burst of them shows on the administrators' emergency-access page (ListDeniedReads).
func (r *Registry) denied(ctx context.Context, a *models.Actor, err error) error {
	var d *deniedRead
	if !errors.As(err, &d) {
		return err
	}
	if aerr := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return auditDenied(ctx, tx, a, "child.read_denied", "child", strconv.FormatInt(d.childID, 10), r.now())
	}); aerr != nil {
		return aerr
	}
	return models.ErrNotFound
}

// auditDenied appends an event whose outcome is "denied", at the registry's clock (the one
// ListDeniedReads measures its window with).
func auditDenied(ctx context.Context, tx *gorm.DB, a *models.Actor, action, entity, entityID string, at time.Time) error {
	ev := &models.AuditEvent{
		OccurredAt: at, Action: action, Entity: entity, EntityID: entityID, Changes: models.AuditChanges{},
		Outcome: "denied", RequestID: requestid.From(ctx), ClientIP: requestid.ClientIP(ctx),
	}
	ev.SetActor(a)
	return models.AppendAudit(ctx, tx, ev)
}

// DeniedReadsWindow is how far back ListDeniedReads looks.
const DeniedReadsWindow = 24 * time.Hour

// DeniedReads counts one user's refused reads of children in the recent window.
type DeniedReads struct {
	UserID    int64     `json:"user_id"`
	UserLabel string    `json:"user"`
	Count     int64     `json:"count"`
	LastAt    time.Time `json:"last_at"`
}

// ListDeniedReads shows administrators who has had reads of children refused (out of scope or
// missing) in the last DeniedReadsWindow, most refusals first: a burst from one user is a
// probe. It names users, never children.
func (r *Registry) ListDeniedReads(ctx context.Context, a *models.Actor) ([]DeniedReads, error) {
	if err := require(a, models.PermAdminBreakGlass); err != nil {
		return nil, err
	}
	out := []DeniedReads{}
	err := r.DB.WithContext(ctx).Table("audit_events ev").
		Select(`ev.actor_user_id AS user_id,
			COALESCE(NULLIF(u.display_name, ''), NULLIF(u.username, ''), NULLIF(u.subject, ''), ev.actor_subject) AS user_label,
			count(*) AS count, max(ev.occurred_at) AS last_at`).
		Joins("LEFT JOIN users u ON u.id = ev.actor_user_id").
		Where("ev.action = 'child.read_denied' AND ev.occurred_at > ?", r.now().Add(-DeniedReadsWindow)).
		Group("ev.actor_user_id, u.display_name, u.username, u.subject, ev.actor_subject").
		Order("count DESC, last_at DESC, user_id").Scan(&out).Error
	return out, err
}
