package models

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// AuditEvent is one row of the trail (migrations/00003_audit.sql). Rows are only ever
// appended, with AppendAudit; the database refuses UPDATE, DELETE and TRUNCATE. The sealer
// (package auditlog) makes each one a leaf of a signed transparency log.
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
	// PrevHash and Hash are set only on events chained before the transparency log
	// (migrations/00013_audit_log.sql); nil on every event appended since.
	PrevHash []byte
	Hash     []byte
	// LeafHash is tlog.RecordHash(LeafRecord()), set by AppendAudit (nil on chained events).
	LeafHash []byte
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
	if plain, ok := c.plain(); ok {
		return json.Marshal(plain)
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("audit changes: %w", err)
	}
	return canonicalChanges(raw)
}

// plain gives the changes as canonicalChanges decodes them — a map of maps, so encoded with
// sorted keys — when every value is nil, a string in UTF-8 or a bool, which decoding gives back as they
// are (most events: withheld values, codes, flags). It spares a registration's event an
// encoding and a decoding (issue 8); TestAuditChangesPlainIsCanonical holds it to the full
// path.
func (c AuditChanges) plain() (map[string]any, bool) {
	out := make(map[string]any, len(c))
	for k, fc := range c {
		if !plainValue(fc.Before) || !plainValue(fc.After) {
			return nil, false
		}
		m := make(map[string]any, 2)
		if fc.Before != nil {
			m["before"] = fc.Before
		}
		if fc.After != nil {
			m["after"] = fc.After
		}
		out[k] = m
	}
	return out, true
}

// plainValue: v encodes as the decoding of its encoding does (a string not in UTF-8 does
// not: the first encoding writes its bad bytes as \ufffd, the second the character itself).
func plainValue(v any) bool {
	switch x := v.(type) {
	case nil, bool:
		return true
	case string:
		return utf8.ValidString(x)
	}
	return false
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

// AppendAudit writes ev inside tx (the caller's transaction, the same one as the change it
// records: the event exists exactly when the change does). It sets ev's ID, OccurredAt (now
// when zero; always UTC, truncated to the microseconds PostgreSQL keeps), Outcome ("ok" when
// empty) and LeafHash.
//
// It takes no lock and reads no other row: the event's leaf hash depends on the event alone
// (tlog.RecordHash of LeafRecord), so audited transactions run side by side. Its place in the
// log is given later by the sealer (package auditlog), which sees the row once it is committed
// (a trigger queues it in audit_pending) and builds the Merkle tree over committed events in
// the order they became visible. Until then the event is "pending": in the table, in the
// history pages, not yet covered by a signed checkpoint.
func AppendAudit(ctx context.Context, tx *gorm.DB, ev *AuditEvent) error {
	// Outside a transaction the audit row would not share the fate of the change it records.
	if tx == nil {
		return errors.New("append audit: not inside a transaction")
	}
	if _, ok := tx.Statement.ConnPool.(gorm.TxCommitter); !ok {
		return errors.New("append audit: not inside a transaction")
	}
	if err := prepareAudit(ev); err != nil {
		return err
	}
	if err := tx.WithContext(ctx).Create(ev).Error; err != nil {
		ev.ID = 0
		return fmt.Errorf("append audit: insert: %w", err)
	}
	return nil
}

// Record versions: the first field of every leaf record names its encoding, so that a later
// encoding can be told apart.
const (
	// auditHashVersion is the encoding of the rows chained before the transparency log
	// (migrations/00013_audit_log.sql): their record is prev_hash followed by these fields.
	auditHashVersion = "kujdes-audit-v1"
	// auditRecordVersion is the encoding of every event appended since: the fields alone.
	auditRecordVersion = "kujdes-audit-v2"
)

// auditTimeLayout is RFC 3339 in UTC with exactly the six fractional digits PostgreSQL keeps.
const auditTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// LeafRecord is the event's canonical encoding, the data of its leaf in the log
// (tlog.RecordHash(LeafRecord) is the leaf hash). It is each field written as its length (8
// bytes, big endian) then its bytes, in a fixed order: version, occurred_at, actor_user_id
// (decimal, empty for NULL), actor_issuer, actor_subject, actor_roles, action, entity,
// entity_id, changes (canonical JSON), request_id, client_ip, reason, outcome. The id is left
// out (the sequence assigns it after hashing; the log position fixes the order).
//
// An event chained before the log (PrevHash set, see the migration) keeps its old encoding:
// prev_hash, then the same fields under version "kujdes-audit-v1" — the bytes whose SHA-256
// is its old hash, so that hash can still be checked against the log.
func (ev *AuditEvent) LeafRecord() ([]byte, error) {
	changes, err := ev.Changes.canonical()
	if err != nil {
		return nil, err
	}
	return ev.leafRecord(changes), nil
}

// AuditLeafRecord is LeafRecord for an event read back from the database with its changes as
// the stored jsonb text (changesJSON), which is re-encoded canonically. A value that is not a
// JSON object is an error: the row was altered after it was written.
func AuditLeafRecord(ev *AuditEvent, changesJSON []byte) ([]byte, error) {
	changes, err := canonicalChanges(changesJSON)
	if err != nil {
		return nil, err
	}
	return ev.leafRecord(changes), nil
}

func (ev *AuditEvent) leafRecord(changes []byte) []byte {
	var b bytes.Buffer
	version := auditRecordVersion
	if ev.PrevHash != nil {
		version = auditHashVersion
		b.Write(ev.PrevHash)
	}
	var userID string
	if ev.ActorUserID != nil {
		userID = strconv.FormatInt(*ev.ActorUserID, 10)
	}
	for _, f := range []string{
		version,
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
		writeField(&b, f)
	}
	return b.Bytes()
}

func writeField(b *bytes.Buffer, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	b.Write(n[:])
	b.WriteString(s)
}

// ParseAuditLeafRecord decodes a leaf record (LeafRecord's output) back into an event, for an
// offline check that the event shown in a piece of evidence is the one in the log. Changes is
// returned as the canonical JSON text.
func ParseAuditLeafRecord(record []byte) (ev AuditEvent, changesJSON string, err error) {
	rest := record
	var fields []string
	if !bytes.HasPrefix(rest, fieldPrefix(auditRecordVersion)) {
		if len(rest) < sha256.Size || !bytes.HasPrefix(rest[sha256.Size:], fieldPrefix(auditHashVersion)) {
			return AuditEvent{}, "", errors.New("audit record: unknown encoding")
		}
		ev.PrevHash = bytes.Clone(rest[:sha256.Size])
		rest = rest[sha256.Size:]
	}
	for len(rest) > 0 {
		if len(rest) < 8 {
			return AuditEvent{}, "", errors.New("audit record: truncated")
		}
		n := binary.BigEndian.Uint64(rest[:8])
		if n > uint64(len(rest)-8) {
			return AuditEvent{}, "", errors.New("audit record: truncated")
		}
		fields = append(fields, string(rest[8:8+n]))
		rest = rest[8+n:]
	}
	if len(fields) != 14 {
		return AuditEvent{}, "", fmt.Errorf("audit record: %d fields, want 14", len(fields))
	}
	at, err := time.Parse(auditTimeLayout, fields[1])
	if err != nil {
		return AuditEvent{}, "", fmt.Errorf("audit record: occurred_at: %w", err)
	}
	ev.OccurredAt = at.UTC()
	if fields[2] != "" {
		id, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			return AuditEvent{}, "", fmt.Errorf("audit record: actor_user_id: %w", err)
		}
		ev.ActorUserID = &id
	}
	ev.ActorIssuer, ev.ActorSubject, ev.ActorRoles = fields[3], fields[4], fields[5]
	ev.Action, ev.Entity, ev.EntityID = fields[6], fields[7], fields[8]
	ev.RequestID, ev.ClientIP, ev.Reason, ev.Outcome = fields[10], fields[11], fields[12], fields[13]
	if err := ev.Changes.Scan(fields[9]); err != nil {
		return AuditEvent{}, "", err
	}
	// The record must be exactly what LeafRecord writes, so two encodings never share a leaf.
	if again := ev.leafRecord([]byte(fields[9])); !bytes.Equal(again, record) {
		return AuditEvent{}, "", errors.New("audit record: not in canonical form")
	}
	return ev, fields[9], nil
}

func fieldPrefix(s string) []byte {
	var b bytes.Buffer
	writeField(&b, s)
	return b.Bytes()
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
