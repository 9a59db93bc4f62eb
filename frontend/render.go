package frontend

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/requestid"
	"github.com/kujdes/kujdes/internal/security"
	"github.com/kujdes/kujdes/models"
)

// renderer holds one parsed template set per page, each sharing the layout and partials.
type renderer struct {
	pages  map[string]*template.Template
	assets *assets
	bundle *i18n.Bundle
	// signedOut keeps the signed-out rendering of static pages (see staticPage), per page and
	// language, as the bytes before and after the CSP nonce.
	signedOut sync.Map // staticKey → [2][]byte
	// unreadAlerts counts the signed-in user's unread alerts for the header (issue 10).
	unreadAlerts func(context.Context, *models.Actor) int
	// placeNames maps region and border post codes to names for Page.RegionName and
	// Page.PostName (issue 13, words.go).
	placeNames func(context.Context, *models.Actor) map[placeKey]string
}

// staticPage marks page data that depends on nothing in the request but its language (the
// public home page): signed out, such a page is rendered once per language and kept, and
// each request only puts its own CSP nonce in. Template execution was the largest cost of the
// public home page under load (issue 8).
type staticPage interface{ static() }

type staticKey struct{ page, title, path, lang string }

// nonceSlot stands for the CSP nonce in a kept rendering: letters only, so escaping leaves it
// as it is, and too long and odd to occur in a page by chance (render checks it occurs once).
const nonceSlot = "kujdesNonceSlotZqXvJwYk"

// newRenderer parses the templates; now is the clock pages count ages with.
func newRenderer(a *assets, b *i18n.Bundle, now func() time.Time) (*renderer, error) {
	funcs := template.FuncMap{
		"asset": a.URL,
		"split": strings.Fields,
		"inc":   func(i int) int { return i + 1 },
		// A duplicate candidate's match weight, signed, one decimal; its bar in steps 1–5.
		"weight":    func(w float64) string { return fmt.Sprintf("%+.1f", w) },
		"weightBar": func(w float64) int { return min(max(int(math.Ceil(math.Abs(w)/2)), 1), 5) },
		"deref":     func(b *bool) bool { return b != nil && *b },
		"num": func(n *int) int {
			if n == nil {
				return 0
			}
			return *n
		},
		"date": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.Format(time.DateOnly)
		},
		"utc":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" },
		"ageRange":  func(from, to *time.Time) string { return ageRange(from, to, now()) },
		"showLatin": showLatin, // issue 13
	}
	base, err := template.New("base").Funcs(funcs).ParseFS(files, "templates/layout/*.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("frontend: layout: %w", err)
	}
	pages, err := fs.Glob(files, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	r := &renderer{pages: map[string]*template.Template{}, assets: a, bundle: b}
	for _, p := range pages {
		t, err := template.Must(base.Clone()).ParseFS(files, p)
		if err != nil {
			return nil, fmt.Errorf("frontend: %s: %w", p, err)
		}
		r.pages[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return r, nil
}

// keptRendering returns the signed-out rendering of a static page in p's language, split
// where the nonce goes, rendering and keeping it on first use. ok is false when it cannot be
// kept (an error, or the nonce not exactly once): the caller then renders as usual.
func (r *renderer) keptRendering(t *template.Template, name string, p Page) (parts [2][]byte, ok bool) {
	key := staticKey{name, p.Title, p.Path, p.Lang.Tag}
	if v, found := r.signedOut.Load(key); found {
		return v.([2][]byte), true
	}
	p.Nonce = nonceSlot
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", p); err != nil {
		return parts, false
	}
	before, after, found := bytes.Cut(buf.Bytes(), []byte(nonceSlot))
	if !found || bytes.Contains(after, []byte(nonceSlot)) {
		return parts, false
	}
	parts = [2][]byte{before, after}
	r.signedOut.Store(key, parts)
	return parts, true
}

// Page is what every template receives: the request's language and translator, the CSP
// nonce for script tags, and the page's own data.
type Page struct {
	Lang      i18n.Language
	Languages []i18n.Language
	Nonce     string
	RequestID string
	Path      string
	Title     string // message id of the page title
	Data      any
	Actor     *models.Actor // nil when signed out
	// UnreadAlerts is the header's alert count (issue 10); 0 when signed out.
	UnreadAlerts int
	loc          *i18n.Localizer
	places       *placeNameCache
}

// Can reports whether the signed-in user holds a permission (to show links and buttons; the
// server checks again on every request).
func (p Page) Can(perm string) bool { return p.Actor.Can(models.Permission(perm)) }

// MayEdit reports whether the signed-in user may change a child's field (auth/fields.go), to
// show its input; the use case checks again.
func (p Page) MayEdit(field string) bool { return p.Actor.MayEdit(field) }

// childEditor is the data of a page whose identity form edits an existing child.
type childEditor interface{ editsChild() bool }

// ShowsInput reports whether the shared identity form (partials/identity_fields.html) shows
// the input of a child field: a registration records every field; an edit form only those
// the reader may change (MayEdit), the others stay read-only on the page. The use case keeps
// a field the reader may not change when the form leaves it out (registry.keepUneditable).
func (p Page) ShowsInput(field string) bool {
	if e, ok := p.Data.(childEditor); ok && e.editsChild() {
		return p.MayEdit(field)
	}
	return true
}

// Sep is what goes before item i of a list of n items by the locale's CLDR list pattern
// ("A, B and C", "A، B و C"; i18n.Localizer.ListSeparator), for lists a template writes item
// by item: {{$l := .Xs}}{{range $i, $x := $l}}{{$.Sep $i (len $l)}}…{{end}}.
func (p Page) Sep(i, n int) string {
	if p.loc == nil {
		if i > 0 {
			return ", "
		}
		return ""
	}
	return p.loc.ListSeparator(i, n)
}

// List joins the items of a list (a []string, or a []any as the audit trail's JSON gives)
// by the locale's list pattern; anything else is printed as it is.
func (p Page) List(v any) string {
	var parts []string
	switch xs := v.(type) {
	case []string:
		parts = xs
	case []any:
		parts = make([]string, len(xs))
		for i, x := range xs {
			parts[i] = fmt.Sprint(x)
		}
	default:
		return fmt.Sprint(v)
	}
	if p.loc == nil {
		return strings.Join(parts, ", ")
	}
	return p.loc.List(parts)
}

// Country is the localized name of a nationality code.
func (p Page) Country(code string) string {
	if p.loc == nil {
		return code
	}
	return p.loc.Country(code)
}

// LanguageName is the localized name of a language code.
func (p Page) LanguageName(code string) string {
	if p.loc == nil {
		return code
	}
	return p.loc.LanguageName(code)
}

// Has reports whether list contains v (for checkboxes and selects).
func (p Page) Has(list []string, v string) bool { return slices.Contains(list, v) }

// Reason explains a duplicate candidate's match: "duplicate.reason.<code>" with its data.
func (p Page) Reason(code string, data map[string]any) string {
	if p.loc == nil {
		return code
	}
	return p.loc.T("duplicate.reason."+code, data)
}

// RoleName is the localized name of a role.
func (p Page) RoleName(r models.Role) string { return p.T("role." + string(r)) }

// T translates a message id; pairs of arguments fill its template: {{.T "x" "Name" .Name}}.
func (p Page) T(id string, kv ...any) string {
	if p.loc == nil {
		return id
	}
	if len(kv) == 0 {
		return p.loc.T(id)
	}
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return p.loc.T(id, data)
}

// N translates a plural message for count.
func (p Page) N(id string, count int) string {
	if p.loc == nil {
		return id
	}
	return p.loc.N(id, count)
}

// render writes a full page. Rendering into a buffer first means a template error becomes
// a clean 500, never half a page.
func (r *renderer) render(c *gin.Context, status int, name, title string, data any) {
	t, ok := r.pages[name]
	if !ok {
		panic("frontend: no page template " + name)
	}
	ctx := c.Request.Context()
	loc := i18n.FromContext(ctx)
	p := Page{
		Languages: r.bundle.Languages(),
		Nonce:     security.Nonce(ctx),
		RequestID: requestid.From(ctx),
		Path:      c.Request.URL.Path,
		Title:     title,
		Data:      data,
		Actor:     auth.ActorFrom(ctx),
		loc:       loc,
	}
	if p.Actor != nil && r.placeNames != nil {
		p.places = &placeNameCache{load: func() map[placeKey]string { return r.placeNames(ctx, p.Actor) }}
	}
	if p.Actor != nil && r.unreadAlerts != nil {
		p.UnreadAlerts = r.unreadAlerts(ctx, p.Actor)
	}
	if loc != nil {
		p.Lang = loc.Language
	} else {
		p.Lang = r.bundle.Languages()[0]
	}
	if _, ok := data.(staticPage); ok && p.Actor == nil && status == http.StatusOK {
		if parts, ok := r.keptRendering(t, name, p); ok {
			body := make([]byte, 0, len(parts[0])+len(p.Nonce)+len(parts[1]))
			body = append(append(append(body, parts[0]...), p.Nonce...), parts[1]...)
			c.Header("Content-Language", p.Lang.Tag)
			c.Header("Cache-Control", "no-store")
			c.Data(status, "text/html; charset=utf-8", body)
			return
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", p); err != nil {
		slog.ErrorContext(ctx, "render page", "page", name, "err", models.RedactError(err), "request_id", p.RequestID)
		if name != "error" {
			// Never half a page, never a blank one: the localized error page instead.
			r.render(c, http.StatusInternalServerError, "error", "error.internal.title",
				errorPage{TitleID: "error.internal.title", DetailID: "error.internal.detail"})
		} else {
			c.AbortWithStatus(http.StatusInternalServerError)
		}
		c.Abort()
		return
	}
	c.Header("Content-Language", p.Lang.Tag)
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}
