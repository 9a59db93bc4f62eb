package auth

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
)

// Session keys.
const (
	keyUserID   = "uid"
	keyLoginAt  = "login_at"  // unix microseconds
	keyLastSeen = "last_seen" // unix microseconds
	keyIDToken  = "id_token"  // for RP-initiated logout (id_token_hint)
)

// touchEvery limits how often an active session is rewritten just to move its idle clock.
const touchEvery = time.Minute

// Sessions are server-side sessions in PostgreSQL (alexedwards/scs), so several Kujdes
// instances can serve one user. The cookie carries only a random token.
//
// scs enforces the absolute lifetime with the wall clock; Kujdes checks idle and absolute
// expiry with its own clock (injectable in tests) and against the user's sessions_valid_after,
// which is how logout everywhere, deactivation and a role change end sessions at once.
type Sessions struct {
	mgr      *scs.SessionManager
	store    *postgresstore.PostgresStore
	idle     time.Duration
	lifetime time.Duration
	now      func() time.Time
}

// SessionConfig configures the session cookie and lifetimes.
type SessionConfig struct {
	Idle, Lifetime time.Duration
	// Secure marks the cookie Secure and gives it the __Host- prefix (only over TLS: browsers
	// and Go's cookie jar drop Secure cookies on plain http).
	Secure bool
	Now    func() time.Time
}

// CookieName returns the session cookie's name for the scheme.
func CookieName(secure bool) string {
	if secure {
		return "__Host-kujdes_session"
	}
	return "kujdes_session"
}

// NewSessions stores sessions in db's "sessions" table.
func NewSessions(db *sql.DB, c SessionConfig) *Sessions {
	store := postgresstore.NewWithCleanupInterval(db, 10*time.Minute)
	m := scs.New()
	m.Store = store
	// No scs IdleTimeout: scs would rewrite the session row on every request to move it.
	// Kujdes enforces the idle limit itself (Current), touching the row at most once a minute.
	m.Lifetime = c.Lifetime
	m.Cookie.Name = CookieName(c.Secure)
	m.Cookie.HttpOnly = true
	m.Cookie.Secure = c.Secure
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Path = "/"
	m.Cookie.Persist = false // a browser session cookie; the server decides expiry
	now := c.Now
	if now == nil {
		now = time.Now
	}
	return &Sessions{mgr: m, store: store, idle: c.Idle, lifetime: c.Lifetime, now: now}
}

// Middleware loads the session before the handler and saves it after.
func (s *Sessions) Middleware(next http.Handler) http.Handler { return s.mgr.LoadAndSave(next) }

// Close stops the background clean-up of expired sessions.
func (s *Sessions) Close() { s.store.StopCleanup() }

// Start begins a signed-in session for userID with a NEW token (no session fixation).
func (s *Sessions) Start(ctx context.Context, userID int64, rawIDToken string) error {
	if err := s.mgr.RenewToken(ctx); err != nil {
		return err
	}
	now := s.now().UnixMicro()
	s.mgr.Put(ctx, keyUserID, userID)
	s.mgr.Put(ctx, keyLoginAt, now)
	s.mgr.Put(ctx, keyLastSeen, now)
	s.mgr.Put(ctx, keyIDToken, rawIDToken)
	return nil
}

// SessionState is what a request's session says about its user.
type SessionState struct {
	UserID  int64
	LoginAt time.Time
	IDToken string
}

// Current returns the signed-in user of the session, ending the session when it is idle for
// too long or older than its lifetime.
func (s *Sessions) Current(ctx context.Context) (SessionState, bool) {
	uid := s.mgr.GetInt64(ctx, keyUserID)
	if uid == 0 {
		return SessionState{}, false
	}
	now := s.now()
	login := time.UnixMicro(s.mgr.GetInt64(ctx, keyLoginAt))
	last := time.UnixMicro(s.mgr.GetInt64(ctx, keyLastSeen))
	if now.Sub(last) > s.idle || now.Sub(login) > s.lifetime {
		_ = s.mgr.Destroy(ctx)
		return SessionState{}, false
	}
	if now.Sub(last) >= touchEvery {
		s.mgr.Put(ctx, keyLastSeen, now.UnixMicro())
	}
	return SessionState{UserID: uid, LoginAt: login, IDToken: s.mgr.GetString(ctx, keyIDToken)}, true
}

// End destroys the session (logout).
func (s *Sessions) End(ctx context.Context) error { return s.mgr.Destroy(ctx) }
