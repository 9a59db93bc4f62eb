package devidp

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// interceptTokenEndpoint is an op.HttpInterceptor: it runs inside the library's router (after
// its CORS handler, with the issuer in the context) and takes over the authorization_code
// grant of the token endpoint. Every other request, and every other grant (which the library
// refuses: refresh, client credentials, token exchange and device grants are not enabled), goes
// on to the library.
//
// Why: the library signs the ID token and the access token for the same audience
// (AuthRequest.GetAudience). Here the ID token's aud is the client id only and the access
// token's aud is APIAudience only (the client is in client_id), so an ID token is never a
// valid API bearer token and an access token never a valid ID token.
func (p *Provider) interceptTokenEndpoint(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == p.op.TokenEndpoint().Relative() &&
			r.FormValue("grant_type") == string(oidc.GrantTypeCode) {
			p.codeExchange(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// codeExchange is op.CodeExchange with the tokens minted here. Validation is the library's:
// op.ValidateAccessTokenRequest looks the code up (AuthRequestByCode consumes it), checks the
// PKCE verifier whenever the auth request had a challenge, authenticates the client
// (client_secret_basic or client_secret_post; PKCE instead for public clients), and checks
// that the code belongs to the client and that redirect_uri matches.
func (p *Provider) codeExchange(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tokenReq, err := op.ParseAccessTokenRequest(r, p.op.Decoder())
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	if tokenReq.Code == "" {
		op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("code missing"), nil)
		return
	}
	authReq, cl, err := op.ValidateAccessTokenRequest(ctx, tokenReq, p.op)
	if err != nil {
		op.RequestError(w, r, err, nil)
		return
	}
	user, ok := p.storage.users[authReq.GetSubject()]
	if !ok || !authReq.Done() {
		op.RequestError(w, r, oidc.ErrInvalidGrant().WithDescription("invalid code"), nil)
		return
	}
	accessToken, _, err := p.signAccessToken(user, cl.GetID(), authReq.GetScopes())
	if err != nil {
		op.RequestError(w, r, oidc.ErrServerError().WithParent(err), nil)
		return
	}
	idToken, err := op.CreateIDToken(ctx, op.IssuerFromContext(ctx), authReq, cl.IDTokenLifetime(),
		accessToken, tokenReq.Code, p.storage, cl)
	if err != nil {
		op.RequestError(w, r, oidc.DefaultToServerError(err, "creating the ID token"), nil)
		return
	}
	if err := p.storage.DeleteAuthRequest(ctx, authReq.GetID()); err != nil {
		op.RequestError(w, r, oidc.DefaultToServerError(err, "deleting the auth request"), nil)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	httphelper.MarshalJSON(w, &oidc.AccessTokenResponse{
		AccessToken: accessToken,
		TokenType:   oidc.BearerToken,
		ExpiresIn:   uint64(p.ttl / time.Second),
		IDToken:     idToken,
		Scope:       authReq.GetScopes(),
	})
}

// signAccessToken signs a JWT access token (RFC 9068 shape, header typ "at+jwt") and
// remembers it for userinfo, introspection and revocation.
func (p *Provider) signAccessToken(u User, clientID string, scopes []string) (string, time.Time, error) {
	now := p.now().UTC().Truncate(time.Second)
	exp := now.Add(p.ttl)
	jti := rand.Text()
	claims := map[string]any{
		"iss": p.cfg.Issuer,
		"sub": u.Subject,
		"aud": []string{p.cfg.APIAudience},
		"exp": exp.Unix(),
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"jti": jti,
	}
	if clientID != "" {
		claims["client_id"] = clientID
	}
	if len(scopes) > 0 {
		claims["scope"] = strings.Join(scopes, " ")
	}
	name, value := rolesClaimValue(p.cfg.RolesClaim, u.Roles)
	claims[name] = value

	payload, err := json.Marshal(claims)
	if err != nil {
		return "", time.Time{}, err
	}
	key := p.storage.key
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: key.algorithm, Key: jose.JSONWebKey{Key: key.key, KeyID: key.id}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("devidp: signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("devidp: signing: %w", err)
	}
	compact, err := jws.CompactSerialize()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("devidp: signing: %w", err)
	}
	p.storage.recordToken(&token{
		id:       jti,
		subject:  u.Subject,
		clientID: clientID,
		scopes:   slices.Clone(scopes),
		expires:  exp,
	})
	return compact, exp, nil
}

// endSession refuses a post_logout_redirect_uri that comes with neither id_token_hint nor
// client_id (the library would silently ignore it and go to the default page), then lets the
// library validate the rest: the id_token_hint's signature and issuer, client_id against its
// azp, and post_logout_redirect_uri against the client's exact allow-list.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("cannot parse the request"), nil)
		return
	}
	if r.Form.Get("post_logout_redirect_uri") != "" && r.Form.Get("id_token_hint") == "" && r.Form.Get("client_id") == "" {
		op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("post_logout_redirect_uri needs id_token_hint or client_id"), nil)
		return
	}
	p.op.ServeHTTP(w, r)
}
