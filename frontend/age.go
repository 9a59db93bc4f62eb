package frontend

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// ageFormState is what the age-assessment forms of the child page show after a refused post:
// the user's input and the errors, for the request form or for one assessment's result or
// appeal form. Its zero value shows empty forms.
type ageFormState struct {
	Request       ageRequestForm
	RequestErrors map[string]string
	// ResultFor is the assessment whose form was refused (0: none).
	ResultFor    int64
	Result       ageResultForm
	ResultErrors map[string]string
	// Conflict: assessment ResultFor changed since the user loaded the page.
	Conflict bool
}

// ageRequestForm is the input of the request form.
type ageRequestForm struct {
	Reason               string
	Methods              []string
	MedicalJustification string
	Professionals        string
}

// Has reports whether method m is ticked.
func (f ageRequestForm) Has(m string) bool { return slices.Contains(f.Methods, m) }

// ageResultForm is the input of one assessment's result or appeal form, as typed.
type ageResultForm struct {
	Version                                  int
	ResultMin, ResultMax, Outcome, DecidedAt string
	AppealLodgedAt, AppealOutcome            string
}

// ageView is one assessment as the page shows it, with its form.
type ageView struct {
	models.AgeAssessment
	Requested, Decided, AppealLodged string // dates, "" when none
	Min, Max                         string // "" when not assessed
	// Mode is the form offered: "result" while pending, "appeal" once decided and until the
	// appeal has an outcome, "" when everything is recorded.
	Mode     string
	Form     ageResultForm
	Errors   map[string]string
	Other    []string // errors about fields this form does not show
	Conflict bool
}

// Methods, Outcomes and AppealOutcomes are the choices the forms offer.
func (ageFormState) Methods() []string        { return registry.AgeMethods }
func (ageFormState) Outcomes() []string       { return registry.AgeOutcomes }
func (ageFormState) AppealOutcomes() []string { return registry.AppealOutcomes }

// Views prepares the assessments for the page: each with its form, filled with what the user
// typed when that form was refused, else with the record.
func (s ageFormState) Views(as []models.AgeAssessment) []ageView {
	out := make([]ageView, len(as))
	for i, a := range as {
		v := ageView{AgeAssessment: a, Requested: day(&a.RequestedAt), Decided: day(a.DecidedAt),
			AppealLodged: day(a.AppealLodgedAt), Min: intString(a.ResultMin), Max: intString(a.ResultMax)}
		switch {
		case a.Outcome == registry.AgeOutcomePending:
			v.Mode = "result"
		case a.AppealOutcome == "":
			v.Mode = "appeal"
		}
		v.Form = ageResultForm{Version: a.Version, ResultMin: v.Min, ResultMax: v.Max, DecidedAt: v.Decided,
			AppealLodgedAt: v.AppealLodged, AppealOutcome: a.AppealOutcome}
		if a.Outcome != registry.AgeOutcomePending {
			v.Form.Outcome = a.Outcome
		}
		if a.ID == s.ResultFor {
			typed := s.Result
			typed.Version = a.Version // after a conflict, the next save is based on what is shown now
			v.Form, v.Errors, v.Conflict = typed, s.ResultErrors, s.Conflict
			shown := map[string][]string{
				"result": {"result_min", "result_max", "outcome", "decided_at"},
				"appeal": {"appeal_lodged_at", "appeal_outcome"},
			}[v.Mode]
			for field, msg := range s.ResultErrors {
				if !slices.Contains(shown, field) {
					v.Other = append(v.Other, msg)
				}
			}
			slices.Sort(v.Other)
		}
		out[i] = v
	}
	return out
}

func day(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func intString(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// requestAgeAssessment answers the request form of the child page.
func (f *Frontend) requestAgeAssessment(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	form := ageRequestForm{
		Reason: c.PostForm("reason"), Methods: c.PostFormArray("methods"),
		MedicalJustification: c.PostForm("medical_justification"), Professionals: c.PostForm("professionals"),
	}
	_, err := f.Registry.RequestAgeAssessment(ctx, auth.ActorFrom(ctx), id, registry.AgeRequestInput{
		Reason: form.Reason, Methods: form.Methods, MedicalJustification: form.MedicalJustification, Professionals: form.Professionals,
	})
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d#age-assessments", id))
		return
	}
	fields, invalid := fieldErrors(c, err)
	if !invalid {
		f.fail(c, err)
		return
	}
	f.renderChildAge(c, id, http.StatusUnprocessableEntity, ageFormState{Request: form, RequestErrors: fields})
}

// updateAgeAssessment answers the result or appeal form of one assessment.
func (f *Frontend) updateAgeAssessment(c *gin.Context) {
	id, aid, ok := f.pathIDs(c, "aid")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	form := ageResultForm{
		ResultMin: strings.TrimSpace(c.PostForm("result_min")), ResultMax: strings.TrimSpace(c.PostForm("result_max")),
		Outcome: c.PostForm("outcome"), DecidedAt: strings.TrimSpace(c.PostForm("decided_at")),
		AppealLodgedAt: strings.TrimSpace(c.PostForm("appeal_lodged_at")), AppealOutcome: c.PostForm("appeal_outcome"),
	}
	form.Version, _ = strconv.Atoi(c.PostForm("version"))
	in, fields := form.input(i18n.FromContext(ctx))
	st, status := ageFormState{ResultFor: aid, Result: form, ResultErrors: fields}, http.StatusUnprocessableEntity
	if len(fields) == 0 {
		_, err := f.Registry.RecordAgeResult(ctx, auth.ActorFrom(ctx), id, aid, form.Version, in)
		if err == nil {
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/children/%d#age-assessments", id))
			return
		}
		r, ok := f.refused(c, err)
		if !ok {
			return
		}
		st.ResultErrors, st.Conflict, status = r.fields, r.stale, r.status()
	}
	f.renderChildAge(c, id, status, st)
}

// input turns the typed form into the use case's input; numbers and dates that cannot be read
// are reported by field, and the use case is not called.
func (form ageResultForm) input(loc *i18n.Localizer) (registry.AgeResultInput, map[string]string) {
	fields := map[string]string{}
	msg := func(id string) string {
		if loc == nil {
			return id
		}
		return loc.T(id)
	}
	num := func(field, s string) *int {
		if s == "" {
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			fields[field] = msg("age.error.not_a_number")
			return nil
		}
		return &n
	}
	date := func(field, s string) *time.Time {
		if s == "" {
			return nil
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			fields[field] = msg("age.error.not_a_date")
			return nil
		}
		return &t
	}
	in := registry.AgeResultInput{
		ResultMin: num("result_min", form.ResultMin), ResultMax: num("result_max", form.ResultMax),
		Outcome: form.Outcome, DecidedAt: date("decided_at", form.DecidedAt),
		AppealLodgedAt: date("appeal_lodged_at", form.AppealLodgedAt), AppealOutcome: form.AppealOutcome,
	}
	return in, fields
}

// renderChildAge shows the child page as it is now, with the age forms as the user left them.
func (f *Frontend) renderChildAge(c *gin.Context, id int64, status int, state ageFormState) {
	p, ok := f.childNow(c, id)
	if !ok {
		return
	}
	p.AgeForm = state
	f.renderChild(c, status, p)
}
