package registry

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// How a name's count (for the duplicate search's weights) follows child_names (migration
// 00046): every statement that writes, removes or re-keys name rows appends its changes to
// name_count_queue, a heap without index, in its own transaction; a fold moves the queue into
// name_frequencies, one upsert per name for all the registrations of the interval. The view
// name_counts adds the changes not yet folded, so a reader of name_counts sees every
// committed name at once; name_frequencies alone lags by at most the fold interval.

// DefaultNameCountFoldEvery is how often NameCountFolder folds when Every is zero: the queue
// stays a second's registrations long (what a name_counts read scans), and name_frequencies
// a second behind.
const DefaultNameCountFoldEvery = time.Second

// FoldNameCounts folds the queued name-count changes into name_frequencies and returns how
// many it folded. Concurrent folds (every instance runs one) fold each change once.
func FoldNameCounts(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT kujdes_fold_name_counts()`).Row().Scan(&n)
	return n, err
}

// VacuumNameCountQueue vacuums name_count_queue and gives the emptied pages at its end back:
// every fold leaves the rows it deleted behind as dead rows, and every duplicate check scans
// the whole heap (name_counts), live or dead, empty pages too. Measured at 1 000 000 children
// loaded: an 81 MB queue heap of dead rows made the duplicate check's statement 76 ms, 54 of
// them scanning it. For after a bulk load or a surge, whether autovacuum runs or not;
// SKIP_LOCKED: when another instance is vacuuming it, this one does not wait.
func VacuumNameCountQueue(ctx context.Context, db *gorm.DB) error {
	return db.WithContext(ctx).Exec(`VACUUM (SKIP_LOCKED) name_count_queue`).Error
}

// nameCountQueueSize is the size of the queue's heap in bytes, dead rows and empty pages
// included: what every duplicate check scans.
func nameCountQueueSize(ctx context.Context, db *gorm.DB) (int64, error) {
	var size int64
	err := db.WithContext(ctx).Raw(`SELECT pg_relation_size('name_count_queue')`).Row().Scan(&size)
	return size, err
}

// vacuumNameCountQueueInPlace frees the queue's dead rows for the next changes to reuse but
// does not cut its end: cutting takes the table's exclusive lock for a moment, which every
// registration's names wait for, and in steady use the pages would only be added again.
func vacuumNameCountQueueInPlace(ctx context.Context, db *gorm.DB) error {
	return db.WithContext(ctx).Exec(`VACUUM (SKIP_LOCKED, TRUNCATE false) name_count_queue`).Error
}

// NameCountFolder calls FoldNameCounts every Every until stopped, and vacuums the queue once
// VacuumAfter changes have been folded since its last vacuum: in place, or, when the heap has
// grown past TruncateFrom bytes (a surge, a bulk load), cutting its emptied end too
// (VacuumNameCountQueue). Every instance runs one beside the server (cmd/kujdes serve,
// kujdes-bench).
type NameCountFolder struct {
	DB           *gorm.DB
	Every        time.Duration // zero: DefaultNameCountFoldEvery
	VacuumAfter  int64         // zero: DefaultNameCountVacuumAfter
	TruncateFrom int64         // zero: DefaultNameCountTruncateFrom
	Log          *slog.Logger  // nil: slog.Default()
}

// DefaultNameCountTruncateFrom is the queue heap size (8 MB, about 150 000 changes) from which
// the folder's vacuum cuts the emptied end; below it the pages are reused.
const DefaultNameCountTruncateFrom = 8 << 20

// DefaultNameCountVacuumAfter is how many folded changes (queue rows, now dead) NameCountFolder
// lets pile up before it vacuums the queue: about 50 pages of heap, a fraction of a
// millisecond to scan; at a thousand registrations a second (four or five names each), a
// vacuum every few seconds.
const DefaultNameCountVacuumAfter = 10_000

// Start folds in a goroutine until ctx ends or stop is called; stop waits for a fold under
// way, then folds once more, so that a server shut down cleanly leaves nothing queued.
func (f *NameCountFolder) Start(ctx context.Context) (stop func()) {
	every := f.Every
	if every <= 0 {
		every = DefaultNameCountFoldEvery
	}
	log := f.Log
	if log == nil {
		log = slog.Default()
	}
	vacuumAfter := f.VacuumAfter
	if vacuumAfter <= 0 {
		vacuumAfter = DefaultNameCountVacuumAfter
	}
	truncateFrom := f.TruncateFrom
	if truncateFrom <= 0 {
		truncateFrom = DefaultNameCountTruncateFrom
	}
	sized := func(ctx context.Context) (int64, bool) {
		size, err := nameCountQueueSize(ctx, f.DB)
		if err != nil && ctx.Err() == nil {
			log.Warn("sizing the name-count queue", "err", models.RedactError(err))
		}
		return size, err == nil
	}
	var dead int64 // folded since the last vacuum
	fold := func(ctx context.Context) {
		n, err := FoldNameCounts(ctx, f.DB)
		if err != nil {
			if ctx.Err() == nil {
				// The changes stay queued for the next fold; name_counts still counts them.
				log.Warn("folding name counts", "err", models.RedactError(err))
			}
			return
		}
		if dead += n; dead < vacuumAfter {
			return
		}
		size, ok := sized(ctx)
		if !ok {
			return // the next fold tries again
		}
		vacuum := vacuumNameCountQueueInPlace
		if size > truncateFrom {
			vacuum = VacuumNameCountQueue
		}
		if err := vacuum(ctx, f.DB); err != nil {
			if ctx.Err() == nil {
				log.Warn("vacuuming the name-count queue", "err", models.RedactError(err))
			}
			return
		}
		if size > truncateFrom {
			// The vacuum cuts the end only if it gets the table's exclusive lock within its
			// own few seconds (a long reader holds it off) and nothing live sits there: while
			// the heap is still past TruncateFrom, the next fold vacuums again instead of
			// waiting for VacuumAfter more changes, which a quiet queue may never see.
			if size, ok := sized(ctx); !ok || size > truncateFrom {
				return
			}
		}
		dead = 0
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				fold(ctx)
			}
		}
	}()
	return func() {
		cancel()
		<-done
		stopCtx, cancelStop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancelStop()
		fold(stopCtx)
	}
}
