package models

import "time"

// Guardian is a vetted guardian in the registry: a person, or an organisation acting through
// the natural person whose account UserID is. Their caseload is counted from the appointments.
type Guardian struct {
	ID               int64      `json:"id" gorm:"primaryKey"`
	UserID           int64      `json:"user_id"`
	Kind             string     `json:"kind"` // person, organisation
	OrganisationName string     `json:"organisation_name"`
	Languages        Strings    `json:"languages" gorm:"type:text[]"`
	RegionID         int64      `json:"region_id"`
	TrainedOn        *time.Time `json:"trained_on" gorm:"type:date"`
	RecordCheckedOn  *time.Time `json:"record_checked_on" gorm:"type:date"`
	Active           bool       `json:"active"`
	// CaseloadCap is the guardian's own cap; nil means the configured default.
	CaseloadCap *int      `json:"caseload_cap"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// GuardianConflict is a conflict of interest a guardian declared with a child.
type GuardianConflict struct {
	ID         int64     `json:"id" gorm:"primaryKey"`
	GuardianID int64     `json:"guardian_id"`
	ChildID    int64     `json:"child_id"`
	Reason     string    `json:"reason"`
	DeclaredBy *int64    `json:"-"`
	DeclaredAt time.Time `json:"declared_at"`
}

// GuardianVisit is a visit or other contact of a guardian or caseworker with a child.
type GuardianVisit struct {
	ID         int64     `json:"id" gorm:"primaryKey"`
	ChildID    int64     `json:"child_id"`
	VisitedBy  *int64    `json:"-"`
	VisitedOn  time.Time `json:"visited_on" gorm:"type:date"`
	Kind       string    `json:"kind"` // visit, call, other
	Place      string    `json:"place"`
	ChildSeen  bool      `json:"child_seen"`
	ChildViews string    `json:"child_views"`
	Concerns   string    `json:"concerns"`
	FollowUp   string    `json:"follow_up"`
	CreatedAt  time.Time `json:"created_at"`
}
