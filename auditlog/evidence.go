package auditlog

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/kujdes/kujdes/models"
)

// EvidenceFormat names the evidence file's layout.
const EvidenceFormat = "kujdes-audit-evidence/v1"

// Evidence proves that one event is in the log a signed checkpoint describes: a court or an
// inspector checks it offline with the log's public key (`kujdes audit verify-proof`).
type Evidence struct {
	Format string `json:"format"`
	// Event is the event for reading; Record is what the log holds (the leaf's data), from
	// which CheckEvidence decodes the event again and compares.
	Event    EvidenceEvent `json:"event"`
	EventID  int64         `json:"event_id"`
	Position int64         `json:"position"`
	Record   []byte        `json:"record"`
	// Proof is the inclusion proof of the leaf at Position in the tree of Checkpoint's size
	// (tlog.ProveRecord), each hash base64.
	Proof      []tlog.Hash `json:"proof"`
	Checkpoint string      `json:"checkpoint"`
}

// EvidenceEvent is an event as people read it.
type EvidenceEvent struct {
	OccurredAt   time.Time       `json:"occurred_at"`
	ActorUserID  *int64          `json:"actor_user_id"`
	ActorIssuer  string          `json:"actor_issuer"`
	ActorSubject string          `json:"actor_subject"`
	ActorRoles   string          `json:"actor_roles"`
	Action       string          `json:"action"`
	Entity       string          `json:"entity"`
	EntityID     string          `json:"entity_id"`
	Changes      json.RawMessage `json:"changes"`
	RequestID    string          `json:"request_id"`
	ClientIP     string          `json:"client_ip"`
	Reason       string          `json:"reason"`
	Outcome      string          `json:"outcome"`
}

func evidenceEvent(ev *models.AuditEvent, changesJSON string) EvidenceEvent {
	return EvidenceEvent{
		OccurredAt: ev.OccurredAt.UTC(), ActorUserID: ev.ActorUserID, ActorIssuer: ev.ActorIssuer,
		ActorSubject: ev.ActorSubject, ActorRoles: ev.ActorRoles, Action: ev.Action, Entity: ev.Entity,
		EntityID: ev.EntityID, Changes: json.RawMessage(changesJSON), RequestID: ev.RequestID,
		ClientIP: ev.ClientIP, Reason: ev.Reason, Outcome: ev.Outcome,
	}
}

// BuildEvidence assembles the evidence for event id against the newest stored checkpoint
// that covers it, and checks it with v before handing it out (a log that no longer matches
// its checkpoint gives an error, not a false proof). models.ErrNotFound: no such event;
// ErrNotSealed: no checkpoint covers it yet.
func BuildEvidence(ctx context.Context, q Querier, v note.Verifier, id int64) ([]byte, error) {
	var r eventRow
	var pos sql.NullInt64
	err := r.scan(q.QueryRowContext(ctx, `SELECT l.position, `+eventColumns+`
		FROM audit_events e LEFT JOIN audit_log l ON l.event_id = e.id WHERE e.id = $1`, id), &pos)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, models.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	if !pos.Valid {
		return nil, ErrNotSealed
	}
	last, err := LatestCheckpoint(ctx, q)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && last.Size <= pos.Int64) {
		return nil, ErrNotSealed
	}
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	cp, err := OpenCheckpoint(last.Note, v)
	if err != nil {
		return nil, fmt.Errorf("evidence: stored checkpoint %d: %w", last.ID, err)
	}
	record, err := r.record()
	if err != nil {
		return nil, fmt.Errorf("evidence: event %d: %w", id, err)
	}
	proof, err := tlog.ProveRecord(cp.Size, pos.Int64, dbHashes{ctx, q})
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	_, changes, err := models.ParseAuditLeafRecord(record)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	e := Evidence{
		Format: EvidenceFormat, Event: evidenceEvent(&r.ev, changes), EventID: id, Position: pos.Int64,
		Record: record, Proof: proof, Checkpoint: string(cp.Note),
	}
	out, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	if _, _, err := CheckEvidence(out, v); err != nil {
		return nil, fmt.Errorf("evidence for event %d does not verify against checkpoint %d: %w (run `kujdes audit verify`)", id, last.ID, err)
	}
	return append(out, '\n'), nil
}

// CheckEvidence verifies an evidence file offline with the log's verifier key: the
// checkpoint's signature, the inclusion proof (tlog.CheckRecord) of the record's hash at its
// position, and that the event shown is the one the record holds. It returns the event (from
// the record) and the checkpoint.
func CheckEvidence(data []byte, v note.Verifier) (EvidenceEvent, Checkpoint, error) {
	var e Evidence
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return EvidenceEvent{}, Checkpoint{}, fmt.Errorf("evidence: %w", err)
	}
	if e.Format != EvidenceFormat {
		return EvidenceEvent{}, Checkpoint{}, fmt.Errorf("evidence: format %q is not %q", e.Format, EvidenceFormat)
	}
	cp, err := OpenCheckpoint([]byte(e.Checkpoint), v)
	if err != nil {
		return EvidenceEvent{}, Checkpoint{}, err
	}
	if e.Position < 0 || e.Position >= cp.Size {
		return EvidenceEvent{}, cp, fmt.Errorf("evidence: position %d is outside the checkpoint's %d events", e.Position, cp.Size)
	}
	if err := tlog.CheckRecord(e.Proof, cp.Size, cp.Root, e.Position, tlog.RecordHash(e.Record)); err != nil {
		return EvidenceEvent{}, cp, fmt.Errorf("evidence: the record is not at position %d of the signed tree: %w", e.Position, err)
	}
	ev, changes, err := models.ParseAuditLeafRecord(e.Record)
	if err != nil {
		return EvidenceEvent{}, cp, fmt.Errorf("evidence: %w", err)
	}
	inRecord := evidenceEvent(&ev, changes)
	a, _ := json.Marshal(inRecord)
	b, _ := json.Marshal(normalized(e.Event))
	if !bytes.Equal(a, b) {
		return EvidenceEvent{}, cp, errors.New("evidence: the event shown differs from the record in the log")
	}
	return inRecord, cp, nil
}

// normalized re-encodes the shown event's changes compactly, as the record has them.
func normalized(ev EvidenceEvent) EvidenceEvent {
	var buf bytes.Buffer
	if json.Compact(&buf, ev.Changes) == nil {
		ev.Changes = buf.Bytes()
	}
	ev.OccurredAt = ev.OccurredAt.UTC()
	return ev
}
