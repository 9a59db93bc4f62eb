package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// Errors of the login flow. All of them mean "start again"; none says more to the browser.
var (
	ErrLoginState = errors.New("login: missing, unknown, reused or expired state")
	ErrLoginNonce = errors.New("login: id token nonce does not match")
	ErrToken      = errors.New("token refused")
)

// loginTTL is how long a started login may take at the provider.
const loginTTL = 10 * time.Minute

// OIDCConfig configures the relying party.
type OIDCConfig struct {
	Issuer string
	// DiscoveryURL fetches the provider metadata from another address than the issuer (e.g.
	// Keycloak reached as http://keycloak:8080 inside compose, issuing as http://localhost:8081).
	DiscoveryURL string
	// Endpoints, when set, replaces discovery (the development provider runs inside this very
	// server, which is not listening yet when the relying party is built).
	Endpoints    *oidc.ProviderConfig
	ClientID     string
	ClientSecret string
	RedirectURL  string // https://kujdes.example/auth/callback
	APIAudience  string
	RolesClaim   string            // dotted path: "realm_access.roles", "groups", "roles"
	RoleMap      map[string]string // provider name → Kujdes role; empty = the five role names as-is
	Scopes       []string
	Now          func() time.Time
}

// RP is Kujdes as an OpenID Connect relying party. Built once at start.
type RP struct {
	cfg         OIDCConfig
	provider    *oidc.Provider
	oauth       oauth2.Config
	idVerifier  *oidc.IDTokenVerifier
	apiVerifier *oidc.IDTokenVerifier
	endSession  string
	bearers     bearerCache // tokens verified lately (bearer_cache.go)
}

// NewRP discovers the provider (retrying while it starts) and builds the verifiers.
func NewRP(ctx context.Context, cfg OIDCConfig) (*RP, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// The key set fetches keys later, on demand, with this context: it must outlive ctx.
	keyCtx := context.WithoutCancel(ctx)
	var provider *oidc.Provider
	if cfg.Endpoints != nil {
		provider = cfg.Endpoints.NewProvider(keyCtx)
	} else {
		discover := cfg.Issuer
		if cfg.DiscoveryURL != "" {
			discover = cfg.DiscoveryURL
			keyCtx = oidc.InsecureIssuerURLContext(keyCtx, cfg.Issuer)
		}
		var err error
		for attempt := 0; ; attempt++ {
			provider, err = oidc.NewProvider(keyCtx, discover)
			if err == nil || attempt >= 30 || ctx.Err() != nil {
				break
			}
			time.Sleep(2 * time.Second)
		}
		if err != nil {
			return nil, fmt.Errorf("oidc discovery at %s: %w", discover, err)
		}
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = provider.Claims(&meta)
	if cfg.Endpoints != nil && meta.EndSession == "" {
		meta.EndSession = cfg.Issuer + "/end_session"
	}
	scopes := append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	authStyle := oauth2.AuthStyleAutoDetect
	return &RP{
		cfg:      cfg,
		provider: provider,
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: oauth2.Endpoint{AuthURL: provider.Endpoint().AuthURL, TokenURL: provider.Endpoint().TokenURL, AuthStyle: authStyle},
			Scopes:   scopes,
		},
		idVerifier:  provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: cfg.Now}),
		apiVerifier: provider.Verifier(&oidc.Config{ClientID: cfg.APIAudience, Now: cfg.Now}),
		endSession:  meta.EndSession,
	}, nil
}

// Issuer is the provider's issuer URL.
func (rp *RP) Issuer() string { return rp.cfg.Issuer }

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// oidcLogin is a row of oidc_logins.
type oidcLogin struct {
	State     string `gorm:"primaryKey"`
	Nonce     string
	Verifier  string
	ReturnTo  string
	ExpiresAt time.Time
}

func (oidcLogin) TableName() string { return "oidc_logins" }

// Begin starts a login: it remembers a fresh nonce and PKCE verifier under a fresh state and
// returns the provider URL to send the browser to, and the state for the browser's cookie.
func (rp *RP) Begin(ctx context.Context, db *gorm.DB, returnTo string) (authURL, state string, err error) {
	l := oidcLogin{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), ReturnTo: SafeReturnTo(returnTo), ExpiresAt: rp.cfg.Now().Add(loginTTL)}
	tx := db.WithContext(ctx)
	// Logins abandoned at the provider expire; sweep them as we go.
	if err := tx.Where("expires_at < ?", rp.cfg.Now()).Delete(&oidcLogin{}).Error; err != nil {
		return "", "", err
	}
	if err := tx.Create(&l).Error; err != nil {
		return "", "", err
	}
	return rp.oauth.AuthCodeURL(l.State, oidc.Nonce(l.Nonce), oauth2.S256ChallengeOption(l.Verifier)), l.State, nil
}

// Finish completes a login at the callback. cookieState is the state the browser kept,
// queryState the one the provider sent back; they must be equal and known, and are usable
// once. The ID token must carry the nonce we remembered.
func (rp *RP) Finish(ctx context.Context, db *gorm.DB, cookieState, queryState, code string) (id models.Identity, rawIDToken, returnTo string, err error) {
	if cookieState == "" || queryState == "" || subtle.ConstantTimeCompare([]byte(cookieState), []byte(queryState)) != 1 {
		return id, "", "", ErrLoginState
	}
	var rows []oidcLogin
	// DELETE … RETURNING makes the state single-use even under concurrent callbacks.
	if err := db.WithContext(ctx).Clauses(clause.Returning{}).Where("state = ?", queryState).Delete(&rows).Error; err != nil {
		return id, "", "", err
	}
	if len(rows) != 1 || rp.cfg.Now().After(rows[0].ExpiresAt) {
		return id, "", "", ErrLoginState
	}
	login := rows[0]
	tok, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(login.Verifier))
	if err != nil {
		return id, "", "", fmt.Errorf("%w: code exchange: %v", ErrToken, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return id, "", "", fmt.Errorf("%w: no id_token in the token response", ErrToken)
	}
	idt, err := rp.idVerifier.Verify(ctx, raw)
	if err != nil {
		return id, "", "", fmt.Errorf("%w: %v", ErrToken, err)
	}
	// go-oidc's Verify does not check the nonce: we do.
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(login.Nonce)) != 1 {
		return id, "", "", ErrLoginNonce
	}
	id, err = rp.identity(idt)
	return id, raw, login.ReturnTo, err
}

// VerifyBearer checks an API access token: signature with the provider's keys (no "none", no
// HMAC), issuer, expiry, and that the audience includes the API audience.
func (rp *RP) VerifyBearer(ctx context.Context, raw string) (models.Identity, error) {
	now := rp.cfg.Now()
	if id, ok := rp.bearers.get(raw, now); ok {
		return id, nil
	}
	t, err := rp.apiVerifier.Verify(ctx, raw)
	if err != nil {
		return models.Identity{}, fmt.Errorf("%w: %v", ErrToken, err)
	}
	id, err := rp.identity(t)
	if err == nil {
		rp.bearers.put(raw, id, t.Expiry, now)
	}
	return id, err
}

func (rp *RP) identity(t *oidc.IDToken) (models.Identity, error) {
	var claims map[string]any
	if err := t.Claims(&claims); err != nil {
		return models.Identity{}, fmt.Errorf("%w: claims: %v", ErrToken, err)
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	return models.Identity{
		Issuer:   t.Issuer,
		Subject:  t.Subject,
		Username: str("preferred_username"),
		Name:     str("name"),
		Email:    str("email"),
		Roles:    MapRoles(claimAt(claims, rp.cfg.RolesClaim), rp.cfg.RoleMap),
	}, nil
}

// claimAt reads a dotted path ("realm_access.roles") from token claims as a list of strings.
func claimAt(claims map[string]any, path string) []string {
	var cur any = claims
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	switch v := cur.(type) {
	case string:
		return strings.Fields(v)
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// MapRoles turns provider role or group names into Kujdes roles through an explicit
// allow-list: the configured map, or — when none is configured — the five role names exactly.
// Anything else is ignored, so a provider cannot invent a role.
func MapRoles(names []string, roleMap map[string]string) []models.Role {
	seen := map[models.Role]bool{}
	for _, n := range names {
		r := models.Role(n)
		if len(roleMap) > 0 {
			mapped, ok := roleMap[n]
			if !ok {
				continue
			}
			r = models.Role(mapped)
		}
		if r.Valid() {
			seen[r] = true
		}
	}
	var out []models.Role
	for _, r := range models.Roles {
		if seen[r] {
			out = append(out, r)
		}
	}
	return out
}

// LogoutURL is where to send the browser to end the provider's session too, or "" when the
// provider offers no end_session_endpoint.
func (rp *RP) LogoutURL(idTokenHint, postLogoutRedirect string) string {
	if rp.endSession == "" {
		return ""
	}
	u, err := url.Parse(rp.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	if idTokenHint != "" {
		q.Set("id_token_hint", idTokenHint) // Keycloak requires it
	}
	q.Set("client_id", rp.cfg.ClientID)
	q.Set("post_logout_redirect_uri", postLogoutRedirect)
	u.RawQuery = q.Encode()
	return u.String()
}

// EndSessionOrigin is the scheme://host of the provider's logout endpoint (for CSP form-action).
func (rp *RP) EndSessionOrigin() string {
	u, err := url.Parse(rp.endSession)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// SafeReturnTo keeps only a same-origin path to come back to after sign-in, so a login cannot
// be turned into an open redirect; anything else becomes "/".
//
// Browsers are lenient where we must not be: they drop tabs and newlines anywhere in a URL,
// trim spaces and control characters at its ends, read a backslash as a slash, and some decode
// percent-escapes or resolve "." segments before following a redirect. So "/\t/evil.example",
// "/%09/evil.example", "/\\evil", "/.//evil" and "/%2F%2Fevil" can all end up as
// "//evil.example" (another host). The rule is therefore strict: printable ASCII only (a path
// we generated is percent-encoded), parsed by net/url with no scheme, host, user or opaque part,
// starting with exactly one "/", and, after percent-decoding, no control character, no
// Unicode space, invisible format character or look-alike slash, no backslash, no empty ("//") or dot path segment.
func SafeReturnTo(p string) string {
	if !isLocalPath(p) {
		return "/"
	}
	return p
}

// maxReturnTo bounds a return path (a login row stores it).
const maxReturnTo = 2048

// lookalikeSlashes are characters that Unicode compatibility normalization (NFKC) or a
// careless decoder may turn into "/" or "\\".
const lookalikeSlashes = "\uff0f\uff3c\u2215\u2044\u29f8\u29f9\ufe68"

func isLocalPath(p string) bool {
	if len(p) < 1 || len(p) > maxReturnTo || p[0] != '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] <= ' ' || p[i] >= 0x7f || p[i] == '\\' {
			return false
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return false
	}
	whole, err := url.PathUnescape(p)
	if err != nil {
		return false
	}
	for _, r := range whole {
		if r < ' ' || r == 0x7f || r == '\\' || r == utf8.RuneError || (r > 0x7f && (unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || strings.ContainsRune(lookalikeSlashes, r))) {
			return false
		}
	}
	if u.Path == "/" {
		return true
	}
	segs := strings.Split(u.Path[1:], "/") // u.Path is decoded: %2F counts as a slash
	for i, seg := range segs {
		if (seg == "" && i < len(segs)-1) || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// LoginCookieName is the short-lived cookie that binds a login's state to the browser.
func LoginCookieName(secure bool) string {
	if secure {
		return "__Host-kujdes_login"
	}
	return "kujdes_login"
}

// LoginCookie builds the state cookie (maxAge < 0 deletes it).
func LoginCookie(state string, secure bool, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: LoginCookieName(secure), Value: state, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	}
}
