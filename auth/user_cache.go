package auth

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// UserCache keeps the users that bearer tokens name (with their roles and scopes) for a few
// seconds, so that an API request does not read its user every time (a statement and about
// 12 % of the CPU of an audited read, docs/audit-log.md). It must stay correct with several
// instances on one database, where an administrator's change is made through any of them:
//
//   - Triggers (migration 00036) send a notification on the channel UsersChannel whenever a
//     statement changes users (active, roles, sessions_valid_after, anything), user_regions
//     or user_border_posts. Every instance listens on a connection of its own; a
//     notification empties its cache. NOTIFY is delivered on commit, so the change is
//     visible to the next read.
//   - Entries are used only while that connection listens. When it fails (or a ping on it
//     does), the cache is emptied and bypassed — every request reads its user, as without
//     a cache — until a new connection listens again, which empties the cache once more.
//   - A read that started before an invalidation is never stored (a generation counter), so
//     a user read just before a change cannot come back after its notification.
//   - Whatever happens, no entry is used more than TTL after its read began (default
//     UserCacheTTL): the bound on a change reaching an instance whose listener silently
//     stopped hearing.
//
// Only positive answers are kept: a user not found is read again next time. A nil
// *UserCache reads every time. Browser sessions do not use it: their user is read with the
// session row, in the statement that has to run anyway (sessions.go).
type UserCache struct {
	DB *gorm.DB
	// TTL bounds how long an entry is used (default UserCacheTTL).
	TTL time.Duration
	// Ping is how long the listener waits for a notification before it checks its
	// connection (default 2 s); Retry the pause before it listens again after a failure
	// (default 1 s).
	Ping, Retry time.Duration
	Log         *slog.Logger
	Now         func() time.Time

	mu   sync.Mutex
	live bool   // the listener listens: entries may be used
	gen  uint64 // incremented by every invalidation
	m    map[userKey]cachedUser
}

// UsersChannel is the notification channel of changes to users and their scopes.
const UsersChannel = "kujdes_users"

// userCacheApplication names the listener's connection in pg_stat_activity.
const userCacheApplication = "kujdes user cache"

// UserCacheTTL is the default hard bound on an entry's use.
const UserCacheTTL = 5 * time.Second

// userCacheSize bounds the entries; a full cache is emptied.
const userCacheSize = 4096

type userKey struct{ issuer, subject string }

type cachedUser struct {
	u   models.User
	gen uint64
	at  time.Time
}

// NewUserCache returns a cache over db; Run makes it usable.
func NewUserCache(db *gorm.DB, log *slog.Logger) *UserCache {
	return &UserCache{DB: db, Log: log}
}

func (c *UserCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *UserCache) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return UserCacheTTL
}

// ByIdentity returns the user with this issuer and subject, with their scopes: from the
// cache when it may be trusted, else from db (models.UserByIdentity).
func (c *UserCache) ByIdentity(ctx context.Context, db *gorm.DB, issuer, subject string) (*models.User, error) {
	if c == nil {
		return models.UserByIdentity(ctx, db, issuer, subject)
	}
	k := userKey{issuer, subject}
	started := c.now()
	c.mu.Lock()
	live, gen := c.live, c.gen
	if e, ok := c.m[k]; live && ok && e.gen == gen && started.Sub(e.at) < c.ttl() && !started.Before(e.at) {
		c.mu.Unlock()
		return clonedUser(e.u), nil
	}
	c.mu.Unlock()
	u, err := models.UserByIdentity(ctx, db, issuer, subject)
	if err != nil || !live {
		return u, err
	}
	c.mu.Lock()
	if c.live && c.gen == gen { // nothing changed since before the read
		if c.m == nil || len(c.m) >= userCacheSize {
			c.m = map[userKey]cachedUser{}
		}
		c.m[k] = cachedUser{u: *clonedUser(*u), gen: gen, at: started}
	}
	c.mu.Unlock()
	return u, nil
}

// clonedUser copies u with its slices, so that no caller shares an entry's arrays.
func clonedUser(u models.User) *models.User {
	u.Roles, u.TokenRoles = slices.Clone(u.Roles), slices.Clone(u.TokenRoles)
	u.RegionIDs, u.BorderPostIDs = slices.Clone(u.RegionIDs), slices.Clone(u.BorderPostIDs)
	u.PendingGrants = nil
	return &u
}

// invalidate empties the cache; trusted tells whether it may be used from now on.
func (c *UserCache) invalidate(trusted bool) {
	c.mu.Lock()
	c.gen++
	c.live = trusted
	clear(c.m)
	c.mu.Unlock()
}

// Run listens for changes until ctx ends; the cache is used only while it listens. Run it in
// every instance that serves requests (kujdes serve).
func (c *UserCache) Run(ctx context.Context) {
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	retry := c.Retry
	if retry <= 0 {
		retry = time.Second
	}
	for ctx.Err() == nil {
		err := c.listen(ctx)
		c.invalidate(false)
		if ctx.Err() != nil {
			return
		}
		log.Warn("user cache: not listening; users are read with every request until it listens again", "err", models.RedactError(err))
		t := time.NewTimer(retry)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// listen takes a connection of its own, listens on UsersChannel and empties the cache on
// every notification; it returns when the connection fails or ctx ends, and the connection
// is then closed rather than returned to the pool.
func (c *UserCache) listen(ctx context.Context) error {
	sqlDB, err := c.DB.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	ping := c.Ping
	if ping <= 0 {
		ping = 2 * time.Second
	}
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("user cache: the database driver is %T, not pgx", dc)
		}
		pc := sc.Conn()
		if _, err := pc.Exec(ctx, "SET application_name = '"+userCacheApplication+"'; LISTEN "+UsersChannel); err != nil {
			return errors.Join(driver.ErrBadConn, err)
		}
		// Listening from here on: what changed before is emptied now, what changes later
		// is notified.
		c.invalidate(true)
		for {
			wctx, cancel := context.WithTimeout(ctx, ping)
			_, err := pc.WaitForNotification(wctx)
			cancel()
			switch {
			case err == nil:
				c.invalidate(true)
				continue
			case ctx.Err() != nil:
				return errors.Join(driver.ErrBadConn, ctx.Err())
			case !pgconn.Timeout(err):
				return errors.Join(driver.ErrBadConn, err)
			}
			// Quiet for a while: make sure the connection still hears.
			pctx, cancel := context.WithTimeout(ctx, ping)
			err = pc.Ping(pctx)
			cancel()
			if err != nil {
				return errors.Join(driver.ErrBadConn, err)
			}
		}
	})
}

// Start runs Run in a goroutine until the returned stop is called (or ctx ends); stop waits
// for it to end.
func (c *UserCache) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx)
	}()
	return func() { cancel(); <-done }
}

// Listening tells whether the cache is in use: its listener listens (readiness, tests).
func (c *UserCache) Listening() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live
}
