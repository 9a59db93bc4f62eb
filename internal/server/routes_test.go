package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/api"
	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/config"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/internal/testdb"
)

func newServer(t *testing.T, policy func(string, string) (auth.Permission, bool)) *server.Server {
	t.Helper()
	// The development provider is on, so its routes are registered too.
	cfg, err := config.Load(nil, func(k string) string { return map[string]string{"KUJDES_DEV_IDP": "true"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxBodyBytes = 2048
	bundle, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(server.Deps{Config: cfg, DB: testdb.New(t), Log: slog.New(slog.DiscardHandler), I18n: bundle, Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Probe routes, declared in an extended policy, show how the shared middleware answers
// body errors and panics on both faces.
func TestBodyErrorsAndPanics(t *testing.T) {
	t.Parallel()
	extended := func(method, route string) (auth.Permission, bool) {
		if strings.HasPrefix(route, "/api/v1/probe") || route == "/probe/panic" {
			return auth.Public, true
		}
		return auth.PermissionFor(method, route)
	}
	s := newServer(t, extended)
	s.Engine().POST("/api/v1/probe/json", api.DecodeProbe)
	s.Engine().GET("/api/v1/probe/panic", func(*gin.Context) { panic("secret internals: password=hunter2") })
	s.Engine().GET("/probe/panic", func(*gin.Context) { panic("secret internals: password=hunter2") })
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()

	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		problemType                     string
	}{
		{"good json", "POST", "/api/v1/probe/json", "application/json", `{"a":1}`, 200, ""},
		{"bad json", "POST", "/api/v1/probe/json", "application/json", `{"a":`, 400, "urn:kujdes:problem:bad-request"},
		{"two values", "POST", "/api/v1/probe/json", "application/json", `{} {}`, 400, "urn:kujdes:problem:bad-request"},
		{"wrong type", "POST", "/api/v1/probe/json", "application/json", `[1,2]`, 400, "urn:kujdes:problem:bad-request"},
		{"not json", "POST", "/api/v1/probe/json", "text/plain", `hello`, 415, "urn:kujdes:problem:unsupported-media-type"},
		{"oversized", "POST", "/api/v1/probe/json", "application/json", `{"a":"` + strings.Repeat("x", 4096) + `"}`, 413, "urn:kujdes:problem:payload-too-large"},
		{"api panic", "GET", "/api/v1/probe/panic", "", "", 500, "urn:kujdes:problem:internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, hs.URL+tt.path, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tt.status {
				b, _ := io.ReadAll(res.Body)
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, b)
			}
			if tt.problemType == "" {
				return
			}
			p := decodeProblem(t, res)
			if p.Type != tt.problemType || p.Title == "" {
				t.Errorf("problem %+v", p)
			}
			if strings.Contains(p.Detail+p.Title, "hunter2") {
				t.Error("a 500 leaked internals")
			}
		})
	}
	t.Run("page panic", func(t *testing.T) {
		res, err := http.Get(hs.URL + "/probe/panic")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 500 || strings.Contains(string(b), "hunter2") || !strings.Contains(string(b), "Something went wrong") {
			t.Fatalf("page panic: %d %.300s", res.StatusCode, b)
		}
	})
}

// Every registered route must be in the policy table, and every table entry must be a route
// (a stale entry is a door nobody reviews).
func TestEveryRouteHasAPolicy(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	registered := map[auth.Route]bool{}
	for _, r := range s.Engine().Routes() {
		registered[auth.Route{Method: r.Method, Path: r.Path}] = true
		if _, ok := auth.PermissionFor(r.Method, r.Path); !ok {
			t.Errorf("%s %s has no entry in auth/policy.go", r.Method, r.Path)
		}
	}
	for r := range auth.Routes() {
		if !registered[r] {
			t.Errorf("policy entry %s %s matches no registered route", r.Method, r.Path)
		}
	}
}

// An undeclared route is denied even though a handler exists (default deny).
func TestUndeclaredRouteIsDenied(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	s.Engine().GET("/api/v1/undeclared", func(c *gin.Context) { c.String(200, "secret") })
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	res, err := http.Get(hs.URL + "/api/v1/undeclared")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("undeclared route answered %d", res.StatusCode)
	}
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

// The OpenAPI document must be valid and describe exactly the registered /api/v1 routes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is invalid: %v", err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+api.Prefix+path] = true
		}
	}
	s := newServer(t, nil)
	registered := map[string]bool{}
	for _, r := range s.Engine().Routes() {
		if !strings.HasPrefix(r.Path, api.Prefix+"/") {
			continue
		}
		registered[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var problems []string
	for k := range registered {
		if !documented[k] {
			problems = append(problems, "undocumented route: "+k)
		}
	}
	for k := range documented {
		if !registered[k] {
			problems = append(problems, "documented but not registered: "+k)
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	if len(registered) == 0 {
		t.Fatal("no /api/v1 routes registered")
	}
}
