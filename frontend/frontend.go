package frontend

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/i18n"
)

// Frontend holds the dependencies of the page handlers.
type Frontend struct {
	Log *slog.Logger
	r   *renderer
}

// New parses the templates and indexes the static files once, at start.
func New(log *slog.Logger, bundle *i18n.Bundle) (*Frontend, error) {
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	r, err := newRenderer(a, bundle)
	if err != nil {
		return nil, err
	}
	return &Frontend{Log: log, r: r}, nil
}

// Routes registers every page route. Each also needs an entry in the policy table.
func (f *Frontend) Routes(r gin.IRouter) {
	r.GET("/static/*file", f.r.assets.serve)
	r.GET("/", f.home)
}

func (f *Frontend) home(c *gin.Context) {
	f.r.render(c, http.StatusOK, "home", "home.title", nil)
}
