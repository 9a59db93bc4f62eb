package models

import "time"

// Facility kinds. A police station or detention facility is listed so that a child found
// there can be recorded as such — a placement in one is always refused (S6).
const (
	FacilityFosterFamily     = "foster_family"
	FacilityKinshipCare      = "kinship_care"
	FacilityChildrensCentre  = "childrens_centre"
	FacilitySupervisedLiving = "supervised_independent_living"
	FacilityAdultReception   = "adult_reception_centre"
	FacilityPoliceDetention  = "police_detention"
)

// FacilityKinds lists the kinds in the order forms show them.
var FacilityKinds = []string{FacilityFosterFamily, FacilityKinshipCare, FacilityChildrensCentre,
	FacilitySupervisedLiving, FacilityAdultReception, FacilityPoliceDetention}

// Facility is a place where a child may sleep: a foster family, a children's centre… Its
// occupancy is not stored: it is counted from the placements current now.
type Facility struct {
	ID       int64  `json:"id" gorm:"primaryKey"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Operator string `json:"operator"`
	RegionID int64  `json:"region_id"`
	// Address is blank for readers without the facility.address permission (never border
	// officers): the registry clears it before it leaves the use case.
	Address          string     `json:"address,omitempty"`
	Capacity         int        `json:"capacity"`
	AgeMin           int        `json:"age_min"`
	AgeMax           int        `json:"age_max"`
	SexesAccepted    Strings    `json:"sexes_accepted" gorm:"type:text[]"`
	LicenceNumber    string     `json:"licence_number"`
	LicenceExpiresOn *time.Time `json:"licence_expires_on" gorm:"type:date"`
	Active           bool       `json:"active"`
	Version          int        `json:"version"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// Placement is one period a child spent (or spends) in a facility.
type Placement struct {
	ID         int64      `json:"id" gorm:"primaryKey"`
	ChildID    int64      `json:"child_id"`
	FacilityID int64      `json:"facility_id"`
	StartedAt  time.Time  `json:"started_at"`
	EndedAt    *time.Time `json:"ended_at"`
	Reason     string     `json:"reason"`
	DecidedBy  string     `json:"decided_by"`
	RecordedBy *int64     `json:"-"`
	// BestInterests is the recorded best-interests justification of a 16- or 17-year-old's
	// placement in an adult reception centre (S6).
	BestInterests        string    `json:"best_interests"`
	Warnings             Strings   `json:"warnings" gorm:"type:text[]"`
	WarningJustification string    `json:"warning_justification"`
	EndReason            string    `json:"end_reason"`
	Version              int       `json:"version"`
	CreatedAt            time.Time `json:"created_at"`
}

// PlacementCheck is one review of a placement's conditions. Each condition is "yes", "no" or
// "na" (not applicable).
type PlacementCheck struct {
	ID                  int64     `json:"id" gorm:"primaryKey"`
	PlacementID         int64     `json:"placement_id"`
	ChildID             int64     `json:"child_id"`
	CheckedOn           time.Time `json:"checked_on" gorm:"type:date"`
	CheckedBy           *int64    `json:"-"`
	SeparatedFromAdults string    `json:"separated_from_adults"`
	SameSexSleeping     string    `json:"same_sex_sleeping"`
	SchoolAccess        string    `json:"school_access"`
	HealthCare          string    `json:"health_care"`
	Interpreter         string    `json:"interpreter"`
	PsychosocialSupport string    `json:"psychosocial_support"`
	SafetyConcerns      string    `json:"safety_concerns"`
	ChildView           string    `json:"child_view"`
	CreatedAt           time.Time `json:"created_at"`
}

// FacilityInspection is an inspection of a facility by a protection officer.
type FacilityInspection struct {
	ID          int64      `json:"id" gorm:"primaryKey"`
	FacilityID  int64      `json:"facility_id"`
	InspectedOn time.Time  `json:"inspected_on" gorm:"type:date"`
	Inspector   string     `json:"inspector"`
	Checklist   Strings    `json:"checklist" gorm:"type:text[]"`
	Findings    string     `json:"findings"`
	FollowUpDue *time.Time `json:"follow_up_due" gorm:"type:date"`
	RecordedBy  *int64     `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
}
