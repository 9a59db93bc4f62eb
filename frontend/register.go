package frontend

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// registerPage is the registration form: the input (kept on every error), the field errors,
// the possible duplicates, and the code lists.
type registerPage struct {
	In         registry.RegistrationInput
	Errors     map[string]string
	Candidates []registry.Candidate
	// Namesakes is how many candidates cannot be told apart (registry.Namesakes).
	Namesakes   int
	Codes       codeLists
	BorderPosts []models.BorderPost
	Regions     []models.Region
	Registered  *registry.Registration
	// RetryAfter (seconds) is set when the duplicate check was refused by the rate limit.
	RetryAfter int
	// NoFamilyName is set when the duplicate check was refused for want of a family name:
	// the page offers to register a new child without the check.
	NoFamilyName bool
	// Key is the form's idempotency key: made when the form is first shown and sent back with
	// it, so a second submission of a registration that went through (a double click, a retry
	// after a lost answer) shows the first child instead of registering another.
	Key string
}

// codeLists are the options of the registry's selects and checklists.
type codeLists struct {
	Sexes, ProtectionStatuses, HowFound, Nationalities, Languages []string
	Vulnerabilities, TraffickingIndicators, DocumentTypes         []string
	Statuses, AgeBands                                            []string
}

var codes = codeLists{
	Sexes: models.Sexes, ProtectionStatuses: models.ProtectionStatuses, HowFound: models.HowFound,
	Nationalities: models.Nationalities, Languages: models.Languages, Vulnerabilities: models.Vulnerabilities,
	TraffickingIndicators: models.TraffickingIndicators, DocumentTypes: models.DocumentTypes,
	Statuses: models.ChildStatuses, AgeBands: registry.AgeBands,
}

// formRows is how many accompanying adults and documents the form offers without JavaScript.
const formRows = 2

func (f *Frontend) registerForm(c *gin.Context) {
	in := registry.RegistrationInput{}
	in.Sex, in.ProtectionStatus = "unknown", "unaccompanied"
	in.Arrival.ArrivedAt = f.Registry.Now().UTC().Format("2006-01-02T15:04")
	in.Arrival.HowFound = "presented_at_border"
	f.renderRegister(c, http.StatusOK, registerPage{In: in, Key: rand.Text()})
}

func (f *Frontend) renderRegister(c *gin.Context, status int, p registerPage) {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	regions, posts, err := f.Registry.ReferenceData(ctx, a)
	if err != nil {
		f.fail(c, err)
		return
	}
	posts = postsToOffer(a, posts)
	for len(p.In.Arrival.AccompanyingAdults) < formRows {
		p.In.Arrival.AccompanyingAdults = append(p.In.Arrival.AccompanyingAdults, models.AccompanyingAdult{})
	}
	for len(p.In.Arrival.Documents) < formRows {
		p.In.Arrival.Documents = append(p.In.Arrival.Documents, models.Document{})
	}
	p.Codes, p.BorderPosts, p.Regions = codes, posts, regions
	f.r.render(c, status, "register", "register.title", p)
}

// identityFromForm reads the identity fields of a form.
func identityFromForm(c *gin.Context) registry.IdentityInput {
	in := registry.IdentityInput{
		GivenName: c.PostForm("given_name"), FamilyName: c.PostForm("family_name"),
		GivenNameLatin: c.PostForm("given_name_latin"), FamilyNameLatin: c.PostForm("family_name_latin"),
		FatherName: c.PostForm("father_name"), MotherName: c.PostForm("mother_name"),
		Sex: c.PostForm("sex"), BirthDate: c.PostForm("birth_date"), ProtectionStatus: c.PostForm("protection_status"),
		Languages: c.PostFormArray("languages"), Vulnerabilities: c.PostFormArray("vulnerabilities"),
		SpecialNeeds: c.PostForm("special_needs"), TraffickingIndicators: c.PostFormArray("trafficking_indicators"),
		TraffickingNotes: c.PostForm("trafficking_notes"), VulnerabilitiesAssessed: c.PostForm("vulnerabilities_assessed") != "",
	}
	for _, line := range strings.Split(c.PostForm("aliases"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Aliases = append(in.Aliases, line)
		}
	}
	for _, k := range []string{"nationality_1", "nationality_2"} {
		if v := c.PostForm(k); v != "" {
			in.Nationalities = append(in.Nationalities, v)
		}
	}
	if v := strings.TrimSpace(c.PostForm("age_min")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // refused by validation as an invalid age
		}
		in.AgeMin = &n
	}
	if v := strings.TrimSpace(c.PostForm("age_max")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		in.AgeMax = &n
	}
	return in
}

// arrivalFromForm reads the arrival fields of a form; empty extra rows are dropped.
func arrivalFromForm(c *gin.Context) registry.ArrivalInput {
	in := registry.ArrivalInput{
		ArrivedAt: c.PostForm("arrived_at"), BorderPostCode: c.PostForm("border_post_code"),
		RegionCode: c.PostForm("region_code"), Location: c.PostForm("location"),
		HowFound: c.PostForm("how_found"), Notes: c.PostForm("arrival_notes"),
	}
	for i := range formRows {
		rel := strings.TrimSpace(c.PostForm(fmt.Sprintf("adult_%d_relation", i)))
		name := strings.TrimSpace(c.PostForm(fmt.Sprintf("adult_%d_name", i)))
		if rel != "" || name != "" {
			in.AccompanyingAdults = append(in.AccompanyingAdults, models.AccompanyingAdult{
				Relation: rel, Name: name, Verified: c.PostForm(fmt.Sprintf("adult_%d_verified", i)) != "",
			})
		}
		typ := c.PostForm(fmt.Sprintf("document_%d_type", i))
		if typ != "" {
			in.Documents = append(in.Documents, models.Document{
				Type: typ, Number: strings.TrimSpace(c.PostForm(fmt.Sprintf("document_%d_number", i))),
				Country: strings.ToUpper(strings.TrimSpace(c.PostForm(fmt.Sprintf("document_%d_country", i)))),
			})
		}
	}
	return in
}

func (f *Frontend) register(c *gin.Context) {
	in := registry.RegistrationInput{IdentityInput: identityFromForm(c), Arrival: arrivalFromForm(c), ConfirmNew: c.PostForm("confirm_new") != ""}
	in.ExistingChildID, _ = strconv.ParseInt(c.PostForm("existing_child_id"), 10, 64)
	key := c.PostForm("idempotency_key")
	res, err := f.Registry.RegisterArrivalOnce(c.Request.Context(), auth.ActorFrom(c.Request.Context()), key, in)
	var dup *registry.DuplicatesFoundError
	var limited *registry.RateLimitedError
	switch {
	case err == nil && res.Sighting:
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/register/done?sighting=%d", res.ArrivalID))
		return
	case err == nil:
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/register/done?child=%d&new=%t", res.ChildID, res.NewChild))
		return
	case errors.As(err, &dup):
		suggestLatin(&in.IdentityInput)
		f.renderRegister(c, http.StatusConflict, registerPage{In: in, Candidates: dup.Candidates, Namesakes: registry.Namesakes(dup.Candidates), Key: key})
		return
	case errors.As(err, &limited):
		c.Header("Retry-After", strconv.Itoa(limited.RetryAfterSeconds()))
		f.renderRegister(c, http.StatusTooManyRequests, registerPage{In: in, RetryAfter: limited.RetryAfterSeconds(), Key: key})
		return
	}
	if fields, ok := fieldErrors(c, err); ok {
		suggestLatin(&in.IdentityInput) // the spelling that saving would have suggested (issue 13)
		var verr *models.ValidationError
		noFamily := errors.As(err, &verr) && slices.ContainsFunc(verr.Fields, func(fe models.FieldError) bool { return fe.Code == "check_family_name_required" })
		f.renderRegister(c, http.StatusUnprocessableEntity, registerPage{In: in, Errors: fields, NoFamilyName: noFamily, Key: key})
		return
	}
	f.fail(c, err)
}

// registerDone confirms a registration with the child's number and the next steps; for a
// sighting, only the arrival recorded and the summary (the child's page stays closed).
func (f *Frontend) registerDone(c *gin.Context) {
	if s := c.Query("sighting"); s != "" {
		arrivalID, _ := strconv.ParseInt(s, 10, 64)
		res, err := f.Registry.SightingReceipt(c.Request.Context(), auth.ActorFrom(c.Request.Context()), arrivalID)
		if err != nil {
			f.fail(c, err)
			return
		}
		f.r.render(c, http.StatusOK, "register_done", "register.done.title", registerDone{Sighting: &res})
		return
	}
	id, _ := strconv.ParseInt(c.Query("child"), 10, 64)
	v, err := f.Registry.GetChild(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "register_done", "register.done.title", registerDone{Child: v, New: c.Query("new") == "true"})
}

type registerDone struct {
	Child    registry.ChildView
	New      bool
	Sighting *registry.Registration
}

// ageRange shows an estimated birth range as an age range today ("14–16").
func ageRange(from, to *time.Time, now time.Time) string {
	if from == nil || to == nil {
		return ""
	}
	lo, hi := models.AgeRangeAt(*from, *to, now)
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d–%d", lo, hi)
}

// postsToOffer is the border posts a form offers: a border officer registers at their own
// posts (the use case refuses others), so only those are listed.
func postsToOffer(a *models.Actor, posts []models.BorderPost) []models.BorderPost {
	if !a.Has(models.RoleBorderOfficer) || a.Has(models.RoleProtectionOfficer) || len(a.BorderPostIDs) == 0 {
		return posts
	}
	return slices.DeleteFunc(posts, func(bp models.BorderPost) bool { return !slices.Contains(a.BorderPostIDs, bp.ID) })
}
