package models

import "time"

// MissingEpisode is one time a child went missing: last seen, discovered, the risk, the
// reaction of the authorities, and — once the child is found — where, how, and the return
// interview. The episode is open while FoundAt is nil (at most one open episode per child).
type MissingEpisode struct {
	ID            int64     `json:"id" gorm:"primaryKey"`
	ChildID       int64     `json:"child_id"`
	LastSeenAt    time.Time `json:"last_seen_at"`
	LastSeenPlace string    `json:"last_seen_place"`
	LastSeenWith  string    `json:"last_seen_with"`
	DiscoveredAt  time.Time `json:"discovered_at"`
	DiscoveredBy  string    `json:"discovered_by"`
	Circumstances string    `json:"circumstances"`
	// Description is what the child looked like and wore (the missing-person sheet).
	Description string `json:"description"`
	// RiskAssessed is the reporter's assessment; Risk the level after the automatic rules
	// (registry/missing_rules.go), with the reasons that raised it.
	RiskAssessed    string    `json:"risk_assessed"`
	Risk            string    `json:"risk"`
	RiskReasons     Strings   `json:"risk_reasons" gorm:"type:text[]"`
	StrategyMeeting bool      `json:"strategy_meeting"`
	ReportedAt      time.Time `json:"reported_at"`
	ReportedBy      *int64    `json:"-"`

	PoliceReportedAt   *time.Time `json:"police_reported_at"`
	PoliceReference    string     `json:"police_reference"`
	HotlineNotifiedAt  *time.Time `json:"hotline_notified_at"`
	SISRequestedAt     *time.Time `json:"sis_requested_at" gorm:"column:sis_requested_at"`
	SISReference       string     `json:"sis_reference" gorm:"column:sis_reference"`
	GuardianInformedAt *time.Time `json:"guardian_informed_at"`

	FoundAt          *time.Time `json:"found_at"`
	FoundPlace       string     `json:"found_place"`
	FoundBy          string     `json:"found_by"`
	FoundCondition   string     `json:"found_condition"`
	FoundNotes       string     `json:"found_notes"`
	FoundRecordedBy  *int64     `json:"-"`
	FoundPlacementID *int64     `json:"found_placement_id"`

	InterviewAt         *time.Time `json:"interview_at"`
	InterviewBy         string     `json:"interview_by"`
	InterviewSummary    string     `json:"interview_summary"`
	InterviewRecordedBy *int64     `json:"-"`

	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Risk levels of a missing episode, lowest first.
var MissingRiskLevels = []string{"low", "medium", "high"}

// FoundConditions are the conditions a found child may be recorded in.
var FoundConditions = []string{"unharmed", "injured", "ill", "distressed", "other"}
