package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/auth/devidp"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// clock is an adjustable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// --- Bearer tokens, against go-oidc's test provider (discovery + JWKS over HTTP). ---

type tokenProvider struct {
	url string
	key *rsa.PrivateKey
	rp  *auth.RP
	now time.Time
}

func newTokenProvider(t *testing.T) *tokenProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: "RS256"}}}
	hs := httptest.NewServer(op)
	t.Cleanup(hs.Close)
	op.SetIssuer(hs.URL)
	now := time.Now()
	rp, err := auth.NewRP(context.Background(), auth.OIDCConfig{
		Issuer: hs.URL, ClientID: "kujdes", APIAudience: "kujdes-api", RolesClaim: "realm_access.roles",
		RedirectURL: "http://127.0.0.1/auth/callback", Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &tokenProvider{url: hs.URL, key: key, rp: rp, now: now}
}

func (p *tokenProvider) claims(over map[string]any) string {
	c := map[string]any{
		"iss": p.url, "sub": "user-1", "aud": []string{"kujdes-api"},
		"exp": p.now.Add(10 * time.Minute).Unix(), "iat": p.now.Unix(),
		"realm_access": map[string]any{"roles": []string{"guardian", "superuser"}},
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

func TestBearerTokens(t *testing.T) {
	p := newTokenProvider(t)
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

	t.Run("valid token maps roles through the allow-list", func(t *testing.T) {
		id, err := p.rp.VerifyBearer(context.Background(), oidctest.SignIDToken(p.key, "k1", "RS256", p.claims(nil)))
		if err != nil {
			t.Fatal(err)
		}
		if id.Subject != "user-1" || id.Issuer != p.url || !slices.Equal(id.Roles, []models.Role{models.RoleGuardian}) {
			t.Fatalf("identity %+v (the unknown role 'superuser' must be dropped)", id)
		}
	})
	refused := []struct {
		name  string
		token string
	}{
		{"wrong audience", oidctest.SignIDToken(p.key, "k1", "RS256", p.claims(map[string]any{"aud": []string{"kujdes"}}))},
		{"no audience", oidctest.SignIDToken(p.key, "k1", "RS256", p.claims(map[string]any{"aud": nil}))},
		{"expired", oidctest.SignIDToken(p.key, "k1", "RS256", p.claims(map[string]any{"exp": p.now.Add(-time.Minute).Unix()}))},
		{"another issuer", oidctest.SignIDToken(p.key, "k1", "RS256", p.claims(map[string]any{"iss": "https://evil.example"}))},
		{"another issuer's key", oidctest.SignIDToken(otherKey, "k1", "RS256", p.claims(nil))},
		{"alg none", b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(p.claims(nil)) + "."},
		{"HS256 keyed with the public modulus", oidctest.SignIDToken(p.key.PublicKey.N.Bytes(), "k1", "HS256", p.claims(nil))},
		{"garbage", "not-a-jwt"},
		{"tampered payload", func() string {
			tok := oidctest.SignIDToken(p.key, "k1", "RS256", p.claims(nil))
			parts := regexp.MustCompile(`\.`).Split(tok, 3)
			return parts[0] + "." + b64(p.claims(map[string]any{"sub": "admin"})) + "." + parts[2]
		}()},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := p.rp.VerifyBearer(context.Background(), tt.token); !errors.Is(err, auth.ErrToken) {
				t.Fatalf("accepted or wrong error: %v", err)
			}
		})
	}
}

func TestMapRoles(t *testing.T) {
	tests := []struct {
		names []string
		m     map[string]string
		want  []models.Role
	}{
		{[]string{"admin", "guardian", "root"}, nil, []models.Role{models.RoleGuardian, models.RoleAdmin}},
		{[]string{"kujdes-guardian", "guardian"}, map[string]string{"kujdes-guardian": "guardian"}, []models.Role{models.RoleGuardian}},
		{[]string{"staff"}, map[string]string{"staff": "superuser"}, nil}, // a map cannot invent a role
		{[]string{"guardian"}, map[string]string{"x": "admin"}, nil},      // with a map, only mapped names count
	}
	for i, tt := range tests {
		if got := auth.MapRoles(tt.names, tt.m); !slices.Equal(got, tt.want) {
			t.Errorf("%d: MapRoles(%v, %v) = %v, want %v", i, tt.names, tt.m, got, tt.want)
		}
	}
}

// TestSafeReturnTo holds the known open-redirect bypasses: each would send the browser to
// another host (browsers drop tabs/newlines, read "\\" as "/", some decode escapes or resolve
// dot segments before following a redirect).
func TestSafeReturnTo(t *testing.T) {
	refused := []string{
		"", "children/3", "https://evil.example/", "http:evil.example", "https:evil.example",
		"//evil.example", "///evil.example", "/\\evil.example", "\\/\\/evil.example", "\\\\evil.example",
		"/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example", " /evil",
		"/%09/evil.example", "/%0a/evil.example", "/%0D/evil.example", "/%00/evil", "/%7f/evil",
		"/%2F%2Fevil.example", "/%2f/evil.example", "/%5cevil.example", "/%5C%5Cevil.example",
		"/.//evil.example", "/./evil", "/../evil", "/%2e%2e/evil", "/a/../../evil", "/a//evil",
		"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "/x\x00", "/x\x7f",
		"/\u3000/evil.example", "/\uff0f\uff0fevil.example", "/%E3%80%80/evil", "/%C2%A0/evil",
		"/%E2%80%8B/evil", "/%E2%80%AE/evil", "/%EF%BC%8F%EF%BC%8Fevil", "/%ff", "/%zz",
		"/a\r\nSet-Cookie: x", "/a b", "/%E2%88%95%E2%88%95evil", "/" + strings.Repeat("a", 3000),
	}
	for _, in := range refused {
		t.Run("refused "+strconv.Quote(in), func(t *testing.T) {
			if got := auth.SafeReturnTo(in); got != "/" {
				t.Errorf("SafeReturnTo(%q) = %q, want \"/\"", in, got)
			}
		})
	}
	kept := []string{
		"/", "/children/3", "/children/3?x=1#y", "/ok?x=1", "/children?q=Ana+Berisha&sort=name",
		"/children/?page=2", "/me", "/admin/users/7?saved=1", "/children?q=%C3%AB", "/user@evil",
	}
	for _, in := range kept {
		t.Run("kept "+strconv.Quote(in), func(t *testing.T) {
			if got := auth.SafeReturnTo(in); got != in {
				t.Errorf("SafeReturnTo(%q) = %q, want it kept", in, got)
			}
		})
	}
}

// --- The login flow, against the development provider (zitadel/oidc) over HTTP. ---

const callbackURL = "http://127.0.0.1:1/auth/callback" // never reached: the test stops at the redirect

func newLoginRig(t *testing.T) (*auth.RP, *clock) {
	t.Helper()
	clk := &clock{t: time.Now()}
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	idp, err := devidp.New(devidp.Config{
		Issuer:      hs.URL + "/idp",
		Clients:     []devidp.Client{{ID: "kujdes", Secret: "s3cret", RedirectURIs: []string{callbackURL}, PostLogoutRedirectURIs: []string{"http://127.0.0.1:1/"}}},
		Users:       []devidp.User{{Subject: "sub-g1", Username: "guardian1", Name: "Drita", Roles: []string{"guardian"}}},
		APIAudience: "kujdes-api",
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/idp/", idp.Handler())
	rp, err := auth.NewRP(context.Background(), auth.OIDCConfig{
		Issuer: hs.URL + "/idp", ClientID: "kujdes", ClientSecret: "s3cret", RedirectURL: callbackURL,
		APIAudience: "kujdes-api", RolesClaim: "roles", Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rp, clk
}

var authRequestID = regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)

// atProvider signs the user in at the provider and returns the code and state it sends back.
func atProvider(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/auth/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page := make([]byte, 64<<10)
	n, _ := res.Body.Read(page)
	res.Body.Close()
	m := authRequestID.FindSubmatch(page[:n])
	if m == nil {
		t.Fatalf("no login page: %d %.200s", res.StatusCode, page[:n])
	}
	res, err = c.PostForm(res.Request.URL.ResolveReference(&url.URL{Path: "login"}).String(), url.Values{"authRequestID": {string(m[1])}, "username": {"guardian1"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.Path != "/auth/callback" {
		t.Fatalf("provider did not redirect to the callback: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func TestLoginFlow(t *testing.T) {
	rp, clk := newLoginRig(t)
	db := testdb.New(t)
	ctx := context.Background()

	authURL, state, err := rp.Begin(ctx, db, "/children/7")
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.Parse(authURL)
	if q.Query().Get("code_challenge_method") != "S256" || q.Query().Get("code_challenge") == "" || q.Query().Get("nonce") == "" {
		t.Fatalf("authorize URL lacks PKCE S256 or nonce: %s", authURL)
	}
	code, gotState := atProvider(t, authURL)
	if gotState != state {
		t.Fatal("provider changed the state")
	}

	t.Run("missing state cookie", func(t *testing.T) {
		if _, _, _, err := rp.Finish(ctx, db, "", state, code); !errors.Is(err, auth.ErrLoginState) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("state cookie of another login", func(t *testing.T) {
		if _, _, _, err := rp.Finish(ctx, db, "other-state", state, code); !errors.Is(err, auth.ErrLoginState) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("success", func(t *testing.T) {
		id, raw, returnTo, err := rp.Finish(ctx, db, state, state, code)
		if err != nil {
			t.Fatal(err)
		}
		if id.Subject != "sub-g1" || !slices.Equal(id.Roles, []models.Role{models.RoleGuardian}) || raw == "" || returnTo != "/children/7" {
			t.Fatalf("identity %+v returnTo %q", id, returnTo)
		}
	})
	t.Run("state reused", func(t *testing.T) {
		if _, _, _, err := rp.Finish(ctx, db, state, state, code); !errors.Is(err, auth.ErrLoginState) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("code reused under a fresh state", func(t *testing.T) {
		_, state2, err := rp.Begin(ctx, db, "/")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := rp.Finish(ctx, db, state2, state2, code); !errors.Is(err, auth.ErrToken) {
			t.Fatalf("a used code must be refused by the provider, got %v", err)
		}
	})
	t.Run("wrong nonce", func(t *testing.T) {
		authURL, state3, err := rp.Begin(ctx, db, "/")
		if err != nil {
			t.Fatal(err)
		}
		// The ID token will carry the nonce sent to the provider; we now expect another one.
		if err := db.Exec(`UPDATE oidc_logins SET nonce = 'not-the-nonce-we-sent' WHERE state = ?`, state3).Error; err != nil {
			t.Fatal(err)
		}
		code3, _ := atProvider(t, authURL)
		if _, _, _, err := rp.Finish(ctx, db, state3, state3, code3); !errors.Is(err, auth.ErrLoginNonce) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("login left too long at the provider", func(t *testing.T) {
		authURL, state4, err := rp.Begin(ctx, db, "/")
		if err != nil {
			t.Fatal(err)
		}
		code4, _ := atProvider(t, authURL)
		clk.Advance(11 * time.Minute)
		if _, _, _, err := rp.Finish(ctx, db, state4, state4, code4); !errors.Is(err, auth.ErrLoginState) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("logout URL carries id_token_hint", func(t *testing.T) {
		u, err := url.Parse(rp.LogoutURL("the-id-token", "http://127.0.0.1:1/"))
		if err != nil || u.Query().Get("id_token_hint") != "the-id-token" || u.Query().Get("post_logout_redirect_uri") != "http://127.0.0.1:1/" {
			t.Fatalf("logout URL %v", u)
		}
	})
}
