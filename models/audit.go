package models

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// AuditEvent is one row of the trail (migrations/00003_audit.sql). Rows are only ever
// appended, with AppendAudit; the database refuses UPDATE, DELETE and TRUNCATE.
type AuditEvent struct {
	ID           int64 `gorm:"primaryKey"`
	OccurredAt   time.Time
	ActorUserID  *int64 `gorm:"column:actor_user_id"` // nil: anonymous, or a user not yet known
	ActorIssuer  string
	ActorSubject string
	ActorRoles   string // comma-joined
	Action       string // "child.read", "child.update", "denied", "login"…
	Entity       string // "child", "user"…
	EntityID     string `gorm:"column:entity_id"`
	Changes      AuditChanges
	RequestID    string `gorm:"column:request_id"`
	ClientIP     string `gorm:"column:client_ip"`
	Reason       string
	Outcome      string // "ok" unless set
	PrevHash     []byte
	Hash         []byte
}

// TableName is the table GORM reads and writes.
func (AuditEvent) TableName() string { return "audit_events" }

// AuditChanges names the fields an event changed. Sensitive fields appear with an empty
// FieldChange: the trail tells that they changed, never what they hold. Stored as jsonb.
type AuditChanges map[string]FieldChange

// FieldChange is one changed field; both values are left out when they are withheld.
type FieldChange struct {
	Before any `json:"before,omitempty"`
	After  any `json:"after,omitempty"`
}

// Value stores the changes as their canonical JSON (an empty object for nil).
func (c AuditChanges) Value() (driver.Value, error) {
	b, err := c.canonical()
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan reads the jsonb column.
func (c *AuditChanges) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*c = nil
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("audit changes: cannot scan %T", src)
	}
	m := AuditChanges{}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("audit changes: %w", err)
	}
	*c = m
	return nil
}

// canonical is the JSON that is stored and hashed.
func (c AuditChanges) canonical() ([]byte, error) {
	if c == nil {
		c = AuditChanges{}
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("audit changes: %w", err)
	}
	return canonicalChanges(raw)
}

// canonicalChanges re-encodes a JSON object the way the hash sees it: decoded into plain Go
// values and encoded again (sorted keys, Go's number and string forms). The writer applies it
// to what it sends and the verifier to what jsonb gives back, which differs in spacing, key
// order and number spelling but not in value. Decoding into `any` rather than FieldChange
// keeps keys that FieldChange would ignore, so adding one is detected too.
func canonicalChanges(raw []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("audit changes: %w", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("audit changes: not a json object")
	}
	b, err := json.Marshal(normalizeJSON(v))
	if err != nil {
		return nil, fmt.Errorf("audit changes: %w", err)
	}
	return b, nil
}

// normalizeJSON turns -0 into 0: Go writes "-0", which jsonb stores as 0.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case float64:
		if x == 0 {
			return float64(0)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
	}
	return v
}

// SetActor fills the actor columns from a (nil: anonymous, all columns empty).
func (ev *AuditEvent) SetActor(a *Actor) {
	ev.ActorUserID = nil
	ev.ActorIssuer, ev.ActorSubject, ev.ActorRoles = "", "", ""
	if a == nil {
		return
	}
	if a.UserID != 0 {
		id := a.UserID
		ev.ActorUserID = &id
	}
	ev.ActorIssuer = a.Issuer
	ev.ActorSubject = a.Subject
	ev.ActorRoles = a.RoleNames()
}

// auditLockKey is the pg_advisory_xact_lock that serializes appends. Any constant works as long
// as nothing else takes it: this one spells "kujdes" followed by 0x0001.
const auditLockKey int64 = 0x6b756a6465730001

// AppendAudit writes ev inside tx (the caller's transaction, the same one as the change it
// records), chaining its hash to the previous row. It sets ev's ID, OccurredAt (now when zero;
// always UTC, truncated to the microseconds PostgreSQL keeps), Outcome ("ok" when empty),
// PrevHash and Hash.
//
// Appends are serialized by a transaction-level advisory lock, held until the caller commits
// or rolls back: the next appender can read the last hash only once this row is committed (or
// gone), so two transactions can never chain to the same predecessor and fork the trail. The
// price is that audited transactions queue from their AppendAudit to their commit: call it as
// the last statement before commit. tx must be READ COMMITTED (PostgreSQL's default), whose
// statements see rows committed while waiting for the lock; under a stricter isolation a
// concurrent append fails on the unique prev_hash instead of forking.
func AppendAudit(ctx context.Context, tx *gorm.DB, ev *AuditEvent) error {
	if ev == nil {
		return errors.New("append audit: nil event")
	}
	if ev.Action == "" {
		return errors.New("append audit: action is required")
	}
	// Outside a transaction the advisory lock would be released at once, and the audit row
	// would not share the fate of the change it records.
	if _, ok := tx.Statement.ConnPool.(gorm.TxCommitter); !ok {
		return errors.New("append audit: not inside a transaction")
	}
	ev.ID = 0
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = time.Now()
	}
	ev.OccurredAt = ev.OccurredAt.UTC().Truncate(time.Microsecond)
	if ev.Outcome == "" {
		ev.Outcome = "ok"
	}
	changes, err := ev.Changes.canonical()
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}

	db := tx.WithContext(ctx)
	if err := db.Exec(`SELECT pg_advisory_xact_lock(?)`, auditLockKey).Error; err != nil {
		return fmt.Errorf("append audit: lock: %w", err)
	}
	prev := make([]byte, sha256.Size) // the first row chains to 32 zero bytes
	var last []byte
	err = db.Raw(`SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1`).Row().Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("append audit: read last hash: %w", err)
	default:
		prev = last
	}
	ev.PrevHash = prev
	ev.Hash = auditDigest(prev, ev, changes)
	if err := db.Create(ev).Error; err != nil {
		return fmt.Errorf("append audit: insert: %w", err)
	}
	return nil
}

// auditHashVersion starts every hashed record, so that a later encoding can be told apart.
const auditHashVersion = "kujdes-audit-v1"

// auditTimeLayout is RFC 3339 in UTC with exactly the six fractional digits PostgreSQL keeps.
const auditTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// auditDigest is SHA-256(prev || fields), each field written as its length (8 bytes, big
// endian) then its bytes, in a fixed order: version, occurred_at, actor_user_id (decimal,
// empty for NULL), actor_issuer, actor_subject, actor_roles, action, entity, entity_id,
// changes (canonical JSON), request_id, client_ip, reason, outcome. The id is left out: the
// sequence assigns it after hashing, and prev_hash already fixes the order.
func auditDigest(prev []byte, ev *AuditEvent, changes []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	var userID string
	if ev.ActorUserID != nil {
		userID = strconv.FormatInt(*ev.ActorUserID, 10)
	}
	for _, f := range []string{
		auditHashVersion,
		ev.OccurredAt.UTC().Format(auditTimeLayout),
		userID,
		ev.ActorIssuer,
		ev.ActorSubject,
		ev.ActorRoles,
		ev.Action,
		ev.Entity,
		ev.EntityID,
		string(changes),
		ev.RequestID,
		ev.ClientIP,
		ev.Reason,
		ev.Outcome,
	} {
		writeField(h, f)
	}
	return h.Sum(nil)
}

func writeField(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	io.WriteString(h, s)
}

// AuditVerification is the result of VerifyAudit.
type AuditVerification struct {
	// Checked counts the rows examined, the broken one included.
	Checked int64
	// FirstBrokenID is the id of the first row that fails, 0 when the chain is intact.
	FirstBrokenID int64
	// Problem says what is wrong with that row (English, for operators and logs).
	Problem string
}

// auditVerifyBatch is how many rows VerifyAudit reads per query.
const auditVerifyBatch = 500

// auditLink is a row as the verifier reads it: changes as the jsonb text, decoded by
// canonicalChanges rather than by AuditChanges.Scan, so that a tampered value that does not
// even fit AuditChanges is reported as a broken row, not as an error.
type auditLink struct {
	AuditEvent
	ChangesJSON string `gorm:"column:changes_json"`
}

// VerifyAudit walks the whole chain in id order (streaming in batches, not loading all rows)
// and reports the first broken link: a row whose prev_hash is not the previous row's hash (a
// row before it was removed, or inserted out of turn) or whose hash does not match its
// contents (the row was altered). Rows removed from the end of the trail leave no broken
// link; comparing Checked with a count kept elsewhere is what catches that.
func VerifyAudit(ctx context.Context, db *gorm.DB) (AuditVerification, error) {
	var res AuditVerification
	prev := make([]byte, sha256.Size)
	var prevID, after int64
	started := false
	for {
		q := db.WithContext(ctx).Table("audit_events").
			Select("id, occurred_at, actor_user_id, actor_issuer, actor_subject, actor_roles, action, " +
				"entity, entity_id, changes::text AS changes_json, request_id, client_ip, reason, " +
				"outcome, prev_hash, hash").
			Order("id").Limit(auditVerifyBatch)
		if started {
			q = q.Where("id > ?", after)
		}
		var rows []auditLink
		if err := q.Scan(&rows).Error; err != nil {
			return AuditVerification{}, fmt.Errorf("verify audit: %w", err)
		}
		for i := range rows {
			r := &rows[i]
			res.Checked++
			if problem := checkAuditLink(prev, prevID, started, r); problem != "" {
				res.FirstBrokenID = r.ID
				res.Problem = problem
				return res, nil
			}
			prev, prevID = r.Hash, r.ID
			after, started = r.ID, true
		}
		if len(rows) < auditVerifyBatch {
			return res, nil
		}
	}
}

// checkAuditLink returns what is wrong with r given the row before it (none when !hasPrev),
// or "".
func checkAuditLink(prev []byte, prevID int64, hasPrev bool, r *auditLink) string {
	if !bytes.Equal(r.PrevHash, prev) {
		if !hasPrev {
			return "prev_hash of the first row is not the zero hash: earlier rows were removed"
		}
		return fmt.Sprintf("prev_hash does not match the hash of row %d: a row between them was removed, or this one was inserted out of turn", prevID)
	}
	changes, err := canonicalChanges([]byte(r.ChangesJSON))
	if err != nil {
		return "changes is not a json object of field changes: the row was altered after it was written"
	}
	if !bytes.Equal(auditDigest(r.PrevHash, &r.AuditEvent, changes), r.Hash) {
		return "hash does not match the row's contents: the row was altered after it was written"
	}
	return ""
}

// Limits of AuditHistory.
const (
	defaultAuditHistoryLimit = 100
	maxAuditHistoryLimit     = 1000
)

// AuditHistory lists the events about one entity, newest first, limited (limit <= 0 means 100;
// at most 1000). It does not check permissions: the caller (PermChildHistory) does.
func AuditHistory(ctx context.Context, db *gorm.DB, entity, entityID string, limit int) ([]AuditEvent, error) {
	if entity == "" {
		return nil, errors.New("audit history: entity is required")
	}
	if limit <= 0 {
		limit = defaultAuditHistoryLimit
	}
	limit = min(limit, maxAuditHistoryLimit)
	events := []AuditEvent{}
	err := db.WithContext(ctx).
		Where("entity = ? AND entity_id = ?", entity, entityID).
		Order("id DESC").Limit(limit).
		Find(&events).Error
	if err != nil {
		return nil, fmt.Errorf("audit history: %w", err)
	}
	return events, nil
}
