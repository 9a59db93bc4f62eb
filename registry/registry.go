package registry

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/internal/requestid"
	"github.com/kujdes/kujdes/models"
)

// Registry runs the use cases. Handlers of both faces hold one.
type Registry struct {
	DB  *gorm.DB
	Now func() time.Time
	// BreakGlassFor is how long an emergency access lasts.
	BreakGlassFor time.Duration
	// RegistrationPrefix starts every registration number ("AL" → AL-2026-000123).
	RegistrationPrefix string
	// Checks limits each user's duplicate checks (and registrations that run one); nil
	// refuses every check.
	Checks *CheckLimiter
	// AuditVerifierKey is the public key of the audit log's checkpoints (auditlog.Key's
	// VerifierKey); empty when no signing key is configured.
	AuditVerifierKey string
	// GuardianRules holds the thresholds and calendar of the guardianship standards (S1, S2,
	// S3, S8); zero fields take DefaultGuardianRules.
	GuardianRules GuardianRules
	// LifecycleRules holds the thresholds of S11 and S13 (issue 10); zero fields take
	// DefaultLifecycleRules.
	LifecycleRules LifecycleRules
}

// New returns a Registry with the real clock, a one-hour break-glass and the default
// duplicate-check limit.
func New(db *gorm.DB) *Registry {
	return &Registry{DB: db, Now: time.Now, BreakGlassFor: time.Hour, Checks: NewCheckLimiter(DefaultCheckLimit)}
}

func (r *Registry) now() time.Time { return r.Now().UTC() }

// require checks that someone is signed in and holds p.
func require(a *models.Actor, p models.Permission) error {
	if a == nil {
		return models.ErrUnauthenticated
	}
	if !a.Can(p) {
		return models.ErrForbidden
	}
	return nil
}

// audit appends an event inside tx, the transaction of the change (or read) it records.
func audit(ctx context.Context, tx *gorm.DB, a *models.Actor, action, entity, entityID string, changes models.AuditChanges, reason string) error {
	ev := &models.AuditEvent{
		Action: action, Entity: entity, EntityID: entityID, Changes: changes, Reason: reason,
		Outcome: "ok", RequestID: requestid.From(ctx), ClientIP: requestid.ClientIP(ctx),
	}
	ev.SetActor(a)
	return models.AppendAudit(ctx, tx, ev)
}
