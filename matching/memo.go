package matching

import "sync"

// A duplicate check folds the names of its 30 candidates and compares them with the names
// asked, and at a million children the same common names come back in every check: the
// folded names (makeName) and the similarity of two spellings (simpleSim) are kept between
// checks. Both are pure functions of their keys, and a folded name is never changed once made,
// so a cached one may be shared. Each memo is bounded: when full it is emptied and fills
// again with the names in use.
type memo[K comparable, V any] struct {
	mu  sync.Mutex
	m   map[K]V
	max int
}

func (c *memo[K, V]) get(k K, f func(K) V) V {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = f(k)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[K]V, c.max/4)
	}
	c.m[k] = v
	c.mu.Unlock()
	return v
}

var (
	// About 80 bytes an entry: at most a few megabytes.
	foldedNames  = memo[string, name]{max: 1 << 15}
	spellingSims = memo[[2]string, float64]{max: 1 << 16}
)
