package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/api"
	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/requestid"
)

// requestLog assigns the request id (a client's X-Request-ID when it is sane), then logs one
// JSON line and counts the request by route template once it is answered.
func (s *Server) requestLog(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader(requestid.Header)
	if !requestid.Valid(id) {
		id = requestid.New()
	}
	c.Header(requestid.Header, id)
	c.Request = c.Request.WithContext(requestid.With(c.Request.Context(), id))

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

// authorize enforces the policy table: a matched route without an entry is denied to
// everyone (default deny). Unmatched paths fall through to the 404 handler.
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
		s.writeError(c, http.StatusForbidden)
		return
	}
	if perm == auth.Public {
		c.Next()
		return
	}
	s.writeError(c, http.StatusForbidden)
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
