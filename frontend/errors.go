package frontend

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// errorPage is the data of the error template.
type errorPage struct {
	TitleID  string
	DetailID string
	// Fields lists the refused fields of a form the form decoder turned away.
	Fields []formProblem
}

// RenderError answers a page request with a localized error page.
func (f *Frontend) RenderError(c *gin.Context, status int) {
	p := errorPage{TitleID: "error.internal.title", DetailID: "error.internal.detail"}
	switch status {
	case http.StatusNotFound:
		p = errorPage{TitleID: "error.not_found.title", DetailID: "error.not_found.detail"}
	case http.StatusMethodNotAllowed:
		p = errorPage{TitleID: "error.method_not_allowed.title"}
	case http.StatusForbidden:
		p = errorPage{TitleID: "error.forbidden.title", DetailID: "error.forbidden.detail"}
	case http.StatusUnauthorized:
		p = errorPage{TitleID: "error.unauthenticated.title"}
	case http.StatusRequestEntityTooLarge:
		p = errorPage{TitleID: "error.payload_too_large.title"}
	case http.StatusBadRequest:
		p = errorPage{TitleID: "error.bad_request.title"}
	case http.StatusServiceUnavailable:
		p = errorPage{TitleID: "error.unavailable.title"}
	}
	f.r.render(c, status, "error", p.TitleID, p)
	c.Abort()
}
