package auditlog

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/kujdes/kujdes/models"
)

// sealerLockKey is the session-level advisory lock whose holder is the one sealer. It spells
// "kujdes" followed by 0x0002 (0x0001 was the old per-append lock).
const sealerLockKey int64 = 0x6b756a6465730002

// Step names a point in the sealer's work, for Sealer.Hook.
type Step string

// The steps, in order. A batch's steps up to StepDequeued run in one transaction: a crash
// before StepCommitted leaves no trace, one after it leaves the whole batch.
const (
	StepElected      Step = "elected"      // holds the lock on its dedicated connection
	StepBegun        Step = "begun"        // batch transaction open
	StepRead         Step = "read"         // pending events read, leaf hashes known
	StepPositioned   Step = "positioned"   // audit_log rows inserted
	StepHashed       Step = "hashed"       // tree hashes inserted
	StepDequeued     Step = "dequeued"     // audit_pending rows deleted
	StepCommitted    Step = "committed"    // batch committed
	StepSigned       Step = "signed"       // checkpoint signed, not stored yet
	StepCheckpointed Step = "checkpointed" // checkpoint stored
)

// Sealer gives committed audit events their log positions and signs checkpoints. Run it in
// every instance: exactly one at a time does the work.
type Sealer struct {
	DB *sql.DB
	// Key signs checkpoints; nil seals without signing (development without a key).
	Key *Key
	// BatchSize bounds the events sealed per transaction (default 2000).
	BatchSize int
	// Poll is the pause when nothing is pending (default 500 ms); Retry the pause before a
	// follower asks for the lock again, or before a failed leader starts over (default 2 s).
	Poll, Retry time.Duration
	// A checkpoint is signed when the tree has grown and CheckpointInterval has passed since
	// the last one, or it has grown by CheckpointEvents (defaults 10 s and 1000).
	CheckpointInterval time.Duration
	CheckpointEvents   int64
	// VacuumEvery is how many sealed events make the sealer vacuum its queue itself (default
	// 400,000). Each batch deletes its rows from audit_pending, and until a vacuum the next
	// batch's look-up walks the index entries of every row deleted before it: nothing in
	// steady state (a queue of a few rows), but a catch-up over millions of events would slow
	// down batch after batch while autovacuum waits for a fifth of the table to be dead.
	VacuumEvery int
	Log         *slog.Logger
	Now         func() time.Time
	// Hook, when set, is called at every step (tests): an error it returns stops the
	// sealer there as a crash would (the transaction is rolled back, the connection and with
	// it the lock are dropped).
	Hook func(ctx context.Context, step Step) error
}

// ErrNotLeader is Drain's error when another instance holds the sealer lock.
var ErrNotLeader = errors.New("another instance is sealing")

func (s *Sealer) defaults() {
	if s.BatchSize <= 0 {
		s.BatchSize = 2000
	}
	if s.Poll <= 0 {
		s.Poll = 500 * time.Millisecond
	}
	if s.Retry <= 0 {
		s.Retry = 2 * time.Second
	}
	if s.CheckpointInterval <= 0 {
		s.CheckpointInterval = 10 * time.Second
	}
	if s.CheckpointEvents <= 0 {
		s.CheckpointEvents = 1000
	}
	if s.VacuumEvery <= 0 {
		s.VacuumEvery = 400_000
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
}

// Run seals until ctx ends: as the leader while it holds the lock, else waiting to take over.
func (s *Sealer) Run(ctx context.Context) {
	s.defaults()
	for ctx.Err() == nil {
		err := s.lead(ctx, false)
		if err != nil && !errors.Is(err, ErrNotLeader) && ctx.Err() == nil {
			s.Log.Error("audit sealer stopped; another attempt follows", "err", models.RedactError(err))
		}
		sleep(ctx, s.Retry)
	}
}

// Drain seals everything pending now and signs a checkpoint for it (if there is a key),
// then returns: for `kujdes audit seal`, tests and tools. It fails with an error when
// another sealer holds the lock.
func (s *Sealer) Drain(ctx context.Context) error {
	s.defaults()
	return s.lead(ctx, true)
}

// lead takes the lock on a dedicated connection and seals on that same connection, so
// losing the connection loses the lock and the open batch together.
func (s *Sealer) lead(ctx context.Context, once bool) error {
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return err
	}
	var held bool
	defer func() {
		if held {
			// Unlock now (the server may notice a closed connection only later), then drop
			// the connection rather than return it to the pool: if the unlock failed, the
			// session lock goes with it, whatever state the session is in.
			unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_, _ = conn.ExecContext(unlockCtx, `SELECT pg_advisory_unlock($1)`, sealerLockKey)
			cancel()
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}()
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, sealerLockKey).Scan(&held); err != nil {
		return fmt.Errorf("sealer lock: %w", err)
	}
	if !held {
		return ErrNotLeader
	}
	if err := s.hook(ctx, StepElected); err != nil {
		return err
	}
	s.Log.Info("audit sealer elected")
	sinceVacuum := 0
	for {
		n, size, err := s.sealBatch(ctx, conn)
		if err != nil {
			return err
		}
		full := n == s.BatchSize
		if sinceVacuum += n; sinceVacuum >= s.VacuumEvery {
			s.vacuumQueue(ctx, conn)
			sinceVacuum = 0
		}
		if err := s.checkpoint(ctx, conn, size, once && !full); err != nil {
			return err
		}
		if once && !full {
			return nil
		}
		if !full && !sleep(ctx, s.Poll) {
			return ctx.Err()
		}
	}
}

// vacuumQueue vacuums audit_pending on the sealer's connection, between batches. It is an
// optimization only: a failure (a role that may not vacuum the table, say) is logged and
// sealing goes on.
func (s *Sealer) vacuumQueue(ctx context.Context, conn *sql.Conn) {
	if _, err := conn.ExecContext(ctx, `VACUUM audit_pending`); err != nil && ctx.Err() == nil {
		s.Log.Warn("audit sealer could not vacuum its queue; autovacuum will", "err", models.RedactError(err))
	}
}

func (s *Sealer) hook(ctx context.Context, step Step) error {
	if s.Hook == nil {
		return nil
	}
	return s.Hook(ctx, step)
}

// sealBatch gives positions to up to BatchSize committed pending events, in event id order,
// in one transaction. It returns how many it sealed and the tree size after.
func (s *Sealer) sealBatch(ctx context.Context, conn *sql.Conn) (int, int64, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	if err := s.hook(ctx, StepBegun); err != nil {
		return 0, 0, err
	}
	ids, leaves, err := readPending(ctx, tx, s.BatchSize)
	if err != nil {
		return 0, 0, err
	}
	size, err := treeSize(ctx, tx)
	if err != nil {
		return 0, 0, err
	}
	if len(ids) == 0 {
		return 0, size, tx.Commit()
	}
	if err := s.hook(ctx, StepRead); err != nil {
		return 0, 0, err
	}
	positions := make([]int64, len(ids))
	fresh := map[int64]tlog.Hash{}
	var idxs []int64
	var hashes [][]byte
	r := overlay{fresh: fresh, base: dbHashes{ctx, tx}}
	for i, leaf := range leaves {
		n := size + int64(i)
		positions[i] = n
		hs, err := tlog.StoredHashesForRecordHash(n, leaf, r)
		if err != nil {
			return 0, 0, fmt.Errorf("tree hashes for %d: %w", n, err)
		}
		first := tlog.StoredHashIndex(0, n)
		for j, h := range hs {
			fresh[first+int64(j)] = h
			idxs = append(idxs, first+int64(j))
			hashes = append(hashes, h[:])
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (position, event_id) SELECT * FROM unnest($1::bigint[], $2::bigint[])`, positions, ids); err != nil {
		return 0, 0, fmt.Errorf("insert positions: %w", err)
	}
	if err := s.hook(ctx, StepPositioned); err != nil {
		return 0, 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_tree_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, idxs, hashes); err != nil {
		return 0, 0, fmt.Errorf("insert tree hashes: %w", err)
	}
	if err := s.hook(ctx, StepHashed); err != nil {
		return 0, 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM audit_pending WHERE event_id = ANY($1)`, ids); err != nil {
		return 0, 0, fmt.Errorf("dequeue: %w", err)
	}
	if err := s.hook(ctx, StepDequeued); err != nil {
		return 0, 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("commit sealed batch: %w", err)
	}
	if err := s.hook(ctx, StepCommitted); err != nil {
		return 0, 0, err
	}
	return len(ids), size + int64(len(ids)), nil
}

// eventColumns are the columns a leaf record is built from, as eventRow scans them.
const eventColumns = `e.id, e.leaf_hash, e.prev_hash, e.hash, e.occurred_at, e.actor_user_id, e.actor_issuer,
	e.actor_subject, e.actor_roles, e.action, e.entity, e.entity_id, e.changes::text, e.request_id,
	e.client_ip, e.reason, e.outcome`

// eventRow is one event as read for sealing, verifying or evidence.
type eventRow struct {
	ev      models.AuditEvent
	changes string
}

func (r *eventRow) scan(sc interface{ Scan(...any) error }, extra ...any) error {
	ev := &r.ev
	dest := append(extra, &ev.ID, &ev.LeafHash, &ev.PrevHash, &ev.Hash, &ev.OccurredAt, &ev.ActorUserID, &ev.ActorIssuer,
		&ev.ActorSubject, &ev.ActorRoles, &ev.Action, &ev.Entity, &ev.EntityID, &r.changes, &ev.RequestID,
		&ev.ClientIP, &ev.Reason, &ev.Outcome)
	return sc.Scan(dest...)
}

// record is the event's leaf record recomputed from its columns.
func (r *eventRow) record() ([]byte, error) {
	return models.AuditLeafRecord(&r.ev, []byte(r.changes))
}

// readPending reads up to limit committed pending events, oldest id first, with their leaf
// hashes: the stored one, or for a row chained before the log, computed from its columns.
func readPending(ctx context.Context, tx *sql.Tx, limit int) ([]int64, []tlog.Hash, error) {
	// The LIMIT is taken in the queue first: joined as one, a long queue (a sealer catching
	// up on millions of events) got a merge join that scanned every sealed event's index
	// entry for each batch (3 s a batch at 3 M sealed).
	rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+`
		FROM (SELECT event_id FROM audit_pending ORDER BY event_id LIMIT $1) p
		JOIN audit_events e ON e.id = p.event_id
		ORDER BY p.event_id`, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("read pending events: %w", err)
	}
	defer rows.Close()
	var ids []int64
	var leaves []tlog.Hash
	for rows.Next() {
		var r eventRow
		if err := r.scan(rows); err != nil {
			return nil, nil, err
		}
		var leaf tlog.Hash
		if len(r.ev.LeafHash) == tlog.HashSize {
			leaf = tlog.Hash(r.ev.LeafHash)
		} else {
			rec, err := r.record()
			if err != nil {
				return nil, nil, fmt.Errorf("event %d: %w", r.ev.ID, err)
			}
			leaf = tlog.RecordHash(rec)
		}
		ids = append(ids, r.ev.ID)
		leaves = append(leaves, leaf)
	}
	return ids, leaves, rows.Err()
}

// checkpoint signs and stores a checkpoint for size when one is due (or force). Before
// signing it checks that the stored tree still has the root of the last checkpoint: a sealer
// never signs on top of a tree someone rewrote.
func (s *Sealer) checkpoint(ctx context.Context, conn *sql.Conn, size int64, force bool) error {
	if s.Key == nil || size == 0 {
		return nil
	}
	var lastSize int64
	var lastAt time.Time
	var lastRoot tlog.Hash
	last, err := LatestCheckpoint(ctx, conn)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	default:
		cp, err := OpenCheckpoint(last.Note, s.Key.Verifier)
		if err != nil {
			return fmt.Errorf("last stored checkpoint %d: %w", last.ID, err)
		}
		lastSize, lastRoot = cp.Size, cp.Root
		if err := conn.QueryRowContext(ctx, `SELECT created_at FROM audit_checkpoints WHERE id = $1`, last.ID).Scan(&lastAt); err != nil {
			return err
		}
	}
	if size <= lastSize {
		return nil
	}
	if !force && size-lastSize < s.CheckpointEvents && s.Now().Sub(lastAt) < s.CheckpointInterval {
		return nil
	}
	if lastSize > 0 {
		root, err := tlog.TreeHash(lastSize, dbHashes{ctx, conn})
		if err != nil {
			return err
		}
		if root != lastRoot {
			return fmt.Errorf("the stored tree no longer has the root of checkpoint %d (size %d): not signing; run `kujdes audit verify`", last.ID, lastSize)
		}
	}
	root, err := tlog.TreeHash(size, dbHashes{ctx, conn})
	if err != nil {
		return err
	}
	cp, err := signCheckpoint(s.Key.Signer, size, root)
	if err != nil {
		return err
	}
	if err := s.hook(ctx, StepSigned); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO audit_checkpoints (tree_size, root_hash, note, created_at) VALUES ($1, $2, $3, $4)`,
		cp.Size, cp.Root[:], string(cp.Note), s.Now()); err != nil {
		return fmt.Errorf("store checkpoint: %w", err)
	}
	return s.hook(ctx, StepCheckpointed)
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
