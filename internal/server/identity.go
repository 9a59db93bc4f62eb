package server

import (
	"context"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/auth/devidp"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/demo"
)

// DevClientSecret is the development provider's client secret: it guards nothing, since the
// provider only runs on a loopback address with demo users.
const DevClientSecret = "kujdes-dev-secret"

// DevIssuer is where the development identity provider lives for a public URL.
func DevIssuer(publicURL string) string { return publicURL + "/dev-idp" }

// identityProvider builds the relying party: against the in-process development provider
// when KUJDES_DEV_IDP is on, against the configured issuer otherwise, or none (nobody can sign
// in; the home page says so).
func (s *Server) identityProvider() (*auth.RP, error) {
	cfg := s.deps.Config
	callback := cfg.PublicURL + "/auth/callback"
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	switch {
	case cfg.DevIDP:
		p, err := devidp.New(devidp.Config{
			Issuer: DevIssuer(cfg.PublicURL),
			Clients: []devidp.Client{{
				ID: cfg.OIDC.ClientID, Secret: DevClientSecret,
				RedirectURIs: []string{callback}, PostLogoutRedirectURIs: []string{cfg.PublicURL + "/"},
			}},
			Users:       demo.ProviderUsers(),
			APIAudience: cfg.OIDC.APIAudience,
			RolesClaim:  "roles",
			Translate: func(r *http.Request, id string) string {
				if l := i18n.FromContext(r.Context()); l != nil {
					return l.T(id)
				}
				return devidp.DefaultTranslator(r, id)
			},
			Lang: func(r *http.Request) (string, bool) {
				if l := i18n.FromContext(r.Context()); l != nil {
					return l.Language.Tag, l.Language.RTL
				}
				return "en", false
			},
			StylesheetURL: s.pages.AssetURL("app.css"),
			Now:           s.deps.Now,
		})
		if err != nil {
			return nil, err
		}
		s.devIDP = p
		ep := p.Endpoints()
		return auth.NewRP(ctx, auth.OIDCConfig{
			Issuer: ep.Issuer,
			Endpoints: &oidc.ProviderConfig{
				IssuerURL: ep.Issuer, AuthURL: ep.Authorization, TokenURL: ep.Token,
				UserInfoURL: ep.UserInfo, JWKSURL: ep.JWKS, Algorithms: []string{oidc.RS256},
			},
			ClientID: cfg.OIDC.ClientID, ClientSecret: DevClientSecret, RedirectURL: callback,
			APIAudience: cfg.OIDC.APIAudience, RolesClaim: "roles", Scopes: cfg.OIDC.Scopes, Now: s.deps.Now,
		})
	case cfg.OIDC.Issuer != "":
		return auth.NewRP(ctx, auth.OIDCConfig{
			Issuer: cfg.OIDC.Issuer, DiscoveryURL: cfg.OIDC.DiscoveryURL,
			ClientID: cfg.OIDC.ClientID, ClientSecret: cfg.OIDC.ClientSecret, RedirectURL: callback,
			APIAudience: cfg.OIDC.APIAudience, RolesClaim: cfg.OIDC.RolesClaim, RoleMap: cfg.OIDC.RoleMap,
			Scopes: cfg.OIDC.Scopes, Now: s.deps.Now,
		})
	}
	s.deps.Log.Warn("no identity provider configured: nobody can sign in (set KUJDES_OIDC_ISSUER, or KUJDES_DEV_IDP=true for development)")
	return nil, nil
}

// DevIDP exposes the development provider (nil unless enabled), e.g. to seed demo users.
func (s *Server) DevIDP() *devidp.Provider { return s.devIDP }

// devToken gives scripts a bearer token for a demo user: the development one-liner
//
//	TOKEN=$(curl -s http://127.0.0.1:8080/dev/token/guardian1)
func (s *Server) devToken(c *gin.Context) {
	tok, err := s.devIDP.MintAccessToken(c.Request.Context(), c.Param("username"))
	if err != nil {
		s.writeError(c, http.StatusNotFound)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.String(http.StatusOK, "%s\n", tok)
}
