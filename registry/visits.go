package registry

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// Visit kinds: a visit in person, a call, or another contact.
var VisitKinds = []string{"visit", "call", "other"}

// VisitInput records a visit or contact with a child.
type VisitInput struct {
	VisitedOn string `json:"visited_on" input:"len=35"` // YYYY-MM-DD
	Kind      string `json:"kind" input:"len=35"`
	Place     string `json:"place,omitempty" input:"len=200"`
	// ChildSeen: whether the child was seen (only such a visit counts for S8).
	ChildSeen *bool `json:"child_seen"`
	// The child's own views, in their words; concerns; what follows.
	ChildViews string `json:"child_views,omitempty" input:"len=2000,multiline"`
	Concerns   string `json:"concerns,omitempty" input:"len=2000,multiline"`
	FollowUp   string `json:"follow_up,omitempty" input:"len=2000,multiline"`
}

// VisitRecorded is a recorded visit and, after it, when the next one is due (S8).
type VisitRecorded struct {
	Visit        models.GuardianVisit `json:"visit"`
	NextVisitDue Deadline             `json:"next_visit_due"`
}

// RecordVisit records a guardian's (or a protection officer's) visit or contact with a child
// in their scope, and answers when the next visit is due.
func (r *Registry) RecordVisit(ctx context.Context, a *models.Actor, childID int64, in VisitInput) (VisitRecorded, error) {
	if err := require(a, models.PermGuardianVisit); err != nil {
		return VisitRecorded{}, err
	}
	if err := CheckInput(in); err != nil {
		return VisitRecorded{}, err
	}
	var out VisitRecorded
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.writableChild(tx, a, childID, false)
		if err != nil {
			return err
		}
		now := r.now()
		var verr models.ValidationError
		on, perr := time.Parse(time.DateOnly, strings.TrimSpace(in.VisitedOn))
		switch {
		case in.VisitedOn == "":
			verr.Add("visited_on", "required", nil)
		case perr != nil:
			verr.Add("visited_on", "date_invalid", nil)
		case on.After(now.Add(dateSlack)):
			verr.Add("visited_on", "date_in_future", nil)
		case dayBefore(on, c.RegisteredAt):
			verr.Add("visited_on", "guardian_visit_before_registration", nil)
		}
		if !slices.Contains(VisitKinds, in.Kind) {
			verr.Add("kind", "code_unknown", map[string]any{"Value": in.Kind})
		}
		if in.ChildSeen == nil {
			verr.Add("child_seen", "required", nil)
		}
		if err := verr.Err(); err != nil {
			return err
		}
		v := models.GuardianVisit{ChildID: childID, VisitedOn: on, Kind: in.Kind, Place: strings.TrimSpace(in.Place),
			ChildSeen: *in.ChildSeen, ChildViews: strings.TrimSpace(in.ChildViews), Concerns: strings.TrimSpace(in.Concerns),
			FollowUp: strings.TrimSpace(in.FollowUp)}
		if a.UserID != 0 {
			uid := a.UserID
			v.VisitedBy = &uid
		}
		if err := tx.Create(&v).Error; err != nil {
			return err
		}
		g, err := r.loadGuardianship(tx, c)
		if err != nil {
			return err
		}
		out.Visit = v
		for _, d := range g.Deadlines {
			if d.Rule == RuleS8 {
				out.NextVisitDue = d
			}
		}
		// Free texts hold the child's words and family details: the trail says they were
		// written, not what they say.
		changes := models.AuditChanges{"visit_id": {After: v.ID}, "visited_on": {After: in.VisitedOn}, "kind": {After: v.Kind}, "child_seen": {After: v.ChildSeen}}
		for f, s := range map[string]string{"place": v.Place, "child_views": v.ChildViews, "concerns": v.Concerns, "follow_up": v.FollowUp} {
			if s != "" {
				changes[f] = models.FieldChange{}
			}
		}
		return audit(ctx, tx, a, "guardian.visit", "child", strconv.FormatInt(childID, 10), changes, "")
	})
	return out, r.denied(ctx, a, err)
}
