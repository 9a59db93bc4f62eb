package models

import (
	"errors"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// AuditInsert is AppendAudit for a use case that writes its event in the same statement as
// its change (a data-modifying WITH clause: one round trip for several rows). It checks and
// prepares ev exactly as AppendAudit does (occurred_at, outcome, leaf hash) and returns the
// event's INSERT, with ? placeholders, ending in RETURNING id, and its values. The caller
// runs it inside tx and sets ev.ID from what it returns; the event then commits, or not,
// with the change, as with AppendAudit.
func AuditInsert(tx *gorm.DB, ev *AuditEvent) (string, []any, error) {
	if tx == nil {
		return "", nil, errors.New("append audit: not inside a transaction")
	}
	if _, ok := tx.Statement.ConnPool.(gorm.TxCommitter); !ok {
		return "", nil, errors.New("append audit: not inside a transaction")
	}
	return AuditInsertStatement(ev)
}

// AuditInsertStatement is AuditInsert for a write that is one statement and its own
// transaction (autocommit): the event's INSERT must be a part of that statement's WITH clause,
// never run alone, so that the event commits, or not, with the change. Anything else uses
// AuditInsert inside its transaction.
func AuditInsertStatement(ev *AuditEvent) (string, []any, error) {
	changes, err := prepareAuditChanges(ev)
	if err != nil {
		return "", nil, err
	}
	values := auditInsertValues(ev)
	// The changes as hashed, not encoded a second time by AuditChanges.Value.
	values[auditChangesColumn] = string(changes)
	return auditInsertSQL, values, nil
}

// auditInsertSQL is the event's INSERT with ? placeholders, in auditInsertColumns' order.
var auditInsertSQL = "INSERT INTO audit_events (" + strings.Join(auditInsertColumns, ", ") + ") VALUES (" +
	strings.TrimSuffix(strings.Repeat("?, ", len(auditInsertColumns)), ", ") + ") RETURNING id"

// auditChangesColumn is the place of the changes among auditInsertColumns.
var auditChangesColumn = slices.Index(auditInsertColumns, "changes")
