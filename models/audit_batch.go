package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"
)

// AuditBatcher records the audit events of reads, which change nothing else, with group
// commit: the events of concurrent callers are inserted together, in one transaction, and
// each caller returns only once its own event is committed. A read is therefore still never
// answered before its audit row is durable, but eight concurrent reads share one WAL flush
// instead of paying eight (measured in docs/audit-log.md, "Reads: group commit").
//
// There is no background goroutine and nothing to close: the caller that finds no flush
// running becomes the flusher; events that arrive while a batch commits wait for the next
// batch, which the same caller (or, once its own event is written, a short-lived goroutine)
// writes. A batch that fails is retried one event at a time, so one bad event fails only
// its own caller.
//
// Writes that change data must keep using AppendAudit inside their own transaction: their
// event shares the fate of the change.
type AuditBatcher struct {
	db *gorm.DB
	// MaxBatch bounds the events in one INSERT.
	MaxBatch int

	mu       sync.Mutex
	pending  []*batchItem
	flushing bool
}

type batchItem struct {
	ev   *AuditEvent
	done chan error
}

// NewAuditBatcher returns a batcher writing to db.
func NewAuditBatcher(db *gorm.DB) *AuditBatcher {
	return &AuditBatcher{db: db, MaxBatch: 500}
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
	lead := !b.flushing
	b.flushing = true
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

// flushUntil writes batches until own is written, then hands any events still waiting to a
// goroutine, so that its caller is not kept waiting for others' events. own is nil for that
// goroutine, which writes until none wait.
func (b *AuditBatcher) flushUntil(own *batchItem) {
	for {
		batch := b.take()
		if batch == nil {
			return
		}
		b.write(batch)
		if own == nil || !slices.Contains(batch, own) {
			continue
		}
		b.mu.Lock()
		idle := len(b.pending) == 0
		if idle {
			b.flushing = false
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
		b.flushing = false
		return nil
	}
	n := min(len(b.pending), max(b.MaxBatch, 1))
	batch := b.pending[:n:n]
	b.pending = b.pending[n:]
	return batch
}

// write inserts batch in one transaction and tells each caller; on failure each event is
// tried alone.
func (b *AuditBatcher) write(batch []*batchItem) {
	ctx, cancel := context.WithTimeout(context.Background(), auditWriteTimeout)
	defer cancel()
	evs := make([]*AuditEvent, len(batch))
	for i, it := range batch {
		evs[i] = it.ev
	}
	err := b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Create(evs).Error
	})
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
		err := b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return tx.Create(it.ev).Error })
		if err != nil {
			it.ev.ID = 0
			err = fmt.Errorf("append audit: insert: %w", err)
		}
		it.done <- err
	}
}

// prepareAudit checks ev and sets what AppendAudit sets before the insert.
func prepareAudit(ev *AuditEvent) error {
	if ev == nil {
		return errors.New("append audit: nil event")
	}
	if ev.Action == "" {
		return errors.New("append audit: action is required")
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
	record, err := ev.LeafRecord()
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	leaf := tlog.RecordHash(record)
	ev.LeafHash = leaf[:]
	return nil
}
