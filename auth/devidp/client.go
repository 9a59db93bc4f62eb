package devidp

import (
	"net/url"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// client implements op.Client for a configured Client.
type client struct {
	cfg             Client
	loginURL        string
	idTokenLifetime time.Duration
}

var _ op.Client = (*client)(nil)

func (c *client) GetID() string          { return c.cfg.ID }
func (c *client) RedirectURIs() []string { return slices.Clone(c.cfg.RedirectURIs) }
func (c *client) PostLogoutRedirectURIs() []string {
	return slices.Clone(c.cfg.PostLogoutRedirectURIs)
}

// ApplicationType: confidential clients are web applications. Public clients are user agent
// applications, not native ones: the library matches a native client's loopback redirect URI
// with any port, and redirect URIs here must match exactly.
func (c *client) ApplicationType() op.ApplicationType {
	if c.cfg.Secret != "" {
		return op.ApplicationTypeWeb
	}
	return op.ApplicationTypeUserAgent
}

// AuthMethod: client_secret_basic for confidential clients; the library then accepts
// client_secret_post as well (the secret is read from either place), since Config.AuthMethodPost
// is on.
func (c *client) AuthMethod() oidc.AuthMethod {
	if c.cfg.Secret != "" {
		return oidc.AuthMethodBasic
	}
	return oidc.AuthMethodNone
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }

func (c *client) LoginURL(authRequestID string) string {
	return c.loginURL + "?" + url.Values{loginParamRequest: {authRequestID}}.Encode()
}

func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration      { return c.idTokenLifetime }

// DevMode lets http:// redirect URIs through for public clients; redirect URIs must still be
// registered exactly.
func (c *client) DevMode() bool { return true }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// IsScopeAllowed allows no scope besides the standard ones the library always keeps (openid,
// profile, email, phone, address, offline_access); others are dropped from the request.
func (c *client) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion puts name, email… into the ID token even though an access
// token is issued too.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
