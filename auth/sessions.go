package auth

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
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
	store    *userStore
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
func NewSessions(db *gorm.DB, c SessionConfig) (*Sessions, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	m := scs.New()
	store := &userStore{PostgresStore: postgresstore.NewWithCleanupInterval(sqlDB, 10*time.Minute), db: db, codec: m.Codec}
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
	return &Sessions{mgr: m, store: store, idle: c.Idle, lifetime: c.Lifetime, now: now}, nil
}

// Middleware loads the session before the handler and saves it after.
func (s *Sessions) Middleware(next http.Handler) http.Handler {
	h := s.mgr.LoadAndSave(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loadedKey{}, &loadedUser{})))
	})
}

// User returns the user (with scopes) read together with the request's session row, when
// that row names userID; nil otherwise (the caller then loads the user itself).
func (s *Sessions) User(ctx context.Context, userID int64) *models.User {
	if l, ok := ctx.Value(loadedKey{}).(*loadedUser); ok && l.user != nil && l.user.ID == userID {
		return l.user
	}
	return nil
}

type loadedKey struct{}

// loadedUser is where the session store leaves the user it read with the session row.
type loadedUser struct{ user *models.User }

// userStore is scs' PostgreSQL store whose rows also name their user (user_id), so that
// loading a session reads the user and their scopes in the same statement: one query per
// signed-in request. Nothing is cached between requests, so deactivation, a role change or
// sessions_valid_after take effect at once on every instance.
type userStore struct {
	*postgresstore.PostgresStore // expired-row clean-up
	db                           *gorm.DB
	codec                        scs.Codec
}

type sessionRow struct {
	models.UserWithScopes `gorm:"embedded"`
	SessionData           []byte `gorm:"column:session_data"`
}

func (st *userStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var row sessionRow
	res := st.db.WithContext(ctx).Raw(`SELECT s.data AS session_data, `+models.UserWithScopesColumns+`
		FROM sessions s JOIN users ON users.id = s.user_id
		WHERE s.token = ? AND current_timestamp < s.expiry`, token).Find(&row) // Find, not Scan (models.Open says why)
	if res.Error != nil {
		return nil, false, res.Error
	}
	if res.RowsAffected == 1 {
		if l, ok := ctx.Value(loadedKey{}).(*loadedUser); ok {
			l.user = row.Get()
		}
		return row.SessionData, true, nil
	}
	// Anonymous sessions, rows written before user_id existed, or a user who is gone.
	var data []byte
	err := st.db.WithContext(ctx).Raw(`SELECT data FROM sessions WHERE token = ? AND current_timestamp < expiry`, token).Row().Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return data, err == nil, err
}

func (st *userStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	var userID *int64
	if _, values, err := st.codec.Decode(b); err == nil {
		if id, ok := values[keyUserID].(int64); ok && id != 0 {
			userID = &id
		}
	}
	return st.db.WithContext(ctx).Exec(`INSERT INTO sessions (token, data, expiry, user_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, user_id = EXCLUDED.user_id`,
		token, b, expiry, userID).Error
}

func (st *userStore) DeleteCtx(ctx context.Context, token string) error {
	return st.db.WithContext(ctx).Exec(`DELETE FROM sessions WHERE token = ?`, token).Error
}

func (st *userStore) Find(token string) ([]byte, bool, error) {
	return st.FindCtx(context.Background(), token)
}

func (st *userStore) Commit(token string, b []byte, expiry time.Time) error {
	return st.CommitCtx(context.Background(), token, b, expiry)
}

func (st *userStore) Delete(token string) error { return st.DeleteCtx(context.Background(), token) }

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
