package auditlog_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/kujdes/kujdes/auditlog"
	"github.com/kujdes/kujdes/migrations"
	"github.com/kujdes/kujdes/models"
)

// exec runs statements as the superuser with triggers and foreign keys off, as an owner who
// wants to rewrite history would.
func (e *env) exec(t *testing.T, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := e.admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range append(append([]string{`SET session_replication_role = replica`}, stmts...), `SET session_replication_role = origin`) {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// leafOf recomputes event id's leaf hash from its (possibly edited) columns, as a forger can.
func (e *env) leafOf(t *testing.T, id int64) tlog.Hash {
	t.Helper()
	var ev models.AuditEvent
	var changes string
	if err := e.app.Raw(`SELECT * FROM audit_events WHERE id = ?`, id).Scan(&ev).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.app.Raw(`SELECT changes::text FROM audit_events WHERE id = ?`, id).Scan(&changes).Error; err != nil {
		t.Fatal(err)
	}
	rec, err := models.AuditLeafRecord(&ev, []byte(changes))
	if err != nil {
		t.Fatal(err)
	}
	return tlog.RecordHash(rec)
}

// recomputeTree rewrites every stored tree hash from the events' current columns.
func (e *env) recomputeTree(t *testing.T) {
	t.Helper()
	rows, err := e.db.Query(`SELECT event_id FROM audit_log ORDER BY position`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	stored := map[int64]tlog.Hash{}
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	stmts := []string{`DELETE FROM audit_tree_hashes`}
	for n, id := range ids {
		hs, err := tlog.StoredHashesForRecordHash(int64(n), e.leafOf(t, id), r)
		if err != nil {
			t.Fatal(err)
		}
		for j, h := range hs {
			idx := tlog.StoredHashIndex(0, int64(n)) + int64(j)
			stored[idx] = h
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO audit_tree_hashes VALUES (%d, '\x%x')`, idx, h[:]))
		}
	}
	e.exec(t, stmts...)
}

// sealEach seals the pending events one checkpoint per event.
func (e *env) sealEach(t *testing.T, n int, what string) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		ids = append(ids, e.appendEvents(t, 1, fmt.Sprint(what, i))...)
		e.drain(t)
	}
	return ids
}

// The owner disables the triggers, edits an event and recomputes whatever hashes it likes
// without the signing key: verification fails and names the event.
func TestVerifyCatchesTheOwnersForgery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		perEvent  bool // one checkpoint per event (else batches of 3)
		forge     func(t *testing.T, e *env, id int64)
		wantExact bool
		want      string
	}{
		{"row edited", false, func(t *testing.T, e *env, id int64) {
			e.exec(t, fmt.Sprintf(`UPDATE audit_events SET reason = 'nothing to see' WHERE id = %d`, id))
		}, true, "leaf hash"},
		{"changes replaced by a non-object", false, func(t *testing.T, e *env, id int64) {
			e.exec(t, fmt.Sprintf(`UPDATE audit_events SET changes = '[]' WHERE id = %d`, id))
		}, true, "changes"},
		{"row edited and its leaf hash recomputed", false, func(t *testing.T, e *env, id int64) {
			e.exec(t, fmt.Sprintf(`UPDATE audit_events SET entity_id = '99' WHERE id = %d`, id))
			e.exec(t, fmt.Sprintf(`UPDATE audit_events SET leaf_hash = '\x%x' WHERE id = %d`, hashBytes(e.leafOf(t, id)), id))
		}, true, "tree hashes stored"},
		{"row edited and every hash recomputed", true, func(t *testing.T, e *env, id int64) {
			e.exec(t, fmt.Sprintf(`UPDATE audit_events SET occurred_at = occurred_at + interval '1 microsecond' WHERE id = %d`, id))
			e.exec(t, fmt.Sprintf(`UPDATE audit_events SET leaf_hash = '\x%x' WHERE id = %d`, hashBytes(e.leafOf(t, id)), id))
			e.recomputeTree(t)
		}, true, "signed over other events"},
		{"every hash recomputed, checkpoints cover batches", false, func(t *testing.T, e *env, id int64) {
			e.exec(t, fmt.Sprintf(`UPDATE audit_events SET actor_roles = 'admin' WHERE id = %d`, id))
			e.exec(t, fmt.Sprintf(`UPDATE audit_events SET leaf_hash = '\x%x' WHERE id = %d`, hashBytes(e.leafOf(t, id)), id))
			e.recomputeTree(t)
		}, false, "between positions 3 and 5"},
		{"two events swapped in the log", true, func(t *testing.T, e *env, id int64) {
			e.exec(t, `UPDATE audit_log SET event_id = -event_id WHERE position IN (3, 4)`,
				`UPDATE audit_log SET event_id = (SELECT event_id FROM audit_log WHERE position = 3) * -1 WHERE position = 4 AND false`)
			e.exec(t, fmt.Sprintf(`UPDATE audit_log SET event_id = %d WHERE position = 3`, id),
				fmt.Sprintf(`UPDATE audit_log SET event_id = %d WHERE position = 4`, id-1))
			e.recomputeTree(t)
		}, false, "signed over other events"},
		{"a checkpoint forged with another key", false, func(t *testing.T, e *env, id int64) {
			other := newKey(t)
			msg, err := note.Sign(&note.Note{Text: fmt.Sprintf("kujdes-test-audit\n6\n%s\n", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")}, other.Signer)
			if err != nil {
				t.Fatal(err)
			}
			e.exec(t, fmt.Sprintf(`INSERT INTO audit_checkpoints (tree_size, root_hash, note) VALUES (6, '\x%x', '%s')`, make([]byte, 32), msg))
		}, false, "does not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var ids []int64
			if tt.perEvent {
				ids = e.sealEach(t, 6, "e")
			} else {
				ids = append(e.appendEvents(t, 3, "a"), e.appendEvents(t, 0, "")...)
				e.drain(t)
				ids = append(ids, e.appendEvents(t, 3, "b")...)
				e.drain(t)
			}
			e.mustVerify(t, 6)
			victim := ids[4] // position 4
			tt.forge(t, e, victim)
			rep := e.verify(t, nil)
			if rep.OK() || !strings.Contains(rep.Problem, tt.want) {
				t.Fatalf("verify after forgery = %+v, want a problem mentioning %q", rep, tt.want)
			}
			if tt.wantExact && (rep.EventID != victim || rep.Position != 4) {
				t.Fatalf("verify named event %d at position %d, want %d at 4: %s", rep.EventID, rep.Position, victim, rep.Problem)
			}
			if !tt.wantExact && rep.EventID != 0 && rep.EventID != victim && rep.EventID != victim-1 {
				t.Fatalf("verify named event %d, not the forged one (%d): %s", rep.EventID, victim, rep.Problem)
			}
		})
	}
}

// The newest events removed with their log entries and tree hashes: the last checkpoint
// still says how many there were. Removing the stored checkpoints too leaves only a copy
// kept outside (an exported checkpoint) to tell.
func TestVerifyCatchesRemovedNewestEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.appendEvents(t, 5, "a")
	e.drain(t)
	cp, err := auditlog.LatestCheckpoint(context.Background(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	e.exec(t,
		fmt.Sprintf(`DELETE FROM audit_tree_hashes WHERE idx >= %d`, tlog.StoredHashCount(3)),
		`DELETE FROM audit_log WHERE position >= 3`,
		fmt.Sprintf(`DELETE FROM audit_events WHERE id >= %d`, ids[3]))
	rep := e.verify(t, nil)
	if rep.OK() || rep.Position != 3 || !strings.Contains(rep.Problem, "signed for 5") {
		t.Fatalf("verify = %+v, want the cut at position 3 against the checkpoint of 5", rep)
	}
	e.exec(t, `DELETE FROM audit_checkpoints`)
	if rep := e.verify(t, nil); !rep.OK() {
		t.Fatalf("verify without any checkpoint = %+v", rep)
	}
	rep = e.verify(t, map[string][]byte{"ombudsperson-copy.txt": cp.Note})
	if rep.OK() || !strings.Contains(rep.Problem, "ombudsperson-copy.txt") || !strings.Contains(rep.Problem, "removed") {
		t.Fatalf("verify against the kept copy = %+v", rep)
	}
	// A position taken out of the middle is a gap.
	e2 := newEnv(t)
	e2.appendEvents(t, 4, "a")
	e2.drain(t)
	e2.exec(t, `DELETE FROM audit_log WHERE position = 1`)
	if rep := e2.verify(t, nil); rep.OK() || rep.Position != 1 || !strings.Contains(rep.Problem, "position 1 has no event") {
		t.Fatalf("verify with a gap = %+v", rep)
	}
	// An event taken out of the queue before it was sealed.
	e3 := newEnv(t)
	orphan := e3.appendEvents(t, 2, "a")
	e3.exec(t, fmt.Sprintf(`DELETE FROM audit_pending WHERE event_id = %d`, orphan[0]))
	e3.drain(t)
	if rep := e3.verify(t, nil); rep.OK() || rep.EventID != orphan[0] || !strings.Contains(rep.Problem, "neither in the log") {
		t.Fatalf("verify with an unqueued event = %+v", rep)
	}
}

// Two checkpoints of one size with different roots, both validly signed (the key holder
// showed two versions of the log), stored or given: a fork.
func TestVerifyDetectsAFork(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.appendEvents(t, 3, "a")
	e.drain(t)
	text := fmt.Sprintf("%s\n3\n%s\n", e.key.Signer.Name(), "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=")
	forked, err := note.Sign(&note.Note{Text: text}, e.key.Signer)
	if err != nil {
		t.Fatal(err)
	}
	rep := e.verify(t, map[string][]byte{"other-view.txt": forked})
	if rep.OK() || !strings.Contains(rep.Problem, "fork") || !strings.Contains(rep.Problem, "other-view.txt") {
		t.Fatalf("verify with a forked file = %+v", rep)
	}
	e.exec(t, fmt.Sprintf(`INSERT INTO audit_checkpoints (tree_size, root_hash, note) VALUES (3, '\x%x', '%s')`, make([]byte, 32), forked))
	if rep := e.verify(t, nil); rep.OK() || !strings.Contains(rep.Problem, "fork") {
		t.Fatalf("verify with a forked stored checkpoint = %+v", rep)
	}
	// The sealer refuses to sign on top of it.
	e.appendEvents(t, 1, "b")
	if err := e.sealer().Drain(context.Background()); err == nil || !strings.Contains(err.Error(), "not signing") {
		t.Fatalf("drain over a forked checkpoint: %v", err)
	}
}

// Inclusion and consistency proofs, checked with tlog's own verifiers (CheckRecord,
// CheckTree), not ours.
func TestProofsVerifyWithTlog(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	first := e.appendEvents(t, 5, "a")
	e.drain(t)
	cp5 := latest(t, e)
	ids := append(first, e.appendEvents(t, 8, "b")...)
	e.drain(t)
	cp13 := latest(t, e)
	if cp5.Size != 5 || cp13.Size != 13 {
		t.Fatalf("checkpoints of %d and %d events", cp5.Size, cp13.Size)
	}
	r := auditlog.TreeHashes(ctx, e.db)
	proof, err := tlog.ProveTree(13, 5, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(proof, 13, cp13.Root, 5, cp5.Root); err != nil {
		t.Fatalf("consistency 5 → 13: %v", err)
	}
	if err := tlog.CheckTree(proof, 13, cp13.Root, 5, tlog.Hash{1}); err == nil {
		t.Fatal("consistency with a wrong old root passed")
	}
	for pos, id := range ids {
		data, err := auditlog.BuildEvidence(ctx, e.db, e.key.Verifier, id)
		if err != nil {
			t.Fatalf("evidence for %d: %v", id, err)
		}
		var ev auditlog.Evidence
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Position != int64(pos) || ev.EventID != id {
			t.Fatalf("evidence of event %d at position %d, want %d at %d", ev.EventID, ev.Position, id, pos)
		}
		cp, err := auditlog.OpenCheckpoint([]byte(ev.Checkpoint), e.key.Verifier)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(ev.Proof, cp.Size, cp.Root, ev.Position, tlog.RecordHash(ev.Record)); err != nil {
			t.Fatalf("tlog.CheckRecord for event %d: %v", id, err)
		}
		if err := tlog.CheckRecord(ev.Proof, cp.Size, cp.Root, ev.Position, tlog.RecordHash(append(ev.Record, ' '))); err == nil {
			t.Fatal("tlog.CheckRecord accepted another record")
		}
		if _, _, err := auditlog.CheckEvidence(data, e.key.Verifier); err != nil {
			t.Fatalf("CheckEvidence: %v", err)
		}
	}
	// An evidence file whose shown event was edited, or checked with another key, fails.
	data, err := auditlog.BuildEvidence(ctx, e.db, e.key.Verifier, ids[2])
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), `"outcome": "ok"`, `"outcome": "denied"`, 1)
	if _, _, err := auditlog.CheckEvidence([]byte(edited), e.key.Verifier); err == nil {
		t.Fatal("edited evidence verified")
	}
	if _, _, err := auditlog.CheckEvidence(data, newKey(t).Verifier); err == nil {
		t.Fatal("evidence verified with another key")
	}
	// Not sealed yet, and unknown.
	pendingID := e.appendEvents(t, 1, "c")[0]
	if _, err := auditlog.BuildEvidence(ctx, e.db, e.key.Verifier, pendingID); !errors.Is(err, auditlog.ErrNotSealed) {
		t.Fatalf("evidence of a pending event: %v", err)
	}
	if _, err := auditlog.BuildEvidence(ctx, e.db, e.key.Verifier, 999999); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("evidence of no event: %v", err)
	}
}

func latest(t *testing.T, e *env) auditlog.Checkpoint {
	t.Helper()
	s, err := auditlog.LatestCheckpoint(context.Background(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := auditlog.OpenCheckpoint(s.Note, e.key.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// The rows chained before the log (migrations/00013) become its first leaves, in id order,
// and their content is still protected.
func TestMigrationMakesChainedRowsTheFirstLeaves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	p, err := migrations.NewProvider(e.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 12); err != nil {
		t.Fatalf("down to 12: %v", err)
	}
	// Chain four rows exactly as the old AppendAudit did: hash = SHA-256(prev || fields).
	prev := make([]byte, 32)
	var legacy []int64
	for i := range 4 {
		ev := models.AuditEvent{PrevHash: prev, OccurredAt: models.AuditEvent{}.OccurredAt.AddDate(2026, 0, i),
			Action: "child.read", Entity: "child", EntityID: fmt.Sprint(i), Outcome: "ok",
			Changes: models.AuditChanges{"status": {Before: "active", After: fmt.Sprint(i)}}}
		rec, err := ev.LeafRecord()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(rec)
		changes, _ := ev.Changes.Value()
		var id int64
		if err := e.db.QueryRow(`INSERT INTO audit_events (occurred_at, action, entity, entity_id, changes, outcome, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, ev.OccurredAt, ev.Action, ev.Entity, ev.EntityID, changes, ev.Outcome, prev, sum[:]).Scan(&id); err != nil {
			t.Fatal(err)
		}
		legacy = append(legacy, id)
		prev = sum[:]
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	fresh := e.appendEvents(t, 2, "new")
	e.drain(t)
	e.wantSealedOnce(t, 6)
	e.mustVerify(t, 6)
	rows, err := e.db.Query(`SELECT event_id FROM audit_log ORDER BY position`)
	if err != nil {
		t.Fatal(err)
	}
	var order []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		order = append(order, id)
	}
	rows.Close()
	if want := append(legacy, fresh...); fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("log order %v, want the chained rows first in id order: %v", order, want)
	}
	// Evidence for a chained row verifies like any other.
	data, err := auditlog.BuildEvidence(ctx, e.db, e.key.Verifier, legacy[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := auditlog.CheckEvidence(data, e.key.Verifier); err != nil {
		t.Fatalf("evidence for a chained row: %v", err)
	}
	e.exec(t, fmt.Sprintf(`UPDATE audit_events SET entity_id = 'x' WHERE id = %d`, legacy[1]))
	if rep := e.verify(t, nil); rep.OK() || rep.EventID != legacy[1] || !strings.Contains(rep.Problem, "chain hash") {
		t.Fatalf("verify after editing a chained row = %+v", rep)
	}
}

func hashBytes(h tlog.Hash) []byte { return h[:] }
