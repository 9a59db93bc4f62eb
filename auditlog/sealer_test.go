package auditlog_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auditlog"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// env is one fresh database seen by the application (its owner, not a superuser) and by the
// server's superuser, who can switch triggers off.
type env struct {
	app   *gorm.DB
	db    *sql.DB // the application's pool, as the sealer gets it
	admin *sql.DB
	key   *auditlog.Key
}

func newEnv(t *testing.T) *env {
	t.Helper()
	url := testdb.URL(t)
	app, err := models.Open(context.Background(), url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	db, err := app.DB()
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", testdb.AdminURL(t, url))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(); admin.Close() })
	return &env{app: app, db: db, admin: admin, key: newKey(t)}
}

func newKey(t *testing.T) *auditlog.Key {
	t.Helper()
	skey, vkey, err := auditlog.GenerateKey("kujdes-test-audit")
	if err != nil {
		t.Fatal(err)
	}
	k, err := auditlog.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	if k.VerifierKey != vkey {
		t.Fatalf("derived verifier key %q, generated %q", k.VerifierKey, vkey)
	}
	return k
}

// appendEvents appends n events, each in a transaction of its own, and returns their ids.
func (e *env) appendEvents(t *testing.T, n int, what string) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for i := range n {
		ev := &models.AuditEvent{Action: "child.read", Entity: "child", EntityID: fmt.Sprintf("%s-%d", what, i),
			Changes: models.AuditChanges{"status": {Before: "active", After: what}}}
		if err := e.app.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return models.AppendAudit(ctx, tx, ev) }); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	return ids
}

func (e *env) sealer() *auditlog.Sealer {
	return &auditlog.Sealer{DB: e.db, Key: e.key, BatchSize: 7, Poll: 10 * time.Millisecond, Retry: 20 * time.Millisecond}
}

func (e *env) drain(t *testing.T) {
	t.Helper()
	// A sealer stopped while a query ran loses its connection with the lock on it; the server
	// lets the lock go when it notices the closed connection, a moment later.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := e.sealer().Drain(context.Background())
		if errors.Is(err, auditlog.ErrNotLeader) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatalf("drain: %v", err)
		}
		return
	}
}

func (e *env) verify(t *testing.T, files map[string][]byte) auditlog.Report {
	t.Helper()
	rep, err := auditlog.Verify(context.Background(), e.db, e.key.Verifier, files)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

func (e *env) mustVerify(t *testing.T, events int64) {
	t.Helper()
	rep := e.verify(t, nil)
	if !rep.OK() || rep.Events != events || rep.Pending != 0 {
		t.Fatalf("verify = %+v, want %d events, no problem, nothing pending", rep, events)
	}
}

// wantSealedOnce checks the log's invariants: positions 0…n-1 without a gap, each event
// exactly once, nothing pending, every stored hash and no more.
func (e *env) wantSealedOnce(t *testing.T, n int64) {
	t.Helper()
	var count, distinct, events, pending, hashes int64
	var maxPos sql.NullInt64
	err := e.db.QueryRow(`SELECT count(*), count(DISTINCT event_id), max(position),
		(SELECT count(*) FROM audit_events), (SELECT count(*) FROM audit_pending), (SELECT count(*) FROM audit_tree_hashes)
		FROM audit_log`).Scan(&count, &distinct, &maxPos, &events, &pending, &hashes)
	if err != nil {
		t.Fatal(err)
	}
	if count != n || distinct != n || maxPos.Int64 != n-1 || events != n || pending != 0 || hashes != tlog.StoredHashCount(n) {
		t.Fatalf("log: %d positions (max %v) for %d distinct events of %d; %d pending; %d tree hashes (want %d); want %d sealed once",
			count, maxPos, distinct, events, pending, hashes, tlog.StoredHashCount(n), n)
	}
}

func TestSealAndVerify(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.appendEvents(t, 20, "a")
	e.drain(t)
	e.wantSealedOnce(t, 20)
	// Positions follow event id order within what was committed.
	var first, last int64
	if err := e.db.QueryRow(`SELECT (SELECT event_id FROM audit_log WHERE position = 0), (SELECT event_id FROM audit_log WHERE position = 19)`).Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	if first != ids[0] || last != ids[19] {
		t.Fatalf("positions 0 and 19 hold events %d and %d, want %d and %d", first, last, ids[0], ids[19])
	}
	e.mustVerify(t, 20)
	var checkpoints int
	if err := e.db.QueryRow(`SELECT count(*) FROM audit_checkpoints WHERE tree_size = 20`).Scan(&checkpoints); err != nil {
		t.Fatal(err)
	}
	if checkpoints != 1 {
		t.Fatalf("%d checkpoints of size 20, want 1", checkpoints)
	}
	// Events appended while not sealed are reported pending, not as a problem.
	e.appendEvents(t, 3, "b")
	if rep := e.verify(t, nil); !rep.OK() || rep.Events != 20 || rep.Pending != 3 {
		t.Fatalf("verify with 3 pending = %+v", rep)
	}
	e.drain(t)
	e.wantSealedOnce(t, 23)
	e.mustVerify(t, 23)
}

// Many goroutines append at once, some rolling back, while the sealer runs: no append waits
// for another, every committed event is sealed exactly once, and the log verifies.
func TestConcurrentAppendsWhileSealing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	s := e.sealer()
	s.CheckpointEvents = 25
	var done sync.WaitGroup
	done.Go(func() { s.Run(ctx) })

	const workers, each = 16, 15
	var committed atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := e.app.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					ev := &models.AuditEvent{Action: "child.read", Entity: "child", EntityID: fmt.Sprintf("%d-%d", w, i)}
					if err := models.AppendAudit(ctx, tx, ev); err != nil {
						return err
					}
					// Hold the transaction a little, so commits interleave with the sealer's reads.
					if err := tx.Exec(`SELECT pg_sleep(0.002)`).Error; err != nil {
						return err
					}
					if i%5 == 4 {
						return errRollback
					}
					return nil
				})
				switch {
				case err == nil:
					committed.Add(1)
				case !errors.Is(err, errRollback):
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := committed.Load()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pending int64
		if err := e.db.QueryRow(`SELECT count(*) FROM audit_pending`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still pending after 30 s", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	done.Wait()
	e.drain(t) // a final checkpoint over everything
	e.wantSealedOnce(t, want)
	e.mustVerify(t, want)
}

var errRollback = errors.New("the change failed")

// A sealer that dies at any step — its hook fails, or its database session is killed — loses
// nothing and seals nothing twice: the next sealer picks up exactly where the log stands.
func TestSealerCrashAtEachStep(t *testing.T) {
	t.Parallel()
	steps := []auditlog.Step{auditlog.StepElected, auditlog.StepBegun, auditlog.StepRead, auditlog.StepPositioned,
		auditlog.StepHashed, auditlog.StepDequeued, auditlog.StepCommitted, auditlog.StepSigned, auditlog.StepCheckpointed}
	for _, how := range []string{"fails", "session killed"} {
		for _, step := range steps {
			t.Run(how+" at "+string(step), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				e.appendEvents(t, 5, "before")
				e.drain(t)
				e.appendEvents(t, 17, "during") // more than two batches of 7
				crash := errors.New("crash")
				s := e.sealer()
				var hit bool
				s.Hook = func(ctx context.Context, at auditlog.Step) error {
					if at != step || hit {
						return nil
					}
					hit = true
					if how == "session killed" {
						var pid int
						if err := e.admin.QueryRow(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
							AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((classid::bigint << 32) | objid::bigint) = $1`, int64(0x6b756a6465730002)).Scan(&pid); err != nil {
							return fmt.Errorf("find the sealer's session: %w", err)
						}
						if _, err := e.admin.Exec(`SELECT pg_terminate_backend($1, 5000)`, pid); err != nil {
							return err
						}
						return nil // carry on as if nothing happened: the next statement fails
					}
					return crash
				}
				err := s.Drain(context.Background())
				if !hit {
					t.Fatalf("the sealer never reached %s", step)
				}
				if how == "fails" && !errors.Is(err, crash) {
					t.Fatalf("drain = %v, want the crash", err)
				}
				// A sealer killed after its last statement may finish; otherwise it failed.
				e.appendEvents(t, 2, "after")
				e.drain(t)
				e.wantSealedOnce(t, 24)
				e.mustVerify(t, 24)
			})
		}
	}
}

// Exactly one sealer holds the lock; when its session ends, another takes over.
func TestOneSealerAndTakeover(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.appendEvents(t, 3, "a")
	var elected atomic.Int32
	var leaders, maxLeaders atomic.Int32
	ctxs := make([]context.CancelFunc, 3)
	var wg sync.WaitGroup
	for i := range ctxs {
		ctx, cancel := context.WithCancel(context.Background())
		ctxs[i] = cancel
		s := e.sealer()
		s.Hook = func(ctx context.Context, at auditlog.Step) error {
			if at == auditlog.StepElected {
				elected.Add(1)
				n := leaders.Add(1)
				for {
					m := maxLeaders.Load()
					if n <= m || maxLeaders.CompareAndSwap(m, n) {
						break
					}
				}
				context.AfterFunc(ctx, func() { leaders.Add(-1) })
			}
			return nil
		}
		wg.Go(func() { s.Run(ctx) })
	}
	waitFor(t, func() bool { return elected.Load() == 1 && pending(t, e) == 0 })
	time.Sleep(100 * time.Millisecond) // several retries by the followers
	if n := elected.Load(); n != 1 {
		t.Fatalf("%d sealers elected, want 1", n)
	}
	if err := e.sealer().Drain(context.Background()); err == nil {
		t.Fatal("a fourth sealer drained while another held the lock")
	}
	// Kill the leader's session: a follower takes over and seals what comes next.
	if _, err := e.admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((classid::bigint << 32) | objid::bigint) = $1`, int64(0x6b756a6465730002)); err != nil {
		t.Fatal(err)
	}
	e.appendEvents(t, 4, "b")
	waitFor(t, func() bool { return elected.Load() >= 2 && pending(t, e) == 0 })
	for _, cancel := range ctxs {
		cancel()
	}
	wg.Wait()
	e.wantSealedOnce(t, 7)
	e.mustVerify(t, 7)
}

func pending(t *testing.T, e *env) int64 {
	var n int64
	if err := e.db.QueryRow(`SELECT count(*) FROM audit_pending`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 20 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A sealer catching up on a long queue vacuums the queue itself every VacuumEvery events, so
// that each batch's look-up does not walk the index entries of all the rows sealed before it.
func TestSealerVacuumsItsQueueWhileCatchingUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.appendEvents(t, 30, "c")
	vacuums := func() int64 {
		t.Helper()
		// The statistics of this backend reach the shared counters when its transaction ends.
		var n int64
		if err := e.db.QueryRow(`SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'audit_pending'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := vacuums()
	s := e.sealer()
	s.VacuumEvery = 14 // two batches of 7
	if err := s.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.wantSealedOnce(t, 30)
	e.mustVerify(t, 30)
	deadline := time.Now().Add(5 * time.Second)
	for vacuums() < before+2 {
		if time.Now().After(deadline) {
			t.Fatalf("audit_pending vacuumed %d times while sealing 30 events in batches of 7, want 2 (every 14)", vacuums()-before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMultiRowInsertQueuesEachEventOnce: a statement that inserts several events (the reads'
// group commit, a bulk load) queues each of them exactly once, with one call of the queueing
// trigger for the statement (migrations/00045; it was one call and one INSERT per event), a
// rolled-back statement queues nothing, and the sealer seals them all.
func TestMultiRowInsertQueuesEachEventOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	before := e.appendEvents(t, 2, "single")
	insert := func(tx *sql.Tx, n int, what string) []int64 {
		t.Helper()
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_events (occurred_at, action, entity, entity_id, changes, outcome, leaf_hash) VALUES `)
		var args []any
		for i := range n {
			ev := models.AuditEvent{OccurredAt: time.Now().UTC().Truncate(time.Microsecond), Action: "child.read", Entity: "child",
				EntityID: fmt.Sprintf("%s-%d", what, i), Outcome: "ok", Changes: models.AuditChanges{"n": {After: i}}}
			rec, err := ev.LeafRecord()
			if err != nil {
				t.Fatal(err)
			}
			leaf := tlog.RecordHash(rec)
			changes, _ := ev.Changes.Value()
			if i > 0 {
				q.WriteString(", ")
			}
			k := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7)
			args = append(args, ev.OccurredAt, ev.Action, ev.Entity, ev.EntityID, changes, ev.Outcome, leaf[:])
		}
		q.WriteString(" RETURNING id")
		rows, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return ids
	}

	// The superuser's session counts this transaction's PL/pgSQL calls.
	tx, err := e.admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL track_functions = 'pl'`); err != nil {
		t.Fatal(err)
	}
	ids := insert(tx, 5, "batch")
	var calls int64
	if err := tx.QueryRowContext(ctx, `SELECT pg_stat_get_xact_function_calls('audit_events_enqueue'::regproc)`).Scan(&calls); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 5 || calls != 1 {
		t.Errorf("one INSERT of %d events called the queueing trigger %d times, want once", len(ids), calls)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rolledBack, err := e.admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	gone := insert(rolledBack, 3, "rolled back")
	if err := rolledBack.Rollback(); err != nil {
		t.Fatal(err)
	}

	var queued, distinct, theirs, others int64
	if err := e.db.QueryRow(`SELECT count(*), count(DISTINCT event_id), count(*) FILTER (WHERE event_id = ANY($1)),
		count(*) FILTER (WHERE event_id = ANY($2)) FROM audit_pending`, append(before, ids...), gone).Scan(&queued, &distinct, &theirs, &others); err != nil {
		t.Fatal(err)
	}
	if queued != 7 || distinct != 7 || theirs != 7 || others != 0 {
		t.Fatalf("queue: %d rows, %d distinct, %d of the 7 committed events, %d of the rolled-back ones", queued, distinct, theirs, others)
	}
	e.drain(t)
	e.wantSealedOnce(t, 7)
	e.mustVerify(t, 7)
}
