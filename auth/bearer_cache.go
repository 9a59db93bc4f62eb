package auth

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/kujdes/kujdes/models"
)

// A bearer token is verified (signature, issuer, audience, expiry) the first time it is seen;
// the identity it carries is then kept for a short while, keyed by the SHA-256 of the exact
// token, so that a client sending the same token with every request does not pay the
// signature check and the claims' JSON each time (about 10 % of the CPU of an audited read).
// An entry is used only before the token's own expiry and for at most bearerCacheTTL after
// its verification — the delay after which a signing key withdrawn by the identity provider
// stops being honoured for tokens already seen. Who the identity is in Kujdes (active or not,
// roles, scopes) is still read from the database with every request. Nothing here is shared
// between instances: each verifies a token once.

// bearerCacheTTL bounds how long a verified token is taken on trust.
const bearerCacheTTL = 30 * time.Second

// bearerCacheSize bounds the entries; a full cache drops its expired entries, then all.
const bearerCacheSize = 4096

type bearerEntry struct {
	id    models.Identity
	until time.Time
}

type bearerCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]bearerEntry
}

func (c *bearerCache) get(raw string, now time.Time) (models.Identity, bool) {
	k := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !now.Before(e.until) {
		return models.Identity{}, false
	}
	id := e.id
	id.Roles = append([]models.Role(nil), e.id.Roles...) // callers may append
	return id, true
}

func (c *bearerCache) put(raw string, id models.Identity, expiry, now time.Time) {
	until := now.Add(bearerCacheTTL)
	if expiry.Before(until) {
		until = expiry
	}
	if !now.Before(until) {
		return
	}
	k := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[[sha256.Size]byte]bearerEntry{}
	}
	if len(c.m) >= bearerCacheSize {
		for old, e := range c.m {
			if !now.Before(e.until) {
				delete(c.m, old)
			}
		}
		if len(c.m) >= bearerCacheSize {
			clear(c.m)
		}
	}
	id.Roles = append([]models.Role(nil), id.Roles...)
	c.m[k] = bearerEntry{id: id, until: until}
}
