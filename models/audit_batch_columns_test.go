package models_test

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm/schema"

	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// TestAuditInsertColumns: the batcher's hand-written INSERT names every column of
// AuditEvent but its id, so a field added to the event is not silently left out of reads'
// events; and an event it writes reads back with the leaf hash of its columns (what `audit
// verify` recomputes).
func TestAuditInsertColumns(t *testing.T) {
	t.Parallel()
	s, err := schema.Parse(&models.AuditEvent{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range s.Fields {
		if f.DBName != "" && f.DBName != "id" {
			want = append(want, f.DBName)
		}
	}
	cols, values := models.AuditInsertColumnsForTest()
	if got := slices.Sorted(slices.Values(cols)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("INSERT columns %v, AuditEvent's %v", got, want)
	}
	if values != len(cols) {
		t.Errorf("%d values for %d columns", values, len(cols))
	}

	db := testdb.New(t)
	user := int64(0)
	if err := db.Raw(`INSERT INTO users (issuer, subject, username) VALUES ('test', 'po', 'po') RETURNING id`).Scan(&user).Error; err != nil {
		t.Fatal(err)
	}
	evs := []*models.AuditEvent{
		{ActorUserID: &user, ActorIssuer: "test", ActorSubject: "po", ActorRoles: "protection_officer", Action: "child.read",
			Entity: "child", EntityID: "7", Changes: models.AuditChanges{"count": {After: 3}}, RequestID: "req-1", ClientIP: "10.0.0.1", Reason: "break-glass"},
		{Action: "child.read", Entity: "child", EntityID: "8"},
	}
	b := models.NewAuditBatcher(db)
	for _, ev := range evs {
		if err := b.Append(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	for _, ev := range evs {
		var got models.AuditEvent
		if err := db.Take(&got, ev.ID).Error; err != nil {
			t.Fatal(err)
		}
		record, err := got.LeafRecord()
		if err != nil {
			t.Fatal(err)
		}
		leaf := tlog.RecordHash(record)
		if !bytes.Equal(got.LeafHash, leaf[:]) || got.EntityID != ev.EntityID || got.Reason != ev.Reason || got.PrevHash != nil || got.Hash != nil {
			t.Errorf("event %d read back: %+v, leaf of its columns %x", ev.ID, got, leaf)
		}
	}
}
