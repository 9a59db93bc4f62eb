package frontend

import (
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/registry"
)

// formMemory is what a multipart form may keep in memory; the server's body limit is lower.
const formMemory = 8 << 20

// formProblem is one refused form field, shown on the error page.
type formProblem struct {
	Field   string
	Message string
}

// checkForm is the form decoder of the pages: before any page handler reads a POSTed form, it
// parses it once and refuses (422, naming the field) a value with control characters or
// invalid UTF-8 (registry.CheckFormText — the same rule as the JSON decoder's), a value
// longer than any field accepts, or a field repeated more often than any list allows. What is
// left — each field's own length and list limits — the use cases check with
// registry.CheckInput on the input the page builds, so both faces apply the same limits.
func (f *Frontend) checkForm(c *gin.Context) {
	if c.Request.Method != http.MethodPost {
		c.Next()
		return
	}
	if err := c.Request.ParseMultipartForm(formMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			f.RenderError(c, http.StatusRequestEntityTooLarge)
			return
		}
		f.RenderError(c, http.StatusBadRequest)
		return
	}
	var problems []formProblem
	loc := i18n.FromContext(c.Request.Context())
	msg := func(code string, data map[string]any) string {
		if loc == nil {
			return "validation." + code
		}
		return loc.T("validation."+code, data)
	}
	keys := make([]string, 0, len(c.Request.PostForm))
	for k := range c.Request.PostForm {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if len(problems) >= 50 {
			break
		}
		field := k
		if code := registry.CheckFormText(k); code != "" || len(k) > registry.MaxCodeLen {
			// The name itself is junk: never echo it.
			problems = append(problems, formProblem{Field: "?", Message: msg("text_invalid_character", nil)})
			continue
		}
		vs := c.Request.PostForm[k]
		if len(vs) > registry.MaxFormValues {
			problems = append(problems, formProblem{Field: field, Message: msg("too_many", map[string]any{"Max": registry.MaxFormValues})})
			continue
		}
		for _, v := range vs {
			if code := registry.CheckFormText(v); code != "" {
				problems = append(problems, formProblem{Field: field, Message: msg(code, nil)})
				break
			}
			if len([]rune(v)) > registry.MaxFormValue {
				problems = append(problems, formProblem{Field: field, Message: msg("too_long", map[string]any{"Max": registry.MaxFormValue})})
				break
			}
		}
	}
	if len(problems) > 0 {
		f.r.render(c, http.StatusUnprocessableEntity, "error", "error.validation.title",
			errorPage{TitleID: "error.validation.title", DetailID: "error.form_invalid.detail", Fields: problems})
		c.Abort()
		return
	}
	c.Next()
}
