package models

import "time"

// PermChildRelatives records and voids family links between children (issue 9). Reading a
// child's links needs only child.read. Granted in auth/roles.go (relativeGrants).
const PermChildRelatives Permission = "child.relatives"

// Kinds of family link between two children.
const (
	RelativeSibling = "sibling"
	RelativeCousin  = "cousin"
	RelativeOther   = "other_relative"
)

// RelativeKinds lists the kinds in the order forms show them.
var RelativeKinds = []string{RelativeSibling, RelativeCousin, RelativeOther}

// ChildRelative is a family link between two children, stored once per pair in canonical
// order (ChildAID < ChildBID). A link recorded in error is voided with a reason, never
// deleted.
type ChildRelative struct {
	ID         int64      `json:"id" gorm:"primaryKey"`
	ChildAID   int64      `json:"-" gorm:"column:child_a_id"`
	ChildBID   int64      `json:"-" gorm:"column:child_b_id"`
	Kind       string     `json:"kind"`
	Note       string     `json:"note"`
	RecordedBy *int64     `json:"-"`
	RecordedAt time.Time  `json:"recorded_at"`
	VoidedAt   *time.Time `json:"voided_at,omitempty"`
	VoidedBy   *int64     `json:"-"`
	VoidReason string     `json:"void_reason,omitempty"`
	Version    int        `json:"version"`
}

// Other is the child at the other end of the link from childID.
func (r ChildRelative) Other(childID int64) int64 {
	if r.ChildAID == childID {
		return r.ChildBID
	}
	return r.ChildAID
}
