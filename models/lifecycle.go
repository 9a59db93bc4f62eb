package models

import "time"

// LifecycleEvent records the details of a status change made through its own use case:
// where and with whom a child was reunified, where they were transferred, the 18th birthday
// an age-out counted from (issue 10).
type LifecycleEvent struct {
	ID                   int64     `json:"id" gorm:"primaryKey"`
	ChildID              int64     `json:"child_id"`
	Transition           string    `json:"transition"`
	FromStatus           string    `json:"from_status"`
	ToStatus             string    `json:"to_status"`
	OccurredOn           time.Time `json:"occurred_on" gorm:"type:date"`
	ReunifiedWhere       string    `json:"reunified_where,omitempty"`
	ReunifiedWith        string    `json:"reunified_with,omitempty"`
	DestinationCountry   string    `json:"destination_country,omitempty"`
	DestinationAuthority string    `json:"destination_authority,omitempty"`
	Reference            string    `json:"reference,omitempty"`
	Note                 string    `json:"note,omitempty"`
	RecordedBy           *int64    `json:"-"`
	CreatedAt            time.Time `json:"created_at"`
}

// TableName is child_lifecycle_events.
func (LifecycleEvent) TableName() string { return "child_lifecycle_events" }

// TransitionPlan is a plan for a child's leaving care at 18 (S13); the latest one counts.
type TransitionPlan struct {
	ID         int64     `json:"id" gorm:"primaryKey"`
	ChildID    int64     `json:"child_id"`
	PlannedOn  time.Time `json:"planned_on" gorm:"type:date"`
	Summary    string    `json:"summary"`
	RecordedBy *int64    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
}

// RightsInformation records that a child was informed of their rights, when and in which
// language (S11).
type RightsInformation struct {
	ID         int64     `json:"id" gorm:"primaryKey"`
	ChildID    int64     `json:"child_id"`
	InformedOn time.Time `json:"informed_on" gorm:"type:date"`
	Language   string    `json:"language"`
	Method     string    `json:"method"`
	Note       string    `json:"note,omitempty"`
	RecordedBy *int64    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
}

// TableName is rights_information.
func (RightsInformation) TableName() string { return "rights_information" }
