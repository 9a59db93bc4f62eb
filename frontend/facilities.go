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

// Pages of the facility registry (issue 9): the list with its create form, one facility with
// its edit and inspection forms.

func (f *Frontend) facilityRoutes(r gin.IRouter) {
	r.GET("/facilities", f.facilities)
	r.POST("/facilities", f.createFacility)
	r.GET("/facilities/:id", f.facility)
	r.POST("/facilities/:id", f.updateFacility)
	r.POST("/facilities/:id/inspections", f.recordInspection)
	r.POST("/children/:id/placements", f.recordPlacement)
	r.POST("/children/:id/placements/:pid/checks", f.recordPlacementCheck)
}

// facilityForm is the facility form as typed.
type facilityForm struct {
	Name, Kind, Operator, RegionCode, Address string
	Capacity, AgeMin, AgeMax                  string
	Sexes                                     []string
	LicenceNumber, LicenceExpiresOn           string
	Active                                    bool
	Version                                   int
}

// Has reports whether sex s is ticked.
func (ff facilityForm) Has(s string) bool { return slices.Contains(ff.Sexes, s) }

func facilityFormOf(v registry.FacilityView) facilityForm {
	ff := facilityForm{Name: v.Name, Kind: v.Kind, Operator: v.Operator, RegionCode: v.RegionCode, Address: v.Address,
		Capacity: strconv.Itoa(v.Capacity), AgeMin: strconv.Itoa(v.AgeMin), AgeMax: strconv.Itoa(v.AgeMax),
		Sexes: v.SexesAccepted, LicenceNumber: v.LicenceNumber, Active: v.Active, Version: v.Version}
	if v.LicenceExpiresOn != nil {
		ff.LicenceExpiresOn = day(v.LicenceExpiresOn)
	}
	return ff
}

func facilityFormFrom(c *gin.Context) facilityForm {
	ff := facilityForm{Name: c.PostForm("name"), Kind: c.PostForm("kind"), Operator: c.PostForm("operator"),
		RegionCode: c.PostForm("region_code"), Address: c.PostForm("address"), Capacity: strings.TrimSpace(c.PostForm("capacity")),
		AgeMin: strings.TrimSpace(c.PostForm("age_min")), AgeMax: strings.TrimSpace(c.PostForm("age_max")),
		Sexes: c.PostFormArray("sexes_accepted"), LicenceNumber: c.PostForm("licence_number"),
		LicenceExpiresOn: strings.TrimSpace(c.PostForm("licence_expires_on")), Active: c.PostForm("active") == "1"}
	ff.Version, _ = strconv.Atoi(c.PostForm("version"))
	return ff
}

// input turns the typed form into the use case's input; numbers that cannot be read are
// reported by field and the use case is not called.
func (ff facilityForm) input(msg func(string) string) (registry.FacilityInput, map[string]string) {
	fields := map[string]string{}
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
	active := ff.Active
	sexes := ff.Sexes
	if sexes == nil {
		sexes = []string{}
	}
	return registry.FacilityInput{Name: ff.Name, Kind: ff.Kind, Operator: ff.Operator, RegionCode: ff.RegionCode, Address: ff.Address,
		Capacity: num("capacity", ff.Capacity), AgeMin: num("age_min", ff.AgeMin), AgeMax: num("age_max", ff.AgeMax),
		SexesAccepted: sexes, LicenceNumber: ff.LicenceNumber, LicenceExpiresOn: ff.LicenceExpiresOn, Active: &active}, fields
}

type facilitiesPage struct {
	Page    registry.FacilityPage
	Form    facilityForm
	Errors  map[string]string
	Regions []models.Region
	Kinds   []string
	Sexes   []string
}

type facilityPage struct {
	Facility   registry.FacilityView
	Form       facilityForm
	Errors     map[string]string
	Conflict   bool
	Saved      bool
	Regions    []models.Region
	Kinds      []string
	Sexes      []string
	Checklist  []string
	Inspection registry.InspectionInput
	InspErrors map[string]string
	Inspected  bool
}

func (f *Frontend) facilities(c *gin.Context) {
	var after int64
	if s := c.Query("after"); s != "" {
		n, fe := registry.ParseAfter("after", s)
		if fe != nil {
			f.RenderError(c, http.StatusBadRequest)
			return
		}
		after = n
	}
	f.renderFacilities(c, http.StatusOK, after, facilityForm{Active: true, Capacity: "", AgeMin: "0", AgeMax: "17", Sexes: registry.FacilitySexes}, nil)
}

func (f *Frontend) renderFacilities(c *gin.Context, status int, after int64, form facilityForm, errs map[string]string) {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	page, err := f.Registry.ListFacilities(ctx, a, registry.FacilityFilter{After: after})
	if err != nil {
		f.fail(c, err)
		return
	}
	regions, _, err := f.Registry.ReferenceData(ctx, a)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, status, "facilities", "facility.list_title", facilitiesPage{Page: page, Form: form, Errors: errs,
		Regions: regions, Kinds: models.FacilityKinds, Sexes: registry.FacilitySexes})
}

func (f *Frontend) msg(c *gin.Context) func(string) string {
	return func(id string) string {
		if loc := i18n.FromContext(c.Request.Context()); loc != nil {
			return loc.T(id)
		}
		return id
	}
}

func (f *Frontend) createFacility(c *gin.Context) {
	ctx := c.Request.Context()
	form := facilityFormFrom(c)
	in, fields := form.input(f.msg(c))
	if len(fields) == 0 {
		v, err := f.Registry.CreateFacility(ctx, auth.ActorFrom(ctx), in)
		if err == nil {
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/facilities/%d?saved=1", v.ID))
			return
		}
		var invalid bool
		if fields, invalid = fieldErrors(c, err); !invalid {
			f.fail(c, err)
			return
		}
	}
	f.renderFacilities(c, http.StatusUnprocessableEntity, 0, form, fields)
}

func (f *Frontend) facility(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	f.renderFacility(c, http.StatusOK, id, facilityPage{Saved: c.Query("saved") == "1", Inspected: c.Query("inspected") == "1"}, true)
}

// renderFacility shows a facility as it is now; fresh fills the edit form from the record
// (else the form keeps what the user typed, based on the version shown now).
func (f *Frontend) renderFacility(c *gin.Context, status int, id int64, p facilityPage, fresh bool) {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	v, err := f.Registry.GetFacility(ctx, a, id)
	if err != nil {
		f.fail(c, err)
		return
	}
	regions, _, err := f.Registry.ReferenceData(ctx, a)
	if err != nil {
		f.fail(c, err)
		return
	}
	p.Facility, p.Regions, p.Kinds, p.Sexes, p.Checklist = v, regions, models.FacilityKinds, registry.FacilitySexes, registry.InspectionChecklist
	if fresh {
		p.Form = facilityFormOf(v)
	} else {
		p.Form.Version = v.Version
	}
	if p.Inspection.InspectedOn == "" {
		p.Inspection.InspectedOn = f.now().Format(time.DateOnly)
	}
	f.r.render(c, status, "facility", "facility.title", p)
}

func (f *Frontend) updateFacility(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	form := facilityFormFrom(c)
	in, fields := form.input(f.msg(c))
	p, status := facilityPage{Form: form, Errors: fields}, http.StatusUnprocessableEntity
	if len(fields) == 0 {
		_, err := f.Registry.UpdateFacility(ctx, auth.ActorFrom(ctx), id, form.Version, in)
		if err == nil {
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/facilities/%d?saved=1", id))
			return
		}
		r, ok := f.refused(c, err)
		if !ok {
			return
		}
		p.Errors, p.Conflict, status = r.fields, r.stale, r.status()
	}
	f.renderFacility(c, status, id, p, false)
}

func (f *Frontend) recordInspection(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	in := registry.InspectionInput{InspectedOn: strings.TrimSpace(c.PostForm("inspected_on")), Inspector: c.PostForm("inspector"),
		Checklist: c.PostFormArray("checklist"), Findings: c.PostForm("findings"), FollowUpDue: strings.TrimSpace(c.PostForm("follow_up_due"))}
	if in.Checklist == nil {
		in.Checklist = []string{}
	}
	_, err := f.Registry.RecordInspection(ctx, auth.ActorFrom(ctx), id, in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/facilities/%d?inspected=1#inspections", id))
		return
	}
	fields, invalid := fieldErrors(c, err)
	if !invalid {
		f.fail(c, err)
		return
	}
	f.renderFacility(c, http.StatusUnprocessableEntity, id, facilityPage{Inspection: in, InspErrors: fields}, true)
}
