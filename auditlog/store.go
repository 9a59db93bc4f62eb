package auditlog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Querier is what every function here reads and writes through: *sql.DB, *sql.Tx, *sql.Conn,
// or a GORM statement's ConnPool (inside the caller's transaction).
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ErrNotSealed: the event exists but no signed checkpoint covers it yet (the sealer gives it
// one within seconds).
var ErrNotSealed = errors.New("audit event not yet covered by a checkpoint")

// TreeHashes reads the log's stored tree hashes through q, for tlog's provers
// (tlog.ProveRecord, tlog.ProveTree, tlog.TreeHash).
func TreeHashes(ctx context.Context, q Querier) tlog.HashReader { return dbHashes{ctx, q} }

// dbHashes reads stored tree hashes (tlog.HashReader) from audit_tree_hashes.
type dbHashes struct {
	ctx context.Context
	q   Querier
}

func (r dbHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	rows, err := r.q.QueryContext(r.ctx, `SELECT idx, hash FROM audit_tree_hashes WHERE idx = ANY($1)`, indexes)
	if err != nil {
		return nil, fmt.Errorf("read tree hashes: %w", err)
	}
	defer rows.Close()
	found := make(map[int64]tlog.Hash, len(indexes))
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			return nil, err
		}
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("tree hash %d: %d bytes", idx, len(h))
		}
		found[idx] = tlog.Hash(h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := found[idx]
		if !ok {
			return nil, fmt.Errorf("tree hash %d is missing", idx)
		}
		out[i] = h
	}
	return out, nil
}

// treeSize is how many events have a position.
func treeSize(ctx context.Context, q Querier) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(position) + 1, 0) FROM audit_log`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("audit tree size: %w", err)
	}
	return n, nil
}

// StoredCheckpoint is a checkpoint row as stored (not yet checked).
type StoredCheckpoint struct {
	ID   int64
	Size int64
	Note []byte
}

// LatestCheckpoint returns the newest stored checkpoint (the largest tree), or sql.ErrNoRows.
// It is served as stored: whoever fetches it checks the signature.
func LatestCheckpoint(ctx context.Context, q Querier) (StoredCheckpoint, error) {
	var c StoredCheckpoint
	var text string
	err := q.QueryRowContext(ctx, `SELECT id, tree_size, note FROM audit_checkpoints ORDER BY tree_size DESC, id DESC LIMIT 1`).
		Scan(&c.ID, &c.Size, &text)
	c.Note = []byte(text)
	return c, err
}

// overlay reads hashes from a map first (those computed in this batch), then from base.
type overlay struct {
	fresh map[int64]tlog.Hash
	base  tlog.HashReader
}

func (o overlay) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	for i, idx := range indexes {
		if h, ok := o.fresh[idx]; ok {
			out[i] = h
		} else {
			missing = append(missing, idx)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	got, err := o.base.ReadHashes(missing)
	if err != nil {
		return nil, err
	}
	j := 0
	for i, idx := range indexes {
		if _, ok := o.fresh[idx]; !ok {
			out[i] = got[j]
			j++
		}
	}
	return out, nil
}
