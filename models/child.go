package models

import "time"

// Child is a registered child. This is the minimal record that access control needs; the
// arrivals registry grows it (names, dates, nationalities…).
type Child struct {
	ID                 int64     `json:"id" gorm:"primaryKey"`
	RegistrationNumber string    `json:"registration_number"`
	RegionID           int64     `json:"region_id"`
	BorderPostID       *int64    `json:"border_post_id"`
	Status             string    `json:"status"`
	Version            int       `json:"version"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// ChildStatuses are the allowed values of Child.Status.
var ChildStatuses = []string{"active", "missing", "reunified", "transferred", "aged_out", "closed", "duplicate"}

// GuardianAppointment links a guardian user to a child for a period. A guardian sees a child
// only while an appointment is current.
type GuardianAppointment struct {
	ID             int64      `json:"id" gorm:"primaryKey"`
	ChildID        int64      `json:"child_id"`
	GuardianUserID int64      `json:"guardian_user_id"`
	Kind           string     `json:"kind"`
	StartedAt      time.Time  `json:"started_at"`
	EndedAt        *time.Time `json:"ended_at"`
	EndReason      string     `json:"end_reason"`
	CreatedAt      time.Time  `json:"-"`
}

// BreakGlassGrant is a time-boxed access to one child outside the user's scope.
type BreakGlassGrant struct {
	ID        int64     `json:"id" gorm:"primaryKey"`
	UserID    int64     `json:"user_id"`
	ChildID   int64     `json:"child_id"`
	Reason    string    `json:"reason"`
	GrantedAt time.Time `json:"granted_at"`
	ExpiresAt time.Time `json:"expires_at"`
}
