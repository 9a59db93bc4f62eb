package keycloak

import (
	"bytes"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// The five Kujdes roles (models.Roles). Written out here so this test does not depend on the
// application packages; the names are part of the contract with every identity provider.
var kujdesRoles = []string{"border_officer", "protection_officer", "guardian", "monitor", "admin"}

// demoUsers are the demo accounts that docs/identity-providers.md promises: one per role, two administrators.
var demoUsers = map[string]string{
	"border1":     "border_officer",
	"protection1": "protection_officer",
	"guardian1":   "guardian",
	"monitor1":    "monitor",
	"admin1":      "admin",
	// A second administrator: access one administrator gives waits for another's approval.
	"admin2": "admin",
}

const (
	realmFile   = "kujdes-realm.json"
	composeFile = "../../docker-compose.yml"

	webClient   = "kujdes"
	apiAudience = "kujdes-api"
	cliClient   = "kujdes-cli"
	rolesClaim  = "roles"
)

// The subset of Keycloak's RealmRepresentation that Kujdes depends on.
type realm struct {
	Realm       string `json:"realm"`
	Enabled     bool   `json:"enabled"`
	SSLRequired string `json:"sslRequired"`
	Roles       struct {
		Realm []struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"realm"`
	} `json:"roles"`
	Clients      []client        `json:"clients"`
	Users        []user          `json:"users"`
	ClientScopes json.RawMessage `json:"clientScopes"`
}

type client struct {
	ClientID                  string            `json:"clientId"`
	Enabled                   *bool             `json:"enabled"`
	PublicClient              bool              `json:"publicClient"`
	BearerOnly                bool              `json:"bearerOnly"`
	ClientAuthenticatorType   string            `json:"clientAuthenticatorType"`
	Secret                    string            `json:"secret"`
	StandardFlowEnabled       *bool             `json:"standardFlowEnabled"`
	ImplicitFlowEnabled       bool              `json:"implicitFlowEnabled"`
	DirectAccessGrantsEnabled bool              `json:"directAccessGrantsEnabled"`
	ServiceAccountsEnabled    bool              `json:"serviceAccountsEnabled"`
	RedirectURIs              []string          `json:"redirectUris"`
	Attributes                map[string]string `json:"attributes"`
	DefaultClientScopes       []string          `json:"defaultClientScopes"`
	ProtocolMappers           []mapper          `json:"protocolMappers"`
}

type mapper struct {
	Name           string            `json:"name"`
	Protocol       string            `json:"protocol"`
	ProtocolMapper string            `json:"protocolMapper"`
	Config         map[string]string `json:"config"`
}

type user struct {
	ID            string              `json:"id"`
	Username      string              `json:"username"`
	Enabled       bool                `json:"enabled"`
	EmailVerified bool                `json:"emailVerified"`
	Email         string              `json:"email"`
	FirstName     string              `json:"firstName"`
	LastName      string              `json:"lastName"`
	RealmRoles    []string            `json:"realmRoles"`
	ClientRoles   map[string][]string `json:"clientRoles"`
	Groups        []string            `json:"groups"`
	Credentials   []struct {
		Type      string `json:"type"`
		Value     string `json:"value"`
		Temporary bool   `json:"temporary"`
	} `json:"credentials"`
	RequiredActions []string `json:"requiredActions"`
}

func loadRealm(t *testing.T) realm {
	t.Helper()
	b, err := os.ReadFile(realmFile)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var r realm
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%s: %v", realmFile, err)
	}
	return r
}

func (r realm) client(t *testing.T, id string) client {
	t.Helper()
	for _, c := range r.Clients {
		if c.ClientID == id {
			return c
		}
	}
	t.Fatalf("realm has no client %q", id)
	return client{}
}

func TestRealmBasics(t *testing.T) {
	r := loadRealm(t)
	if r.Realm != "kujdes" || !r.Enabled {
		t.Errorf("realm = %q enabled=%v, want kujdes enabled", r.Realm, r.Enabled)
	}
	// Keycloak's own import convention: <realm>-realm.json.
	if realmFile != r.Realm+"-realm.json" {
		t.Errorf("file %s does not follow <realm>-realm.json for realm %q", realmFile, r.Realm)
	}
	switch r.SSLRequired {
	case "none", "external", "all":
	default:
		t.Errorf("sslRequired = %q", r.SSLRequired)
	}
	// Declaring any clientScopes stops Keycloak from creating its built-in ones (profile, email,
	// roles, basic…), and the clients would silently lose sub, email and name claims.
	if len(r.ClientScopes) > 0 && string(r.ClientScopes) != "null" {
		t.Error("realm declares clientScopes: Keycloak then skips its built-in scopes (basic, profile, email…)")
	}
}

func TestRealmRoles(t *testing.T) {
	r := loadRealm(t)
	have := map[string]string{}
	for _, role := range r.Roles.Realm {
		have[role.Name] = role.Description
	}
	for _, want := range kujdesRoles {
		desc, ok := have[want]
		if !ok {
			t.Errorf("realm role %q missing", want)
		} else if strings.TrimSpace(desc) == "" {
			t.Errorf("realm role %q has no description", want)
		}
	}
}

func TestWebClient(t *testing.T) {
	c := loadRealm(t).client(t, webClient)
	if c.Enabled != nil && !*c.Enabled {
		t.Error("client disabled")
	}
	if c.PublicClient || c.BearerOnly {
		t.Errorf("publicClient=%v bearerOnly=%v, want a confidential client", c.PublicClient, c.BearerOnly)
	}
	if c.ClientAuthenticatorType != "client-secret" || c.Secret == "" {
		t.Errorf("clientAuthenticatorType=%q secret set=%v, want client-secret with a secret", c.ClientAuthenticatorType, c.Secret != "")
	}
	if c.StandardFlowEnabled != nil && !*c.StandardFlowEnabled {
		t.Error("standard flow (authorization code) is off")
	}
	if c.ImplicitFlowEnabled {
		t.Error("implicit flow is on")
	}
	if c.DirectAccessGrantsEnabled {
		t.Error("direct access grants (password grant) are on for the web client")
	}
	if c.ServiceAccountsEnabled {
		t.Error("service accounts are on for the web client")
	}
	if got := c.Attributes["pkce.code.challenge.method"]; got != "S256" {
		t.Errorf("pkce.code.challenge.method = %q, want S256", got)
	}
	if !slices.Contains(c.RedirectURIs, "http://localhost:8080/auth/callback") {
		t.Errorf("redirectUris %v lack http://localhost:8080/auth/callback", c.RedirectURIs)
	}
	if post := strings.Split(c.Attributes["post.logout.redirect.uris"], "##"); !slices.Contains(post, "http://localhost:8080/") {
		t.Errorf("post.logout.redirect.uris %v lack http://localhost:8080/", post)
	}
	for _, u := range c.RedirectURIs {
		if strings.Contains(u, "*") {
			t.Errorf("redirect URI %q has a wildcard", u)
		}
	}
}

// TestTokenClients checks the claims Kujdes reads, on every client that issues tokens to it.
func TestTokenClients(t *testing.T) {
	r := loadRealm(t)
	for _, id := range []string{webClient, cliClient} {
		t.Run(id, func(t *testing.T) {
			c := r.client(t, id)
			// The "basic" scope carries the sub claim into access tokens; Kujdes keys users by
			// issuer + sub. Unset means Keycloak's defaults, which include it.
			if c.DefaultClientScopes != nil && !slices.Contains(c.DefaultClientScopes, "basic") {
				t.Errorf("defaultClientScopes %v lack basic (sub claim)", c.DefaultClientScopes)
			}
			var roles, audience bool
			for _, m := range c.ProtocolMappers {
				on := func(k string) bool { return m.Config[k] == "true" }
				switch m.ProtocolMapper {
				case "oidc-usermodel-realm-role-mapper":
					if m.Config["claim.name"] != rolesClaim {
						continue
					}
					roles = true
					if !on("multivalued") {
						t.Errorf("mapper %q: not multivalued (one role would become a string)", m.Name)
					}
					if !on("id.token.claim") || !on("access.token.claim") {
						t.Errorf("mapper %q: roles must be in the ID token (web login) and the access token (API)", m.Name)
					}
				case "oidc-audience-mapper":
					if m.Config["included.custom.audience"] != apiAudience && m.Config["included.client.audience"] != apiAudience {
						continue
					}
					audience = true
					if !on("access.token.claim") {
						t.Errorf("mapper %q: audience not added to access tokens", m.Name)
					}
					if on("id.token.claim") {
						t.Errorf("mapper %q: the API audience does not belong in ID tokens", m.Name)
					}
				}
				if m.Protocol != "" && m.Protocol != "openid-connect" {
					t.Errorf("mapper %q: protocol %q", m.Name, m.Protocol)
				}
			}
			if !roles {
				t.Errorf("no oidc-usermodel-realm-role-mapper with claim.name %q", rolesClaim)
			}
			if !audience {
				t.Errorf("no oidc-audience-mapper adding %q", apiAudience)
			}
		})
	}
}

func TestAPIAndCLIClients(t *testing.T) {
	r := loadRealm(t)
	api := r.client(t, apiAudience)
	if api.PublicClient || api.ImplicitFlowEnabled || api.DirectAccessGrantsEnabled || api.ServiceAccountsEnabled ||
		(api.StandardFlowEnabled == nil || *api.StandardFlowEnabled) {
		t.Errorf("%s must enable no flow at all: it only names the audience", apiAudience)
	}
	cli := r.client(t, cliClient)
	if !cli.PublicClient || !cli.DirectAccessGrantsEnabled {
		t.Errorf("%s: want a public client with direct access grants (scripts, development)", cliClient)
	}
	if cli.StandardFlowEnabled == nil || *cli.StandardFlowEnabled || cli.ImplicitFlowEnabled || cli.ServiceAccountsEnabled {
		t.Errorf("%s: only the password grant should be on", cliClient)
	}
	if cli.Secret != "" {
		t.Errorf("%s: a public client has no secret", cliClient)
	}
}

func TestDemoUsers(t *testing.T) {
	r := loadRealm(t)
	holders := map[string][]string{}
	ids := map[string]bool{}
	for _, u := range r.Users {
		if u.ID == "" || ids[u.ID] {
			t.Errorf("user %q: id %q missing or repeated (a fixed id keeps sub stable across re-imports)", u.Username, u.ID)
		}
		ids[u.ID] = true
		for _, role := range u.RealmRoles {
			holders[role] = append(holders[role], u.Username)
		}
		want, demo := demoUsers[u.Username]
		if !demo {
			t.Errorf("unexpected user %q", u.Username)
			continue
		}
		if !u.Enabled || !u.EmailVerified {
			t.Errorf("%s: enabled=%v emailVerified=%v", u.Username, u.Enabled, u.EmailVerified)
		}
		if !slices.Equal(u.RealmRoles, []string{want}) || len(u.ClientRoles) > 0 || len(u.Groups) > 0 {
			t.Errorf("%s: realmRoles=%v clientRoles=%v groups=%v, want exactly [%s]", u.Username, u.RealmRoles, u.ClientRoles, u.Groups, want)
		}
		if u.Email != u.Username+"@kujdes.example" || u.FirstName == "" || u.LastName == "" {
			t.Errorf("%s: email %q first %q last %q", u.Username, u.Email, u.FirstName, u.LastName)
		}
		if len(u.RequiredActions) > 0 {
			t.Errorf("%s: required actions %v would interrupt the password grant", u.Username, u.RequiredActions)
		}
		if len(u.Credentials) != 1 || u.Credentials[0].Type != "password" || u.Credentials[0].Value != "kujdes" || u.Credentials[0].Temporary {
			t.Errorf("%s: want one permanent password credential \"kujdes\"", u.Username)
		}
	}
	for _, role := range kujdesRoles {
		want := 1
		if role == "admin" {
			want = 2 // separation of duties: a second administrator approves access grants
		}
		if len(holders[role]) != want {
			t.Errorf("role %s held by %v, want exactly %d demo user(s)", role, holders[role], want)
		}
	}
	for name := range demoUsers {
		if !slices.ContainsFunc(r.Users, func(u user) bool { return u.Username == name }) {
			t.Errorf("demo user %q missing", name)
		}
	}
}

// ---- docker-compose.yml

type compose struct {
	Services map[string]service `yaml:"services"`
}

type service struct {
	Image       string         `yaml:"image"`
	Command     any            `yaml:"command"`
	Environment any            `yaml:"environment"`
	Ports       []any          `yaml:"ports"`
	Volumes     []any          `yaml:"volumes"`
	DependsOn   any            `yaml:"depends_on"`
	Healthcheck map[string]any `yaml:"healthcheck"`
}

func loadCompose(t *testing.T) compose {
	t.Helper()
	b, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", composeFile, err)
	}
	for _, name := range []string{"db", "keycloak", "kujdes"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("%s: no service %q", composeFile, name)
		}
	}
	return c
}

// env reads a service's environment in either compose form (map or KEY=value list).
func (s service) env() map[string]string {
	out := map[string]string{}
	switch e := s.Environment.(type) {
	case map[string]any:
		for k, v := range e {
			if v != nil {
				out[k] = strings.TrimSpace(fmtScalar(v))
			}
		}
	case []any:
		for _, kv := range e {
			k, v, _ := strings.Cut(fmtScalar(kv), "=")
			out[k] = v
		}
	}
	return out
}

func fmtScalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// strs reads a string or a list of strings (command, healthcheck test).
func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return strings.Fields(x)
	case []any:
		out := make([]string, 0, len(x))
		for _, s := range x {
			out = append(out, fmtScalar(s))
		}
		return out
	}
	return nil
}

// publishedPort finds the host port that publishes a container port (short or long syntax).
func (s service) publishedPort(container string) (hostIP, hostPort string, ok bool) {
	for _, p := range s.Ports {
		switch x := p.(type) {
		case string:
			parts := strings.Split(strings.TrimSuffix(x, "/tcp"), ":")
			if len(parts) < 2 || parts[len(parts)-1] != container {
				continue
			}
			if len(parts) == 3 {
				return parts[0], parts[1], true
			}
			return "", parts[0], true
		case map[string]any:
			if fmtScalar(x["target"]) == container {
				ip, _ := x["host_ip"].(string)
				return ip, fmtScalar(x["published"]), true
			}
		}
	}
	return "", "", false
}

func TestComposeDependsAndHealth(t *testing.T) {
	c := loadCompose(t)
	deps, ok := c.Services["kujdes"].DependsOn.(map[string]any)
	if !ok {
		t.Fatal("kujdes.depends_on must be the long form, with conditions")
	}
	for _, name := range []string{"db", "keycloak"} {
		d, _ := deps[name].(map[string]any)
		if d["condition"] != "service_healthy" {
			t.Errorf("kujdes.depends_on.%s.condition = %v, want service_healthy", name, d["condition"])
		}
	}
	for name, s := range c.Services {
		if name == "kujdes" {
			continue
		}
		if len(strs(s.Healthcheck["test"])) == 0 {
			t.Errorf("service %s has no healthcheck (kujdes waits for it to be healthy)", name)
		}
	}
}

func TestComposeKeycloak(t *testing.T) {
	c := loadCompose(t)
	kc := c.Services["keycloak"]
	env := kc.env()
	if !strings.HasPrefix(kc.Image, "quay.io/keycloak/keycloak:") {
		t.Errorf("keycloak image %q", kc.Image)
	}
	if cmd := strs(kc.Command); !slices.Contains(cmd, "start-dev") || !slices.Contains(cmd, "--import-realm") {
		t.Errorf("keycloak command %v, want start-dev --import-realm", cmd)
	}
	mounted := false
	for _, v := range kc.Volumes {
		src, rest, _ := strings.Cut(fmtScalar(v), ":")
		dst, _, _ := strings.Cut(rest, ":")
		if strings.TrimSuffix(src, "/") == "./deploy/keycloak" && strings.TrimSuffix(dst, "/") == "/opt/keycloak/data/import" {
			mounted = true
		}
	}
	if !mounted {
		t.Error("keycloak does not mount ./deploy/keycloak at /opt/keycloak/data/import")
	}
	if env["KC_HEALTH_ENABLED"] != "true" {
		t.Error("KC_HEALTH_ENABLED must be true for the health check")
	}
	hc := strings.Join(strs(kc.Healthcheck["test"]), " ")
	if !strings.Contains(hc, "/health/ready") || !strings.Contains(hc, "/9000") {
		t.Errorf("keycloak healthcheck %q should ask /health/ready on the management port 9000", hc)
	}
	if strings.Contains(hc, "curl") || strings.Contains(hc, "wget") {
		t.Errorf("keycloak healthcheck %q uses a tool the image does not ship", hc)
	}
	if env["KC_HOSTNAME_BACKCHANNEL_DYNAMIC"] == "true" {
		if u, err := url.Parse(env["KC_HOSTNAME"]); err != nil || u.Scheme == "" || u.Host == "" {
			t.Errorf("KC_HOSTNAME %q must be a full URL with KC_HOSTNAME_BACKCHANNEL_DYNAMIC", env["KC_HOSTNAME"])
		}
	}
}

// TestComposeOIDCWiring checks that what Kujdes is told matches what Keycloak is and publishes.
func TestComposeOIDCWiring(t *testing.T) {
	c := loadCompose(t)
	r := loadRealm(t)
	kc, app := c.Services["keycloak"], c.Services["kujdes"]
	kcEnv, env := kc.env(), app.env()

	kcPort := kcEnv["KC_HTTP_PORT"]
	if kcPort == "" {
		kcPort = "8080"
	}
	hostIP, published, ok := kc.publishedPort(kcPort)
	if !ok {
		t.Fatalf("keycloak does not publish its HTTP port %s", kcPort)
	}
	if hostIP != "" && hostIP != "127.0.0.1" {
		t.Errorf("keycloak published on %s: keep development services on loopback", hostIP)
	}

	issuer, err := url.Parse(env["KUJDES_OIDC_ISSUER"])
	if err != nil || issuer.Host == "" {
		t.Fatalf("KUJDES_OIDC_ISSUER %q is not a URL", env["KUJDES_OIDC_ISSUER"])
	}
	if issuer.Port() != published || (issuer.Hostname() != "localhost" && issuer.Hostname() != "127.0.0.1") {
		t.Errorf("issuer %s is not the published keycloak port %s on loopback", issuer, published)
	}
	if issuer.Path != "/realms/"+r.Realm {
		t.Errorf("issuer path %q, want /realms/%s", issuer.Path, r.Realm)
	}
	// Keycloak's issuer is <KC_HOSTNAME>/realms/<realm>; Kujdes compares it exactly.
	if want := strings.TrimSuffix(kcEnv["KC_HOSTNAME"], "/") + "/realms/" + r.Realm; env["KUJDES_OIDC_ISSUER"] != want {
		t.Errorf("KUJDES_OIDC_ISSUER = %q but Keycloak issues as %q", env["KUJDES_OIDC_ISSUER"], want)
	}

	if d := env["KUJDES_OIDC_DISCOVERY_URL"]; d != "" {
		du, err := url.Parse(d)
		if err != nil {
			t.Fatalf("KUJDES_OIDC_DISCOVERY_URL %q: %v", d, err)
		}
		if du.Hostname() != "keycloak" || du.Port() != kcPort || du.Path != issuer.Path {
			t.Errorf("KUJDES_OIDC_DISCOVERY_URL %q, want http://keycloak:%s%s", d, kcPort, issuer.Path)
		}
		if kcEnv["KC_HOSTNAME_BACKCHANNEL_DYNAMIC"] != "true" {
			t.Error("with a discovery URL on another host, Keycloak needs KC_HOSTNAME_BACKCHANNEL_DYNAMIC=true so token and JWKS URLs are reachable from kujdes")
		}
	}

	web := r.client(t, webClient)
	if got := env["KUJDES_OIDC_CLIENT_ID"]; got != "" && got != webClient {
		t.Errorf("KUJDES_OIDC_CLIENT_ID = %q, want %q", got, webClient)
	}
	if env["KUJDES_OIDC_CLIENT_SECRET"] != web.Secret {
		t.Error("KUJDES_OIDC_CLIENT_SECRET does not match the kujdes client's secret in the realm")
	}
	if got := env["KUJDES_OIDC_API_AUDIENCE"]; got != "" && got != apiAudience {
		t.Errorf("KUJDES_OIDC_API_AUDIENCE = %q, want %q", got, apiAudience)
	}
	if got := env["KUJDES_OIDC_ROLES_CLAIM"]; got != "" && got != rolesClaim {
		t.Errorf("KUJDES_OIDC_ROLES_CLAIM = %q, want %q", got, rolesClaim)
	}

	public := strings.TrimSuffix(env["KUJDES_PUBLIC_URL"], "/")
	if !slices.Contains(web.RedirectURIs, public+"/auth/callback") {
		t.Errorf("redirect URI %s/auth/callback is not registered on the kujdes client", public)
	}
	if !slices.Contains(strings.Split(web.Attributes["post.logout.redirect.uris"], "##"), public+"/") {
		t.Errorf("post-logout redirect %s/ is not registered on the kujdes client", public)
	}
	pu, _ := url.Parse(public)
	_, appPort, ok := app.publishedPort(portOf(env["KUJDES_ADDR"]))
	if !ok || pu == nil || pu.Port() != appPort {
		t.Errorf("KUJDES_PUBLIC_URL %s does not match kujdes' published port %s", public, appPort)
	}
}

func portOf(addr string) string {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "8080"
	}
	return p
}
