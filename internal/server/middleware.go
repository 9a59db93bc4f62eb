package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/api"
	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/requestid"
	"github.com/kujdes/kujdes/models"
)

// requestLog assigns the request id (a client's X-Request-ID only when requestid.Valid), then logs one
// JSON line and counts the request by route template once it is answered.
func (s *Server) requestLog(c *gin.Context) {
	start := time.Now()
	id := requestid.FromClient(c.GetHeader(requestid.Header))
	c.Header(requestid.Header, id)
	c.Request = c.Request.WithContext(requestid.WithClientIP(requestid.With(c.Request.Context(), id), c.ClientIP()))

	c.Next()

	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	elapsed := time.Since(start)
	s.metrics.observe(c.Request.Method, route, status, elapsed)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if route == "/livez" || route == "/readyz" || route == "/metrics" || route == "/static/*file" {
		level = slog.LevelDebug
	}
	s.deps.Log.LogAttrs(c.Request.Context(), level, "request",
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int("bytes", c.Writer.Size()),
		slog.Duration("duration", elapsed),
		slog.String("client_ip", c.ClientIP()),
	)
}

// recovery turns a panic into a 500 without internals (problem+json or the error page) and
// logs the stack once.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		rec := recover()
		if rec == nil {
			return
		}
		if rec == http.ErrAbortHandler {
			panic(rec)
		}
		s.deps.Log.ErrorContext(c.Request.Context(), "panic",
			"request_id", requestid.From(c.Request.Context()),
			"panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
		if c.Writer.Written() {
			c.Abort()
			return
		}
		s.writeError(c, http.StatusInternalServerError)
	}()
	c.Next()
}

// bodyLimit bounds every request body; reading past it fails with *http.MaxBytesError,
// which both faces answer with 413.
func (s *Server) bodyLimit(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.deps.Config.MaxBodyBytes)
	}
	c.Next()
}

// langCookie remembers an explicit language choice.
const langCookie = "lang"

// language picks the request's language (explicit ?lang= or cookie, then Accept-Language)
// and puts its localizer in the request context.
func (s *Server) language(c *gin.Context) {
	choice := c.Query("lang")
	if _, ok := s.deps.I18n.Supported(choice); ok {
		http.SetCookie(c.Writer, &http.Cookie{
			Name: langCookie, Value: choice, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Request.TLS != nil,
		})
	} else if ck, err := c.Cookie(langCookie); err == nil {
		choice = ck
	}
	lang := s.deps.I18n.Match(choice, c.GetHeader("Accept-Language"))
	c.Header("Vary", "Accept-Language, Cookie")
	c.Request = c.Request.WithContext(i18n.WithLocalizer(c.Request.Context(), s.deps.I18n.Localizer(lang)))
	c.Next()
}

// authenticate finds who is calling: a bearer token (API) or the session. A bearer token
// that fails verification is refused outright (401), and the refusal is audited.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	a, err := s.auth.Authenticate(ctx, c.Request)
	if err != nil {
		if errors.Is(err, auth.ErrToken) || errors.Is(err, auth.ErrInactive) {
			s.deps.Log.InfoContext(ctx, "bearer token refused", "err", models.RedactError(err), "request_id", requestid.From(ctx))
			s.recordDenied(c, nil, "invalid bearer token")
			c.Header("WWW-Authenticate", `Bearer error="invalid_token"`)
			s.writeError(c, http.StatusUnauthorized)
			return
		}
		panic(err) // the recovery middleware logs it and answers 500
	}
	if a != nil {
		c.Request = c.Request.WithContext(auth.WithActor(ctx, a))
	}
	c.Next()
}

// authorize enforces the policy table: a matched route without an entry is denied to
// everyone (default deny); a signed-out visitor is sent to sign in (pages) or gets 401 (API);
// a signed-in user without the permission gets 403. Every refusal is audited. Unmatched paths
// fall through to the 404 handler.
func (s *Server) authorize(c *gin.Context) {
	route := c.FullPath()
	if route == "" {
		c.Next()
		return
	}
	perm, ok := s.deps.Policy(c.Request.Method, route)
	if !ok {
		s.deps.Log.ErrorContext(c.Request.Context(), "route missing from the policy table: denied",
			"method", c.Request.Method, "route", route)
		s.recordDenied(c, auth.ActorFrom(c.Request.Context()), "route not in the policy table")
		s.writeError(c, http.StatusForbidden)
		return
	}
	a := auth.ActorFrom(c.Request.Context())
	switch {
	case a.Can(perm):
		c.Next()
	case a == nil:
		s.recordDenied(c, nil, "not signed in; needs "+string(perm))
		if !isAPI(c) && c.Request.Method == http.MethodGet {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		c.Header("WWW-Authenticate", "Bearer")
		s.writeError(c, http.StatusUnauthorized)
	default:
		s.recordDenied(c, a, "needs "+string(perm))
		s.writeError(c, http.StatusForbidden)
	}
}

// recordDenied writes a "denied" audit row; a failure to audit is logged, not hidden.
func (s *Server) recordDenied(c *gin.Context, a *models.Actor, reason string) {
	route := c.FullPath()
	if route == "" {
		route = c.Request.URL.Path
	}
	if err := auth.Record(c.Request.Context(), s.deps.DB, a, "denied", "route", c.Request.Method+" "+route, "denied", reason); err != nil {
		s.deps.Log.ErrorContext(c.Request.Context(), "audit of a denied request failed", "err", models.RedactError(err))
	}
}

// crossOriginDenied answers a cross-site state-changing request (CSRF) before it reaches any
// handler, in the caller's language, and audits it.
func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	loc := s.deps.I18n.Localizer(s.deps.I18n.Match("", r.Header.Get("Accept-Language")))
	ctx := requestid.With(r.Context(), requestid.New())
	if err := auth.Record(ctx, s.deps.DB, nil, "denied", "route", r.Method+" "+r.URL.Path, "denied", "cross-origin request"); err != nil {
		s.deps.Log.ErrorContext(ctx, "audit of a cross-origin request failed", "err", models.RedactError(err))
	}
	w.Header().Set(requestid.Header, requestid.From(ctx))
	if strings.HasPrefix(r.URL.Path, api.Prefix+"/") {
		w.Header().Set("Content-Type", api.ProblemContentType)
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(api.Problem{Type: api.TypeURI("cross-origin"), Title: loc.T("error.cross_origin.title"),
			Status: http.StatusForbidden, RequestID: requestid.From(ctx)})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintln(w, loc.T("error.cross_origin.title"))
}

func (s *Server) notFound(c *gin.Context)         { s.writeError(c, http.StatusNotFound) }
func (s *Server) methodNotAllowed(c *gin.Context) { s.writeError(c, http.StatusMethodNotAllowed) }

// writeError answers with the right face: a problem document under /api/, a page elsewhere.
func (s *Server) writeError(c *gin.Context, status int) {
	if isAPI(c) || c.Request.URL.Path == "/readyz" {
		k := map[int]api.Kind{
			http.StatusNotFound:            api.KindNotFound,
			http.StatusMethodNotAllowed:    api.KindMethodNotAllowed,
			http.StatusForbidden:           api.KindForbidden,
			http.StatusUnauthorized:        api.KindUnauthenticated,
			http.StatusServiceUnavailable:  api.KindUnavailable,
			http.StatusInternalServerError: api.KindInternal,
		}[status]
		if k == (api.Kind{}) {
			k = api.KindInternal
		}
		api.WriteProblem(c, k, "")
		return
	}
	s.pages.RenderError(c, status)
}
