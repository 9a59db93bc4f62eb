package registry

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/models"
)

// Placements: where a child sleeps, as a history of periods (start, end, reason, decided by).
// The current placement is derived from that history by one predicate (placementCurrent in
// facilities.go), never stored; a new placement closes the open one in the same transaction,
// under the child's row lock, and a database exclusion constraint keeps any two periods of a
// child from overlapping.
//
// The rules (S6, MISSION.md), checked when the decision is recorded (CheckPlacement):
//
//   - refused: a police station or detention facility, whatever the age; an adult reception
//     centre for a child who may be under 16; a 16- or 17-year-old there without a recorded
//     best-interests justification; a period overlapping another of the child's placements;
//   - warned, and accepted only when acknowledged with a written justification: the facility
//     is full (over capacity with this child), its licence has expired, it does not accept
//     the child's sex or age; the child would live in another facility than a linked sibling
//     placed now (siblings separated — siblings only, relatives.go says why).
//
// Ages come from the one age rule (models.AgeRangeAt) at the placement's start. An estimated
// age is a range: the 16 rule is met only when the WHOLE range is 16 or over (lowest possible
// age ≥ 16) — a range reaching below 16, or an unknown age, is treated as under 16. This is the
// benefit of the doubt applied to protection, as for the age of majority.

// Placement warning codes (message ids "placement.warning.<code>").
const (
	WarnOverCapacity   = "over_capacity"
	WarnLicenceExpired = "licence_expired"
	WarnSexNotAccepted = "sex_not_accepted"
	WarnAgeNotAccepted = "age_not_accepted"
	// WarnSiblingsSeparated: a linked sibling (relatives.go) is placed in another facility.
	WarnSiblingsSeparated = "siblings_separated"
)

// WarningCode is the validation code of an unacknowledged warning
// ("placement_warning_<warning>", message id "validation.placement_warning_<warning>").
func WarningCode(warning string) string { return "placement_warning_" + warning }

// PlacementWarnings lists every warning code.
var PlacementWarnings = []string{WarnOverCapacity, WarnLicenceExpired, WarnSexNotAccepted, WarnAgeNotAccepted, WarnSiblingsSeparated}

const (
	// AdultCentreMinAge is the youngest age at which a child may stay in an adult reception
	// centre, and then only with a best-interests justification (S6).
	AdultCentreMinAge = compliance.AdultCentreMinAge
	// MinJustification is the shortest accepted justification (in characters).
	MinJustification = compliance.MinJustification
	// ReviewEveryMonths is S7: a placement is reviewed at least every 3 months.
	ReviewEveryMonths = compliance.ReviewEveryMonths
	// PlacementDueDays is S5: a suitable placement within 7 days of arrival (registration).
	PlacementDueDays = compliance.PlacementDueDays
)

// PlacementRules is what the placement rules look at.
type PlacementRules struct {
	Facility models.Facility
	// Occupancy counts the other children placed in the facility at Start.
	Occupancy int
	ChildSex  string
	// BirthFrom and BirthTo are the child's possible birth dates (nil: unknown).
	BirthFrom, BirthTo *time.Time
	Start              time.Time
	BestInterests      string
	// Overlaps: the period would overlap another of the child's placements.
	Overlaps bool
	// SiblingFacilityIDs are the facilities where the child's linked siblings are placed at
	// Start (relatives.go siblingFacilities).
	SiblingFacilityIDs []int64
}

// CheckPlacement applies the placement rules: the refusals as a validation error (nil when
// none), and the warnings that must be acknowledged and justified (none when the facility
// itself is refused).
func CheckPlacement(in PlacementRules) (*models.ValidationError, []string) {
	var verr models.ValidationError
	var warnings []string
	f := in.Facility
	lo, hi, known := 0, 0, in.BirthFrom != nil && in.BirthTo != nil
	if known {
		lo, hi = models.AgeRangeAt(*in.BirthFrom, *in.BirthTo, in.Start)
	}
	switch compliance.ProhibitedBecause(f.Kind, lo, known, in.BestInterests) { // S6, one rule (issue 11)
	case compliance.ProhibitedDetention:
		verr.Add("facility_id", "placement_detention_refused", nil)
	case compliance.ProhibitedAdultCentreUnder:
		verr.Add("facility_id", "placement_adult_centre_under_16", map[string]any{"Age": AdultCentreMinAge})
	case compliance.ProhibitedAdultCentreNoJust:
		verr.Add("best_interests", "placement_adult_centre_needs_best_interests", map[string]any{"Min": MinJustification})
	}
	if in.Overlaps {
		verr.Add("started_at", "placement_overlaps", nil)
	}
	if in.Occupancy+1 > f.Capacity {
		warnings = append(warnings, WarnOverCapacity)
	}
	if licenceExpired(f, in.Start) {
		warnings = append(warnings, WarnLicenceExpired)
	}
	if in.ChildSex != "" && !slices.Contains(f.SexesAccepted, in.ChildSex) {
		warnings = append(warnings, WarnSexNotAccepted)
	}
	if known && (lo < f.AgeMin || hi > f.AgeMax) {
		warnings = append(warnings, WarnAgeNotAccepted)
	}
	if slices.ContainsFunc(in.SiblingFacilityIDs, func(id int64) bool { return id != f.ID }) {
		warnings = append(warnings, WarnSiblingsSeparated)
	}
	if len(verr.Fields) == 0 {
		return nil, warnings
	}
	for _, fe := range verr.Fields {
		if fe.Field == "facility_id" {
			// The facility itself is refused: its warnings are moot.
			return &verr, nil
		}
	}
	return &verr, warnings
}

// PlacementInput records that a child moves to a facility (their first placement, or a
// change that closes the current one).
type PlacementInput struct {
	FacilityID int64 `json:"facility_id"`
	// StartedAt is RFC 3339, or "2006-01-02T15:04" (UTC) as a datetime-local field sends; ""
	// is now.
	StartedAt string `json:"started_at" input:"len=35"`
	// Reason is why the child is placed here (for a change: why they move).
	Reason string `json:"reason" input:"len=2000,multiline"`
	// DecidedBy names who took the decision (person or authority).
	DecidedBy string `json:"decided_by" input:"len=200"`
	// BestInterests is required for a 16- or 17-year-old in an adult reception centre (S6).
	BestInterests string `json:"best_interests" input:"len=4000,multiline"`
	// CurrentPlacementID is the open placement the caller saw (0: none). A decision taken on
	// a stale view — someone else recorded a placement meanwhile — is refused (412).
	CurrentPlacementID int64 `json:"current_placement_id"`
	// AcknowledgedWarnings repeats the warnings the caller was shown and accepts.
	AcknowledgedWarnings []string `json:"acknowledged_warnings" input:"items=20,len=35"`
	// WarningJustification says why the placement is right despite the warnings.
	WarningJustification string `json:"warning_justification" input:"len=4000,multiline"`
}

// PlacementView is a placement with its facility, as a reader may see it.
type PlacementView struct {
	models.Placement
	FacilityName   string `json:"facility_name"`
	FacilityKind   string `json:"facility_kind"`
	FacilityRegion string `json:"facility_region_code"`
	// FacilityAddress only for readers holding facility.address.
	FacilityAddress string `json:"facility_address,omitempty"`
	// Current: the placement's period contains now (placementCurrent).
	Current bool `json:"current" gorm:"column:is_current"`
	// ReviewDue is S7: 3 months after the last condition check, or after the start.
	ReviewDue time.Time               `json:"review_due"`
	Checks    []models.PlacementCheck `json:"checks" gorm:"-"`
}

// PlacementSection is a child's placements: the current one (if any), the history (newest
// first) and the deadlines it answers to.
type PlacementSection struct {
	Current *PlacementView  `json:"current"`
	History []PlacementView `json:"history"`
	// PlacementDue is S5 for a child without any placement: 7 days after registration.
	PlacementDue *time.Time `json:"placement_due,omitempty"`
	// ReviewDue is S7 for the current placement.
	ReviewDue *time.Time `json:"review_due,omitempty"`
	// Overdue: the deadline above has passed.
	Overdue bool `json:"overdue"`
	// ChildMissingSince flags the open placement of a child who is missing (issue 10): it
	// stays open for their return.
	ChildMissingSince *time.Time `json:"child_missing_since,omitempty"`
}

// PlacementSummary is a child's current placement in one line (for boards such as "My
// wards").
type PlacementSummary struct {
	PlacementID  int64     `json:"placement_id"`
	FacilityID   int64     `json:"facility_id"`
	FacilityName string    `json:"facility_name"`
	FacilityKind string    `json:"facility_kind"`
	Since        time.Time `json:"since"`
	ReviewDue    time.Time `json:"review_due"`
	// MissingSince: the child is missing since then (issue 10); the placement stays open.
	MissingSince *time.Time `json:"missing_since,omitempty"`
}

// reviewDue is S7 in SQL, once: the date a placement p is next due for review — the
// threshold in force (3 months by default) after its last condition check, or after its start.
func (r *Registry) reviewDue(alias string) string {
	return "((coalesce((SELECT max(pc.checked_on) FROM placement_checks pc WHERE pc.placement_id = " + alias + ".id), (" +
		alias + ".started_at AT TIME ZONE 'UTC')::date) + interval '" + strconv.Itoa(r.complianceRules().Threshold(compliance.S7)) + " months')::date)"
}

// placementDue is S5 in SQL: a child's placement is due the threshold in force (7 days by
// default) after registration.
func (r *Registry) placementDue() string {
	return "(children.registered_at + interval '" + strconv.Itoa(r.complianceRules().Threshold(compliance.S5)) + " days')"
}

// placementViews selects placements with their facility, whether each is current and its
// review date, in one statement.
func (r *Registry) placementViews(tx *gorm.DB) *gorm.DB {
	cur := placementCurrent("placements", r.now())
	return tx.Table("placements").
		Select("placements.*, pf.name AS facility_name, pf.kind AS facility_kind, pfr.code AS facility_region, pf.address AS facility_address, "+
			cur.sql+" AS is_current, "+r.reviewDue("placements")+" AS review_due", cur.args...).
		Joins("JOIN facilities pf ON pf.id = placements.facility_id").
		Joins("JOIN regions pfr ON pfr.id = pf.region_id")
}

// ChildPlacements reads a child's placements and audits the read.
func (r *Registry) ChildPlacements(ctx context.Context, a *models.Actor, childID int64) (PlacementSection, error) {
	if err := require(a, models.PermChildRead); err != nil {
		return PlacementSection{}, err
	}
	var out PlacementSection
	err := r.readChild(ctx, a, childID, "placement.list", func(db *gorm.DB, c ChildView) error {
		var err error
		out, err = r.placementSection(db, a, c)
		return err
	})
	if err != nil {
		return PlacementSection{}, err
	}
	return out, nil
}

func (r *Registry) placementSection(tx *gorm.DB, a *models.Actor, c ChildView) (PlacementSection, error) {
	out := PlacementSection{History: []PlacementView{}}
	if err := r.placementViews(tx).Where("placements.child_id = ?", c.ID).
		Order("placements.started_at DESC, placements.id DESC").Find(&out.History).Error; err != nil {
		return out, err
	}
	var checks []models.PlacementCheck
	if err := tx.Where("child_id = ?", c.ID).Order("checked_on DESC, id DESC").Find(&checks).Error; err != nil {
		return out, err
	}
	now := r.now()
	for i := range out.History {
		p := &out.History[i]
		if !a.Can(models.PermFacilityAddress) {
			p.FacilityAddress = ""
		}
		p.Checks = []models.PlacementCheck{}
		for _, ch := range checks {
			if ch.PlacementID == p.ID {
				p.Checks = append(p.Checks, ch)
			}
		}
		if p.Current && out.Current == nil {
			out.Current = p
			due := p.ReviewDue
			out.ReviewDue, out.Overdue = &due, !dayBefore(now, due)
		}
	}
	if len(out.History) == 0 {
		due := r.complianceRules().PlacementDue(c.RegisteredAt)
		out.PlacementDue, out.Overdue = &due, !now.Before(due)
	}
	var since []time.Time
	if err := tx.Raw("SELECT "+missingSince("?")+" WHERE "+missingSince("?")+" IS NOT NULL", c.ID, c.ID).Scan(&since).Error; err != nil {
		return out, err
	}
	if len(since) > 0 {
		out.ChildMissingSince = &since[0]
	}
	return out, nil
}

// PlacementSummaries returns the current placement of each of the children, for a board of
// children the caller has already read in tx (e.g. "My wards"): children outside the actor's
// scope are left out. One statement.
func (r *Registry) PlacementSummaries(tx *gorm.DB, a *models.Actor, childIDs []int64) (map[int64]PlacementSummary, error) {
	out := map[int64]PlacementSummary{}
	if len(childIDs) == 0 {
		return out, nil
	}
	type row struct {
		PlacementSummary
		ChildID int64
	}
	var rows []row
	cur := placementCurrent("placements", r.now())
	scoped := r.children(tx, a).Select("children.id").Where("children.id IN ?", childIDs)
	err := tx.Table("placements").
		Select("placements.child_id, placements.id AS placement_id, placements.facility_id, pf.name AS facility_name, pf.kind AS facility_kind, placements.started_at AS since, "+r.reviewDue("placements")+" AS review_due, "+missingSince("placements.child_id")+" AS missing_since").
		Joins("JOIN facilities pf ON pf.id = placements.facility_id").
		Where("placements.child_id IN (?)", scoped).
		Where(cur.sql, cur.args...).Find(&rows).Error
	for _, x := range rows {
		out[x.ChildID] = x.PlacementSummary
	}
	return out, err
}

// RecordPlacement places a child in a facility: it closes the open placement at the new
// start, in one transaction under the child's row lock. Refusals and unacknowledged warnings
// are a validation error (nothing changes); a stale CurrentPlacementID is a conflict.
func (r *Registry) RecordPlacement(ctx context.Context, a *models.Actor, childID int64, in PlacementInput) (PlacementView, error) {
	if err := require(a, models.PermPlacementRecord); err != nil {
		return PlacementView{}, err
	}
	if err := CheckInput(in); err != nil {
		return PlacementView{}, err
	}
	var out PlacementView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = r.recordPlacementIn(ctx, tx, a, childID, in)
		return err
	})
	return out, r.denied(ctx, a, err)
}

// recordPlacementIn is RecordPlacement inside the caller's transaction tx, for a use case
// that places the child as one step of a larger change (RecordFound, missing.go). The caller
// has checked placement.record and the input.
func (r *Registry) recordPlacementIn(ctx context.Context, tx *gorm.DB, a *models.Actor, childID int64, in PlacementInput) (PlacementView, error) {
	now := r.now()
	var out PlacementView
	err := func() error {
		child, err := r.writableChild(tx, a, childID, true)
		if err != nil {
			return err
		}
		var verr models.ValidationError
		start := now
		if s := strings.TrimSpace(in.StartedAt); s != "" {
			if t, err := parseArrivalTime(s); err != nil {
				verr.Add("started_at", "date_invalid", nil)
			} else if start = t.UTC(); start.After(now.Add(dateSlack)) {
				verr.Add("started_at", "date_in_future", nil)
			}
		}
		reason, decidedBy := strings.TrimSpace(in.Reason), strings.TrimSpace(in.DecidedBy)
		if reason == "" {
			verr.Add("reason", "required", nil)
		}
		if decidedBy == "" {
			verr.Add("decided_by", "required", nil)
		}
		var fac models.Facility
		if err := tx.Where("id = ?", in.FacilityID).Take(&fac).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			verr.Add("facility_id", "placement_facility_unknown", nil)
		} else if !fac.Active {
			verr.Add("facility_id", "placement_facility_inactive", nil)
		}
		// The open placement (the one this decision closes) must be the one the caller saw.
		var open models.Placement
		hasOpen := true
		if err := tx.Where("child_id = ? AND ended_at IS NULL", childID).Take(&open).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			hasOpen = false
		}
		if (hasOpen && open.ID != in.CurrentPlacementID) || (!hasOpen && in.CurrentPlacementID != 0) {
			return models.ErrConflict
		}
		var overlapping int64
		if err := tx.Model(&models.Placement{}).Where("child_id = ? AND id <> ?", childID, open.ID).
			Where("tstzrange(started_at, ended_at, '[)') && tstzrange(?, NULL, '[)')", start).Count(&overlapping).Error; err != nil {
			return err
		}
		overlaps := overlapping > 0 || (hasOpen && !open.StartedAt.Before(start))
		var occupancy int64
		if fac.ID != 0 {
			cur := placementCurrent("placements", start)
			if err := tx.Model(&models.Placement{}).Where("facility_id = ? AND child_id <> ?", fac.ID, childID).
				Where(cur.sql, cur.args...).Count(&occupancy).Error; err != nil {
				return err
			}
		}
		var warnings []string
		if fac.ID != 0 {
			siblings, err := siblingFacilities(tx, childID, start)
			if err != nil {
				return err
			}
			var refused *models.ValidationError
			refused, warnings = CheckPlacement(PlacementRules{Facility: fac, Occupancy: int(occupancy), ChildSex: child.Sex,
				BirthFrom: child.BirthDateFrom, BirthTo: child.BirthDateTo, Start: start, BestInterests: in.BestInterests, Overlaps: overlaps,
				SiblingFacilityIDs: siblings})
			if refused != nil {
				verr.Fields = append(verr.Fields, refused.Fields...)
			}
		}
		justification := strings.TrimSpace(in.WarningJustification)
		for _, w := range warnings {
			if !slices.Contains(in.AcknowledgedWarnings, w) {
				verr.Add("acknowledged_warnings", WarningCode(w), nil)
			}
		}
		if len(warnings) > 0 && utf8.RuneCountInString(justification) < MinJustification {
			verr.Add("warning_justification", "placement_warning_justification", map[string]any{"Min": MinJustification})
		}
		if err := verr.Err(); err != nil {
			return err
		}
		if len(warnings) == 0 {
			justification = ""
		}
		bestInterests := ""
		if fac.Kind == models.FacilityAdultReception {
			bestInterests = strings.TrimSpace(in.BestInterests)
		}
		changes := models.AuditChanges{"facility_id": {After: fac.ID}, "started_at": {After: start.Format(time.RFC3339)},
			"reason": {}, "decided_by": {}}
		if hasOpen {
			res := tx.Model(&models.Placement{}).Where("id = ? AND ended_at IS NULL", open.ID).
				Updates(map[string]any{"ended_at": start, "end_reason": "moved", "version": gorm.Expr("version + 1")})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return models.ErrConflict
			}
			changes["closed_placement_id"] = models.FieldChange{After: open.ID}
		}
		p := models.Placement{ChildID: childID, FacilityID: fac.ID, StartedAt: start, Reason: reason, DecidedBy: decidedBy,
			BestInterests: bestInterests, Warnings: models.Strings(warnings), WarningJustification: justification, Version: 1}
		if p.Warnings == nil {
			p.Warnings = models.Strings{}
		}
		if a.UserID != 0 {
			p.RecordedBy = &a.UserID
		}
		if err := tx.Create(&p).Error; err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23P01" { // exclusion_violation
				return models.ErrConflict
			}
			return err
		}
		changes["placement_id"] = models.FieldChange{After: p.ID}
		if len(warnings) > 0 {
			changes["warnings"] = models.FieldChange{After: warnings}
			changes["warning_justification"] = models.FieldChange{}
		}
		if bestInterests != "" {
			changes["best_interests"] = models.FieldChange{}
		}
		if err := audit(ctx, tx, a, "placement.record", "child", strconv.FormatInt(childID, 10), changes, ""); err != nil {
			return err
		}
		if err := r.placementViews(tx).Where("placements.id = ?", p.ID).Take(&out).Error; err != nil {
			return err
		}
		if !a.Can(models.PermFacilityAddress) {
			out.FacilityAddress = ""
		}
		out.Checks = []models.PlacementCheck{}
		return nil
	}()
	return out, err
}

// Answers to a placement condition: yes, no, not applicable.
var CheckAnswers = []string{"yes", "no", "na"}

// PlacementCheckInput records a review of a placement's conditions (S7).
type PlacementCheckInput struct {
	// CheckedOn is a date, YYYY-MM-DD ("" is today).
	CheckedOn           string `json:"checked_on" input:"len=35"`
	SeparatedFromAdults string `json:"separated_from_adults" input:"len=35"`
	SameSexSleeping     string `json:"same_sex_sleeping" input:"len=35"`
	SchoolAccess        string `json:"school_access" input:"len=35"`
	HealthCare          string `json:"health_care" input:"len=35"`
	Interpreter         string `json:"interpreter" input:"len=35"`
	PsychosocialSupport string `json:"psychosocial_support" input:"len=35"`
	SafetyConcerns      string `json:"safety_concerns" input:"len=4000,multiline"`
	// ChildView is what the child says about the placement, in their words.
	ChildView string `json:"child_view" input:"len=4000,multiline"`
}

// RecordPlacementCheck records a condition check of one of the child's placements (guardians
// for their wards, protection officers in scope). The check resets the S7 review clock.
func (r *Registry) RecordPlacementCheck(ctx context.Context, a *models.Actor, childID, placementID int64, in PlacementCheckInput) (models.PlacementCheck, error) {
	if err := require(a, models.PermPlacementRecord); err != nil {
		return models.PlacementCheck{}, err
	}
	if err := CheckInput(in); err != nil {
		return models.PlacementCheck{}, err
	}
	var out models.PlacementCheck
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := r.writableChild(tx, a, childID, false); err != nil {
			return err
		}
		var p models.Placement
		if err := tx.Where("id = ? AND child_id = ?", placementID, childID).Take(&p).Error; err != nil {
			return notFound(err)
		}
		var verr models.ValidationError
		out = models.PlacementCheck{PlacementID: p.ID, ChildID: childID, CheckedOn: r.now().Truncate(24 * time.Hour),
			SafetyConcerns: strings.TrimSpace(in.SafetyConcerns), ChildView: strings.TrimSpace(in.ChildView)}
		if d, ok := parseDay(&verr, "checked_on", in.CheckedOn, false); ok {
			switch {
			case d.After(r.now().Add(dateSlack)):
				verr.Add("checked_on", "date_in_future", nil)
			case dayBefore(d, p.StartedAt):
				verr.Add("checked_on", "placement_check_before_start", nil)
			}
			out.CheckedOn = d
		}
		for _, f := range []struct {
			field string
			v     string
			dst   *string
		}{
			{"separated_from_adults", in.SeparatedFromAdults, &out.SeparatedFromAdults},
			{"same_sex_sleeping", in.SameSexSleeping, &out.SameSexSleeping},
			{"school_access", in.SchoolAccess, &out.SchoolAccess},
			{"health_care", in.HealthCare, &out.HealthCare},
			{"interpreter", in.Interpreter, &out.Interpreter},
			{"psychosocial_support", in.PsychosocialSupport, &out.PsychosocialSupport},
		} {
			switch {
			case f.v == "":
				verr.Add(f.field, "required", nil)
			case !slices.Contains(CheckAnswers, f.v):
				verr.Add(f.field, "code_unknown", map[string]any{"Value": f.v})
			}
			*f.dst = f.v
		}
		if err := verr.Err(); err != nil {
			return err
		}
		if a.UserID != 0 {
			out.CheckedBy = &a.UserID
		}
		if err := tx.Create(&out).Error; err != nil {
			return err
		}
		// Free texts (safety concerns, the child's view) only as "written".
		return audit(ctx, tx, a, "placement.check", "child", strconv.FormatInt(childID, 10), models.AuditChanges{
			"placement_id": {After: p.ID}, "check_id": {After: out.ID}, "checked_on": {After: out.CheckedOn.Format(time.DateOnly)},
			"safety_concerns": {}, "child_view": {},
		}, "")
	})
	return out, r.denied(ctx, a, err)
}

// Needs-action reasons of the placements (registry/search.go).
const (
	ReasonNoPlacement        = "no_placement"         // S5
	ReasonPlacementReviewDue = "placement_review_due" // S7
)

// placementNeed is a needs-action condition over "children" and, as a column, the date it
// falls due (NULL when the child does not need it).
type placementNeed struct{ when, due sqlCond }

// placementNeeds are the needs-action conditions of the placements: no current placement
// (due S5 after registration; shown from registration on, since the first days are when a
// child disappears), and a current placement whose review (S7) is due today or earlier.
func (r *Registry) placementNeeds() (none, review placementNeed) {
	now := r.now()
	cur := placementCurrent("np", now)
	noPlacement := sqlCond{sql: "NOT EXISTS (SELECT 1 FROM placements np WHERE np.child_id = children.id AND " + cur.sql + ")", args: cur.args}
	none = placementNeed{when: noPlacement,
		due: sqlCond{sql: "CASE WHEN " + noPlacement.sql + " THEN " + r.placementDue() + " END", args: noPlacement.args}}
	rcur := placementCurrent("rp", now)
	dueSQL := "(SELECT " + r.reviewDue("rp") + " FROM placements rp WHERE rp.child_id = children.id AND " + rcur.sql + " AND " + r.reviewDue("rp") + " <= ?::date LIMIT 1)"
	args := append(append([]any{}, rcur.args...), now)
	review = placementNeed{when: sqlCond{sql: dueSQL + " IS NOT NULL", args: args}, due: sqlCond{sql: dueSQL, args: args}}
	return none, review
}
