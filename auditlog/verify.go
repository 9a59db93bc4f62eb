package auditlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sort"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Report is what Verify found.
type Report struct {
	// Events counts the sealed events checked; Pending those waiting for the sealer.
	Events, Pending int64
	// Checkpoints counts the signed checkpoints checked (stored and given).
	Checkpoints int
	// Problem says what does not fit (English, for operators); empty when everything does.
	Problem string
	// EventID is the first event that does not fit (0 when the problem is not one event's),
	// at log position Position. When a signed root is all that disagrees, the altered event
	// lies somewhere in positions From…Position (From = Position when it is exactly known).
	EventID        int64
	From, Position int64
}

// OK tells whether the log verified.
func (r Report) OK() bool { return r.Problem == "" }

// verifyBatch is how many events Verify reads per query: memory stays bounded by it and by
// the O(log n) right edge of the tree, whatever the log's size.
const verifyBatch = 2000

// signedRoot is a checkpoint to check, with where it came from.
type signedRoot struct {
	cp     Checkpoint
	source string // "stored checkpoint 12" or a file name
}

// Verify checks the whole log with the verifier key v: every stored checkpoint and every
// given one (files, e.g. copies an outside party kept: name → signed note) must carry a good
// signature, no two may disagree for one size (a fork), and the tree recomputed from the
// events themselves — streaming, in position order — must match the stored tree hashes and
// each signed root, with no position missing and no signed size larger than the log. The
// first thing that does not fit is reported; an error means Verify could not read the log.
func Verify(ctx context.Context, q Querier, v note.Verifier, given map[string][]byte) (Report, error) {
	var rep Report
	roots, problem, err := loadRoots(ctx, q, v, given)
	if err != nil {
		return rep, err
	}
	rep.Checkpoints = len(roots)
	if problem != "" {
		rep.Problem = problem
		return rep, nil
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM audit_pending`).Scan(&rep.Pending); err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}

	edge := newRightEdge()
	next := 0 // the next root to check, in size order
	good := int64(0)
	for {
		batch, err := readLogBatch(ctx, q, rep.Events, verifyBatch)
		if err != nil {
			return rep, err
		}
		for _, b := range batch {
			pos, id := b.position, b.ev.ID
			if pos != rep.Events {
				return rep.fail(0, rep.Events, rep.Events, fmt.Sprintf("log position %d has no event: the event or its place in the log was removed", rep.Events)), nil
			}
			leaf, problem := b.leaf()
			if problem != "" {
				return rep.fail(id, pos, pos, fmt.Sprintf("event %d (position %d): %s", id, pos, problem)), nil
			}
			hs, err := edge.add(pos, leaf)
			if err != nil {
				return rep, err
			}
			if !sameHashes(hs, b.stored) {
				return rep.fail(id, pos, pos, fmt.Sprintf("event %d (position %d) does not match the tree hashes stored when it was sealed: the event or the tree was altered", id, pos)), nil
			}
			rep.Events++
			for next < len(roots) && roots[next].cp.Size == rep.Events {
				root, err := tlog.TreeHash(rep.Events, edge)
				if err != nil {
					return rep, err
				}
				if root != roots[next].cp.Root {
					culprit := int64(0)
					if good == pos {
						culprit = id // the checkpoint added this one event only
					}
					return rep.fail(culprit, good, pos, fmt.Sprintf("%s (size %d) was signed over other events: an event between positions %d and %d was altered, replaced or reordered after it was signed", roots[next].source, roots[next].cp.Size, good, pos)), nil
				}
				good = rep.Events
				next++
			}
		}
		if len(batch) < verifyBatch {
			break
		}
	}
	if next < len(roots) {
		cp := roots[len(roots)-1]
		return rep.fail(0, rep.Events, rep.Events, fmt.Sprintf("the log has %d events but %s was signed for %d: events from position %d on were removed", rep.Events, cp.source, cp.cp.Size, rep.Events)), nil
	}
	var orphan int64
	err = q.QueryRowContext(ctx, `SELECT coalesce(min(e.id), 0) FROM audit_events e
		WHERE NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.event_id = e.id)
		  AND NOT EXISTS (SELECT 1 FROM audit_pending p WHERE p.event_id = e.id)`).Scan(&orphan)
	if err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	if orphan != 0 {
		return rep.fail(orphan, -1, -1, fmt.Sprintf("event %d is neither in the log nor waiting to be sealed: it was taken out of the queue", orphan)), nil
	}
	return rep, nil
}

func (r Report) fail(eventID, from, pos int64, problem string) Report {
	r.EventID, r.From, r.Position, r.Problem = eventID, from, pos, problem
	return r
}

// loadRoots opens every stored and given checkpoint, sorted by size; problem names a bad
// signature or a fork.
func loadRoots(ctx context.Context, q Querier, v note.Verifier, given map[string][]byte) ([]signedRoot, string, error) {
	var roots []signedRoot
	rows, err := q.QueryContext(ctx, `SELECT id, note FROM audit_checkpoints ORDER BY tree_size, id`)
	if err != nil {
		return nil, "", fmt.Errorf("verify: read checkpoints: %w", err)
	}
	defer rows.Close()
	var bad string
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, "", err
		}
		cp, err := OpenCheckpoint([]byte(text), v)
		if err != nil && bad == "" {
			bad = fmt.Sprintf("stored checkpoint %d does not verify (%v): it was not signed by this log's key", id, err)
		}
		roots = append(roots, signedRoot{cp: cp, source: fmt.Sprintf("stored checkpoint %d", id)})
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(given))
	for name := range given {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		cp, err := OpenCheckpoint(given[name], v)
		if err != nil && bad == "" {
			bad = fmt.Sprintf("checkpoint %s does not verify: %v", name, err)
		}
		roots = append(roots, signedRoot{cp: cp, source: "checkpoint " + name})
	}
	if bad != "" {
		return roots, bad, nil
	}
	sort.SliceStable(roots, func(i, j int) bool { return roots[i].cp.Size < roots[j].cp.Size })
	for i := 1; i < len(roots); i++ {
		a, b := roots[i-1], roots[i]
		if a.cp.Size == b.cp.Size && a.cp.Root != b.cp.Root {
			return roots, fmt.Sprintf("fork: %s and %s are both signed for size %d with different roots", a.source, b.source, a.cp.Size), nil
		}
	}
	return roots, "", nil
}

// leaf recomputes the event's leaf hash from its columns; problem says why it cannot.
func (r *eventRow) leaf() (tlog.Hash, string) {
	rec, err := r.record()
	if err != nil {
		return tlog.Hash{}, "changes is not a json object of field changes: the event was altered after it was written"
	}
	leaf := tlog.RecordHash(rec)
	if r.ev.PrevHash != nil {
		// Chained before the log: the old hash was SHA-256 of the same record.
		if sum := sha256.Sum256(rec); !bytes.Equal(sum[:], r.ev.Hash) {
			return leaf, "its columns no longer give its pre-log chain hash: the event was altered"
		}
	} else if !bytes.Equal(leaf[:], r.ev.LeafHash) {
		return leaf, "its columns no longer give its leaf hash: the event was altered after it was written"
	}
	return leaf, ""
}

func sameHashes(hs []tlog.Hash, stored [][]byte) bool {
	if len(hs) != len(stored) {
		return false
	}
	for i := range hs {
		if !bytes.Equal(hs[i][:], stored[i]) {
			return false
		}
	}
	return true
}

// rightEdge keeps, per tree level, only the newest stored hash: all that tlog needs to add the
// next leaf (StoredHashes) or to hash the tree so far (TreeHash). O(log n) memory.
type rightEdge struct {
	byIdx   map[int64]tlog.Hash
	byLevel []int64 // index of the newest hash kept at each level
}

func newRightEdge() *rightEdge { return &rightEdge{byIdx: map[int64]tlog.Hash{}} }

func (e *rightEdge) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := e.byIdx[idx]
		if !ok {
			return nil, fmt.Errorf("tree hash %d not kept while streaming", idx)
		}
		out[i] = h
	}
	return out, nil
}

// add appends leaf n and returns the hashes tlog stores for it.
func (e *rightEdge) add(n int64, leaf tlog.Hash) ([]tlog.Hash, error) {
	hs, err := tlog.StoredHashesForRecordHash(n, leaf, e)
	if err != nil {
		return nil, err
	}
	for level, h := range hs {
		idx := tlog.StoredHashIndex(level, n>>level)
		if level < len(e.byLevel) {
			delete(e.byIdx, e.byLevel[level])
			e.byLevel[level] = idx
		} else {
			e.byLevel = append(e.byLevel, idx)
		}
		e.byIdx[idx] = h
	}
	return hs, nil
}

// loggedEvent is one sealed event with the tree hashes stored for its position.
type loggedEvent struct {
	eventRow
	position int64
	stored   [][]byte
}

// readLogBatch reads up to limit sealed events from position from on, in position order,
// with their stored tree hashes (those of position n are at indexes
// tlog.StoredHashIndex(0, n) up to that of n+1).
func readLogBatch(ctx context.Context, q Querier, from int64, limit int) ([]loggedEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.position, `+eventColumns+`
		FROM audit_log l JOIN audit_events e ON e.id = l.event_id
		WHERE l.position >= $1 ORDER BY l.position LIMIT $2`, from, limit)
	if err != nil {
		return nil, fmt.Errorf("verify: read log: %w", err)
	}
	defer rows.Close()
	var out []loggedEvent
	for rows.Next() {
		var b loggedEvent
		if err := b.scan(rows, &b.position); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("verify: read log: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	lo := tlog.StoredHashIndex(0, out[0].position)
	hi := tlog.StoredHashIndex(0, out[len(out)-1].position+1)
	hrows, err := q.QueryContext(ctx, `SELECT idx, hash FROM audit_tree_hashes WHERE idx >= $1 AND idx < $2 ORDER BY idx`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("verify: read tree hashes: %w", err)
	}
	defer hrows.Close()
	byIdx := make(map[int64][]byte, hi-lo)
	for hrows.Next() {
		var idx int64
		var h []byte
		if err := hrows.Scan(&idx, &h); err != nil {
			return nil, err
		}
		byIdx[idx] = h
	}
	if err := hrows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		n := out[i].position
		for idx := tlog.StoredHashIndex(0, n); idx < tlog.StoredHashIndex(0, n+1); idx++ {
			out[i].stored = append(out[i].stored, byIdx[idx])
		}
	}
	return out, nil
}
