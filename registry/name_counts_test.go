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

// queueWithoutAutovacuum is a fixture whose name-count queue autovacuum leaves alone, so
// that only the code under test vacuums it.
func queueWithoutAutovacuum(t *testing.T) *dupFixture {
	t.Helper()
	f := newDupFixture(t)
	if err := f.db.Exec(`ALTER TABLE name_count_queue SET (autovacuum_enabled = false)`).Error; err != nil {
		t.Fatal(err)
	}
	return f
}

// queueSurge queues 20 000 changes that cancel out (a name written and removed 10 000 times).
func queueSurge(t *testing.T, f *dupFixture) {
	t.Helper()
	if err := f.db.Exec(`INSERT INTO name_count_queue (kind, skeleton, d)
		SELECT 'given', 'zzsurge', CASE WHEN g % 2 = 0 THEN 1 ELSE -1 END FROM generate_series(1, 20000) AS g`).Error; err != nil {
		t.Fatal(err)
	}
}

// queueHeap is the size of the queue's heap in bytes.
func queueHeap(t *testing.T, f *dupFixture) int64 {
	t.Helper()
	n, err := nameCountQueueSize(t.Context(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNameCountFolderVacuumsQueue: the rows a fold deletes stay in the queue's heap, which
// every duplicate check scans, until a vacuum; the folder vacuums it once enough changes were
// folded, whether autovacuum runs or not (it is off for the queue here), and cuts the heap's
// emptied end once it has grown past TruncateFrom.
func TestNameCountFolderVacuumsQueue(t *testing.T) {
	t.Parallel()
	f := queueWithoutAutovacuum(t)
	queueSurge(t, f)
	before := queueHeap(t, f)
	if before < 50*8192 {
		t.Fatalf("the queue holds %d bytes after the surge: the test needs a large heap", before)
	}
	stop := (&NameCountFolder{DB: f.db, Every: 10 * time.Millisecond, VacuumAfter: 1000, TruncateFrom: 64 << 10}).Start(t.Context())
	defer stop()
	deadline := time.Now().Add(20 * time.Second)
	for queueHeap(t, f) > 2*8192 {
		if time.Now().After(deadline) {
			t.Fatalf("the queue's heap is still %d bytes (%d before the folds)", queueHeap(t, f), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var n int64
	if err := f.db.Raw(`SELECT count(*) FROM name_counts WHERE skeleton = 'zzsurge'`).Scan(&n).Error; err != nil || n != 0 {
		t.Fatalf("the surge's changes cancel out: %d counts of it (%v)", n, err)
	}
}

// TestNameCountFolderRetriesTruncation: a vacuum that could not cut the heap's end (a reader
// held the table past the vacuum's wait for its exclusive lock) is tried again at the next
// fold, not after VacuumAfter more changes, which a quiet queue may never see: without the
// retry the heap stays at 1 MB of empty pages that every duplicate check scans.
func TestNameCountFolderRetriesTruncation(t *testing.T) {
	t.Parallel()
	f := queueWithoutAutovacuum(t)
	queueSurge(t, f)
	before := queueHeap(t, f)
	reader := f.db.Begin()
	if reader.Error != nil {
		t.Fatal(reader.Error)
	}
	if err := reader.Exec(`LOCK TABLE name_count_queue IN ACCESS SHARE MODE`).Error; err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback()
	stop := (&NameCountFolder{DB: f.db, Every: 10 * time.Millisecond, VacuumAfter: 1000, TruncateFrom: 64 << 10}).Start(t.Context())
	defer stop()
	// The surge is folded, then the vacuum frees its rows but waits in vain for the lock to cut
	// the end (PostgreSQL gives up after 5 s).
	deadline := time.Now().Add(20 * time.Second)
	for {
		var live int64
		if err := f.db.Raw(`SELECT count(*) FROM name_count_queue`).Scan(&live).Error; err != nil {
			t.Fatal(err)
		}
		if live == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d changes still queued", live)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(6 * time.Second)
	if s := queueHeap(t, f); s != before {
		t.Fatalf("the heap went from %d to %d bytes while a reader held the table: the test needs the cut refused", before, s)
	}
	if err := reader.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(20 * time.Second)
	for queueHeap(t, f) > 2*8192 {
		if time.Now().After(deadline) {
			t.Fatalf("the queue's heap is still %d bytes after the reader left: the folder did not vacuum again", queueHeap(t, f))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestNameCountQueueVacuumInPlace: between surges, a vacuum in place leaves the heap's size
// as it is but frees its dead rows, so the next changes reuse the pages instead of adding
// to them.
func TestNameCountQueueVacuumInPlace(t *testing.T) {
	t.Parallel()
	f := queueWithoutAutovacuum(t)
	ctx := t.Context()
	surge := func() {
		queueSurge(t, f)
		if _, err := FoldNameCounts(ctx, f.db); err != nil {
			t.Fatal(err)
		}
	}
	surge()
	first := queueHeap(t, f)
	if err := vacuumNameCountQueueInPlace(ctx, f.db); err != nil {
		t.Fatal(err)
	}
	if s := queueHeap(t, f); s != first {
		t.Fatalf("a vacuum in place changed the heap from %d to %d bytes", first, s)
	}
	surge()
	if s := queueHeap(t, f); s > first {
		t.Fatalf("the second surge grew the heap from %d to %d bytes: the first one's pages were not reused", first, s)
	}
}
