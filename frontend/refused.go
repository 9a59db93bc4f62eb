package frontend

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
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

// childNow is the page of child id as the record is now, its forms filled from the record:
// what a refused form of one of its sections is shown in. ok is false when it answered (the
// child could not be read).
func (f *Frontend) childNow(c *gin.Context, id int64) (p childPage, ok bool) {
	ctx := c.Request.Context()
	v, err := f.Registry.GetChild(ctx, auth.ActorFrom(ctx), id)
	if err != nil {
		f.fail(c, err)
		return p, false
	}
	return childPage{Child: v, In: registry.RegistrationInput{IdentityInput: identityOf(v)},
		Form: childForm{Status: v.Status, RegionCode: v.RegionCode, Version: v.Version}}, true
}

// childFormResult is the answer to a form of the child page: to saved when the use case
// saved it (err nil); when it refused, the page of the child as it is now with the refused
// section as show fills it from r (what was typed, the errors, "changed meanwhile"), 422 or
// 409; any other error, or one from show, is the error page.
func (f *Frontend) childFormResult(c *gin.Context, id int64, saved string, err error, show func(p *childPage, r refusal) error) {
	if err == nil {
		c.Redirect(http.StatusSeeOther, saved)
		return
	}
	r, ok := f.refused(c, err)
	if !ok {
		return
	}
	p, ok := f.childNow(c, id)
	if !ok {
		return
	}
	if err := show(&p, r); err != nil {
		f.fail(c, err)
		return
	}
	f.renderChild(c, r.status(), p)
}
