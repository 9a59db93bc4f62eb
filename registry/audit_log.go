package registry

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auditlog"
	"github.com/kujdes/kujdes/models"
)

// ErrAuditNotSealed: no signed checkpoint covers the event yet (the sealer adds one within
// seconds), or no signing key is configured.
var ErrAuditNotSealed = auditlog.ErrNotSealed

// AuditLogStatus is what the audit log page shows: the newest signed checkpoint, as served
// for monitors to keep, and the public key to check it with.
type AuditLogStatus struct {
	// Checkpoint is the signed note (empty before the first one); Size and SignedAt describe it.
	Checkpoint []byte
	Size       int64
	SignedAt   time.Time
	// Pending counts events not yet sealed.
	Pending int64
	// VerifierKey is the public key (empty when no signing key is configured).
	VerifierKey string
}

// AuditLogStatus returns the audit log's newest checkpoint and state. It holds no child data.
func (r *Registry) AuditLogStatus(ctx context.Context, a *models.Actor) (AuditLogStatus, error) {
	if err := require(a, models.PermAuditCheckpoint); err != nil {
		return AuditLogStatus{}, err
	}
	st := AuditLogStatus{VerifierKey: r.AuditVerifierKey}
	q, err := r.DB.WithContext(ctx).DB()
	if err != nil {
		return st, err
	}
	cp, err := auditlog.LatestCheckpoint(ctx, q)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return st, err
	default:
		st.Checkpoint, st.Size = cp.Note, cp.Size
		if err := q.QueryRowContext(ctx, `SELECT created_at FROM audit_checkpoints WHERE id = $1`, cp.ID).Scan(&st.SignedAt); err != nil {
			return st, err
		}
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM audit_pending`).Scan(&st.Pending); err != nil {
		return st, err
	}
	return st, nil
}

// AuditEvidence returns one event's evidence file (the event, its inclusion proof and the
// newest checkpoint; auditlog.Evidence), for an administrator to hand to a court or an
// inspector. The download is itself audited. models.ErrNotFound: no such event;
// ErrAuditNotSealed: not covered by a checkpoint yet.
func (r *Registry) AuditEvidence(ctx context.Context, a *models.Actor, eventID int64) ([]byte, error) {
	if err := require(a, models.PermAuditEvidence); err != nil {
		return nil, err
	}
	if r.AuditVerifierKey == "" {
		return nil, ErrAuditNotSealed
	}
	v, err := note.NewVerifier(r.AuditVerifierKey)
	if err != nil {
		return nil, err
	}
	var out []byte
	err = r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if out, err = auditlog.BuildEvidence(ctx, tx.Statement.ConnPool, v, eventID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "audit.evidence", "audit_event", strconv.FormatInt(eventID, 10), nil, "")
	})
	return out, err
}
