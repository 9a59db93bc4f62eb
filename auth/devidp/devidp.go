// Package devidp is Kujdes' development identity provider: an in-process OpenID Connect
// provider, built on github.com/zitadel/oidc/v3/pkg/op, whose login page lets one pick a demo
// user of each role. It exists for `make run`, demos and tests. It checks no password, so it
// refuses to run on anything but a loopback issuer (127.0.0.0/8, ::1, localhost) and, unless
// Config.AllowNonLoopbackPeers is set, refuses requests from non-loopback peers.
//
// # Mounting
//
// Handler serves everything under the issuer's path. Mount it at that path; it accepts the
// request path either with the issuer path still on it or already stripped, so both work for
// Config.Issuer "http://127.0.0.1:8080/dev-idp":
//
//	mux.Handle("/dev-idp/", p.Handler())                              // net/http
//	mux.Handle("/dev-idp/", http.StripPrefix("/dev-idp", p.Handler())) // net/http, stripped
//	engine.Any("/dev-idp/*path", gin.WrapH(p.Handler()))              // Gin
//
// The issuer in the discovery document is always Config.Issuer verbatim, whatever the Host
// header says, so relying parties must use exactly that URL (same host spelling: 127.0.0.1 and
// localhost are different issuers).
//
// # Tokens
//
// The authorization code flow is the only flow (PKCE S256 required for public clients,
// accepted for confidential ones; client_secret_basic and client_secret_post). The token
// endpoint returns
//   - an ID token (RS256) whose aud is the client id only, with nonce, name, email,
//     preferred_username, locale and the roles claim;
//   - a JWT access token (RS256, header typ "at+jwt") with iss, sub, aud [APIAudience], exp,
//     iat, nbf, jti, client_id, scope and the roles claim — the same form MintAccessToken
//     produces.
//
// No refresh tokens. The signing key and all state live in memory and die with the process.
package devidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is a demo user one can sign in as.
type User struct {
	Subject  string   // stable id, the `sub` claim, e.g. "demo-guardian-1"
	Username string   // e.g. "guardian1"; the preferred_username claim and MintAccessToken's key
	Name     string   // display name
	Email    string   // optional
	Roles    []string // e.g. ["guardian"]; emitted under Config.RolesClaim in ID and access tokens
	Locale   string   // optional BCP 47 tag, the `locale` claim
}

// Client is a relying party allowed to use the provider. A client with a Secret is
// confidential (client_secret_basic or client_secret_post); one without is public and must
// use PKCE S256. Redirect URIs are matched exactly.
type Client struct {
	ID                     string
	Secret                 string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
}

// Translator returns the text for messageID in the language of the request. Every string the
// provider's pages show goes through it; see DefaultMessages for the ids.
type Translator func(r *http.Request, messageID string) string

// Config configures New.
type Config struct {
	// Issuer is the full issuer URL including its path, e.g. "http://127.0.0.1:8080/dev-idp".
	// Its host must be a loopback address or "localhost".
	Issuer  string
	Clients []Client
	Users   []User
	// APIAudience is the aud of every access token (the client is named by client_id), so the
	// API verifies them with go-oidc's ClientID = APIAudience. It must differ from every client
	// id: ID tokens carry only the client id, so they are never valid API tokens.
	APIAudience string
	// RolesClaim names the claim carrying User.Roles (default "roles"). A dotted path such as
	// "realm_access.roles" emits nested objects, as Keycloak does.
	RolesClaim string
	// AccessTokenTTL is the lifetime of access and ID tokens (default 15m).
	AccessTokenTTL time.Duration
	// Translate translates the login page (default DefaultTranslator, English).
	Translate Translator
	// Lang returns the BCP 47 tag for <html lang> and whether the language is written right to
	// left (default "en", false).
	Lang func(r *http.Request) (tag string, rtl bool)
	// StylesheetURL, if set, is linked from the pages (<link rel="stylesheet">). The pages have
	// no inline style or script.
	StylesheetURL string
	// Now is the clock for access tokens, login times and auth request expiry (default
	// time.Now). ID token exp/iat come from zitadel's code, which uses time.Now.
	Now func() time.Time
	// AllowNonLoopbackPeers serves requests whose RemoteAddr is not a loopback address, e.g.
	// when a container runtime forwards the port. Off by default.
	AllowNonLoopbackPeers bool
}

// Provider is a running development identity provider.
type Provider struct {
	cfg        Config
	issuerPath string // path of the issuer URL without trailing slash; "" for the root
	ttl        time.Duration
	now        func() time.Time
	translate  Translator
	lang       func(*http.Request) (string, bool)
	storage    *storage
	op         *op.Provider
	handler    http.Handler
}

const (
	defaultRolesClaim   = "roles"
	defaultTTL          = 15 * time.Minute
	authRequestLifetime = 10 * time.Minute

	loginPath     = "/login"
	loggedOutPath = "/logged-out"
)

// registeredClaims are claims the library or this package sets itself; a roles claim by one of
// these names would be overwritten or would overwrite them.
var registeredClaims = []string{
	"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id", "scope", "azp", "nonce",
	"auth_time", "at_hash", "c_hash", "acr", "amr", "sid", "act", "name", "given_name",
	"family_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
	"website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
	"phone_number", "phone_number_verified", "address", "updated_at",
}

// New validates cfg and starts a provider: it generates an RSA signing key and the key that
// encrypts authorization codes. It refuses an issuer whose host is not a loopback address.
func New(cfg Config) (*Provider, error) {
	cfg = cloneConfig(cfg)
	issuerURL, err := checkIssuer(cfg.Issuer)
	if err != nil {
		return nil, err
	}
	if cfg.APIAudience == "" {
		return nil, errors.New("devidp: APIAudience is required")
	}
	if cfg.RolesClaim == "" {
		cfg.RolesClaim = defaultRolesClaim
	}
	if err := checkRolesClaim(cfg.RolesClaim); err != nil {
		return nil, err
	}
	if cfg.AccessTokenTTL == 0 {
		cfg.AccessTokenTTL = defaultTTL
	}
	if cfg.AccessTokenTTL < 0 {
		return nil, errors.New("devidp: AccessTokenTTL must be positive")
	}
	if err := checkUsers(cfg.Users); err != nil {
		return nil, err
	}
	if err := checkClients(cfg.Clients, cfg.APIAudience); err != nil {
		return nil, err
	}

	p := &Provider{
		cfg:        cfg,
		issuerPath: strings.TrimSuffix(issuerURL.Path, "/"),
		ttl:        cfg.AccessTokenTTL,
		now:        cfg.Now,
		translate:  cfg.Translate,
		lang:       cfg.Lang,
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.translate == nil {
		p.translate = DefaultTranslator
	}
	if p.lang == nil {
		p.lang = func(*http.Request) (string, bool) { return "en", false }
	}

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devidp: generating the signing key: %w", err)
	}
	p.storage = newStorage(storageConfig{
		now:        p.now,
		clients:    cfg.Clients,
		users:      cfg.Users,
		rolesClaim: cfg.RolesClaim,
		loginURL:   strings.TrimSuffix(cfg.Issuer, "/") + loginPath,
		ttl:        cfg.AccessTokenTTL,
		key:        signingKey{id: rand.Text(), algorithm: jose.RS256, key: rsaKey},
	})

	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		return nil, fmt.Errorf("devidp: generating the crypto key: %w", err)
	}
	supportedClaims := append(slices.Clone(op.DefaultSupportedClaims), strings.SplitN(cfg.RolesClaim, ".", 2)[0])
	opConfig := &op.Config{
		CryptoKey:                cryptoKey,
		DefaultLogoutRedirectURI: strings.TrimSuffix(cfg.Issuer, "/") + loggedOutPath,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    false,
		SupportedScopes:          []string{"openid", "profile", "email"},
		SupportedClaims:          supportedClaims,
	}
	opts := []op.Option{op.WithHttpInterceptors(p.interceptTokenEndpoint)}
	if issuerURL.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	p.op, err = op.NewProvider(opConfig, p.storage, op.StaticIssuer(cfg.Issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("devidp: %w", err)
	}
	p.handler = p.routes()
	return p, nil
}

// Handler serves discovery, JWKS, authorize, token, userinfo, introspection, revocation,
// end_session, the login page and the signed-out page, all under the issuer path. See the
// package documentation for how to mount it.
func (p *Provider) Handler() http.Handler { return p.handler }

// Issuer returns Config.Issuer.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// Endpoints are the absolute URLs the discovery document advertises.
type Endpoints struct {
	Issuer, Authorization, Token, UserInfo, JWKS, EndSession string
}

// Endpoints returns the provider's URLs without an HTTP round trip, e.g. to fill a go-oidc
// ProviderConfig when the relying party is set up before the server listens.
func (p *Provider) Endpoints() Endpoints {
	iss := p.cfg.Issuer
	return Endpoints{
		Issuer:        iss,
		Authorization: p.op.AuthorizationEndpoint().Absolute(iss),
		Token:         p.op.TokenEndpoint().Absolute(iss),
		UserInfo:      p.op.UserinfoEndpoint().Absolute(iss),
		JWKS:          p.op.KeysEndpoint().Absolute(iss),
		EndSession:    p.op.EndSessionEndpoint().Absolute(iss),
	}
}

// Users returns a copy of the demo users.
func (p *Provider) Users() []User { return cloneUsers(p.cfg.Users) }

// MintAccessToken returns a signed access token for the demo user with this username, of the
// same form the token endpoint issues (aud [APIAudience], client_id of the first client when
// there is one, scope "openid profile email", the roles claim), valid for
// AccessTokenTTL. It is for scripts: "give me a bearer token for demo user X".
func (p *Provider) MintAccessToken(ctx context.Context, username string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	u, ok := p.storage.userByUsername(username)
	if !ok {
		return "", fmt.Errorf("devidp: no demo user %q", username)
	}
	clientID := ""
	if len(p.cfg.Clients) > 0 {
		clientID = p.cfg.Clients[0].ID
	}
	token, _, err := p.signAccessToken(u, clientID, []string{"openid", "profile", "email"})
	return token, err
}

func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.renderMessage(w, r, http.StatusForbidden, msgErrorCrossOrigin)
	}))
	mux.HandleFunc("GET "+loginPath, p.loginPage)
	mux.Handle("POST "+loginPath, csrf.Handler(http.HandlerFunc(p.loginSubmit)))
	mux.HandleFunc("GET "+loggedOutPath, func(w http.ResponseWriter, r *http.Request) {
		p.renderMessage(w, r, http.StatusOK, msgLoggedOut)
	})
	mux.HandleFunc(p.op.EndSessionEndpoint().Relative(), p.endSession)
	mux.Handle("/", p.op)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.cfg.AllowNonLoopbackPeers && !loopbackPeer(r.RemoteAddr) {
			http.Error(w, "devidp: refusing a request from the non-loopback peer "+r.RemoteAddr+
				"; the development identity provider serves this computer only (see Config.AllowNonLoopbackPeers)",
				http.StatusForbidden)
			return
		}
		mux.ServeHTTP(w, p.stripIssuerPath(r))
	})
}

// stripIssuerPath removes the issuer path from the request path when it is there, so the
// handler works mounted both with and without http.StripPrefix.
func (p *Provider) stripIssuerPath(r *http.Request) *http.Request {
	if p.issuerPath == "" {
		return r
	}
	path := r.URL.Path
	if path != p.issuerPath && !strings.HasPrefix(path, p.issuerPath+"/") {
		return r
	}
	r2 := new(http.Request)
	*r2 = *r
	r2.URL = new(url.URL)
	*r2.URL = *r.URL
	r2.URL.Path = strings.TrimPrefix(path, p.issuerPath)
	r2.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, p.issuerPath)
	if r2.URL.Path == "" {
		r2.URL.Path = "/"
	}
	return r2
}

func loopbackPeer(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkIssuer(issuer string) (*url.URL, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, fmt.Errorf("devidp: Issuer %q: %w", issuer, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("devidp: Issuer %q must be an http or https URL", issuer)
	case u.Host == "" || u.Opaque != "":
		return nil, fmt.Errorf("devidp: Issuer %q has no host", issuer)
	case !isLoopbackHost(u.Hostname()):
		return nil, fmt.Errorf("devidp: Issuer %q: the development identity provider runs on a loopback address only (127.0.0.0/8, ::1, localhost)", issuer)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(issuer, "?") || strings.HasSuffix(issuer, "#"):
		return nil, fmt.Errorf("devidp: Issuer %q must not carry user info, a query or a fragment", issuer)
	case u.RawPath != "":
		return nil, fmt.Errorf("devidp: Issuer %q: the path must not need escaping", issuer)
	}
	return u, nil
}

func checkRolesClaim(claim string) error {
	parts := strings.Split(claim, ".")
	if slices.Contains(parts, "") {
		return fmt.Errorf("devidp: RolesClaim %q has an empty path segment", claim)
	}
	if slices.Contains(registeredClaims, parts[0]) {
		return fmt.Errorf("devidp: RolesClaim %q collides with the registered claim %q", claim, parts[0])
	}
	return nil
}

func checkUsers(users []User) error {
	if len(users) == 0 {
		return errors.New("devidp: at least one user is required")
	}
	subjects := map[string]bool{}
	usernames := map[string]bool{}
	for i, u := range users {
		if u.Subject == "" || u.Username == "" {
			return fmt.Errorf("devidp: user %d needs a Subject and a Username", i)
		}
		if subjects[u.Subject] {
			return fmt.Errorf("devidp: duplicate user Subject %q", u.Subject)
		}
		if usernames[u.Username] {
			return fmt.Errorf("devidp: duplicate Username %q", u.Username)
		}
		subjects[u.Subject], usernames[u.Username] = true, true
	}
	return nil
}

func checkClients(clients []Client, apiAudience string) error {
	ids := map[string]bool{}
	for i, c := range clients {
		if c.ID == "" {
			return fmt.Errorf("devidp: client %d needs an ID", i)
		}
		if ids[c.ID] {
			return fmt.Errorf("devidp: duplicate client ID %q", c.ID)
		}
		ids[c.ID] = true
		if c.ID == apiAudience {
			return fmt.Errorf("devidp: client ID %q equals APIAudience; ID tokens would then be valid API tokens", c.ID)
		}
		if len(c.RedirectURIs) == 0 {
			return fmt.Errorf("devidp: client %q needs at least one redirect URI", c.ID)
		}
		for _, list := range [][]string{c.RedirectURIs, c.PostLogoutRedirectURIs} {
			for _, raw := range list {
				u, err := url.Parse(raw)
				if err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != "" {
					return fmt.Errorf("devidp: client %q: %q is not an absolute URL without fragment", c.ID, raw)
				}
			}
		}
	}
	return nil
}

func cloneUsers(users []User) []User {
	out := slices.Clone(users)
	for i := range out {
		out[i].Roles = slices.Clone(out[i].Roles)
	}
	return out
}

func cloneConfig(cfg Config) Config {
	cfg.Users = cloneUsers(cfg.Users)
	cfg.Clients = slices.Clone(cfg.Clients)
	for i := range cfg.Clients {
		cfg.Clients[i].RedirectURIs = slices.Clone(cfg.Clients[i].RedirectURIs)
		cfg.Clients[i].PostLogoutRedirectURIs = slices.Clone(cfg.Clients[i].PostLogoutRedirectURIs)
	}
	return cfg
}
