package registry

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// Reminders to protection officers (issue 10): a child with no guardian at all — no current
// appointment, provisional or full — has nobody else to meet its deadlines, so the protection
// officers responsible for the child's region are reminded of them, every officer of the
// region once a day per child and rule (alerts_reminders.go remindDeadlines). A child who has
// a guardian is the guardian's to remind (My wards).

// unguardedChild is the open deadlines of one child without a guardian.
type unguardedChild struct {
	ChildID   int64
	Deadlines []Deadline
}

// unguardedDeadlines lists, inside tx, the open cases in the actor's scope (scope.go) that
// have no current guardian appointment, each with the open deadlines a protection officer
// owns for it, computed by the rules' own functions: S1 and S2 (guardian_rules.go
// queueDeadlines, S2 counted by AppointDue from the application made), the first placement
// S5 and the review S7 (placements.go), the return interview S10 (missing_rules.go), the
// transition plan S13 (lifecycle_rules.go) and the next legal step (legal.go LegalSummaries).
// It reads without auditing: the daily job reads it to remind, nobody is shown a child.
func (r *Registry) unguardedDeadlines(tx *gorm.DB, a *models.Actor, now time.Time) ([]unguardedChild, error) {
	type row struct {
		models.Child
		ApplicationMadeOn *time.Time
		PlacementDue      *time.Time
		InterviewFoundAt  *time.Time
		PlanWarning       bool
	}
	noGuardian := not(currentAppointment(0, now))
	placementDue, _ := r.placementNeeds()
	var rows []row
	err := r.childViews(tx, a,
		as(applicationMadeOn(), "application_made_on"),
		as(placementDue.due, "placement_due"),
		as(returnInterviewNeed().due, "interview_found_at"),
		as(r.lifecycleRules().planWarning(now), "plan_warning"),
	).Where(caseOpen.sql).Where(noGuardian.sql, noGuardian.args...).
		Order("children.id").Find(&rows).Error
	if err != nil {
		return nil, err
	}
	g := r.guardianRules()
	out := make([]unguardedChild, len(rows))
	ids := make([]int64, len(rows))
	for i, x := range rows {
		ds := g.queueDeadlines(x.RegisteredAt, x.ApplicationMadeOn, true, false, nil, now)
		if x.PlacementDue != nil {
			ds = append(ds, deadline(RuleS5, *x.PlacementDue, nil, now))
		}
		if x.InterviewFoundAt != nil {
			ds = append(ds, deadline(RuleS10, r.missingRules().ReturnInterviewDue(*x.InterviewFoundAt), nil, now))
		}
		if x.PlanWarning {
			ds = append(ds, r.lifecycleRules().planDeadline(x.Child, now))
		}
		out[i] = unguardedChild{ChildID: x.ID, Deadlines: ds}
		ids[i] = x.ID
	}
	places, err := r.PlacementSummaries(tx, a, ids)
	if err != nil {
		return nil, err
	}
	legal, err := r.LegalSummaries(tx, a, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if p, ok := places[out[i].ChildID]; ok {
			out[i].Deadlines = append(out[i].Deadlines, deadline(RuleS7, p.ReviewDue, nil, now))
		}
		if l, ok := legal[out[i].ChildID]; ok && l.NextDeadline != nil {
			out[i].Deadlines = append(out[i].Deadlines, *l.NextDeadline)
		}
	}
	return out, nil
}

// sendOfficerReminders writes the day's reminders to the protection officers responsible for
// children without a guardian (responsibleFor, scope.go): one transaction per officer, over
// the children of their regions (their scope). It returns how many reminders were new.
func (r *Registry) sendOfficerReminders(ctx context.Context, day string, now time.Time) (int, error) {
	resp, noGuardian := responsibleFor(), not(currentAppointment(0, now))
	var officers []int64
	if err := r.DB.WithContext(ctx).Raw(`SELECT DISTINCT u.id FROM users u JOIN children ON `+caseOpen.sql+` AND `+noGuardian.sql+`
		WHERE `+resp.sql+` ORDER BY 1`, append(append([]any{}, noGuardian.args...), resp.args...)...).
		Scan(&officers).Error; err != nil {
		return 0, err
	}
	total := 0
	for _, o := range officers {
		err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var regions []int64
			if err := tx.Raw(`SELECT region_id FROM user_regions WHERE user_id = ? ORDER BY 1`, o).Scan(&regions).Error; err != nil {
				return err
			}
			cs, err := r.unguardedDeadlines(tx, reminderActor(o, models.RoleProtectionOfficer, regions), now)
			if err != nil {
				return err
			}
			for _, c := range cs {
				n, err := remindDeadlines(tx, day, o, c.ChildID, c.Deadlines, now)
				total += n
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
