package frontend

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The family section of the child page (issue 9, siblings): the child's links to other
// children (siblings, cousins, other relatives), a form to link a child by registration
// number, and a form per link to void it when it was recorded in error.

func (f *Frontend) relativeRoutes(r gin.IRouter) {
	r.POST("/children/:id/relatives", f.linkRelative)
	r.POST("/children/:id/relatives/:rid/void", f.voidRelative)
}

// relativesSection is the family part of the child page.
type relativesSection struct {
	View  registry.Relatives
	State formState
	Saved bool
}

// Kinds are the kinds of link the form offers.
func (relativesSection) Kinds() []string { return models.RelativeKinds }

// Live and Voided split the links into those standing and those voided (history).
func (s relativesSection) Live() []registry.RelativeView   { return s.split(true) }
func (s relativesSection) Voided() []registry.RelativeView { return s.split(false) }

func (s relativesSection) split(live bool) []registry.RelativeView {
	var out []registry.RelativeView
	for _, v := range s.View.Items {
		if v.Live() == live {
			out = append(out, v)
		}
	}
	return out
}

// relativesSection loads the child's links for the page.
func (f *Frontend) relativesSection(c *gin.Context, childID int64, state formState) (*relativesSection, error) {
	ctx := c.Request.Context()
	v, err := f.Registry.ChildRelatives(ctx, auth.ActorFrom(ctx), childID)
	if err != nil {
		return nil, err
	}
	return &relativesSection{View: v, State: state, Saved: c.Query("saved") == "relatives"}, nil
}

func (f *Frontend) linkRelative(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	_, err := f.Registry.LinkRelative(ctx, auth.ActorFrom(ctx), id, registry.RelativeInput{
		RegistrationNumber: c.PostForm("registration_number"), Kind: c.PostForm("kind"), Note: c.PostForm("note")})
	f.relativeResult(c, id, "link", []string{"registration_number", "kind", "note"}, err)
}

func (f *Frontend) voidRelative(c *gin.Context) {
	id, rid, ok := f.pathIDs(c, "rid")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	version, _ := strconv.Atoi(c.PostForm("version"))
	_, err := f.Registry.VoidRelative(ctx, auth.ActorFrom(ctx), id, rid, version, registry.VoidRelativeInput{Reason: c.PostForm("reason")})
	f.relativeResult(c, id, fmt.Sprintf("void-%d", rid), []string{"reason"}, err)
}

// relativeResult answers a family form: back to the section when it was saved, else the child
// page again with what was typed and the errors (or "changed meanwhile").
func (f *Frontend) relativeResult(c *gin.Context, id int64, form string, fields []string, err error) {
	saved := fmt.Sprintf("/children/%d?saved=relatives#relatives", id)
	f.childFormResult(c, id, saved, err, func(p *childPage, r refusal) (err error) {
		p.Relatives, err = f.relativesSection(c, id, formState{Form: form, Typed: typed(c, fields...), Errors: r.fields, Stale: r.stale})
		return err
	})
}
