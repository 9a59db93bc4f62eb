package registry

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestNameCountFoldsRaceWriters (migration 00046): folds running while names are written,
// removed and moved, three at a time as three instances would run them, fold every change
// once; the folder folds what is left when stopped.
func TestNameCountFoldsRaceWriters(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := t.Context()
	a := f.add(t, testChild{given: "Rahim", family: "Ahmadi", sex: "male", nats: []string{"AF"}})
	b := f.add(t, testChild{given: "Karim", family: "Sultani", sex: "male", nats: []string{"AF"}})
	stop := make(chan struct{})
	var folders sync.WaitGroup
	foldErrs := make(chan error, 3)
	for range 3 {
		folders.Go(func() {
			for {
				select {
				case <-stop:
					foldErrs <- nil
					return
				default:
				}
				if _, err := FoldNameCounts(ctx, f.db); err != nil {
					foldErrs <- err
					return
				}
			}
		})
	}
	var writers sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		writers.Go(func() {
			errs <- f.db.Transaction(func(tx *gorm.DB) error {
				child := []int64{a, b}[i%2]
				if err := tx.Create(NameRows(child, fmt.Sprintf("Given%c", 'A'+i), "Ahmadi", "", "", nil)).Error; err != nil {
					return err
				}
				switch i % 4 {
				case 1: // a name removed again
					return tx.Exec(`DELETE FROM child_names WHERE child_id = ? AND kind = 'given' AND latin = ?`, child, fmt.Sprintf("Given%c", 'A'+i)).Error
				case 3: // a merge's move
					return tx.Exec(`UPDATE child_names SET child_id = ? WHERE child_id = ? AND latin = ?`, a+b-child, child, fmt.Sprintf("Given%c", 'A'+i)).Error
				}
				return nil
			})
		})
	}
	writers.Wait()
	close(stop)
	folders.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if err := <-foldErrs; err != nil {
			t.Fatal(err)
		}
	}
	if kept, recount := recountedFrequencies(t, f); !slices.Equal(kept, recount) {
		t.Fatalf("after concurrent writers and folds: name_frequencies\n%v\nrecount\n%v", kept, recount)
	}

	// The folder folds on its tick and once more when stopped.
	if err := f.db.Create(NameRows(a, "Yusuf", "Karimi", "", "", nil)).Error; err != nil {
		t.Fatal(err)
	}
	stopFolder := (&NameCountFolder{DB: f.db, Every: time.Hour}).Start(ctx)
	if err := f.db.Create(NameRows(b, "Omar", "Karimi", "", "", nil)).Error; err != nil {
		t.Fatal(err)
	}
	stopFolder()
	var queued int64
	if err := f.db.Raw(`SELECT count(*) FROM name_count_queue`).Scan(&queued).Error; err != nil || queued != 0 {
		t.Fatalf("after the folder stopped: %d changes queued (%v)", queued, err)
	}
}
