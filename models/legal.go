package models

import "time"

// Legal status (issue 10): who may read and record a child's legal procedure.
const (
	PermLegalRead   Permission = "legal.read"   // a child's legal timeline and derived status
	PermLegalRecord Permission = "legal.record" // add events to the timeline and void them
)

// LegalEvent is one step of a child's legal procedure (registry/legal_rules.go lists the
// kinds). The table is append-only (triggers refuse UPDATE, DELETE and TRUNCATE): a correction is an event of kind "void" naming the event
// it voids (VoidsEventID) and why (VoidReason).
type LegalEvent struct {
	ID      int64 `json:"id" gorm:"primaryKey"`
	ChildID int64 `json:"child_id"`
	// Seq is the event's place in the timeline as recorded (1, 2, 3…).
	Seq  int    `json:"seq"`
	Kind string `json:"kind"`
	// Outcome of a decision or an appeal decision: refugee_status, subsidiary_protection or
	// rejected; empty for the other kinds.
	Outcome                string    `json:"outcome,omitempty"`
	OccurredOn             time.Time `json:"occurred_on" gorm:"type:date"`
	Authority              string    `json:"authority"`
	DocumentReference      string    `json:"document_reference"`
	BestInterestsReference string    `json:"best_interests_reference,omitempty"`
	Note                   string    `json:"note"`
	VoidsEventID           *int64    `json:"voids_event_id,omitempty"`
	VoidReason             string    `json:"void_reason,omitempty"`
	RecordedBy             *int64    `json:"-"`
	RecordedAt             time.Time `json:"recorded_at"`
}
