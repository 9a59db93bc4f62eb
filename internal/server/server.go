// Package server assembles Kujdes' HTTP handler: the middleware chain shared by both faces
// (request id, logging, metrics, recovery, security headers, body limit, language, access
// policy), the pages, the JSON API and the operational endpoints.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/api"
	"github.com/kujdes/kujdes/auditlog"
	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/auth/devidp"
	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/frontend"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/config"
	"github.com/kujdes/kujdes/internal/pdf"
	"github.com/kujdes/kujdes/internal/security"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// Deps are what the server needs; main builds them once.
type Deps struct {
	Config config.Config
	DB     *gorm.DB
	Log    *slog.Logger
	I18n   *i18n.Bundle
	// Now is the clock (tests inject one).
	Now func() time.Time
	// Policy answers which permission a route needs; nil means the real table,
	// auth.PermissionFor. Tests that add probe routes extend it.
	Policy func(method, route string) (auth.Permission, bool)
	// Users keeps the users that bearer tokens name (auth.UserCache, run by main); nil reads
	// them with every request.
	Users *auth.UserCache
}

// Server is the assembled HTTP handler.
type Server struct {
	deps     Deps
	engine   *gin.Engine
	handler  http.Handler
	api      *api.API
	pages    *frontend.Frontend
	registry *prometheus.Registry
	metrics  *httpMetrics
	sessions *auth.Sessions
	auth     *auth.Service
	devIDP   *devidp.Provider
}

// New builds the identity parts, the routes and the middleware.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Policy == nil {
		d.Policy = auth.PermissionFor
	}
	pages, err := frontend.New(d.Log, d.I18n)
	if err != nil {
		return nil, err
	}
	s := &Server{deps: d, pages: pages, registry: prometheus.NewRegistry()}
	s.metrics = newHTTPMetrics(s.registry)

	secure := strings.HasPrefix(d.Config.PublicURL, "https://")
	s.sessions, err = auth.NewSessions(d.DB, auth.SessionConfig{
		Idle: d.Config.SessionIdleTimeout, Lifetime: d.Config.SessionLifetime, Secure: secure, Now: d.Now,
	})
	if err != nil {
		return nil, err
	}
	rp, err := s.identityProvider()
	if err != nil {
		return nil, err
	}
	s.auth = &auth.Service{DB: d.DB, RP: rp, Sessions: s.sessions, Now: d.Now, Users: d.Users}
	reg, err := NewRegistry(d.Config, d.DB, d.Now)
	if err != nil {
		return nil, err
	}
	// Issue 10: the rights sheet's catalogue and PDF printer.
	rights, err := i18n.NewRights()
	if err != nil {
		return nil, err
	}
	s.api = &api.API{Registry: reg}
	pages.Registry, pages.Auth, pages.Secure, pages.PublicURL = reg, s.auth, secure, d.Config.PublicURL
	pages.Rights, pages.PDF = rights, pdf.New(d.Config.Chromium)

	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true // c.Done()/c.Value reach the request context
	e.RemoteIPHeaders = nil      // trust no proxy header unless configured (see README)
	_ = e.SetTrustedProxies(nil)
	e.Use(s.requestLog, s.recovery, s.bodyLimit, s.language, s.authenticate, s.authorize)
	e.NoRoute(s.notFound)
	e.NoMethod(s.methodNotAllowed)

	s.pages.Routes(e)
	s.api.Routes(e)
	e.GET("/livez", s.livez)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler())
	if s.devIDP != nil {
		h := gin.WrapH(s.devIDP.Handler())
		e.GET("/dev-idp/*path", h)
		e.POST("/dev-idp/*path", h)
		e.GET("/dev/token/:username", s.devToken)
	}
	s.engine = e

	// Outside Gin: security headers on everything; cross-origin protection for every
	// state-changing request (Go's http.CrossOriginProtection: Sec-Fetch-Site / Origin);
	// sessions loaded before and saved after the handlers.
	var formActions []string
	if rp != nil && s.devIDP == nil {
		if o := rp.EndSessionOrigin(); o != "" {
			formActions = append(formActions, o) // the logout form redirects to the provider
		}
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	h := s.sessions.Middleware(e)
	h = cop.Handler(h)
	h = security.Headers(formActions, secure)(h)
	// Border posts have poor connections: compress every answer worth compressing.
	s.handler = gzhttp.GzipHandler(h)
	return s, nil
}

// Close releases background work (the session clean-up).
func (s *Server) Close() {
	s.sessions.Close()
	s.pages.PDF.Close() // issue 10: the PDF printer's browser, if one was started
}

// Handler is the root http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Engine exposes the Gin engine to tests that walk the routes.
func (s *Server) Engine() *gin.Engine { return s.engine }

// Serve listens on addr until ctx is cancelled, then shuts down gracefully: in-flight
// requests get up to 20 seconds to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.deps.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.deps.Log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// isAPI tells which face answers a request: JSON problems under /api/, pages elsewhere.
func isAPI(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, api.Prefix+"/") || c.Request.URL.Path == api.Prefix
}

// NewRegistry builds the use cases from the configuration: the server's, and the alert
// workers' (cmd/kujdes), with the same rules.
func NewRegistry(cfg config.Config, db *gorm.DB, now func() time.Time) (*registry.Registry, error) {
	if now == nil {
		now = time.Now
	}
	reg := &registry.Registry{DB: db, Now: now, BreakGlassFor: cfg.BreakGlassDuration, RegistrationPrefix: cfg.RegistrationPrefix,
		Checks: registry.NewCheckLimiter(registry.CheckLimit{Count: cfg.DuplicateChecks, Per: cfg.DuplicateCheckWindow, Burst: cfg.DuplicateCheckBurst}),
		Reads:  models.NewAuditBatcher(db),
		// issue 13: live transliteration
		Transliterations: registry.NewCheckLimiter(registry.DefaultTransliterationLimit),
		ComplianceLists:  registry.NewCheckLimiter(registry.DefaultComplianceListLimit)} // issue 11
	if f := cfg.Audit.SigningKeyFile; f != "" {
		// Only the public half is kept here: the sealer (cmd/kujdes) signs.
		k, err := auditlog.LoadKey(f)
		if err != nil {
			return nil, err
		}
		reg.AuditVerifierKey = k.VerifierKey
	}
	cal, err := cfg.Guardianship.Calendar()
	if err != nil {
		return nil, err
	}
	g := cfg.Guardianship
	reg.GuardianRules = registry.GuardianRules{CaseloadCap: g.CaseloadCap, ProvisionalWithin: g.ProvisionalWithin,
		AppointWithinWorkdays: g.AppointWithinWorkdays, VisitEvery: g.VisitEvery, Calendar: cal}
	reg.MissingRules = registry.MissingRules{PoliceReportWithin: cfg.MissingPoliceReportWithin} // issue 10
	// Issue 10: S11/S13 thresholds.
	reg.LifecycleRules = registry.LifecycleRules{PlanDaysBefore: cfg.Lifecycle.PlanDaysBefore, InformWithinDays: cfg.Lifecycle.InformWithinDays}
	// Issue 11: thresholds of the standards without a setting of their own (S4, S5, S7, S10).
	reg.ComplianceThresholds = map[compliance.Code]int{}
	for code, n := range cfg.ComplianceThresholds {
		reg.ComplianceThresholds[compliance.Code(code)] = n
	}
	if h := cfg.ComplianceThresholds["S10"]; h > 0 {
		reg.MissingRules.ReturnInterviewWithin = time.Duration(h) * time.Hour
	}
	return reg, nil
}
