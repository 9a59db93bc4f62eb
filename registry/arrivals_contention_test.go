package registry

import (
	"fmt"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// TestRegistrationsShareNoCountRow: children registered at the same moment — seventeen
// brothers, one family name, each in its own open transaction — write their names without
// waiting for one another: their name counts are appended to the queue (migration 00046),
// which no other open registration holds a row of (before: to their own child's stripe,
// 00038; with the backend's stripe, 00028, seventeen connections had to meet on a total or
// family-name row and wait for its commit). The counts stay exact, and the fold adds the
// seventeen to one row.
func TestRegistrationsShareNoCountRow(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	const n = 17 // under the pool's 20 connections
	var txs []*gorm.DB
	defer func() {
		for _, tx := range txs {
			tx.Rollback()
		}
	}()
	for i := range n {
		tx := f.db.Begin()
		if tx.Error != nil {
			t.Fatal(tx.Error)
		}
		txs = append(txs, tx)
		// A wait on another open registration's row fails the statement instead of hanging
		// this goroutine, which holds that registration open.
		if err := tx.Exec(`SET LOCAL lock_timeout = '2s'`).Error; err != nil {
			t.Fatal(err)
		}
		c := models.Child{RegistrationNumber: fmt.Sprintf("AL-2026-%06d", 900+i), RegionID: f.region, BorderPostID: &f.post,
			Status: "active", GivenName: fmt.Sprintf("Brother%c", 'A'+i), FamilyName: "Ahmadi", Sex: "male",
			Nationalities: models.Strings{"AF"}, Languages: models.Strings{}, ProtectionStatus: "unaccompanied",
			Vulnerabilities: models.Strings{}, TraffickingIndicators: models.Strings{}, RegisteredAt: f.now, Version: 1}
		if err := tx.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		if err := tx.Create(NameRows(c.ID, c.GivenName, c.FamilyName, "", "", nil)).Error; err != nil {
			t.Fatalf("registration %d of %d open at once: %v", i+1, n, err)
		}
	}
	for _, tx := range txs {
		if err := tx.Commit().Error; err != nil {
			t.Fatal(err)
		}
	}
	txs = nil
	if kept, recount := recountedFrequencies(t, f); !slices.Equal(kept, recount) {
		t.Fatalf("name_frequencies\n%v\nrecount\n%v", kept, recount)
	}
	var sum, rows int64
	if err := f.db.Raw(`SELECT sum(n), count(*) FROM name_frequencies WHERE kind = 'family' AND skeleton = ?`,
		matching.Skeleton("Ahmadi")).Row().Scan(&sum, &rows); err != nil || sum != n || rows != 1 {
		t.Errorf("Ahmadi: %d in %d rows (%v), want %d in 1", sum, rows, err, n)
	}
}
