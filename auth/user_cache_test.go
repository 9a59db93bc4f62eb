package auth_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// userCacheFixture is one database seen by two instances (two connection pools), each with
// its own user cache, as two `kujdes serve` behind one load balancer.
type userCacheFixture struct {
	url                string
	a, b               *gorm.DB
	admin              *models.Actor
	po                 int64
	region1, region2   int64
	regA               *registry.Registry
	statementsB        interface{ Load() int64 }
	clockMu            sync.Mutex
	clock              time.Time
	cacheB             *auth.UserCache
	protectionOfficers []models.Role
}

func newUserCacheFixture(t *testing.T) *userCacheFixture {
	t.Helper()
	f := &userCacheFixture{url: testdb.URL(t), clock: time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)}
	f.a, f.b = f.open(t, f.url), f.open(t, f.url)
	insert := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := f.a.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	f.region1 = insert(`INSERT INTO regions (code, name) VALUES ('R1', 'One')`)
	f.region2 = insert(`INSERT INTO regions (code, name) VALUES ('R2', 'Two')`)
	adminID := insert(`INSERT INTO users (issuer, subject, username, roles) VALUES ('test', 'admin', 'admin', '{admin}')`)
	f.po = insert(`INSERT INTO users (issuer, subject, username, roles) VALUES ('test', 'po', 'po', '{protection_officer}')`)
	if err := f.a.Exec(`INSERT INTO user_regions (user_id, region_id) VALUES (?, ?), (?, ?)`, f.po, f.region1, f.po, f.region2).Error; err != nil {
		t.Fatal(err)
	}
	roles := []models.Role{models.RoleAdmin}
	f.admin = &models.Actor{UserID: adminID, Issuer: "test", Subject: "admin", Roles: roles, Permissions: auth.PermissionsFor(roles)}
	f.regA = registry.New(f.a)
	// Instance B's cache keeps entries a minute: only a notification can make a change
	// visible within the seconds the tests allow.
	f.cacheB = &auth.UserCache{DB: f.b, TTL: time.Minute, Ping: 100 * time.Millisecond, Retry: 500 * time.Millisecond,
		Now: func() time.Time { f.clockMu.Lock(); defer f.clockMu.Unlock(); return f.clock }}
	stop := f.cacheB.Start(context.Background())
	t.Cleanup(stop)
	f.waitListening(t, true)
	f.statementsB = testdb.CountStatements(t, f.b)
	return f
}

func (f *userCacheFixture) open(t *testing.T, url string) *gorm.DB {
	t.Helper()
	db, err := models.Open(context.Background(), url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	return db
}

func (f *userCacheFixture) advance(d time.Duration) {
	f.clockMu.Lock()
	f.clock = f.clock.Add(d)
	f.clockMu.Unlock()
}

func (f *userCacheFixture) waitListening(t *testing.T, want bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); f.cacheB.Listening() != want; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the cache's listener: listening %v, want %v", !want, want)
		}
	}
}

// poOnB reads the protection officer through instance B's cache.
func (f *userCacheFixture) poOnB(t *testing.T) *models.User {
	t.Helper()
	u, err := f.cacheB.ByIdentity(context.Background(), f.b, "test", "po")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// hit reads the officer on B and tells whether it cost no statement.
func (f *userCacheFixture) hit(t *testing.T) (*models.User, bool) {
	t.Helper()
	n := f.statementsB.Load()
	u := f.poOnB(t)
	return u, f.statementsB.Load() == n
}

// within polls B until ok holds of the officer it reads, for at most bound.
func (f *userCacheFixture) within(t *testing.T, bound time.Duration, what string, ok func(*models.User) bool) {
	t.Helper()
	start := time.Now()
	for !ok(f.poOnB(t)) {
		if time.Since(start) > bound {
			t.Fatalf("%s: not seen on instance B after %v", what, bound)
		}
		time.Sleep(time.Millisecond)
	}
	t.Logf("%s: seen on instance B after %v", what, time.Since(start).Round(time.Millisecond))
}

func (f *userCacheFixture) update(t *testing.T, in registry.UserUpdate) {
	t.Helper()
	var version int
	if err := f.a.Raw(`SELECT version FROM users WHERE id = ?`, f.po).Scan(&version).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.regA.UpdateUser(context.Background(), f.admin, f.po, version, in); err != nil {
		t.Fatal(err)
	}
}

// TestUserCacheAcrossInstances: instance B keeps the user it read, and a region removed, a
// role removed and a deactivation made through instance A's use case reach B through the
// notification — within a second, though B would otherwise keep its entry for a minute.
func TestUserCacheAcrossInstances(t *testing.T) {
	t.Parallel()
	f := newUserCacheFixture(t)
	u := f.poOnB(t)
	if !u.Active || !slices.Equal(u.RegionIDs, []int64{f.region1, f.region2}) || !slices.Equal(u.EffectiveRoles(), []models.Role{models.RoleProtectionOfficer}) {
		t.Fatalf("first read: %+v", u)
	}
	again, hit := f.hit(t)
	if !hit || !slices.Equal(again.RegionIDs, u.RegionIDs) {
		t.Fatalf("second read: from the cache %v, %+v", hit, again)
	}
	again.RegionIDs[0] = 999 // a caller changing its copy
	if u, _ := f.hit(t); u.RegionIDs[0] != f.region1 {
		t.Fatalf("the cached scope changed with a caller's copy: %v", u.RegionIDs)
	}

	f.update(t, registry.UserUpdate{Roles: []string{"protection_officer"}, RegionCodes: []string{"R1"}, Active: true})
	f.within(t, time.Second, "region removed", func(u *models.User) bool { return slices.Equal(u.RegionIDs, []int64{f.region1}) })
	f.update(t, registry.UserUpdate{Roles: []string{}, RegionCodes: []string{"R1"}, Active: true})
	f.within(t, time.Second, "role removed", func(u *models.User) bool { return len(u.EffectiveRoles()) == 0 })
	f.update(t, registry.UserUpdate{Roles: []string{}, RegionCodes: []string{"R1"}, Active: false})
	f.within(t, time.Second, "deactivated", func(u *models.User) bool { return !u.Active })
	if _, hit := f.hit(t); !hit {
		t.Error("not kept again after the changes")
	}
	// A border post added by a direct statement (no use case) notifies too.
	var post int64
	if err := f.a.Raw(`INSERT INTO border_posts (code, name, region_id) VALUES ('P1', 'Post', ?) RETURNING id`, f.region1).Scan(&post).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.a.Exec(`INSERT INTO user_border_posts (user_id, border_post_id) VALUES (?, ?)`, f.po, post).Error; err != nil {
		t.Fatal(err)
	}
	f.within(t, time.Second, "border post added", func(u *models.User) bool { return slices.Equal(u.BorderPostIDs, []int64{post}) })
}

// TestUserCacheTTLBoundsAMissedNotification: a change whose notification never comes (the
// trigger disabled by the database's owner) is served stale for at most the TTL.
func TestUserCacheTTLBoundsAMissedNotification(t *testing.T) {
	t.Parallel()
	f := newUserCacheFixture(t)
	owner := f.open(t, testdb.AdminURL(t, f.url))
	f.poOnB(t)
	if err := owner.Exec(`ALTER TABLE users DISABLE TRIGGER users_notify_changed`).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.a.Exec(`UPDATE users SET active = false WHERE id = ?`, f.po).Error; err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // a notification, had there been one, would be in
	f.advance(time.Minute - time.Millisecond)
	if u, hit := f.hit(t); !hit || !u.Active {
		t.Fatalf("within the TTL, without a notification: from the cache %v, active %v", hit, u.Active)
	}
	f.advance(time.Millisecond)
	if u, hit := f.hit(t); hit || u.Active {
		t.Fatalf("at the TTL: from the cache %v, active %v", hit, u.Active)
	}
}

// TestUserCacheDistrustsALostListener: when the listening connection is lost, the cache is
// emptied and every request reads its user until a new connection listens; a change made
// meanwhile (its notification heard by nobody on B) is seen, before and after.
func TestUserCacheDistrustsALostListener(t *testing.T) {
	t.Parallel()
	f := newUserCacheFixture(t)
	owner := f.open(t, testdb.AdminURL(t, f.url))
	if u, _ := f.hit(t); !u.Active {
		t.Fatal("inactive at the start")
	}
	if _, hit := f.hit(t); !hit {
		t.Fatal("not kept")
	}
	var killed int
	if err := owner.Raw(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'kujdes user cache'`).Scan(&killed).Error; err != nil || killed != 1 {
		t.Fatalf("terminate the listener: %d, %v", killed, err)
	}
	f.waitListening(t, false)
	if err := f.a.Exec(`UPDATE users SET active = false WHERE id = ?`, f.po).Error; err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if u, hit := f.hit(t); hit || u.Active {
			t.Fatalf("not listening: from the cache %v, active %v", hit, u.Active)
		}
	}
	f.waitListening(t, true)
	if u, _ := f.hit(t); u.Active {
		t.Fatal("listening again: the user read before the connection was lost came back")
	}
	if _, hit := f.hit(t); !hit {
		t.Error("not kept once listening again")
	}
}
