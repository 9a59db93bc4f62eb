package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"
)

// AuditBatcher records the audit events of reads, which change nothing else, with group
// commit: the events of concurrent callers are inserted together, in one statement, and
// each caller returns only once its own event is committed. A read is therefore still never
// answered before its audit row is durable, but eight concurrent reads share one WAL flush
// instead of paying eight (measured in docs/audit-log.md, "Reads: group commit").
//
// There is no background goroutine and nothing to close: a caller that finds fewer than
// MaxFlushers flushes running becomes a flusher; events that arrive while batches commit wait
// for the next batch, which the same caller (or, once its own event is written, a short-lived
// goroutine) writes. Two flushes may commit at once, so that events arriving during one
// commit do not wait for it to end (PostgreSQL groups the two WAL flushes itself). A batch that fails is retried one event at a time, so one bad event fails only
// its own caller.
//
// Writes that change data must keep using AppendAudit inside their own transaction: their
// event shares the fate of the change.
type AuditBatcher struct {
	db *gorm.DB
	// MaxBatch bounds the events in one INSERT.
	MaxBatch int
	// MaxFlushers bounds the batches being written at once (at least 1).
	MaxFlushers int

	mu       sync.Mutex
	pending  []*batchItem
	flushers int // batches being written
}

type batchItem struct {
	ev    *AuditEvent
	done  chan error
	taken bool // in a batch being written (under the batcher's mu)
}

// NewAuditBatcher returns a batcher writing to db.
func NewAuditBatcher(db *gorm.DB) *AuditBatcher {
	return &AuditBatcher{db: db, MaxBatch: 500, MaxFlushers: 2}
}

// auditWriteTimeout bounds one batch's transaction; it does not depend on any one caller's
// context, since the batch carries the events of others.
const auditWriteTimeout = 30 * time.Second

// Append records ev (prepared as AppendAudit does: time, outcome, leaf hash) and returns once
// it is committed, or with the error that kept it out. When ctx ends first, Append returns
// ctx's error; the event may still be written (a read recorded but not answered is the safe
// side).
func (b *AuditBatcher) Append(ctx context.Context, ev *AuditEvent) error {
	if err := prepareAudit(ev); err != nil {
		return err
	}
	it := &batchItem{ev: ev, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, it)
	lead := b.flushers < max(b.MaxFlushers, 1)
	if lead {
		b.flushers++
	}
	b.mu.Unlock()
	if lead {
		b.flushUntil(it)
	}
	select {
	case err := <-it.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flushUntil writes batches until own is in a written batch or in another flusher's, then
// hands any events still waiting to a goroutine, so that its caller is not
// kept waiting for others' events. own is nil for that goroutine, which writes until none
// wait.
func (b *AuditBatcher) flushUntil(own *batchItem) {
	for {
		batch := b.take()
		if batch == nil {
			return
		}
		b.write(batch)
		if own == nil {
			continue
		}
		b.mu.Lock()
		if !own.taken {
			b.mu.Unlock()
			continue
		}
		idle := len(b.pending) == 0
		if idle {
			b.flushers--
		}
		b.mu.Unlock()
		if !idle {
			go b.flushUntil(nil)
		}
		return
	}
}

// take removes up to MaxBatch waiting events; nil, with the flusher role released, when none
// wait.
func (b *AuditBatcher) take() []*batchItem {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		b.flushers--
		return nil
	}
	n := min(len(b.pending), max(b.MaxBatch, 1))
	batch := b.pending[:n:n]
	b.pending = b.pending[n:]
	for _, it := range batch {
		it.taken = true
	}
	return batch
}

// write inserts batch in one statement and tells each caller; on failure each event is
// tried alone.
func (b *AuditBatcher) write(batch []*batchItem) {
	ctx, cancel := context.WithTimeout(context.Background(), auditWriteTimeout)
	defer cancel()
	evs := make([]*AuditEvent, len(batch))
	for i, it := range batch {
		evs[i] = it.ev
	}
	// One multi-row INSERT, committed by itself (atomic like any statement; durable when it
	// returns): no BEGIN and COMMIT round trips around it.
	err := insertAuditEvents(ctx, b.db, evs)
	if err == nil || len(batch) == 1 {
		if err != nil {
			err = fmt.Errorf("append audit: insert: %w", err)
		}
		for _, it := range batch {
			if err != nil {
				it.ev.ID = 0
			}
			it.done <- err
		}
		return
	}
	for _, it := range batch {
		it.ev.ID = 0
		err := insertAuditEvents(ctx, b.db, []*AuditEvent{it.ev})
		if err != nil {
			it.ev.ID = 0
			err = fmt.Errorf("append audit: insert: %w", err)
		}
		it.done <- err
	}
}

// auditInsertColumns are the columns of an appended event, all but id, in the order of
// auditInsertValues (TestAuditInsertColumns holds them to AuditEvent's columns).
var auditInsertColumns = []string{"occurred_at", "actor_user_id", "actor_issuer", "actor_subject", "actor_roles",
	"action", "entity", "entity_id", "changes", "request_id", "client_ip", "reason", "outcome", "prev_hash", "hash", "leaf_hash"}

func auditInsertValues(ev *AuditEvent) []any {
	return []any{ev.OccurredAt, ev.ActorUserID, ev.ActorIssuer, ev.ActorSubject, ev.ActorRoles,
		ev.Action, ev.Entity, ev.EntityID, ev.Changes, ev.RequestID, ev.ClientIP, ev.Reason, ev.Outcome, ev.PrevHash, ev.Hash, ev.LeafHash}
}

// insertAuditEvents inserts evs in one statement and sets their ids. It is written by hand
// rather than with GORM's Create, which builds the same statement by reflection over every
// field of every event (about 5 % of an audited read's CPU).
func insertAuditEvents(ctx context.Context, db *gorm.DB, evs []*AuditEvent) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	var q strings.Builder
	q.WriteString("INSERT INTO audit_events (" + strings.Join(auditInsertColumns, ", ") + ") VALUES ")
	args := make([]any, 0, len(evs)*len(auditInsertColumns))
	for i, ev := range evs {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for j, v := range auditInsertValues(ev) {
			if j > 0 {
				q.WriteString(", ")
			}
			args = append(args, v)
			q.WriteString("$" + strconv.Itoa(len(args)))
		}
		q.WriteByte(')')
	}
	q.WriteString(" RETURNING id")
	rows, err := sqlDB.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	// RETURNING gives the rows in the order of VALUES (as GORM's Create also takes them).
	for _, ev := range evs {
		if !rows.Next() {
			break
		}
		if err := rows.Scan(&ev.ID); err != nil {
			return err
		}
	}
	return rows.Close()
}

// prepareAudit checks ev and sets what AppendAudit sets before the insert.
func prepareAudit(ev *AuditEvent) error {
	_, err := prepareAuditChanges(ev)
	return err
}

// prepareAuditChanges is prepareAudit, returning the event's changes as the canonical JSON
// its leaf hash was computed over (what its changes column holds).
func prepareAuditChanges(ev *AuditEvent) ([]byte, error) {
	if ev == nil {
		return nil, errors.New("append audit: nil event")
	}
	if ev.Action == "" {
		return nil, errors.New("append audit: action is required")
	}
	ev.ID = 0
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = time.Now()
	}
	ev.OccurredAt = ev.OccurredAt.UTC().Truncate(time.Microsecond)
	if ev.Outcome == "" {
		ev.Outcome = "ok"
	}
	ev.PrevHash, ev.Hash = nil, nil
	changes, err := ev.Changes.canonical()
	if err != nil {
		return nil, fmt.Errorf("append audit: %w", err)
	}
	leaf := tlog.RecordHash(ev.leafRecord(changes))
	ev.LeafHash = leaf[:]
	return changes, nil
}
