package frontend

import (
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// login sends the browser to the identity provider, remembering where to come back to.
func (f *Frontend) login(c *gin.Context) {
	if f.Auth == nil || f.Auth.RP == nil {
		f.r.render(c, http.StatusServiceUnavailable, "message", "login.unavailable.title", message{TitleID: "login.unavailable.title", TextID: "login.unavailable.text"})
		return
	}
	authURL, state, err := f.Auth.BeginLogin(c.Request.Context(), c.Query("next"))
	if err != nil {
		f.fail(c, err)
		return
	}
	http.SetCookie(c.Writer, auth.LoginCookie(state, f.Secure, 600))
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, authURL)
}

// callback completes the login the provider sends back.
func (f *Frontend) callback(c *gin.Context) {
	cookie, _ := c.Cookie(auth.LoginCookieName(f.Secure))
	http.SetCookie(c.Writer, auth.LoginCookie("", f.Secure, -1)) // single use, whatever happens
	if c.Query("error") != "" || f.Auth == nil || f.Auth.RP == nil {
		f.loginFailed(c, "login.failed.provider")
		return
	}
	next, err := f.Auth.CompleteLogin(c.Request.Context(), cookie, c.Query("state"), c.Query("code"))
	switch {
	case errors.Is(err, auth.ErrInactive):
		f.loginFailed(c, "login.failed.inactive")
	case errors.Is(err, auth.ErrLoginState), errors.Is(err, auth.ErrLoginNonce), errors.Is(err, auth.ErrToken):
		f.Log.WarnContext(c.Request.Context(), "login refused", "err", models.RedactError(err))
		f.loginFailed(c, "login.failed.expired")
	case err != nil:
		f.fail(c, err)
	default:
		c.Redirect(http.StatusSeeOther, next)
	}
}

func (f *Frontend) loginFailed(c *gin.Context, textID string) {
	f.r.render(c, http.StatusBadRequest, "message", "login.failed.title", message{TitleID: "login.failed.title", TextID: textID, Link: "/login", LinkID: "login.try_again"})
}

// logout ends the Kujdes session, then the provider's when it offers RP-initiated logout.
func (f *Frontend) logout(c *gin.Context) {
	to, err := f.Auth.Logout(c.Request.Context(), auth.ActorFrom(c.Request.Context()), f.PublicURL+"/")
	if err != nil {
		f.fail(c, err)
		return
	}
	if to == "" {
		to = "/"
	}
	c.Redirect(http.StatusSeeOther, to)
}

// message is a simple page: a title, a paragraph, an optional link.
type message struct {
	TitleID, TextID string
	Link, LinkID    string
}

type mePage struct {
	User        *models.User
	Roles       []models.Role
	Regions     []models.Region
	BorderPosts []models.BorderPost
}

// me shows who is signed in, with which roles and scope — or that access is not granted yet.
func (f *Frontend) me(c *gin.Context) {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	u, err := f.Registry.Me(ctx, a)
	if err != nil {
		f.fail(c, err)
		return
	}
	regions, posts, err := f.Registry.ReferenceData(ctx, a)
	if err != nil {
		f.fail(c, err)
		return
	}
	p := mePage{User: u, Roles: a.Roles}
	for _, r := range regions {
		if slices.Contains(a.RegionIDs, r.ID) {
			p.Regions = append(p.Regions, r)
		}
	}
	for _, bp := range posts {
		if slices.Contains(a.BorderPostIDs, bp.ID) {
			p.BorderPosts = append(p.BorderPosts, bp)
		}
	}
	title := "me.title"
	if len(a.Roles) == 0 {
		title = "me.no_access.title"
	}
	f.r.render(c, http.StatusOK, "me", title, p)
}
