package devidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// storage is the in-memory op.Storage. Clients, users and the key never change after New;
// auth requests, codes and tokens are guarded by mu. Auth requests are handed out as copies,
// so the library never reads memory another request writes.
type storage struct {
	now        func() time.Time
	rolesClaim string
	ttl        time.Duration
	key        signingKey

	clients     map[string]*client
	users       map[string]User   // by subject
	usernameSub map[string]string // username → subject

	mu           sync.Mutex
	authRequests map[string]*authRequest
	codes        map[string]string // code → auth request id
	tokens       map[string]*token // jti → token
}

type storageConfig struct {
	now        func() time.Time
	clients    []Client
	users      []User
	rolesClaim string
	loginURL   string
	ttl        time.Duration
	key        signingKey
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

func newStorage(c storageConfig) *storage {
	s := &storage{
		now:          c.now,
		rolesClaim:   c.rolesClaim,
		ttl:          c.ttl,
		key:          c.key,
		clients:      map[string]*client{},
		users:        map[string]User{},
		usernameSub:  map[string]string{},
		authRequests: map[string]*authRequest{},
		codes:        map[string]string{},
		tokens:       map[string]*token{},
	}
	for _, cl := range c.clients {
		s.clients[cl.ID] = &client{cfg: cl, loginURL: c.loginURL, idTokenLifetime: c.ttl}
	}
	for _, u := range c.users {
		s.users[u.Subject] = u
		s.usernameSub[u.Username] = u.Subject
	}
	return s
}

// authRequest implements op.AuthRequest.
type authRequest struct {
	id            string
	created       time.Time
	clientID      string
	redirectURI   string
	state         string
	nonce         string
	scopes        []string
	responseType  oidc.ResponseType
	responseMode  oidc.ResponseMode
	codeChallenge *oidc.CodeChallenge

	subject  string
	done     bool
	authTime time.Time
	code     string
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return nil }
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.codeChallenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return slices.Clone(a.scopes) }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

func (a *authRequest) clone() *authRequest {
	c := *a
	c.scopes = slices.Clone(a.scopes)
	if a.codeChallenge != nil {
		cc := *a.codeChallenge
		c.codeChallenge = &cc
	}
	return &c
}

// token is what the provider remembers of an access token it signed, for userinfo,
// introspection and revocation. The JWT itself stays valid until it expires.
type token struct {
	id       string
	subject  string
	clientID string
	scopes   []string
	expires  time.Time
}

var (
	errNotFound    = errors.New("devidp: not found or expired")
	errUnsupported = errors.New("devidp: not supported by the development identity provider")
)

func (s *storage) expired(a *authRequest, now time.Time) bool {
	return now.Sub(a.created) > authRequestLifetime
}

// gcLocked drops expired auth requests, their codes and expired tokens. mu must be held.
func (s *storage) gcLocked(now time.Time) {
	for id, a := range s.authRequests {
		if s.expired(a, now) {
			delete(s.authRequests, id)
			if a.code != "" {
				delete(s.codes, a.code)
			}
		}
	}
	for id, t := range s.tokens {
		if now.After(t.expires) {
			delete(s.tokens, id)
		}
	}
}

func (s *storage) userByUsername(username string) (User, bool) {
	sub, ok := s.usernameSub[username]
	if !ok {
		return User{}, false
	}
	return s.users[sub], true
}

// CreateAuthRequest stores a validated authorization request. Only S256 PKCE is accepted,
// and public clients must use it.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if slices.Contains(req.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired().WithDescription("the development identity provider keeps no session; prompt=none cannot succeed")
	}
	cl, ok := s.clients[req.ClientID]
	if !ok {
		return nil, oidc.ErrInvalidClient()
	}
	var challenge *oidc.CodeChallenge
	switch {
	case req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	case req.CodeChallenge != "":
		challenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: oidc.CodeChallengeMethodS256}
	case cl.cfg.Secret == "":
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE (code_challenge with S256) is required for public clients")
	}
	now := s.now()
	a := &authRequest{
		id:            rand.Text(),
		created:       now,
		clientID:      req.ClientID,
		redirectURI:   req.RedirectURI,
		state:         req.State,
		nonce:         req.Nonce,
		scopes:        slices.Clone([]string(req.Scopes)),
		responseType:  req.ResponseType,
		responseMode:  req.ResponseMode,
		codeChallenge: challenge,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gcLocked(now)
	s.authRequests[a.id] = a
	return a.clone(), nil
}

// pendingAuthRequest returns a copy of an auth request that waits for the login page.
func (s *storage) pendingAuthRequest(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authRequests[id]
	if !ok || a.done || s.expired(a, s.now()) {
		return nil, errNotFound
	}
	return a.clone(), nil
}

// completeAuthRequest marks the auth request as authenticated as the user. It fails when the
// request is unknown, expired or already completed.
func (s *storage) completeAuthRequest(id, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a, ok := s.authRequests[id]
	if !ok || a.done || s.expired(a, now) {
		return errNotFound
	}
	a.subject, a.done, a.authTime = subject, true, now
	return nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authRequests[id]
	if !ok || s.expired(a, s.now()) {
		return nil, errNotFound
	}
	return a.clone(), nil
}

// AuthRequestByCode consumes the code: a second exchange of the same code fails even when it
// races the first.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.codes[code]
	if !ok {
		return nil, errNotFound
	}
	delete(s.codes, code)
	a, ok := s.authRequests[id]
	if !ok || !a.done || s.expired(a, s.now()) {
		return nil, errNotFound
	}
	return a.clone(), nil
}

// SaveAuthCode issues at most one code per auth request.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authRequests[id]
	if !ok || !a.done || s.expired(a, s.now()) {
		return errNotFound
	}
	if a.code != "" {
		return oidc.ErrInvalidRequest().WithDescription("a code was already issued for this request")
	}
	a.code = code
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.authRequests[id]; ok {
		delete(s.codes, a.code)
		delete(s.authRequests, id)
	}
	return nil
}

// recordToken remembers an access token this package signed.
func (s *storage) recordToken(t *token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gcLocked(s.now())
	s.tokens[t.id] = t
}

// CreateAccessToken is called only when the library itself issues an access token, which
// none of the enabled flows do (the code exchange is handled in token.go); it is implemented
// for completeness.
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	clientID := ""
	if a, ok := req.(op.AuthRequest); ok {
		clientID = a.GetClientID()
	}
	t := &token{
		id:       rand.Text(),
		subject:  req.GetSubject(),
		clientID: clientID,
		scopes:   slices.Clone(req.GetScopes()),
		expires:  s.now().Add(s.ttl),
	}
	s.recordToken(t)
	return t.id, t.expires, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errUnsupported
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errUnsupported
}

// TerminateSession forgets the user's tokens for the client (userinfo stops answering for
// them). The provider keeps no login session, and the JWTs stay valid until they expire.
func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && (clientID == "" || t.clientID == clientID) {
			delete(s.tokens, id)
		}
	}
	return nil
}

func (s *storage) RevokeToken(_ context.Context, tokenOrTokenID, _ string, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenOrTokenID]
	if !ok {
		return nil
	}
	if t.clientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
	}
	delete(s.tokens, tokenOrTokenID)
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return &s.key, nil }

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{s.key.algorithm}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{&publicKey{s.key}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	cl, ok := s.clients[clientID]
	if !ok {
		return nil, errors.New("devidp: unknown client")
	}
	return cl, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, clientSecret string) error {
	cl, ok := s.clients[clientID]
	if !ok || cl.cfg.Secret == "" || clientSecret == "" ||
		subtle.ConstantTimeCompare([]byte(cl.cfg.Secret), []byte(clientSecret)) != 1 {
		return errors.New("devidp: invalid client credentials")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in the library; SetUserinfoFromRequest does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's user claims.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(info, req.GetSubject(), scopes)
}

// SetUserinfoFromToken answers the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || s.now().After(t.expires) {
		return errors.New("devidp: token unknown or expired")
	}
	return s.setUserinfo(info, t.subject, t.scopes)
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || s.now().After(t.expires) || t.clientID != clientID {
		return errors.New("devidp: token unknown, expired or not issued to this client")
	}
	info := new(oidc.UserInfo)
	if err := s.setUserinfo(info, t.subject, t.scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Scope = t.scopes
	resp.ClientID = t.clientID
	resp.Expiration = oidc.FromTime(t.expires)
	return nil
}

func (s *storage) setUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	u, ok := s.users[subject]
	if !ok {
		return errors.New("devidp: unknown user")
	}
	info.Subject = u.Subject
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.Name = u.Name
		info.PreferredUsername = u.Username
		if tag, err := language.Parse(u.Locale); err == nil && u.Locale != "" {
			info.Locale = oidc.NewLocale(tag)
		}
	}
	if slices.Contains(scopes, oidc.ScopeEmail) && u.Email != "" {
		info.Email = u.Email
		info.EmailVerified = true
	}
	name, value := rolesClaimValue(s.rolesClaim, u.Roles)
	info.AppendClaims(name, value)
	return nil
}

// GetPrivateClaimsFromScopes adds the roles claim to access tokens the library would sign.
func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, userID, _ string, _ []string) (map[string]any, error) {
	u, ok := s.users[userID]
	if !ok {
		return nil, errors.New("devidp: unknown user")
	}
	name, value := rolesClaimValue(s.rolesClaim, u.Roles)
	return map[string]any{name: value}, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errUnsupported
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errUnsupported
}

func (s *storage) Health(context.Context) error { return nil }

// rolesClaimValue returns the top-level claim name and value for the roles: for
// "realm_access.roles" it is "realm_access": {"roles": [...]}. The value is never null.
func rolesClaimValue(path string, roles []string) (string, any) {
	parts := strings.Split(path, ".")
	var v any = append([]string{}, roles...)
	for i := len(parts) - 1; i > 0; i-- {
		v = map[string]any{parts[i]: v}
	}
	return parts[0], v
}

type signingKey struct {
	id        string
	algorithm jose.SignatureAlgorithm
	key       *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.algorithm }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct{ signingKey }

func (k *publicKey) ID() string                         { return k.id }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return k.algorithm }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return &k.key.PublicKey }
