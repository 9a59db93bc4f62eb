package frontend

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/models"
)

// A refused form: the use case said no, and the page comes back with what the user typed and
// the errors next to the fields (422), or with the record as it is now when it changed
// meanwhile (409); any other error is the error page.

// refusal is why a use case refused a form.
type refusal struct {
	// fields are the messages by field: invalid input, or fields the reader may not change.
	fields map[string]string
	// stale: the record changed since the form was shown, or the form carried no version.
	stale bool
}

// status is the answer to the refused form: 409 when stale, else 422.
func (r refusal) status() int {
	if r.stale {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// refused sorts the error of a form's use case. An error that is neither invalid input nor a
// stale version is answered with the error page (fail), and ok is false.
func (f *Frontend) refused(c *gin.Context, err error) (r refusal, ok bool) {
	fields, invalid := fieldErrors(c, err)
	r = refusal{fields: fields, stale: errors.Is(err, models.ErrConflict) || errors.Is(err, models.ErrPreconditionRequired)}
	if !invalid && !r.stale {
		f.fail(c, err)
		return r, false
	}
	return r, true
}
