package frontend

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// adminRoutes registers the administration pages (users, regions, border posts, break-glass).
// Every rule (permission, validation, audit, ending sessions) lives in registry; these
// handlers parse the form, call one use case and render or redirect.
func (f *Frontend) adminRoutes(r gin.IRouter) {
	r.GET("/admin/users", f.adminUsers)
	r.GET("/admin/users/:id", f.adminUser)
	r.POST("/admin/users/:id", f.adminUpdateUser)
	r.POST("/admin/grants/:id/approve", f.adminApproveGrant)
	r.POST("/admin/grants/:id/refuse", f.adminRefuseGrant)
	r.GET("/admin/reference", f.adminReference)
	r.POST("/admin/regions", f.adminCreateRegion)
	r.POST("/admin/border-posts", f.adminCreateBorderPost)
	r.GET("/admin/break-glass", f.adminBreakGlass)
}

// adminNav is the administration sub-navigation, embedded in every administration page:
// section is the page's entry, within is true below it (a user's page is within Users).
type adminNav struct {
	section string
	within  bool
}

type adminNavLink struct {
	Path, LabelID string
	Current       string // the aria-current value: "page", "true" (within the section) or ""
}

// AdminNav lists the administration pages and marks the current one.
func (n adminNav) AdminNav() []adminNavLink {
	links := []adminNavLink{
		{Path: "/admin/users", LabelID: "admin.nav.users"},
		{Path: "/admin/reference", LabelID: "admin.nav.reference"},
		{Path: "/admin/break-glass", LabelID: "admin.nav.break_glass"},
	}
	for i := range links {
		switch {
		case links[i].Path != n.section:
		case n.within:
			links[i].Current = "true"
		default:
			links[i].Current = "page"
		}
	}
	return links
}

// adminRoleView is a role as the administration pages show it: Provider marks a role the
// identity provider asserts at sign-in, which Kujdes cannot take away.
type adminRoleView struct {
	Role     models.Role
	Provider bool
}

func adminRolesOf(u *models.User) []adminRoleView {
	var out []adminRoleView
	for _, r := range u.EffectiveRoles() {
		out = append(out, adminRoleView{Role: r, Provider: slices.Contains(u.TokenRoles, string(r))})
	}
	return out
}

// adminProviderRoles are the known roles the identity provider asserts for u.
func adminProviderRoles(u *models.User) []models.Role {
	var out []models.Role
	for _, r := range models.Roles {
		if slices.Contains(u.TokenRoles, string(r)) {
			out = append(out, r)
		}
	}
	return out
}

type adminUserRow struct {
	User  models.User
	Roles []adminRoleView
}

type adminUsersPage struct {
	adminNav
	Users  []adminUserRow
	Grants []registry.GrantView
	Me     int64  // the signed-in administrator (cannot decide on their own requests)
	Notice string // message id after a decision
	Error  string // localized refusal of a decision
}

func (f *Frontend) adminUsers(c *gin.Context) {
	users, err := f.Registry.ListUsers(c.Request.Context(), auth.ActorFrom(c.Request.Context()))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.renderAdminUsers(c, http.StatusOK, users, adminUsersPage{Notice: map[string]string{
		"approved": "admin.grants.approved", "refused": "admin.grants.refused"}[c.Query("grant")]})
}

func (f *Frontend) renderAdminUsers(c *gin.Context, status int, users []models.User, p adminUsersPage) {
	a := auth.ActorFrom(c.Request.Context())
	grants, err := f.Registry.ListGrants(c.Request.Context(), a)
	if err != nil {
		f.fail(c, err)
		return
	}
	p.adminNav, p.Grants, p.Me = adminNav{section: "/admin/users"}, grants, a.UserID
	for i := range users {
		p.Users = append(p.Users, adminUserRow{User: users[i], Roles: adminRolesOf(&users[i])})
	}
	f.r.render(c, status, "admin_users", "admin.users.title", p)
}

func (f *Frontend) adminApproveGrant(c *gin.Context) { f.adminDecideGrant(c, true) }
func (f *Frontend) adminRefuseGrant(c *gin.Context)  { f.adminDecideGrant(c, false) }

// adminDecideGrant approves or refuses a pending grant from the users page.
func (f *Frontend) adminDecideGrant(c *gin.Context, approve bool) {
	id, ok := adminPathID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	_, err := f.Registry.DecideGrant(ctx, a, id, approve)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/admin/users?grant="+map[bool]string{true: "approved", false: "refused"}[approve])
		return
	}
	fields, ok := fieldErrors(c, err)
	if !ok {
		f.fail(c, err)
		return
	}
	users, lerr := f.Registry.ListUsers(ctx, a)
	if lerr != nil {
		f.fail(c, lerr)
		return
	}
	status := http.StatusUnprocessableEntity
	if errors.Is(err, models.ErrForbidden) {
		status = http.StatusForbidden
	}
	f.renderAdminUsers(c, status, users, adminUsersPage{Error: fields["grant"]})
}

// adminUserPage shows a user as they are now (User and the lists derived from it) next to the
// edit form. On a conflict the form keeps what the administrator chose.
type adminUserPage struct {
	adminNav
	User          *models.User
	IssuerHost    string
	Roles         []adminRoleView
	ProviderRoles []models.Role
	AllRoles      []models.Role
	Regions       []models.Region
	BorderPosts   []models.BorderPost
	UserRegions   []models.Region
	UserPosts     []models.BorderPost
	Form          adminUserForm
	Errors        map[string]string
	Conflict      bool
	Saved         bool
}

type adminUserForm struct {
	Roles, RegionCodes, BorderPostCodes []string
	Active                              bool
	Version                             int
}

// HasRole, HasRegion and HasPost tell the template which boxes to tick.
func (f adminUserForm) HasRole(r models.Role) bool { return slices.Contains(f.Roles, string(r)) }
func (f adminUserForm) HasRegion(code string) bool { return slices.Contains(f.RegionCodes, code) }
func (f adminUserForm) HasPost(code string) bool   { return slices.Contains(f.BorderPostCodes, code) }

func adminPathID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

func (f *Frontend) adminUser(c *gin.Context) {
	id, ok := adminPathID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	u, err := f.Registry.GetUser(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.renderAdminUser(c, http.StatusOK, adminUserPage{User: u, Saved: c.Query("saved") == "1"}, true)
}

// renderAdminUser completes p with the reference data; fill sets the form from the user.
func (f *Frontend) renderAdminUser(c *gin.Context, status int, p adminUserPage, fill bool) {
	regions, posts, err := f.Registry.ReferenceData(c.Request.Context(), auth.ActorFrom(c.Request.Context()))
	if err != nil {
		f.fail(c, err)
		return
	}
	u := p.User
	p.adminNav = adminNav{section: "/admin/users", within: true}
	p.Regions, p.BorderPosts, p.AllRoles = regions, posts, models.Roles
	p.Roles, p.ProviderRoles = adminRolesOf(u), adminProviderRoles(u)
	if iss, err := url.Parse(u.Issuer); err == nil && iss.Host != "" {
		p.IssuerHost = iss.Host
	} else {
		p.IssuerHost = u.Issuer
	}
	var regionCodes, postCodes []string
	for _, r := range regions {
		if slices.Contains(u.RegionIDs, r.ID) {
			p.UserRegions = append(p.UserRegions, r)
			regionCodes = append(regionCodes, r.Code)
		}
	}
	for _, bp := range posts {
		if slices.Contains(u.BorderPostIDs, bp.ID) {
			p.UserPosts = append(p.UserPosts, bp)
			postCodes = append(postCodes, bp.Code)
		}
	}
	if fill {
		p.Form = adminUserForm{Roles: u.Roles, RegionCodes: regionCodes, BorderPostCodes: postCodes, Active: u.Active, Version: u.Version}
	}
	f.r.render(c, status, "admin_user", "admin.user.title", p)
}

func (f *Frontend) adminUpdateUser(c *gin.Context) {
	id, ok := adminPathID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	form := adminUserForm{
		Roles:           c.PostFormArray("roles"),
		RegionCodes:     c.PostFormArray("region_codes"),
		BorderPostCodes: c.PostFormArray("border_post_codes"),
		Active:          c.PostForm("active") == "true",
	}
	form.Version, _ = strconv.Atoi(c.PostForm("version"))
	u, err := f.Registry.UpdateUser(ctx, a, id, form.Version, registry.UserUpdate{
		Roles: form.Roles, RegionCodes: form.RegionCodes, BorderPostCodes: form.BorderPostCodes, Active: form.Active,
	})
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/users/%d?saved=1", u.ID))
		return
	}
	r, ok := f.refused(c, err)
	if !ok {
		return
	}
	current, gerr := f.Registry.GetUser(ctx, a, id)
	if gerr != nil {
		f.fail(c, gerr)
		return
	}
	p := adminUserPage{User: current, Form: form, Errors: r.fields, Conflict: r.stale}
	status := http.StatusUnprocessableEntity
	if errors.Is(err, models.ErrForbidden) {
		status = http.StatusForbidden
	}
	if r.stale {
		// The next save is based on what the administrator has now seen.
		p.Form.Version = current.Version
		status = http.StatusConflict
	}
	f.renderAdminUser(c, status, p, false)
}

// adminReferencePage lists regions and border posts with a form to add each; a failed form
// is shown again with its input and messages, the other one empty.
type adminReferencePage struct {
	adminNav
	Regions      []models.Region
	BorderPosts  []adminPostRow
	RegionForm   registry.ReferenceInput
	RegionErrors map[string]string
	PostForm     registry.ReferenceInput
	PostErrors   map[string]string
	Saved        string // "region" or "border_post" after an addition
}

type adminPostRow struct {
	models.BorderPost
	Region models.Region
}

func (f *Frontend) adminReference(c *gin.Context) {
	f.renderAdminReference(c, http.StatusOK, adminReferencePage{Saved: c.Query("saved")})
}

func (f *Frontend) renderAdminReference(c *gin.Context, status int, p adminReferencePage) {
	regions, posts, err := f.Registry.ReferenceData(c.Request.Context(), auth.ActorFrom(c.Request.Context()))
	if err != nil {
		f.fail(c, err)
		return
	}
	p.adminNav = adminNav{section: "/admin/reference"}
	p.Regions = regions
	for _, bp := range posts {
		row := adminPostRow{BorderPost: bp}
		if i := slices.IndexFunc(regions, func(r models.Region) bool { return r.ID == bp.RegionID }); i >= 0 {
			row.Region = regions[i]
		}
		p.BorderPosts = append(p.BorderPosts, row)
	}
	f.r.render(c, status, "admin_reference", "admin.reference.title", p)
}

func (f *Frontend) adminCreateRegion(c *gin.Context) {
	in := registry.ReferenceInput{Code: c.PostForm("code"), Name: c.PostForm("name")}
	if _, err := f.Registry.CreateRegion(c.Request.Context(), auth.ActorFrom(c.Request.Context()), in); err != nil {
		fields, ok := fieldErrors(c, err)
		if !ok {
			f.fail(c, err)
			return
		}
		f.renderAdminReference(c, http.StatusUnprocessableEntity, adminReferencePage{RegionForm: in, RegionErrors: fields})
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/reference?saved=region")
}

func (f *Frontend) adminCreateBorderPost(c *gin.Context) {
	in := registry.ReferenceInput{Code: c.PostForm("code"), Name: c.PostForm("name"), RegionCode: c.PostForm("region_code")}
	if _, err := f.Registry.CreateBorderPost(c.Request.Context(), auth.ActorFrom(c.Request.Context()), in); err != nil {
		fields, ok := fieldErrors(c, err)
		if !ok {
			f.fail(c, err)
			return
		}
		f.renderAdminReference(c, http.StatusUnprocessableEntity, adminReferencePage{PostForm: in, PostErrors: fields})
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/reference?saved=border_post")
}

type adminBreakGlassPage struct {
	adminNav
	Entries []registry.BreakGlassEntry
	// Denied are the users whose reads of children were refused in the last 24 hours.
	Denied []registry.DeniedReads
}

func (f *Frontend) adminBreakGlass(c *gin.Context) {
	ctx := c.Request.Context()
	entries, err := f.Registry.ListBreakGlass(ctx, auth.ActorFrom(ctx), 200)
	if err != nil {
		f.fail(c, err)
		return
	}
	denied, err := f.Registry.ListDeniedReads(ctx, auth.ActorFrom(ctx))
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "admin_break_glass", "admin.break_glass.title", adminBreakGlassPage{adminNav: adminNav{section: "/admin/break-glass"}, Entries: entries, Denied: denied})
}
