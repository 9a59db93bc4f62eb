package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// Concurrent reads share transactions, and each Append returns only once its own event is
// committed: another connection sees it at once.
func TestAuditBatcherGroupsAndCommitsBeforeReturning(t *testing.T) {
	t.Parallel()
	raw := testdb.URL(t)
	db, other := open(t, raw), open(t, raw)
	b := models.NewAuditBatcher(db)
	const workers, each = 32, 15
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		all  []*models.AuditEvent
		errs = make(chan error, workers*each)
	)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				ev := &models.AuditEvent{Action: "child.read", Entity: "child", EntityID: fmt.Sprint(w*each + i), ActorRoles: "guardian"}
				if err := b.Append(context.Background(), ev); err != nil {
					errs <- err
					return
				}
				var n int64
				if err := other.Raw(`SELECT count(*) FROM audit_events WHERE id = ? AND entity_id = ?`, ev.ID, ev.EntityID).Scan(&n).Error; err != nil {
					errs <- err
					return
				}
				if n != 1 {
					errs <- fmt.Errorf("event %d (%s) not visible to another connection when Append returned", ev.ID, ev.EntityID)
					return
				}
				mu.Lock()
				all = append(all, ev)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(all) != workers*each || countRows(t, db) != workers*each {
		t.Fatalf("%d events returned, %d rows; want %d", len(all), countRows(t, db), workers*each)
	}
	wantLeafHashes(t, all...)
	// Rows written by one transaction share its xmin: fewer transactions than events means the
	// reads were grouped.
	var txs int64
	if err := db.Raw(`SELECT count(DISTINCT xmin::text) FROM audit_events`).Scan(&txs).Error; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events in %d transactions", workers*each, txs)
	if txs >= workers*each {
		t.Fatalf("%d events took %d transactions: no grouping", workers*each, txs)
	}
}

// One event the database refuses fails its own caller only: the batch is retried event by event.
func TestAuditBatcherBadEventFailsAlone(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	b := models.NewAuditBatcher(db)
	evs := []*models.AuditEvent{
		{Action: "child.read", Entity: "child", EntityID: "1"},
		{Action: "child.read", Entity: "child", EntityID: "2", Reason: "a NUL byte \x00 PostgreSQL refuses in text"},
		{Action: "child.read", Entity: "child", EntityID: "3"},
	}
	errs := b.WriteBatchForTest(evs)
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("good events failed: %v, %v", errs[0], errs[2])
	}
	if errs[1] == nil || evs[1].ID != 0 {
		t.Fatalf("the bad event: error %v, id %d; want an error and no id", errs[1], evs[1].ID)
	}
	var ids []string
	if err := db.Raw(`SELECT entity_id FROM audit_events ORDER BY entity_id`).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids) != "[1 3]" {
		t.Fatalf("rows %v, want [1 3]", ids)
	}
}

// A caller whose request ends stops waiting; the batcher keeps working for the others.
func TestAuditBatcherCancelledCaller(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	b := models.NewAuditBatcher(db)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := b.Append(ctx, &models.AuditEvent{Action: "child.read", Entity: "child", EntityID: "1"})
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Append: %v", err)
	}
	if err := b.Append(context.Background(), &models.AuditEvent{Action: "child.read", Entity: "child", EntityID: "2"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Append(context.Background(), &models.AuditEvent{Action: ""}); err == nil {
		t.Fatal("an event without an action was accepted")
	}
}
