package frontend

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
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

// renderBadRequest answers 400 with a localized error page naming the malformed parameters
// (a query parameter or a hidden form value no one types: ?after= of a list).
func (f *Frontend) renderBadRequest(c *gin.Context, problems ...models.FieldError) {
	loc := i18n.FromContext(c.Request.Context())
	p := errorPage{TitleID: "error.bad_request.title", DetailID: "error.bad_query.detail"}
	for _, fe := range problems {
		msg := "validation." + fe.Code
		if loc != nil {
			msg = loc.T(msg, fe.Data)
		}
		p.Fields = append(p.Fields, formProblem{Field: fe.Field, Message: msg})
	}
	f.r.render(c, http.StatusBadRequest, "error", p.TitleID, p)
	c.Abort()
}

// pageStart reads a list's page start (?after= or the form's after) by the registry's paging
// rule; an empty value is the start. On a malformed value it answers 400 and returns false.
func (f *Frontend) pageStart(c *gin.Context, s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	n, fe := registry.ParseAfter("after", s)
	if fe != nil {
		f.renderBadRequest(c, *fe)
		return 0, false
	}
	return n, true
}

// pathIDs reads :id and the id of one of its items (sub: "aid", "eid"…) from the path; when
// either is malformed it answers 404 and returns false.
func (f *Frontend) pathIDs(c *gin.Context, sub string) (id, subID int64, ok bool) {
	id, ok = childID(c)
	subID, err := strconv.ParseInt(c.Param(sub), 10, 64)
	if !ok || err != nil || subID <= 0 {
		f.RenderError(c, http.StatusNotFound)
		return 0, 0, false
	}
	return id, subID, true
}
