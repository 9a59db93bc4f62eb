package frontend

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

type childrenPage struct {
	Page registry.ChildPage
}

func (f *Frontend) children(c *gin.Context) {
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	page, err := f.Registry.ListChildren(c.Request.Context(), auth.ActorFrom(c.Request.Context()), after, 50)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "children", "children.title", childrenPage{Page: page})
}

// childPage shows a child's record with its edit form. On a conflict it shows the record as
// it is now next to what the user typed, which the form keeps.
type childPage struct {
	Child    registry.ChildView
	Regions  []models.Region
	Statuses []string
	Form     childForm
	Errors   map[string]string
	Conflict bool
	Saved    bool
}

type childForm struct {
	Status, RegionCode string
	Version            int
}

func childID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

func (f *Frontend) child(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	v, err := f.Registry.GetChild(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id)
	if err != nil {
		f.fail(c, err)
		return
	}
	p := childPage{Child: v, Form: childForm{Status: v.Status, RegionCode: v.RegionCode, Version: v.Version}, Saved: c.Query("saved") == "1"}
	f.renderChild(c, http.StatusOK, p)
}

func (f *Frontend) renderChild(c *gin.Context, status int, p childPage) {
	regions, _, err := f.Registry.ReferenceData(c.Request.Context(), auth.ActorFrom(c.Request.Context()))
	if err != nil {
		f.fail(c, err)
		return
	}
	p.Regions, p.Statuses = regions, models.ChildStatuses
	f.r.render(c, status, "child", "child.title", p)
}

func (f *Frontend) updateChild(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	form := childForm{Status: c.PostForm("status"), RegionCode: c.PostForm("region_code")}
	form.Version, _ = strconv.Atoi(c.PostForm("version"))
	_, err := f.Registry.UpdateChild(ctx, a, id, form.Version, registry.ChildPatch{Status: &form.Status, RegionCode: &form.RegionCode})
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d?saved=1", id))
		return
	}
	fields, invalid := fieldErrors(c, err)
	conflict := errors.Is(err, models.ErrConflict) || errors.Is(err, models.ErrPreconditionRequired)
	if !invalid && !conflict {
		f.fail(c, err)
		return
	}
	current, gerr := f.Registry.GetChild(ctx, a, id)
	if gerr != nil {
		f.fail(c, gerr)
		return
	}
	p := childPage{Child: current, Form: form, Errors: fields, Conflict: conflict}
	status := http.StatusUnprocessableEntity
	if conflict {
		// The next save is based on what the user has now seen.
		p.Form.Version = current.Version
		status = http.StatusConflict
	}
	f.renderChild(c, status, p)
}

type historyPage struct {
	ChildID int64
	Events  []models.AuditEvent
}

func (f *Frontend) childHistory(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	evs, err := f.Registry.AccessHistory(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id, 0)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "child_history", "history.title", historyPage{ChildID: id, Events: evs})
}

type breakGlassPage struct {
	Form   registry.BreakGlassInput
	Errors map[string]string
	Hours  string
}

func (f *Frontend) breakGlassForm(c *gin.Context) {
	f.r.render(c, http.StatusOK, "break_glass", "break_glass.title", breakGlassPage{
		Form: registry.BreakGlassInput{RegistrationNumber: c.Query("number")}, Hours: f.Registry.BreakGlassFor.String(),
	})
}

func (f *Frontend) breakGlass(c *gin.Context) {
	in := registry.BreakGlassInput{RegistrationNumber: c.PostForm("registration_number"), Reason: c.PostForm("reason")}
	g, err := f.Registry.BreakGlass(c.Request.Context(), auth.ActorFrom(c.Request.Context()), in)
	if err != nil {
		fields, ok := fieldErrors(c, err)
		if !ok {
			f.fail(c, err)
			return
		}
		f.r.render(c, http.StatusUnprocessableEntity, "break_glass", "break_glass.title", breakGlassPage{Form: in, Errors: fields, Hours: f.Registry.BreakGlassFor.String()})
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d", g.ChildID))
}
