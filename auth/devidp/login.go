package devidp

import (
	"bytes"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// Message ids of the pages. Role names are translated with "role.<role>", e.g. "role.guardian".
const (
	msgTitle            = "devidp.title"
	msgHeading          = "devidp.heading"
	msgWarning          = "devidp.warning"
	msgIntro            = "devidp.intro"
	msgUsersHeading     = "devidp.users_heading"
	msgSignInAs         = "devidp.sign_in_as"
	msgRoles            = "devidp.roles"
	msgNoRole           = "devidp.no_role"
	msgUsername         = "devidp.username"
	msgErrorRequest     = "devidp.error.request_unknown"
	msgErrorUser        = "devidp.error.user_unknown"
	msgErrorCrossOrigin = "devidp.error.cross_origin"
	msgLoggedOut        = "devidp.logged_out"

	rolePrefix = "role."
)

var englishMessages = map[string]string{
	msgTitle:   "Development sign-in",
	msgHeading: "Development sign-in",
	msgWarning: "This is a development identity provider for testing and demonstrations on this computer. " +
		"It checks no password: anyone can sign in as any demo user. Never use it with real data.",
	msgIntro:            "Choose the demo user you want to sign in as.",
	msgUsersHeading:     "Demo users",
	msgSignInAs:         "Sign in as",
	msgRoles:            "Roles",
	msgNoRole:           "No role",
	msgUsername:         "User name",
	msgErrorRequest:     "This sign-in request is unknown, expired or already used. Go back to the application and sign in again.",
	msgErrorUser:        "This demo user does not exist. Go back to the application and sign in again.",
	msgErrorCrossOrigin: "This sign-in was sent from another site and was refused. Go back to the application and sign in again.",
	msgLoggedOut:        "You are signed out of the development identity provider. You can close this page.",
}

// DefaultMessages returns the English text of every message id the pages use, except role
// names ("role.<role>"), whose English DefaultTranslator derives from the role.
func DefaultMessages() map[string]string { return maps.Clone(englishMessages) }

// MessageIDs returns every message id the pages use for these users: DefaultMessages' ids
// (sorted) plus "role.<role>" for each role, in order of first appearance.
func MessageIDs(users []User) []string {
	ids := slices.Sorted(maps.Keys(englishMessages))
	seen := map[string]bool{}
	for _, u := range users {
		for _, role := range u.Roles {
			if !seen[role] {
				seen[role] = true
				ids = append(ids, rolePrefix+role)
			}
		}
	}
	return ids
}

// DefaultTranslator returns English. For "role.<role>" it returns the role with underscores
// as spaces and the first letter upper-cased ("role.protection_officer" → "Protection
// officer"); for an unknown id, the id.
func DefaultTranslator(_ *http.Request, messageID string) string {
	if s, ok := englishMessages[messageID]; ok {
		return s
	}
	if role, ok := strings.CutPrefix(messageID, rolePrefix); ok && role != "" {
		s := strings.ReplaceAll(role, "_", " ")
		first, size := utf8.DecodeRuneInString(s)
		return string(unicode.ToUpper(first)) + s[size:]
	}
	return messageID
}

const loginParamRequest = "authRequestID"
const loginParamUser = "username"

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"{{if .RTL}} dir="rtl"{{end}}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{.Title}}</title>
{{- if .Stylesheet}}
<link rel="stylesheet" href="{{.Stylesheet}}">
{{- end}}
</head>
<body>
<main>
<h1>{{.Heading}}</h1>
<p><strong>{{.Warning}}</strong></p>
{{- if .Message}}
<p>{{.Message}}</p>
{{- end}}
{{- if .Users}}
<p>{{.Intro}}</p>
<h2 id="devidp-users">{{.UsersHeading}}</h2>
<ul aria-labelledby="devidp-users">
{{- range $i, $u := .Users}}
<li>
<form method="post" action="login">
<input type="hidden" name="authRequestID" value="{{$.AuthRequestID}}">
<input type="hidden" name="username" value="{{$u.Username}}">
<button type="submit" aria-describedby="devidp-user-{{$i}}">{{$.SignInAs}} <bdi>{{$u.Name}}</bdi></button>
</form>
<dl id="devidp-user-{{$i}}">
<dt>{{$.RolesLabel}}</dt>
{{- range $u.Roles}}
<dd>{{.}}</dd>
{{- else}}
<dd>{{$.NoRole}}</dd>
{{- end}}
<dt>{{$.UsernameLabel}}</dt>
<dd><bdi>{{$u.Username}}</bdi></dd>
</dl>
</li>
{{- end}}
</ul>
{{- end}}
</main>
</body>
</html>
`))

type pageUser struct {
	Username string
	Name     string
	Roles    []string // translated
}

type pageData struct {
	Lang, Title, Heading, Warning, Message, Stylesheet string
	RTL                                                bool

	Intro, UsersHeading, SignInAs, RolesLabel, NoRole, UsernameLabel string
	AuthRequestID                                                    string
	Users                                                            []pageUser
}

func (p *Provider) basePage(r *http.Request) pageData {
	t := func(id string) string { return p.translate(r, id) }
	lang, rtl := p.lang(r)
	if lang == "" {
		lang = "en"
	}
	return pageData{
		Lang:       lang,
		RTL:        rtl,
		Title:      t(msgTitle),
		Heading:    t(msgHeading),
		Warning:    t(msgWarning),
		Stylesheet: p.cfg.StylesheetURL,
	}
}

// loginPage lists the demo users, one POST form each, for a pending auth request.
func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get(loginParamRequest)
	if _, err := p.storage.pendingAuthRequest(id); err != nil {
		p.renderMessage(w, r, http.StatusBadRequest, msgErrorRequest)
		return
	}
	t := func(id string) string { return p.translate(r, id) }
	data := p.basePage(r)
	data.Intro = t(msgIntro)
	data.UsersHeading = t(msgUsersHeading)
	data.SignInAs = t(msgSignInAs)
	data.RolesLabel = t(msgRoles)
	data.NoRole = t(msgNoRole)
	data.UsernameLabel = t(msgUsername)
	data.AuthRequestID = id
	for _, u := range p.cfg.Users {
		pu := pageUser{Username: u.Username, Name: u.Name}
		if pu.Name == "" {
			pu.Name = u.Username
		}
		for _, role := range u.Roles {
			pu.Roles = append(pu.Roles, t(rolePrefix+role))
		}
		data.Users = append(data.Users, pu)
	}
	p.render(w, r, http.StatusOK, data)
}

// loginSubmit completes the auth request as the chosen user and sends the browser on to the
// library's callback, which redirects to the client with the code. Cross-origin POSTs are
// refused before this runs (http.CrossOriginProtection).
func (p *Provider) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		p.renderMessage(w, r, http.StatusBadRequest, msgErrorRequest)
		return
	}
	id := r.PostForm.Get(loginParamRequest)
	u, ok := p.storage.userByUsername(r.PostForm.Get(loginParamUser))
	if !ok {
		if _, err := p.storage.pendingAuthRequest(id); err != nil {
			p.renderMessage(w, r, http.StatusBadRequest, msgErrorRequest)
			return
		}
		p.renderMessage(w, r, http.StatusBadRequest, msgErrorUser)
		return
	}
	if err := p.storage.completeAuthRequest(id, u.Subject); err != nil {
		p.renderMessage(w, r, http.StatusBadRequest, msgErrorRequest)
		return
	}
	callback := op.AuthCallbackURL(p.op)(op.ContextWithIssuer(r.Context(), p.cfg.Issuer), id)
	http.Redirect(w, r, callback, http.StatusSeeOther)
}

// renderMessage renders the page with a message and no user list.
func (p *Provider) renderMessage(w http.ResponseWriter, r *http.Request, status int, messageID string) {
	data := p.basePage(r)
	data.Message = p.translate(r, messageID)
	p.render(w, r, status, data)
}

func (p *Provider) render(w http.ResponseWriter, r *http.Request, status int, data pageData) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		slog.ErrorContext(r.Context(), "devidp: rendering the page", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if h.Get("Content-Security-Policy") == "" {
		// No form-action: browsers apply it to the redirect that follows the POST, which goes
		// to the client's (other-origin) redirect URI.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'")
	}
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
