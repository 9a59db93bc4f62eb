package registry

import (
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/models"
)

// The rules of the case lifecycle (issue 10), each in one function: which records are
// read-only, the day a child turns 18 in SQL (models.TurnsAdultOn is the Go side), the
// transition-plan deadline (S13) and the rights-information deadline (S11).

// Rule names of issue 10, as deadlines show them.
const (
	RuleS11 = "S11" // information on rights given in a language the child understands
	RuleS13 = "S13" // transition plan recorded before the child turns 18
)

// ReasonTransitionPlanDue is the needs-action reason of S13.
const ReasonTransitionPlanDue = "transition_plan_due"

// LifecycleRules are the thresholds of S11 and S13 (zero fields take DefaultLifecycleRules).
type LifecycleRules struct {
	// PlanDaysBefore: a transition plan is due this many days before the 18th birthday (S13).
	PlanDaysBefore int
	// InformWithinDays: the child is informed of their rights within this many days of
	// registration (S11).
	InformWithinDays int
}

// DefaultLifecycleRules are MISSION.md's defaults: 90 days (S13), 15 days (S11).
func DefaultLifecycleRules() LifecycleRules {
	return LifecycleRules{PlanDaysBefore: 90, InformWithinDays: 15}
}

func (r *Registry) lifecycleRules() LifecycleRules {
	l, d := r.LifecycleRules, DefaultLifecycleRules()
	if l.PlanDaysBefore <= 0 {
		l.PlanDaysBefore = d.PlanDaysBefore
	}
	if l.InformWithinDays <= 0 {
		l.InformWithinDays = d.InformWithinDays
	}
	return l
}

// PlanDue is when the transition plan of a child turning 18 on adultOn is due (S13): the
// start of the day PlanDaysBefore days before. From that day, a child with no plan is flagged
// (the needs-action queue, My wards, the child's page).
func (l LifecycleRules) PlanDue(adultOn time.Time) time.Time {
	return compliance.PlanDue(l.PlanDaysBefore, adultOn)
}

// InformDue is when a child registered at registered must have been informed of their
// rights (S11).
func (l LifecycleRules) InformDue(registered time.Time) time.Time {
	return compliance.InformDue(l.InformWithinDays, registered)
}

// readOnlyStatuses are the statuses of a record whose case is over: closed, aged out,
// reunified with family, transferred to another country or authority. Such a record refuses
// every change (childWritable) until a protection officer reopens it (the "reopen"
// transition; an aged-out record stays closed: the person is an adult). "duplicate" is not
// here: merge and unmerge own those records (merge.go).
var readOnlyStatuses = []string{"closed", "aged_out", "reunified", "transferred"}

// ReadOnly reports whether a record with this status refuses changes.
func ReadOnly(status string) bool { return slices.Contains(readOnlyStatuses, status) }

// childWritable is THE check every use case that writes to a child's record passes, through
// writableChild (the scoped read, then this): a closed record refuses with
// models.ErrReadOnly, which both faces show as a localized "this record is closed" answer.
// The status transitions do not pass it: the table of lifecycle.go says from which statuses
// each may start (reopen starts from the closed ones). A new arrival does not pass it either:
// a child who comes back must be recorded, and their arrival is what prompts a reopen.
func childWritable(c models.Child) error {
	if ReadOnly(c.Status) {
		return models.ErrReadOnly
	}
	return nil
}

// turnsAdultSQL is models.TurnsAdultOn as a SQL date over "children" (NULL without a birth
// date): the 18th birthday counted from birth_date_to, the latest possible birth date (the
// benefit of the doubt). PostgreSQL's date + interval '18 years' turns 29 February into 28
// February of a common year, one day before AgeAt's rule; counting from the day before and
// adding the day back gives 1 March, as TurnsAdultOn does (TestTurnsAdultSQLMatchesGo).
const turnsAdultSQL = `((COALESCE(children.birth_date_to, children.birth_date_from) - 1 + interval '18 years')::date + 1)`

// caseOpen: the child's case is open — active or missing; every other status ends it (the
// read-only statuses, and duplicate-of).
var caseOpen = sqlCond{sql: `children.status IN ('active','missing')`}

// hasTransitionPlan: the child has a recorded transition plan.
var hasTransitionPlan = sqlCond{sql: `EXISTS (SELECT 1 FROM transition_plans tp WHERE tp.child_id = children.id)`}

// planDueSQL is PlanDue as a SQL date over "children".
func (l LifecycleRules) planDueSQL() sqlCond {
	return sqlCond{sql: `(` + turnsAdultSQL + ` - ?::int)`, args: []any{l.PlanDaysBefore}}
}

// planWarning is S13 as a condition over "children": the case is open, the plan is due on or
// before today (UTC) and none is recorded.
func (l LifecycleRules) planWarning(now time.Time) sqlCond {
	due := l.planDue(now)
	return and(caseOpen, and(due, not(hasTransitionPlan)))
}

func (l LifecycleRules) planDue(now time.Time) sqlCond {
	d := l.planDueSQL()
	return sqlCond{sql: d.sql + ` <= ?::date`, args: append(d.args, now.UTC().Format(time.DateOnly))}
}

// ageOutDue is the condition of the age-out sweep over "children": an open case whose 18th
// birthday (turnsAdultSQL) is today (UTC) or earlier.
func ageOutDue(now time.Time) sqlCond {
	return sqlCond{sql: caseOpen.sql + ` AND ` + turnsAdultSQL + ` <= ?::date`,
		args: []any{now.UTC().Format(time.DateOnly)}}
}

// adultReached reports, by the same rule in Go, whether the child has turned 18 at now.
func adultReached(c models.Child, now time.Time) (time.Time, bool) {
	on, ok := models.TurnsAdultOn(c.BirthDateFrom, c.BirthDateTo)
	return on, ok && !dayBefore(now, on)
}

// SystemActor is the actor of the work Kujdes does by itself (the daily age-out sweep): no
// user, no scope; it holds only the permission of the transitions it runs. Audit rows name
// it by its subject ("system:age_out").
func SystemActor(job string) *models.Actor {
	return &models.Actor{Issuer: "kujdes", Subject: "system:" + job, Name: "Kujdes (" + job + ")", Via: "system",
		Permissions: map[models.Permission]bool{models.PermChildTransition: true}}
}

// writableChild is scopedChild for a use case that writes to the child's record: the child
// in the actor's scope, then childWritable. Every such use case reads the child through it.
func (r *Registry) writableChild(tx *gorm.DB, a *models.Actor, id int64, lock bool) (ChildView, error) {
	c, err := r.scopedChild(tx, a, id, lock)
	if err != nil {
		return c, err
	}
	return c, childWritable(c.Child)
}

// planDeadline is the S13 deadline of a child without a plan (the queue and My wards show it
// only while planWarning holds).
func (l LifecycleRules) planDeadline(c models.Child, now time.Time) Deadline {
	on, _ := models.TurnsAdultOn(c.BirthDateFrom, c.BirthDateTo)
	return deadline(RuleS13, l.PlanDue(on), nil, now)
}
