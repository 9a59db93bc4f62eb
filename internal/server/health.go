package server

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kujdes/kujdes/migrations"
	"github.com/kujdes/kujdes/models"
)

// livez says the process is alive; it checks nothing else, so an orchestrator does not restart
// Kujdes because the database is down.
func (s *Server) livez(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz says whether Kujdes can serve: the database answers and has every migration.
func (s *Server) readyz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	db, err := s.deps.DB.DB()
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		s.deps.Log.WarnContext(ctx, "not ready: database unreachable", "err", models.RedactError(err))
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "unreachable"})
		return
	}
	current, err := migrations.Current(ctx, db)
	if err != nil || !current {
		s.deps.Log.WarnContext(ctx, "not ready: migrations pending", "err", models.RedactError(err))
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "ok", "migrations": "pending"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "database": "ok", "migrations": "current"})
}

// metricsHandler serves Prometheus metrics to loopback clients, or to anyone presenting
// KUJDES_METRICS_TOKEN as a bearer token when that is set.
func (s *Server) metricsHandler() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{Registry: s.registry})
	token := os.Getenv("KUJDES_METRICS_TOKEN")
	return func(c *gin.Context) {
		ok := false
		if token != "" {
			ok = subtle.ConstantTimeCompare([]byte(c.GetHeader("Authorization")), []byte("Bearer "+token)) == 1
		} else if host, _, err := net.SplitHostPort(c.Request.RemoteAddr); err == nil {
			ip := net.ParseIP(host)
			ok = ip != nil && ip.IsLoopback()
		}
		if !ok {
			s.writeError(c, http.StatusForbidden)
			return
		}
		h.ServeHTTP(c.Writer, c.Request)
	}
}

// httpMetrics counts requests by route template (never by raw path, which holds ids).
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kujdes_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status code.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kujdes_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method and route template.",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}
