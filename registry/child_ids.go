package registry

import (
	"context"
	"fmt"
	"sync"

	"gorm.io/gorm"
)

// registrationState is what registrations keep between requests: child ids reserved in
// blocks and the border posts they name (border_post_cache.go).
type registrationState struct {
	childIDs    childIDs
	borderPosts borderPosts
}

// stateMu guards the making of a registry's registrationState (a registry may be built as a
// struct literal, so it is made on first use).
var stateMu sync.Mutex

// regState returns r's registrationState, making it on first use.
func (r *Registry) regState() *registrationState {
	stateMu.Lock()
	defer stateMu.Unlock()
	if r.state == nil {
		r.state = &registrationState{}
	}
	return r.state
}

// childIDBlock is how many child ids a registry reserves at a time.
const childIDBlock = 32

// childIDs hands out ids for new children from blocks reserved from the children's own
// sequence (issue 8): a registration needs its child's id before its one statement
// (insertRegistration), for the audit event's leaf hash, and asking PostgreSQL for it each
// time would be a round trip of its own. A reserved id that is never used (a refused
// registration, a restart) leaves a gap in the ids, as a rolled-back insert always did; the
// registration numbers, which people read, come from their own sequence in the statement and
// keep no gap. Within one process the ids grow in the order they are handed out; several
// instances interleave their blocks, so ids do not tell the order of registrations across
// instances (registered_at and the numbers do; lists and batches that walk children by id
// need only unique, stable ids).
type childIDs struct {
	mu   sync.Mutex
	free []int64 // ascending
}

// next returns an id no other child has or will have, reserving a new block with db (the
// caller's handle: its transaction, or the plain handle of a one-statement registration)
// when the last one is used up.
func (p *childIDs) next(ctx context.Context, db *gorm.DB) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == 0 {
		// On the caller's own connection, inside its transaction if it has one: asking the pool
		// for a second connection while holding the first could wait forever once every
		// connection is held by a registration waiting here. Sequences are not transactional,
		// so the block stays reserved whatever becomes of that transaction.
		var ids []int64
		if err := db.WithContext(ctx).Raw(`SELECT nextval(pg_get_serial_sequence('children', 'id')) FROM generate_series(1, ?) ORDER BY 1`,
			childIDBlock).Scan(&ids).Error; err != nil {
			return 0, err
		}
		if len(ids) != childIDBlock {
			return 0, fmt.Errorf("reserve child ids: %d of %d", len(ids), childIDBlock)
		}
		p.free = ids
	}
	id := p.free[0]
	p.free = p.free[1:]
	return id, nil
}
