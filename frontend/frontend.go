package frontend

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/pdf"
	"github.com/kujdes/kujdes/internal/requestid"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Frontend holds the dependencies of the page handlers.
type Frontend struct {
	Log       *slog.Logger
	Registry  *registry.Registry
	Auth      *auth.Service
	Secure    bool   // served over TLS: Secure cookies
	PublicURL string // for the provider's post-logout redirect
	// Rights is the rights sheet's catalogue and PDF its printer (issue 10, lifecycle.go).
	Rights *i18n.Rights
	PDF    *pdf.Printer
	r      *renderer
}

// AssetURL is the cache-busting address of a static file ("" if unknown).
func (f *Frontend) AssetURL(name string) string {
	u, _ := f.r.assets.URL(name)
	return u
}

// New parses the templates and indexes the static files once, at start.
func New(log *slog.Logger, bundle *i18n.Bundle) (*Frontend, error) {
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	f := &Frontend{Log: log}
	if f.r, err = newRenderer(a, bundle, f.now); err != nil {
		return nil, err
	}
	f.r.unreadAlerts = f.unreadAlerts // issue 10
	f.r.placeNames = f.placeNames     // issue 13
	return f, nil
}

// now is the registry's clock (tests inject one), so a page counts ages on the same day as
// the use cases do.
func (f *Frontend) now() time.Time { return f.Registry.Now().UTC() }

// Routes registers every page route. Each also needs an entry in the policy table. Every
// POSTed form passes the form decoder's checks (checkForm) before its handler reads it.
func (f *Frontend) Routes(root gin.IRouter) {
	r := root.Group("", f.checkForm)
	r.GET("/static/*file", f.r.assets.serve)
	r.GET("/favicon.ico", f.favicon)
	r.GET("/", f.home)

	r.GET("/login", f.login)
	r.GET("/auth/callback", f.callback)
	r.POST("/logout", f.logout)
	r.GET("/me", f.me)

	r.GET("/register", f.registerForm)
	r.POST("/register", f.register)
	r.GET("/register/done", f.registerDone)
	r.GET("/children/needs-action", f.needsAction)
	r.POST("/children/search", f.searchChildren)
	r.POST("/children/:id/arrivals", f.recordArrival)
	r.POST("/children/:id/merge", f.mergeChild)
	r.POST("/children/:id/unmerge", f.unmergeChild)
	r.POST("/children/:id/transitions", f.transitionChild)
	r.POST("/children/:id/age-assessments", f.requestAgeAssessment)
	r.POST("/children/:id/age-assessments/:aid", f.updateAgeAssessment)
	r.GET("/children", f.children)
	r.GET("/children/:id", f.child)
	r.POST("/children/:id", f.updateChild)
	r.GET("/children/:id/history", f.childHistory)
	r.GET("/audit", f.auditLog)
	r.GET("/audit/checkpoint", f.auditCheckpoint)
	r.GET("/audit/events/:id/evidence", f.auditEvidence)
	r.GET("/break-glass", f.breakGlassForm)
	r.POST("/break-glass", f.breakGlass)

	f.adminRoutes(r)
	f.guardianRoutes(r)
	f.facilityRoutes(r)
	f.relativeRoutes(r)  // issue 9: siblings
	f.offlineRoutes(r)   // issue 13: service worker and manifest
	f.missingRoutes(r)   // issue 10
	f.alertRoutes(r)     // issue 10
	f.legalRoutes(r)     // issue 10
	f.lifecycleRoutes(r) // issue 10
	// issue 11: compliance monitoring
	f.complianceRoutes(r)
	// issue 11: compliance exports
	f.complianceExportRoutes(r)
}

func (f *Frontend) home(c *gin.Context) {
	missing, err := f.loadMissingHome(c) // issue 10: "Missing now" for protection officers and guardians
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "home", "home.title", homePage{SignInAvailable: f.Auth != nil && f.Auth.RP != nil, Missing: missing})
}

// homePage is the same for every signed-out visitor: a staticPage. Missing is the board of
// missing children, for signed-in readers who hold missing.board (nil otherwise).
type homePage struct {
	SignInAvailable bool
	Missing         *missingHome
}

func (homePage) static() {}

// favicon answers browsers that ask for /favicon.ico on pages without an icon link (the
// identity provider's).
func (f *Frontend) favicon(c *gin.Context) {
	c.Redirect(http.StatusMovedPermanently, f.AssetURL("favicon.svg"))
}

// fail answers a use-case error with the right page: sign in, 404 (also for out-of-scope
// records), 403, or a logged 500.
func (f *Frontend) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, models.ErrUnauthenticated):
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
	case errors.Is(err, models.ErrNotFound):
		f.RenderError(c, http.StatusNotFound)
	case errors.Is(err, models.ErrForbidden):
		f.RenderError(c, http.StatusForbidden)
	case listsLimited(err) != nil: // issue 11: lists of children are rate-limited
		rl := listsLimited(err)
		c.Header("Retry-After", strconv.Itoa(rl.RetryAfterSeconds()))
		f.r.render(c, http.StatusTooManyRequests, "error", "error.rate_limited_lists.title", errorPage{TitleID: "error.rate_limited_lists.title", DetailID: "error.rate_limited_lists.detail"})
		c.Abort()
	case errors.Is(err, models.ErrReadOnly): // issue 10: a closed record refuses changes
		f.r.render(c, http.StatusConflict, "error", "error.read_only.title", errorPage{TitleID: "error.read_only.title", DetailID: "error.read_only.detail"})
		c.Abort()
	default:
		f.Log.ErrorContext(c.Request.Context(), "page failed", "err", models.RedactError(err), "request_id", requestid.From(c.Request.Context()))
		f.RenderError(c, http.StatusInternalServerError)
	}
}

// listsLimited is err's refusal of a list of children over the reader's limit, or nil.
func listsLimited(err error) *registry.RateLimitedError {
	var rl *registry.RateLimitedError
	if errors.As(err, &rl) && rl.Lists {
		return rl
	}
	return nil
}

// fieldErrors turns a validation error, or a refusal naming fields, into localized messages by
// field name.
func fieldErrors(c *gin.Context, err error) (map[string]string, bool) {
	var (
		verr   *models.ValidationError
		ferr   *models.ForbiddenFieldsError
		fields []models.FieldError
		prefix = "validation."
	)
	switch {
	case errors.As(err, &verr):
		fields = verr.Fields
	case errors.As(err, &ferr):
		fields, prefix = ferr.Fields, "forbidden."
	default:
		return nil, false
	}
	loc := i18n.FromContext(c.Request.Context())
	out := map[string]string{}
	for _, fe := range fields {
		msg := prefix + fe.Code
		if loc != nil {
			msg = loc.T(msg, fe.Data)
		}
		// The generic input rules name JSON paths ("arrival.location", "identity.given_name");
		// the forms are flat.
		field := strings.TrimPrefix(strings.TrimPrefix(fe.Field, "arrival."), "identity.")
		if prev, ok := out[field]; ok {
			msg = prev + " " + msg
		}
		out[field] = msg
	}
	return out, true
}
