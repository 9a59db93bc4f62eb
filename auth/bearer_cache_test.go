package auth

import (
	"strconv"
	"testing"
	"time"

	"github.com/kujdes/kujdes/models"
)

// TestBearerCache: a verified token is taken on trust only for its exact bytes, before its own
// expiry and for at most bearerCacheTTL; the cache stays bounded.
func TestBearerCache(t *testing.T) {
	var c bearerCache
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	id := models.Identity{Issuer: "iss", Subject: "sub", Roles: []models.Role{models.RoleBorderOfficer}}
	c.put("token-a", id, now.Add(time.Hour), now)
	got, ok := c.get("token-a", now.Add(bearerCacheTTL-time.Second))
	if !ok || got.Subject != "sub" || len(got.Roles) != 1 {
		t.Fatalf("within the TTL: %+v %v", got, ok)
	}
	got.Roles = append(got.Roles[:0], models.RoleAdmin) // a caller changing its copy
	if again, _ := c.get("token-a", now); again.Roles[0] != models.RoleBorderOfficer {
		t.Errorf("the cached roles changed with a caller's copy: %v", again.Roles)
	}
	if _, ok := c.get("token-a", now.Add(bearerCacheTTL)); ok {
		t.Error("taken on trust after the TTL")
	}
	if _, ok := c.get("token-a ", now); ok {
		t.Error("another token's bytes matched")
	}
	// A token expiring before the TTL is honoured until its expiry only; an expired one is not kept.
	c.put("token-b", id, now.Add(5*time.Second), now)
	if _, ok := c.get("token-b", now.Add(4*time.Second)); !ok {
		t.Error("token-b before its expiry")
	}
	if _, ok := c.get("token-b", now.Add(5*time.Second)); ok {
		t.Error("token-b at its expiry")
	}
	c.put("token-c", id, now.Add(-time.Second), now)
	if _, ok := c.get("token-c", now); ok {
		t.Error("an expired token was kept")
	}
	for i := range 2 * bearerCacheSize {
		c.put("t"+strconv.Itoa(i), id, now.Add(time.Hour), now)
	}
	if n := len(c.m); n > bearerCacheSize {
		t.Errorf("%d entries, bound %d", n, bearerCacheSize)
	}
}
