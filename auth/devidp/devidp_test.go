package devidp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/kujdes/kujdes/auth/devidp"
)

const (
	apiAudience = "kujdes-api"
	webClient   = "kujdes-web" // confidential
	webSecret   = "dev-secret-not-a-secret"
	spaClient   = "kujdes-spa" // public, PKCE
)

var demoUsers = []devidp.User{
	{Subject: "demo-guardian-1", Username: "guardian1", Name: "Amira Haddad", Email: "guardian1@example.org", Roles: []string{"guardian"}, Locale: "ar"},
	{Subject: "demo-officer-1", Username: "officer1", Name: "Jonas Berg", Email: "officer1@example.org", Roles: []string{"protection_officer"}, Locale: "de"},
	{Subject: "demo-admin-1", Username: "admin1", Name: "Ana Silva", Roles: []string{"admin", "auditor"}},
	{Subject: "demo-norole-1", Username: "norole1", Name: "Kim Lee"},
}

type env struct {
	p          *devidp.Provider
	srv        *httptest.Server
	base       string // http://127.0.0.1:port
	issuer     string
	redirect   string
	postLogout string
	provider   *oidc.Provider
}

// newEnv starts a server on 127.0.0.1 with the provider mounted under /dev-idp ("plain":
// unstripped, "strip": http.StripPrefix, "gin": a Gin engine), a client callback at /callback
// that echoes its query, and a post-logout page at /bye.
func newEnv(t *testing.T, mount string, mutate func(*devidp.Config)) *env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	e := &env{srv: srv, base: "http://" + srv.Listener.Addr().String()}
	e.issuer = e.base + "/dev-idp"
	e.redirect = e.base + "/callback"
	e.postLogout = e.base + "/bye"
	cfg := devidp.Config{
		Issuer: e.issuer,
		Clients: []devidp.Client{
			{ID: webClient, Secret: webSecret, RedirectURIs: []string{e.redirect}, PostLogoutRedirectURIs: []string{e.postLogout}},
			{ID: spaClient, RedirectURIs: []string{e.redirect}, PostLogoutRedirectURIs: []string{e.postLogout}},
		},
		Users:       demoUsers,
		APIAudience: apiAudience,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	p, err := devidp.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.p = p
	echo := func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.URL.RawQuery) }
	switch mount {
	case "plain", "strip":
		mux := http.NewServeMux()
		if mount == "plain" {
			mux.Handle("/dev-idp/", p.Handler())
		} else {
			mux.Handle("/dev-idp/", http.StripPrefix("/dev-idp", p.Handler()))
		}
		mux.HandleFunc("/callback", echo)
		mux.HandleFunc("/bye", echo)
		srv.Config.Handler = mux
	case "gin":
		gin.SetMode(gin.TestMode)
		r := gin.New()
		r.Any("/dev-idp/*path", gin.WrapH(p.Handler()))
		r.GET("/callback", gin.WrapF(echo))
		r.GET("/bye", gin.WrapF(echo))
		srv.Config.Handler = r
	default:
		t.Fatalf("unknown mount %q", mount)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	e.provider, err = oidc.NewProvider(t.Context(), e.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return e
}

func (e *env) oauth2Config(clientID string, style oauth2.AuthStyle) *oauth2.Config {
	ep := e.provider.Endpoint()
	ep.AuthStyle = style
	secret := ""
	if clientID == webClient {
		secret = webSecret
	}
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		Endpoint:     ep,
		RedirectURL:  e.redirect,
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}
}

func noRedirectClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var formRE = regexp.MustCompile(`<form method="post" action="([^"]*)">\s*` +
	`<input type="hidden" name="authRequestID" value="([^"]*)">\s*` +
	`<input type="hidden" name="username" value="([^"]*)">`)

// loginForm fetches authURL with a browser-like client, expects the login page and returns the
// absolute form action and the fields of the form for username.
func loginForm(t *testing.T, c *http.Client, authURL, username string) (string, url.Values) {
	t.Helper()
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatalf("GET authorize: %v", err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login page: status %d: %s", resp.StatusCode, body)
	}
	for _, m := range formRE.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[3]) != username {
			continue
		}
		action, err := resp.Request.URL.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		return action.String(), url.Values{"authRequestID": {html.UnescapeString(m[2])}, "username": {username}}
	}
	t.Fatalf("no login form for %q in:\n%s", username, body)
	return "", nil
}

// login runs the browser part of the code flow: authorize → login page → POST the user's form →
// redirects → the client's callback. It returns the callback's query.
func login(t *testing.T, authURL, username string) url.Values {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	action, form := loginForm(t, c, authURL, username)
	resp, err := c.PostForm(action, form)
	if err != nil {
		t.Fatalf("POST login: %v", err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/callback" {
		t.Fatalf("after login: status %d at %s: %s", resp.StatusCode, resp.Request.URL, body)
	}
	q, err := url.ParseQuery(body)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type tokenClaims struct {
	Subject           string   `json:"sub"`
	Audience          audience `json:"aud"`
	Nonce             string   `json:"nonce"`
	Roles             []string `json:"roles"`
	Email             string   `json:"email"`
	Name              string   `json:"name"`
	PreferredUsername string   `json:"preferred_username"`
	ClientID          string   `json:"client_id"`
	Scope             string   `json:"scope"`
	IssuedAt          int64    `json:"iat"`
	Expiry            int64    `json:"exp"`
	JTI               string   `json:"jti"`
}

type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(a))
}

// flowResult is what a completed code flow yields.
type flowResult struct {
	token   *oauth2.Token
	rawID   string
	idToken *oidc.IDToken
	claims  tokenClaims
}

// codeFlow runs a whole authorization code flow with PKCE S256, state and nonce, and verifies
// the ID token (issuer, signature, audience = client id, nonce).
func (e *env) codeFlow(t *testing.T, clientID string, style oauth2.AuthStyle, username string) flowResult {
	t.Helper()
	ctx := t.Context()
	conf := e.oauth2Config(clientID, style)
	verifier := oauth2.GenerateVerifier()
	state, nonce := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	q := login(t, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), username)
	if q.Get("error") != "" {
		t.Fatalf("callback error: %s: %s", q.Get("error"), q.Get("error_description"))
	}
	if q.Get("state") != state {
		t.Fatalf("state = %q, want %q", q.Get("state"), state)
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := e.provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	if idt.Nonce != nonce {
		t.Fatalf("nonce = %q, want %q", idt.Nonce, nonce)
	}
	var c tokenClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Audience, []string{clientID}) {
		t.Errorf("ID token aud = %v, want only the client id", c.Audience)
	}
	// The code is single use.
	if _, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Error("a second exchange of the same code succeeded")
	}
	return flowResult{token: tok, rawID: rawID, idToken: idt, claims: c}
}

func (e *env) apiVerifier() *oidc.IDTokenVerifier {
	return e.provider.Verifier(&oidc.Config{ClientID: apiAudience})
}

func userByName(t *testing.T, username string) devidp.User {
	t.Helper()
	for _, u := range demoUsers {
		if u.Username == username {
			return u
		}
	}
	t.Fatalf("no demo user %q", username)
	return devidp.User{}
}

// checkAccessToken verifies an access token the way the API does and checks its claims.
func (e *env) checkAccessToken(t *testing.T, raw, username, clientID string) tokenClaims {
	t.Helper()
	u := userByName(t, username)
	at, err := e.apiVerifier().Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("API verifier refused the access token: %v", err)
	}
	var c tokenClaims
	if err := at.Claims(&c); err != nil {
		t.Fatal(err)
	}
	wantRoles := u.Roles
	if wantRoles == nil {
		wantRoles = []string{}
	}
	if at.Issuer != e.issuer || c.Subject != u.Subject || !slices.Equal(c.Roles, wantRoles) ||
		!slices.Equal(c.Audience, []string{apiAudience}) || c.ClientID != clientID || c.JTI == "" {
		t.Errorf("access token claims: iss %q %+v", at.Issuer, c)
	}
	if c.Expiry-c.IssuedAt != int64((15 * time.Minute).Seconds()) {
		t.Errorf("access token lifetime = %ds, want 900", c.Expiry-c.IssuedAt)
	}
	if typ := jwtHeader(t, raw)["typ"]; typ != "at+jwt" {
		t.Errorf("access token typ = %v", typ)
	}
	// An access token is no ID token for the client.
	if _, err := e.provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(t.Context(), raw); clientID != "" && err == nil {
		t.Error("the client's ID token verifier accepted an access token")
	}
	return c
}

func jwtHeader(t *testing.T, raw string) map[string]any {
	t.Helper()
	return jwtPart(t, raw, 0)
}

func jwtPart(t *testing.T, raw string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCodeFlow(t *testing.T) {
	for _, mount := range []string{"plain", "strip", "gin"} {
		t.Run(mount, func(t *testing.T) {
			e := newEnv(t, mount, nil)
			cases := []struct {
				name     string
				client   string
				style    oauth2.AuthStyle
				username string
			}{
				{"confidential client_secret_basic", webClient, oauth2.AuthStyleInHeader, "guardian1"},
				{"confidential client_secret_post", webClient, oauth2.AuthStyleInParams, "officer1"},
				{"public PKCE", spaClient, oauth2.AuthStyleInParams, "admin1"},
				{"user without roles", webClient, oauth2.AuthStyleInHeader, "norole1"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					u := userByName(t, tc.username)
					r := e.codeFlow(t, tc.client, tc.style, tc.username)
					wantRoles := u.Roles
					if wantRoles == nil {
						wantRoles = []string{}
					}
					if r.idToken.Subject != u.Subject || !slices.Equal(r.claims.Roles, wantRoles) ||
						r.claims.Name != u.Name || r.claims.PreferredUsername != u.Username || r.claims.Email != u.Email {
						t.Errorf("ID token claims: sub %q %+v", r.idToken.Subject, r.claims)
					}
					at := e.checkAccessToken(t, r.token.AccessToken, tc.username, tc.client)
					if at.Scope != "openid profile email" {
						t.Errorf("access token scope = %q", at.Scope)
					}
					// The ID token is no API token.
					if _, err := e.apiVerifier().Verify(t.Context(), r.rawID); err == nil {
						t.Error("the API verifier accepted an ID token")
					}
					// userinfo answers for the access token.
					info, err := e.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(r.token))
					if err != nil {
						t.Fatalf("userinfo: %v", err)
					}
					var ic tokenClaims
					if err := info.Claims(&ic); err != nil {
						t.Fatal(err)
					}
					if info.Subject != u.Subject || info.Email != u.Email || !slices.Equal(ic.Roles, wantRoles) {
						t.Errorf("userinfo: %+v %+v", info, ic)
					}
				})
			}
		})
	}
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t, "plain", nil)
	var d struct {
		Issuer          string   `json:"issuer"`
		EndSession      string   `json:"end_session_endpoint"`
		Token           string   `json:"token_endpoint"`
		JWKS            string   `json:"jwks_uri"`
		AuthMethods     []string `json:"token_endpoint_auth_methods_supported"`
		PKCEMethods     []string `json:"code_challenge_methods_supported"`
		SigningAlgs     []string `json:"id_token_signing_alg_values_supported"`
		ClaimsSupported []string `json:"claims_supported"`
	}
	if err := e.provider.Claims(&d); err != nil {
		t.Fatal(err)
	}
	if d.Issuer != e.issuer || d.EndSession != e.issuer+"/end_session" || d.Token != e.issuer+"/oauth/token" || d.JWKS != e.issuer+"/keys" {
		t.Errorf("discovery: %+v", d)
	}
	if !slices.Contains(d.AuthMethods, "client_secret_basic") || !slices.Contains(d.AuthMethods, "client_secret_post") {
		t.Errorf("token_endpoint_auth_methods_supported = %v", d.AuthMethods)
	}
	if !slices.Equal(d.PKCEMethods, []string{"S256"}) || !slices.Equal(d.SigningAlgs, []string{"RS256"}) {
		t.Errorf("PKCE %v, algs %v", d.PKCEMethods, d.SigningAlgs)
	}
	if !slices.Contains(d.ClaimsSupported, "roles") {
		t.Errorf("claims_supported = %v", d.ClaimsSupported)
	}
	ep := e.p.Endpoints()
	var d2 struct {
		Auth     string `json:"authorization_endpoint"`
		UserInfo string `json:"userinfo_endpoint"`
	}
	if err := e.provider.Claims(&d2); err != nil {
		t.Fatal(err)
	}
	if ep != (devidp.Endpoints{Issuer: d.Issuer, Authorization: d2.Auth, Token: d.Token, UserInfo: d2.UserInfo, JWKS: d.JWKS, EndSession: d.EndSession}) {
		t.Errorf("Endpoints() = %+v, discovery %+v %+v", ep, d, d2)
	}
	// A relying party built from Endpoints (no discovery) verifies the provider's tokens.
	rp := (&oidc.ProviderConfig{IssuerURL: ep.Issuer, AuthURL: ep.Authorization, TokenURL: ep.Token,
		UserInfoURL: ep.UserInfo, JWKSURL: ep.JWKS, Algorithms: []string{"RS256"}}).NewProvider(t.Context())
	raw, err := e.p.MintAccessToken(t.Context(), "guardian1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rp.Verifier(&oidc.Config{ClientID: apiAudience}).Verify(t.Context(), raw); err != nil {
		t.Errorf("verifier from ProviderConfig: %v", err)
	}
}

func TestMintAccessToken(t *testing.T) {
	e := newEnv(t, "plain", nil)
	raw, err := e.p.MintAccessToken(t.Context(), "officer1")
	if err != nil {
		t.Fatal(err)
	}
	c := e.checkAccessToken(t, raw, "officer1", webClient)
	if c.Scope != "openid profile email" {
		t.Errorf("scope = %q", c.Scope)
	}
	// userinfo accepts a minted token too.
	info, err := e.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: raw}))
	if err != nil || info.Subject != "demo-officer-1" {
		t.Errorf("userinfo for a minted token: %v %+v", err, info)
	}
	if _, err := e.p.MintAccessToken(t.Context(), "nobody"); err == nil {
		t.Error("minted a token for an unknown user")
	}
	if _, err := e.p.MintAccessToken(t.Context(), "demo-officer-1"); err == nil {
		t.Error("MintAccessToken takes a username, not a subject")
	}
}

func TestMintAccessTokenClockAndNestedRoles(t *testing.T) {
	fixed := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	e := newEnv(t, "plain", func(c *devidp.Config) {
		c.Now = func() time.Time { return fixed }
		c.AccessTokenTTL = time.Hour
		c.RolesClaim = "realm_access.roles"
	})
	raw, err := e.p.MintAccessToken(t.Context(), "admin1")
	if err != nil {
		t.Fatal(err)
	}
	claims := jwtPart(t, raw, 1)
	if claims["iat"] != float64(fixed.Unix()) || claims["exp"] != float64(fixed.Add(time.Hour).Unix()) {
		t.Errorf("iat/exp = %v/%v", claims["iat"], claims["exp"])
	}
	ra, _ := claims["realm_access"].(map[string]any)
	if fmt.Sprint(ra["roles"]) != "[admin auditor]" {
		t.Errorf("realm_access = %v", claims["realm_access"])
	}
	if _, ok := claims["roles"]; ok {
		t.Error("a top-level roles claim despite RolesClaim realm_access.roles")
	}
}

func TestNewValidation(t *testing.T) {
	valid := func(issuer string) devidp.Config {
		return devidp.Config{
			Issuer:      issuer,
			Clients:     []devidp.Client{{ID: webClient, Secret: webSecret, RedirectURIs: []string{"http://127.0.0.1:8080/auth/callback"}}},
			Users:       demoUsers,
			APIAudience: apiAudience,
		}
	}
	for _, issuer := range []string{
		"http://127.0.0.1:8080/dev-idp",
		"http://127.9.9.9:1/x",
		"http://localhost:8080/dev-idp",
		"http://LOCALHOST/dev-idp",
		"http://[::1]:8080/dev-idp",
		"https://localhost",
		"http://127.0.0.1:8080",
	} {
		if _, err := devidp.New(valid(issuer)); err != nil {
			t.Errorf("New refused the loopback issuer %q: %v", issuer, err)
		}
	}
	for _, issuer := range []string{
		"http://example.com/dev-idp",
		"https://kujdes.example.org/dev-idp",
		"http://10.0.0.5:8080/dev-idp",
		"http://192.168.1.10:8080",
		"http://0.0.0.0:8080/dev-idp",
		"http://[::]:8080",
		"http://[::2]:8080",
		"http://localhost.example.com/dev-idp",
		"http://127.0.0.1.nip.io/dev-idp",
		"ftp://127.0.0.1/dev-idp",
		"127.0.0.1:8080/dev-idp",
		"/dev-idp",
		"",
		"http://127.0.0.1:8080/dev-idp?x=1",
		"http://127.0.0.1:8080/dev-idp#f",
		"http://user@127.0.0.1:8080/dev-idp",
	} {
		if _, err := devidp.New(valid(issuer)); err == nil {
			t.Errorf("New accepted the issuer %q", issuer)
		}
	}

	bad := map[string]func(*devidp.Config){
		"no API audience":             func(c *devidp.Config) { c.APIAudience = "" },
		"API audience is a client id": func(c *devidp.Config) { c.APIAudience = webClient },
		"roles claim sub":             func(c *devidp.Config) { c.RolesClaim = "sub" },
		"roles claim aud path":        func(c *devidp.Config) { c.RolesClaim = "aud.roles" },
		"roles claim empty segment":   func(c *devidp.Config) { c.RolesClaim = "realm_access..roles" },
		"no users":                    func(c *devidp.Config) { c.Users = nil },
		"duplicate username": func(c *devidp.Config) {
			c.Users = []devidp.User{{Subject: "a", Username: "x"}, {Subject: "b", Username: "x"}}
		},
		"duplicate subject": func(c *devidp.Config) {
			c.Users = []devidp.User{{Subject: "a", Username: "x"}, {Subject: "a", Username: "y"}}
		},
		"client without redirect": func(c *devidp.Config) { c.Clients[0].RedirectURIs = nil },
		"relative redirect":       func(c *devidp.Config) { c.Clients[0].RedirectURIs = []string{"/callback"} },
		"negative TTL":            func(c *devidp.Config) { c.AccessTokenTTL = -time.Minute },
	}
	for name, mutate := range bad {
		cfg := valid("http://127.0.0.1:8080/dev-idp")
		mutate(&cfg)
		if _, err := devidp.New(cfg); err == nil {
			t.Errorf("%s: New accepted the config", name)
		}
	}
}

func TestWrongRedirectURIRefused(t *testing.T) {
	e := newEnv(t, "plain", nil)
	for _, redirect := range []string{
		e.base + "/evil",
		e.redirect + "/",
		e.redirect + "?x=1",
		strings.Replace(e.redirect, "127.0.0.1", "localhost", 1),
		"http://evil.example/callback",
	} {
		conf := e.oauth2Config(webClient, oauth2.AuthStyleInHeader)
		conf.RedirectURL = redirect
		resp, err := noRedirectClient().Get(conf.AuthCodeURL("state", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("redirect_uri %q: status %d, Location %q: %s", redirect, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
	// An unknown client is refused the same way.
	conf := e.oauth2Config("nobody", oauth2.AuthStyleInHeader)
	resp, err := noRedirectClient().Get(conf.AuthCodeURL("state"))
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("unknown client: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestPKCE(t *testing.T) {
	e := newEnv(t, "plain", nil)
	ctx := t.Context()
	startAndLogin := func(t *testing.T, clientID string, opts ...oauth2.AuthCodeOption) (*oauth2.Config, url.Values) {
		conf := e.oauth2Config(clientID, oauth2.AuthStyleInParams)
		authURL := conf.AuthCodeURL("st", opts...)
		return conf, login(t, authURL, "guardian1")
	}
	wantGrantError := func(t *testing.T, err error, code string) {
		t.Helper()
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != code {
			t.Errorf("exchange error = %v, want %s", err, code)
		}
	}

	for _, clientID := range []string{webClient, spaClient} {
		t.Run(clientID+" wrong verifier", func(t *testing.T) {
			conf, q := startAndLogin(t, clientID, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
			_, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier()))
			wantGrantError(t, err, "invalid_grant")
		})
		t.Run(clientID+" verifier omitted", func(t *testing.T) {
			conf, q := startAndLogin(t, clientID, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
			_, err := conf.Exchange(ctx, q.Get("code"))
			wantGrantError(t, err, "invalid_request")
		})
	}
	t.Run("plain method refused", func(t *testing.T) {
		conf := e.oauth2Config(spaClient, oauth2.AuthStyleInParams)
		v := oauth2.GenerateVerifier()
		resp, err := noRedirectClient().Get(conf.AuthCodeURL("st",
			oauth2.SetAuthURLParam("code_challenge", v), oauth2.SetAuthURLParam("code_challenge_method", "plain")))
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Path != "/callback" || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "st" {
			t.Errorf("plain PKCE: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("public client without PKCE refused", func(t *testing.T) {
		conf := e.oauth2Config(spaClient, oauth2.AuthStyleInParams)
		resp, err := noRedirectClient().Get(conf.AuthCodeURL("st"))
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != "invalid_request" {
			t.Errorf("public without PKCE: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("confidential client without PKCE works", func(t *testing.T) {
		conf, q := startAndLogin(t, webClient)
		if _, err := conf.Exchange(ctx, q.Get("code")); err != nil {
			t.Errorf("exchange: %v", err)
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		conf, q := startAndLogin(t, webClient, oauth2.S256ChallengeOption(v))
		conf.ClientSecret = "wrong"
		_, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v))
		wantGrantError(t, err, "invalid_client")
	})
	t.Run("code of another client", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		_, q := startAndLogin(t, spaClient, oauth2.S256ChallengeOption(v))
		other := e.oauth2Config(webClient, oauth2.AuthStyleInHeader)
		_, err := other.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(v))
		wantGrantError(t, err, "invalid_grant")
	})
}

func TestEndSession(t *testing.T) {
	e := newEnv(t, "plain", nil)
	r := e.codeFlow(t, webClient, oauth2.AuthStyleInHeader, "guardian1")
	endSession := e.issuer + "/end_session"
	get := func(params url.Values) (*http.Response, string) {
		resp, err := noRedirectClient().Get(endSession + "?" + params.Encode())
		if err != nil {
			t.Fatal(err)
		}
		return resp, readBody(t, resp)
	}

	resp, _ := get(url.Values{"id_token_hint": {r.rawID}, "post_logout_redirect_uri": {e.postLogout}, "state": {"s1"}})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != e.postLogout+"?state=s1" {
		t.Errorf("allowed logout: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = get(url.Values{"client_id": {spaClient}, "post_logout_redirect_uri": {e.postLogout}})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != e.postLogout {
		t.Errorf("allowed logout by client_id: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The userinfo endpoint no longer answers for the session's tokens.
	if _, err := e.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(r.token)); err == nil {
		t.Error("userinfo still answers after logout")
	}

	for name, params := range map[string]url.Values{
		"other site":              {"id_token_hint": {r.rawID}, "post_logout_redirect_uri": {"http://evil.example/bye"}},
		"not exactly registered":  {"id_token_hint": {r.rawID}, "post_logout_redirect_uri": {e.postLogout + "/"}},
		"client_id, not allowed":  {"client_id": {webClient}, "post_logout_redirect_uri": {"http://evil.example/bye"}},
		"no hint, no client_id":   {"post_logout_redirect_uri": {e.postLogout}},
		"hint of another client":  {"id_token_hint": {r.rawID}, "client_id": {spaClient}, "post_logout_redirect_uri": {e.postLogout}},
		"forged id_token_hint":    {"id_token_hint": {r.rawID[:len(r.rawID)-4] + "AAAA"}, "post_logout_redirect_uri": {e.postLogout}},
		"access token as a hint?": {"id_token_hint": {"not-a-jwt"}, "post_logout_redirect_uri": {e.postLogout}},
	} {
		resp, body := get(params)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("%s: status %d, Location %q: %s", name, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}

	// Without a post_logout_redirect_uri the provider's own signed-out page is shown.
	resp, _ = get(url.Values{"id_token_hint": {r.rawID}})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != e.issuer+"/logged-out" {
		t.Fatalf("logout without redirect: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	page, err := http.Get(e.issuer + "/logged-out")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, page)
	if page.StatusCode != http.StatusOK || !strings.Contains(body, devidp.DefaultMessages()["devidp.logged_out"]) {
		t.Errorf("signed-out page: %d %s", page.StatusCode, body)
	}
}

// markerTranslator wraps every message id in ⟦⟧, so the test can see that every visible text
// on the page went through the translator.
func markerTranslator(_ *http.Request, id string) string { return "⟦" + id + "⟧" }

var (
	tagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	markerRE = regexp.MustCompile(`⟦[^⟧]*⟧`)
)

func TestLoginPage(t *testing.T) {
	e := newEnv(t, "plain", func(c *devidp.Config) {
		c.Translate = markerTranslator
		c.Lang = func(*http.Request) (string, bool) { return "ar", true }
	})
	conf := e.oauth2Config(webClient, oauth2.AuthStyleInHeader)
	resp, err := http.Get(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	page := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, page)
	}
	h := resp.Header
	if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Cache-Control") != "no-store" ||
		!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || h.Get("X-Frame-Options") != "DENY" ||
		h.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers: %v", h)
	}
	for _, want := range []string{`<html lang="ar" dir="rtl">`, "<main>", "</main>", "<title>⟦devidp.title⟧</title>",
		"⟦devidp.warning⟧", "⟦role.guardian⟧", "⟦role.protection_officer⟧", "⟦role.auditor⟧", "⟦devidp.no_role⟧"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<h1"); n != 1 {
		t.Errorf("%d h1 elements", n)
	}
	lower := strings.ToLower(page)
	for _, banned := range []string{"<script", "style=", "<style", "javascript:"} {
		if strings.Contains(lower, banned) {
			t.Errorf("page contains %q", banned)
		}
	}
	if eventAttrRE.MatchString(page) {
		t.Error("page has an inline event handler")
	}
	if got := len(formRE.FindAllString(page, -1)); got != len(demoUsers) {
		t.Errorf("%d login forms, want %d", got, len(demoUsers))
	}
	if n := strings.Count(page, `<button type="submit"`); n != len(demoUsers) {
		t.Errorf("%d buttons", n)
	}
	// Every visible text is a translation or user data (names and usernames).
	text := tagRE.ReplaceAllString(page, "\n")
	text = markerRE.ReplaceAllString(text, "\n")
	for _, u := range demoUsers {
		text = strings.ReplaceAll(text, u.Name, "")
		text = strings.ReplaceAll(text, u.Username, "")
	}
	if rest := strings.TrimSpace(html.UnescapeString(text)); rest != "" {
		t.Errorf("untranslated text on the page: %q", rest)
	}
	// The list of ids the lead must translate covers the page.
	ids := devidp.MessageIDs(demoUsers)
	for _, m := range markerRE.FindAllString(page, -1) {
		if id := strings.Trim(m, "⟦⟧"); !slices.Contains(ids, id) {
			t.Errorf("message id %q missing from MessageIDs", id)
		}
	}
}

var eventAttrRE = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+=`)

func TestDefaultTranslator(t *testing.T) {
	for id, want := range map[string]string{
		"devidp.sign_in_as":       "Sign in as",
		"role.guardian":           "Guardian",
		"role.protection_officer": "Protection officer",
		"devidp.unknown":          "devidp.unknown",
	} {
		if got := devidp.DefaultTranslator(nil, id); got != want {
			t.Errorf("DefaultTranslator(%q) = %q, want %q", id, got, want)
		}
	}
	for _, id := range devidp.MessageIDs(demoUsers) {
		if got := devidp.DefaultTranslator(nil, id); got == id || got == "" {
			t.Errorf("no English for %q", id)
		}
	}
}

func TestLoginCrossOriginRefused(t *testing.T) {
	e := newEnv(t, "plain", nil)
	conf := e.oauth2Config(webClient, oauth2.AuthStyleInHeader)
	authURL := conf.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	c := &http.Client{}
	action, form := loginForm(t, c, authURL, "admin1")

	for name, header := range map[string][2]string{
		"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site", "cross-site"},
		"Sec-Fetch-Site same-site":  {"Sec-Fetch-Site", "same-site"},
		"foreign Origin":            {"Origin", "http://evil.example"},
	} {
		req, err := http.NewRequest(http.MethodPost, action, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(header[0], header[1])
		resp, err := noRedirectClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, devidp.DefaultMessages()["devidp.error.cross_origin"]) {
			t.Errorf("%s: status %d: %s", name, resp.StatusCode, body)
		}
	}
	// The refused POSTs did not complete the request: a same-origin one still does.
	req, _ := http.NewRequest(http.MethodPost, action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", e.base)
	resp, err := noRedirectClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), e.issuer+"/authorize/callback?id=") {
		t.Errorf("same-origin POST: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A completed request cannot be completed again (as another user).
	form.Set("username", "guardian1")
	resp, err = noRedirectClient().PostForm(action, form)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, devidp.DefaultMessages()["devidp.error.request_unknown"]) {
		t.Errorf("second POST: status %d: %s", resp.StatusCode, body)
	}
}

func TestLoginBadRequests(t *testing.T) {
	now := time.Now()
	var offset atomic.Int64
	e := newEnv(t, "plain", func(c *devidp.Config) {
		c.Now = func() time.Time { return now.Add(time.Duration(offset.Load())) }
	})
	// Unknown auth request.
	resp, err := http.Get(e.issuer + "/login?authRequestID=nope")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, devidp.DefaultMessages()["devidp.error.request_unknown"]) ||
		strings.Contains(body, "<form") {
		t.Errorf("unknown request: %d %s", resp.StatusCode, body)
	}

	conf := e.oauth2Config(webClient, oauth2.AuthStyleInHeader)
	action, form := loginForm(t, http.DefaultClient, conf.AuthCodeURL("st"), "admin1")
	// Unknown user.
	form.Set("username", "mallory")
	resp, err = noRedirectClient().PostForm(action, form)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, devidp.DefaultMessages()["devidp.error.user_unknown"]) {
		t.Errorf("unknown user: %d %s", resp.StatusCode, body)
	}
	// The auth request expires after 10 minutes.
	offset.Store(int64(11 * time.Minute))
	form.Set("username", "admin1")
	resp, err = noRedirectClient().PostForm(action, form)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, devidp.DefaultMessages()["devidp.error.request_unknown"]) {
		t.Errorf("expired request: %d %s", resp.StatusCode, body)
	}
}

func TestNonLoopbackPeerRefused(t *testing.T) {
	for _, allow := range []bool{false, true} {
		p, err := devidp.New(devidp.Config{
			Issuer:                "http://127.0.0.1:8080/dev-idp",
			Users:                 demoUsers,
			APIAudience:           apiAudience,
			AllowNonLoopbackPeers: allow,
		})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/dev-idp/.well-known/openid-configuration", nil) // RemoteAddr 192.0.2.1
		rec := httptest.NewRecorder()
		p.Handler().ServeHTTP(rec, req)
		want := http.StatusForbidden
		if allow {
			want = http.StatusOK
		}
		if rec.Code != want {
			t.Errorf("allow=%v: status %d, want %d: %s", allow, rec.Code, want, rec.Body)
		}
		if allow && !strings.Contains(rec.Body.String(), `"issuer":"http://127.0.0.1:8080/dev-idp"`) {
			t.Errorf("discovery: %s", rec.Body)
		}
	}
}

// TestParallelLogins runs many complete flows and mints at once, under -race.
func TestParallelLogins(t *testing.T) {
	e := newEnv(t, "plain", nil)
	var mu sync.Mutex
	subjects := map[string]int{}
	t.Run("group", func(t *testing.T) {
		for i := range 24 {
			u := demoUsers[i%len(demoUsers)]
			client, style := webClient, oauth2.AuthStyleInHeader
			switch i % 3 {
			case 1:
				style = oauth2.AuthStyleInParams
			case 2:
				client, style = spaClient, oauth2.AuthStyleInParams
			}
			t.Run(fmt.Sprintf("%02d-%s-%s", i, client, u.Username), func(t *testing.T) {
				t.Parallel()
				r := e.codeFlow(t, client, style, u.Username)
				if r.idToken.Subject != u.Subject {
					t.Errorf("subject %q, want %q", r.idToken.Subject, u.Subject)
				}
				e.checkAccessToken(t, r.token.AccessToken, u.Username, client)
				raw, err := e.p.MintAccessToken(context.Background(), u.Username)
				if err != nil {
					t.Fatal(err)
				}
				e.checkAccessToken(t, raw, u.Username, webClient)
				mu.Lock()
				subjects[r.idToken.Subject]++
				mu.Unlock()
			})
		}
	})
	if len(subjects) != len(demoUsers) {
		t.Errorf("subjects: %v", subjects)
	}
}

func TestUsersIsACopy(t *testing.T) {
	e := newEnv(t, "plain", nil)
	us := e.p.Users()
	us[0].Roles[0] = "admin"
	us[0].Name = "changed"
	if got := e.p.Users()[0]; got.Roles[0] != "guardian" || got.Name != "Amira Haddad" {
		t.Errorf("Users() shares memory: %+v", got)
	}
}

// TestCodeExchangedOnce races several exchanges of one code: exactly one wins.
func TestCodeExchangedOnce(t *testing.T) {
	e := newEnv(t, "plain", nil)
	conf := e.oauth2Config(webClient, oauth2.AuthStyleInHeader)
	v := oauth2.GenerateVerifier()
	q := login(t, conf.AuthCodeURL("st", oauth2.S256ChallengeOption(v)), "guardian1")
	var wg sync.WaitGroup
	var wins atomic.Int32
	for range 8 {
		wg.Go(func() {
			if _, err := conf.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(v)); err == nil {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d exchanges of one code succeeded, want 1", wins.Load())
	}
}

// TestOtherGrantsRefused: only authorization_code is served; the library's other grants are
// off (refresh, client credentials, token exchange, device) or fail in storage (jwt-bearer).
func TestOtherGrantsRefused(t *testing.T) {
	e := newEnv(t, "plain", nil)
	for _, grant := range []url.Values{
		{"grant_type": {"refresh_token"}, "refresh_token": {"x"}},
		{"grant_type": {"client_credentials"}},
		{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {"a.b.c"}},
		{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "subject_token": {"x"}},
		{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {"x"}},
		{"grant_type": {"password"}, "username": {"guardian1"}, "password": {"x"}},
	} {
		req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/token", strings.NewReader(grant.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(webClient, webSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode < 400 || strings.Contains(body, "access_token") {
			t.Errorf("%s: status %d: %s", grant.Get("grant_type"), resp.StatusCode, body)
		}
	}
	// Implicit and hybrid response types are refused too.
	for _, rt := range []string{"id_token", "id_token token", "token"} {
		u := e.issuer + "/authorize?" + url.Values{"client_id": {spaClient}, "redirect_uri": {e.redirect},
			"response_type": {rt}, "scope": {"openid"}, "nonce": {"n"}, "state": {"s"}}.Encode()
		resp, err := noRedirectClient().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusFound && !strings.Contains(loc, "error=") {
			t.Errorf("response_type %q: redirected to %q", rt, loc)
		}
		if strings.Contains(resp.Header.Get("Location"), "/login") {
			t.Errorf("response_type %q reached the login page", rt)
		}
	}
}
