package registry

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// Facilities: where children may be placed. Everyone who works with children reads the list
// (with the live occupancy, counted from the placements current now — never stored); only
// readers holding facility.address see addresses (never border officers); protection officers
// manage the facilities of their regions and administrators all (scope.go facilityManageScope).

// FacilitySexes are the sexes a facility may accept (the child's sex codes).
var FacilitySexes = []string{"female", "male", "other", "unknown"}

// MaxFacilityCapacity bounds a facility's capacity (a typing error above it).
const MaxFacilityCapacity = 10000

// FacilityInput creates a facility or replaces every field of one.
type FacilityInput struct {
	Name       string `json:"name" input:"len=200"`
	Kind       string `json:"kind" input:"len=35"`
	Operator   string `json:"operator" input:"len=200"`
	RegionCode string `json:"region_code" input:"len=35"`
	Address    string `json:"address" input:"len=2000,multiline"`
	Capacity   *int   `json:"capacity"`
	// AgeMin and AgeMax are the ages accepted (default 0–17).
	AgeMin *int `json:"age_min,omitempty"`
	AgeMax *int `json:"age_max,omitempty"`
	// SexesAccepted lists the sexes accepted (default all).
	SexesAccepted []string `json:"sexes_accepted,omitempty" input:"items=20,len=35"`
	LicenceNumber string   `json:"licence_number" input:"len=100"`
	// LicenceExpiresOn is a date, YYYY-MM-DD ("" for none).
	LicenceExpiresOn string `json:"licence_expires_on" input:"len=35"`
	Active           *bool  `json:"active,omitempty"`
}

// FacilityView is a facility as a reader sees it: its region's code and the live occupancy.
type FacilityView struct {
	models.Facility
	RegionCode string `json:"region_code"`
	// Occupancy counts the placements in the facility current now.
	Occupancy int `json:"occupancy"`
	// OverCapacity and LicenceExpired are the facility's warnings today.
	OverCapacity   bool `json:"over_capacity"`
	LicenceExpired bool `json:"licence_expired"`
	// CanManage: the reader may edit this facility and record its inspections.
	CanManage bool `json:"can_manage"`
	// Inspections, newest first (GetFacility only).
	Inspections []models.FacilityInspection `json:"inspections,omitempty" gorm:"-"`
}

// FacilityPage is one page of the facility list.
type FacilityPage struct {
	Items []FacilityView `json:"items"`
	Next  int64          `json:"next,omitempty"`
}

// FacilityFilter narrows the facility list.
type FacilityFilter struct {
	RegionCode string
	Kind       string
	After      int64
	Limit      int
}

// placementCurrent is THE rule of a current placement, in SQL: the placement p has started at
// now and has not ended. A child's current placement, a facility's occupancy and the
// needs-action queue all use it; nothing stores "current".
func placementCurrent(alias string, now time.Time) sqlCond {
	return sqlCond{
		sql:  "(" + alias + ".started_at <= ? AND (" + alias + ".ended_at IS NULL OR " + alias + ".ended_at > ?))",
		args: []any{now, now},
	}
}

// occupancyAt counts, as a column of a query over "facilities", the placements current at t.
func occupancyAt(t time.Time) sqlCond {
	cur := placementCurrent("occ", t)
	return sqlCond{sql: "(SELECT count(*) FROM placements occ WHERE occ.facility_id = facilities.id AND " + cur.sql + ")", args: cur.args}
}

// facilityRows selects facilities with their region's code, occupancy now and whether the
// actor may manage each, in one statement.
func (r *Registry) facilityRows(tx *gorm.DB, a *models.Actor) *gorm.DB {
	occ := occupancyAt(r.now())
	manage := facilityManageScope(a, "facilities.region_id")
	return tx.Table("facilities").
		Select("facilities.*, fr.code AS region_code, "+occ.sql+" AS occupancy, "+manage.sql+" AS can_manage",
			append(append([]any{}, occ.args...), manage.args...)...).
		Joins("JOIN regions fr ON fr.id = facilities.region_id")
}

// finish applies the reader's rules to a facility row: the address only with
// facility.address, and today's warnings.
func (r *Registry) finishFacility(a *models.Actor, v *FacilityView) {
	if !a.Can(models.PermFacilityAddress) {
		v.Address = ""
	}
	v.OverCapacity = v.Occupancy > v.Capacity
	v.LicenceExpired = licenceExpired(v.Facility, r.now())
}

// licenceExpired reports whether the facility's licence has an expiry date before day t.
func licenceExpired(f models.Facility, t time.Time) bool {
	return f.LicenceExpiresOn != nil && dayBefore(*f.LicenceExpiresOn, t)
}

// ListFacilities lists facilities by id (keyset), optionally of one region or kind.
func (r *Registry) ListFacilities(ctx context.Context, a *models.Actor, f FacilityFilter) (FacilityPage, error) {
	if err := require(a, models.PermFacilityRead); err != nil {
		return FacilityPage{}, err
	}
	var verr models.ValidationError
	limit := checkPage(f.After, f.Limit, &verr)
	if f.Kind != "" && !slices.Contains(models.FacilityKinds, f.Kind) {
		verr.Add("kind", "code_unknown", map[string]any{"Value": f.Kind})
	}
	if utf8.RuneCountInString(f.RegionCode) > MaxCodeLen {
		verr.Add("region", "too_long", map[string]any{"Max": MaxCodeLen})
	}
	if err := verr.Err(); err != nil {
		return FacilityPage{}, err
	}
	var page FacilityPage
	q := r.facilityRows(r.DB.WithContext(ctx), a).Where("facilities.id > ?", f.After)
	if f.RegionCode != "" {
		q = q.Where("fr.code = ?", strings.ToUpper(f.RegionCode))
	}
	if f.Kind != "" {
		q = q.Where("facilities.kind = ?", f.Kind)
	}
	var rows []FacilityView
	if err := q.Order("facilities.id").Limit(limit + 1).Find(&rows).Error; err != nil {
		return page, err
	}
	if len(rows) > limit {
		rows, page.Next = rows[:limit], rows[limit-1].ID
	}
	for i := range rows {
		r.finishFacility(a, &rows[i])
	}
	page.Items = rows
	if page.Items == nil {
		page.Items = []FacilityView{}
	}
	return page, nil
}

// GetFacility reads one facility with its inspections.
func (r *Registry) GetFacility(ctx context.Context, a *models.Actor, id int64) (FacilityView, error) {
	if err := require(a, models.PermFacilityRead); err != nil {
		return FacilityView{}, err
	}
	var v FacilityView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := r.facilityRows(tx, a).Where("facilities.id = ?", id).Take(&v).Error; err != nil {
			return notFound(err)
		}
		v.Inspections = []models.FacilityInspection{}
		return tx.Where("facility_id = ?", id).Order("inspected_on DESC, id DESC").Find(&v.Inspections).Error
	})
	if err != nil {
		return FacilityView{}, err
	}
	r.finishFacility(a, &v)
	return v, nil
}

// validateFacility checks the input and returns the facility it describes.
func (r *Registry) validateFacility(tx *gorm.DB, a *models.Actor, in FacilityInput) (models.Facility, error) {
	if err := CheckInput(in); err != nil {
		return models.Facility{}, err
	}
	var verr models.ValidationError
	f := models.Facility{
		Name: strings.TrimSpace(in.Name), Kind: in.Kind, Operator: strings.TrimSpace(in.Operator),
		Address: strings.TrimSpace(in.Address), LicenceNumber: strings.TrimSpace(in.LicenceNumber),
		AgeMin: 0, AgeMax: AdultAge - 1, SexesAccepted: models.Strings(slices.Clone(FacilitySexes)), Active: true,
	}
	if f.Name == "" {
		verr.Add("name", "required", nil)
	}
	if !slices.Contains(models.FacilityKinds, f.Kind) {
		verr.Add("kind", "code_unknown", map[string]any{"Value": in.Kind})
	}
	switch {
	case in.Capacity == nil:
		verr.Add("capacity", "required", nil)
	case *in.Capacity < 0 || *in.Capacity > MaxFacilityCapacity:
		verr.Add("capacity", "facility_capacity_range", map[string]any{"Max": MaxFacilityCapacity})
	default:
		f.Capacity = *in.Capacity
	}
	if in.AgeMin != nil {
		f.AgeMin = *in.AgeMin
	}
	if in.AgeMax != nil {
		f.AgeMax = *in.AgeMax
	}
	if f.AgeMin < 0 || f.AgeMin > 99 {
		verr.Add("age_min", "age_result_out_of_range", map[string]any{"Min": 0, "Max": 99})
	}
	if f.AgeMax < 0 || f.AgeMax > 99 {
		verr.Add("age_max", "age_result_out_of_range", map[string]any{"Min": 0, "Max": 99})
	} else if f.AgeMin > f.AgeMax {
		verr.Add("age_max", "age_range_inverted", nil)
	}
	if in.SexesAccepted != nil {
		f.SexesAccepted = models.Strings{}
		for _, s := range FacilitySexes { // canonical order, no duplicates
			if slices.Contains(in.SexesAccepted, s) {
				f.SexesAccepted = append(f.SexesAccepted, s)
			}
		}
		for _, s := range in.SexesAccepted {
			if !slices.Contains(FacilitySexes, s) {
				verr.Add("sexes_accepted", "code_unknown", map[string]any{"Value": s})
			}
		}
	}
	if in.LicenceExpiresOn != "" {
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(in.LicenceExpiresOn))
		if err != nil {
			verr.Add("licence_expires_on", "date_invalid", nil)
		} else {
			f.LicenceExpiresOn = &d
		}
	}
	if in.Active != nil {
		f.Active = *in.Active
	}
	var region models.Region
	if err := tx.Where("code = ?", strings.ToUpper(strings.TrimSpace(in.RegionCode))).Take(&region).Error; err != nil {
		if in.RegionCode == "" {
			verr.Add("region_code", "required", nil)
		} else {
			verr.Add("region_code", "region_unknown", map[string]any{"Value": in.RegionCode})
		}
	} else {
		f.RegionID = region.ID
		// A protection officer manages the facilities of their own regions only.
		m := facilityManageScope(a, "regions.id")
		var n int64
		if err := tx.Model(&models.Region{}).Where("regions.id = ?", region.ID).Where(m.sql, m.args...).Count(&n).Error; err != nil {
			return f, err
		}
		if n == 0 {
			verr.Add("region_code", "region_not_yours", map[string]any{"Value": region.Code})
		}
	}
	return f, verr.Err()
}

// CreateFacility adds a facility.
func (r *Registry) CreateFacility(ctx context.Context, a *models.Actor, in FacilityInput) (FacilityView, error) {
	if err := require(a, models.PermFacilityManage); err != nil {
		return FacilityView{}, err
	}
	var id int64
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		f, err := r.validateFacility(tx, a, in)
		if err != nil {
			return err
		}
		f.Version = 1
		if err := tx.Create(&f).Error; err != nil {
			return err
		}
		id = f.ID
		return audit(ctx, tx, a, "facility.create", "facility", strconv.FormatInt(f.ID, 10), facilityChanges(models.Facility{}, f), "")
	})
	if err != nil {
		return FacilityView{}, err
	}
	return r.GetFacility(ctx, a, id)
}

// UpdateFacility replaces a facility's fields when the caller's version is current.
func (r *Registry) UpdateFacility(ctx context.Context, a *models.Actor, id int64, version int, in FacilityInput) (FacilityView, error) {
	if err := require(a, models.PermFacilityManage); err != nil {
		return FacilityView{}, err
	}
	if version == 0 {
		return FacilityView{}, models.ErrPreconditionRequired
	}
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur models.Facility
		m := facilityManageScope(a, "facilities.region_id")
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("facilities.id = ?", id).Where(m.sql, m.args...).Take(&cur).Error; err != nil {
			return notFound(err)
		}
		if cur.Version != version {
			return models.ErrConflict
		}
		next, err := r.validateFacility(tx, a, in)
		if err != nil {
			return err
		}
		changes := facilityChanges(cur, next)
		if len(changes) == 0 {
			return nil
		}
		res := tx.Model(&models.Facility{}).Where("id = ? AND version = ?", id, version).Updates(map[string]any{
			"name": next.Name, "kind": next.Kind, "operator": next.Operator, "region_id": next.RegionID,
			"address": next.Address, "capacity": next.Capacity, "age_min": next.AgeMin, "age_max": next.AgeMax,
			"sexes_accepted": next.SexesAccepted, "licence_number": next.LicenceNumber,
			"licence_expires_on": next.LicenceExpiresOn, "active": next.Active,
			"version": version + 1, "updated_at": r.now(),
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.ErrConflict
		}
		return audit(ctx, tx, a, "facility.update", "facility", strconv.FormatInt(id, 10), changes, "")
	})
	if err != nil {
		return FacilityView{}, err
	}
	return r.GetFacility(ctx, a, id)
}

// facilityChanges lists what changed, for the audit trail (the address only as "changed").
func facilityChanges(cur, next models.Facility) models.AuditChanges {
	ch := models.AuditChanges{}
	add := func(field string, changed bool, before, after any) {
		if changed {
			ch[field] = models.FieldChange{Before: before, After: after}
		}
	}
	add("name", cur.Name != next.Name, cur.Name, next.Name)
	add("kind", cur.Kind != next.Kind, cur.Kind, next.Kind)
	add("operator", cur.Operator != next.Operator, cur.Operator, next.Operator)
	add("region_id", cur.RegionID != next.RegionID, cur.RegionID, next.RegionID)
	if cur.Address != next.Address {
		ch["address"] = models.FieldChange{}
	}
	add("capacity", cur.Capacity != next.Capacity, cur.Capacity, next.Capacity)
	add("age_min", cur.AgeMin != next.AgeMin, cur.AgeMin, next.AgeMin)
	add("age_max", cur.AgeMax != next.AgeMax, cur.AgeMax, next.AgeMax)
	add("sexes_accepted", !slices.Equal(cur.SexesAccepted, next.SexesAccepted), []string(cur.SexesAccepted), []string(next.SexesAccepted))
	add("licence_number", cur.LicenceNumber != next.LicenceNumber, cur.LicenceNumber, next.LicenceNumber)
	add("licence_expires_on", !sameDate(cur.LicenceExpiresOn, next.LicenceExpiresOn), dateString(cur.LicenceExpiresOn), dateString(next.LicenceExpiresOn))
	add("active", cur.Active != next.Active, cur.Active, next.Active)
	return ch
}

func dateString(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.DateOnly)
}

// InspectionInput records an inspection of a facility.
type InspectionInput struct {
	// InspectedOn is a date, YYYY-MM-DD.
	InspectedOn string `json:"inspected_on" input:"len=35"`
	Inspector   string `json:"inspector" input:"len=100"`
	// Checklist lists the items found in order (InspectionChecklist).
	Checklist []string `json:"checklist" input:"items=20,len=35"`
	Findings  string   `json:"findings" input:"len=4000,multiline"`
	// FollowUpDue is a date, YYYY-MM-DD ("" for none).
	FollowUpDue string `json:"follow_up_due" input:"len=35"`
}

// InspectionChecklist is what an inspector checks at a facility.
var InspectionChecklist = []string{"licence_displayed", "staffing_adequate", "separation_from_adults",
	"same_sex_sleeping", "fire_safety", "hygiene", "complaints_procedure", "records_kept"}

// RecordInspection records an inspection of a facility the actor may manage (protection
// officers, their regions).
func (r *Registry) RecordInspection(ctx context.Context, a *models.Actor, facilityID int64, in InspectionInput) (models.FacilityInspection, error) {
	if err := require(a, models.PermFacilityInspect); err != nil {
		return models.FacilityInspection{}, err
	}
	if err := CheckInput(in); err != nil {
		return models.FacilityInspection{}, err
	}
	var out models.FacilityInspection
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m := facilityManageScope(a, "facilities.region_id")
		var n int64
		if err := tx.Model(&models.Facility{}).Where("facilities.id = ?", facilityID).Where(m.sql, m.args...).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return models.ErrNotFound
		}
		var verr models.ValidationError
		out = models.FacilityInspection{FacilityID: facilityID, Inspector: strings.TrimSpace(in.Inspector),
			Findings: strings.TrimSpace(in.Findings), Checklist: models.Strings{}}
		if d, ok := parseDay(&verr, "inspected_on", in.InspectedOn, true); ok {
			out.InspectedOn = d
			if d.After(r.now().Add(dateSlack)) {
				verr.Add("inspected_on", "date_in_future", nil)
			}
		}
		if out.Inspector == "" {
			verr.Add("inspector", "required", nil)
		}
		for _, item := range InspectionChecklist {
			if slices.Contains(in.Checklist, item) {
				out.Checklist = append(out.Checklist, item)
			}
		}
		for _, item := range in.Checklist {
			if !slices.Contains(InspectionChecklist, item) {
				verr.Add("checklist", "code_unknown", map[string]any{"Value": item})
			}
		}
		if d, ok := parseDay(&verr, "follow_up_due", in.FollowUpDue, false); ok {
			if !out.InspectedOn.IsZero() && d.Before(out.InspectedOn) {
				verr.Add("follow_up_due", "placement_follow_up_before_inspection", nil)
			}
			out.FollowUpDue = &d
		}
		if err := verr.Err(); err != nil {
			return err
		}
		if a.UserID != 0 {
			out.RecordedBy = &a.UserID
		}
		if err := tx.Create(&out).Error; err != nil {
			return err
		}
		return audit(ctx, tx, a, "facility.inspect", "facility", strconv.FormatInt(facilityID, 10), models.AuditChanges{
			"inspection_id": {After: out.ID}, "inspected_on": {After: out.InspectedOn.Format(time.DateOnly)},
			"checklist": {After: []string(out.Checklist)}, "findings": {},
		}, "")
	})
	return out, err
}

// parseDay reads a YYYY-MM-DD date of field; "" is missing (an error when required). ok is
// false when there is no date to use.
func parseDay(verr *models.ValidationError, field, s string, required bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			verr.Add(field, "required", nil)
		}
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		verr.Add(field, "date_invalid", nil)
		return time.Time{}, false
	}
	return d, true
}

// FacilityChoices lists the active facilities a placement form offers (at most MaxPageSize;
// never a police station or detention facility),
// those of regionID first, then by name, each with its occupancy now.
func (r *Registry) FacilityChoices(ctx context.Context, a *models.Actor, regionID int64) ([]FacilityView, error) {
	if err := require(a, models.PermFacilityRead); err != nil {
		return nil, err
	}
	var rows []FacilityView
	// A police station or detention facility is never offered: a placement there is refused.
	err := r.facilityRows(r.DB.WithContext(ctx), a).Where("facilities.active AND facilities.kind <> ?", models.FacilityPoliceDetention).
		Order(clause.Expr{SQL: "facilities.region_id = ? DESC, facilities.name, facilities.id", Vars: []any{regionID}}).
		Limit(MaxPageSize).Find(&rows).Error
	for i := range rows {
		r.finishFacility(a, &rows[i])
	}
	return rows, err
}
