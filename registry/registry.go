package registry

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/compliance"
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
	// Reads records the audit events of reads with group commit (models.AuditBatcher); nil
	// writes each read's event in its own transaction.
	Reads *models.AuditBatcher
	// MissingRules holds the thresholds of the missing-child standards (S9, S10); zero fields
	// take DefaultMissingRules (issue 10).
	MissingRules MissingRules
	// LifecycleRules holds the thresholds of S11 and S13 (issue 10); zero fields take
	// DefaultLifecycleRules.
	LifecycleRules LifecycleRules
	// ComplianceThresholds (issue 11) overrides the thresholds of the standards that have no
	// setting of their own — S4 (hours), S5 (days), S7 (months), S10 (hours, through
	// MissingRules.ReturnInterviewWithin); KUJDES_COMPLIANCE_THRESHOLDS.
	// The rules of the other standards come from the fields above.
	ComplianceThresholds map[compliance.Code]int
	// Transliterations limits each user's Latin-spelling suggestions while typing (issue 13,
	// transliterate.go); nil refuses them.
	Transliterations *CheckLimiter
	// ComplianceLists limits each user's compliance violation lists, violation pages and list
	// exports (issue 11: every list of children is rate-limited; DefaultComplianceListLimit).
	ComplianceLists *CheckLimiter
	// issue 11: compliance exports. ComplianceExportMax bounds the rows of one violation
	// export; 0 means ComplianceExportMaxRows.
	ComplianceExportMax int

	// What registrations keep between requests (issue 8), made on first use and shared by
	// copies of the registry (registrationState).
	state *registrationState
}

// New returns a Registry with the real clock, a one-hour break-glass and the default
// duplicate-check limit.
func New(db *gorm.DB) *Registry {
	return &Registry{DB: db, Now: time.Now, BreakGlassFor: time.Hour, Checks: NewCheckLimiter(DefaultCheckLimit),
		Reads: models.NewAuditBatcher(db), Transliterations: NewCheckLimiter(DefaultTransliterationLimit),
		ComplianceLists: NewCheckLimiter(DefaultComplianceListLimit)}
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
	return models.AppendAudit(ctx, tx, auditEvent(ctx, a, action, entity, entityID, changes, reason))
}

// auditEvent is the event audit appends (for a use case that writes it with models.AuditInsert).
func auditEvent(ctx context.Context, a *models.Actor, action, entity, entityID string, changes models.AuditChanges, reason string) *models.AuditEvent {
	ev := &models.AuditEvent{
		Action: action, Entity: entity, EntityID: entityID, Changes: changes, Reason: reason,
		Outcome: "ok", RequestID: requestid.From(ctx), ClientIP: requestid.ClientIP(ctx),
	}
	ev.SetActor(a)
	return ev
}

// auditRead records a read that changed nothing else and returns once its event is committed:
// the caller answers only after that. Writes use audit inside their own transaction instead.
func (r *Registry) auditRead(ctx context.Context, a *models.Actor, action, entity, entityID string, changes models.AuditChanges, reason string) error {
	ev := &models.AuditEvent{
		Action: action, Entity: entity, EntityID: entityID, Changes: changes, Reason: reason,
		Outcome: "ok", RequestID: requestid.From(ctx), ClientIP: requestid.ClientIP(ctx),
	}
	ev.SetActor(a)
	if r.Reads != nil {
		return r.Reads.Append(ctx, ev)
	}
	return r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return models.AppendAudit(ctx, tx, ev) })
}

// readChild is the one shape of an audited read of part of a child's record: the scope check
// (scopedChild), load, then the read's audit event (action, "break-glass" as its reason when
// the record is open only through emergency access), committed before the caller answers. A
// read refused by scope is recorded by denied. The reads run outside a transaction: they
// change nothing, and the audit event is written by auditRead.
func (r *Registry) readChild(ctx context.Context, a *models.Actor, childID int64, action string, load func(db *gorm.DB, c ChildView) error) error {
	return r.readScoped(ctx, a, childID, action, func(db *gorm.DB) (ChildView, error) {
		return r.scopedChild(db, a, childID, false)
	}, load)
}

// readScoped is readChild with the scoped read given (scopedChild or a scopedRow that fetches
// more columns of the same child in the same statement).
//
// Once the scoped read has decided the outcome (the child is in scope, and whether only
// through emergency access), the audit event is written while load reads the rest: the
// event's round trip and WAL flush overlap load's queries instead of following them. The
// caller still gets nothing before its event is committed: readScoped returns only when both
// are done, and an audit failure is returned (the caller answers an error, no data) even when
// load succeeded. A load that fails after its event was written leaves a read recorded but
// not answered — the safe side.
func (r *Registry) readScoped(ctx context.Context, a *models.Actor, childID int64, action string, scoped func(db *gorm.DB) (ChildView, error), load func(db *gorm.DB, c ChildView) error) error {
	db := r.DB.WithContext(ctx)
	c, err := scoped(db)
	if err != nil {
		return r.denied(ctx, a, err)
	}
	reason := ""
	if c.ViaBreakGlass {
		reason = "break-glass"
	}
	audited := make(chan error, 1)
	go func() {
		audited <- r.auditRead(ctx, a, action, "child", strconv.FormatInt(childID, 10), nil, reason)
	}()
	err = load(db, c)
	if aerr := <-audited; aerr != nil {
		return aerr
	}
	return err
}
