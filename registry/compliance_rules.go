package registry

import (
	"errors"
	"time"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/models"
)

// complianceRules are the standards' thresholds in force, from the registry's configuration
// (GuardianRules, MissingRules, LifecycleRules; S4, S5, S7, S10 from ComplianceThresholds): the dashboard,
// the needs-action queue and the child's page count every deadline with the same numbers.
func (r *Registry) complianceRules() compliance.Rules {
	g, m, l := r.guardianRules(), r.missingRules(), r.lifecycleRules()
	return compliance.NewRules(compliance.Thresholds{Values: r.ComplianceThresholds}, g.Calendar).
		WithDuration(compliance.S1, g.ProvisionalWithin).With(compliance.S2, g.AppointWithinWorkdays).
		With(compliance.S3, g.CaseloadCap).WithDuration(compliance.S8, g.VisitEvery).
		WithDuration(compliance.S9, m.PoliceReportWithin).WithDuration(compliance.S10, m.ReturnInterviewWithin).
		With(compliance.S11, l.InformWithinDays).With(compliance.S13, l.PlanDaysBefore)
}

// notAssessed is S4 as a condition over "children" (compliance.SQLNotAssessed).
var notAssessed = sqlCond{sql: compliance.SQLNotAssessed}

// ReasonRightsInformationDue is the needs-action reason of S11.
const ReasonRightsInformationDue = "rights_information_due"

// rightsInformationNeed is S11 as a needs-action condition over "children" and, as a column,
// its due date: no rights information recorded and InformDue passed (registration + the
// threshold's days before now, as LifecycleRules.InformDue counts).
func (l LifecycleRules) rightsInformationNeed(now time.Time) placementNeed {
	cond := sqlCond{sql: `NOT EXISTS (SELECT 1 FROM rights_information ri WHERE ri.child_id = children.id)
		AND children.registered_at + make_interval(days => ?::int) < ?`, args: []any{l.InformWithinDays, now}}
	return placementNeed{when: cond, due: sqlCond{sql: "CASE WHEN " + cond.sql + " THEN children.registered_at + make_interval(days => ?::int) END",
		args: append(append([]any{}, cond.args...), l.InformWithinDays)}}
}

// DefaultComplianceListLimit is 300 compliance lists (a page of violations, a violation, a
// list export) per user per 10 minutes, 60 at once: an inspector paging through a region's
// lists stays well below it; a script harvesting every child's violations does not.
var DefaultComplianceListLimit = CheckLimit{Count: 300, Per: 10 * time.Minute, Burst: 60}

// takeComplianceList takes one list from the reader's limit. Without a limiter the list is
// refused: the registry fails closed, as for duplicate checks.
func (r *Registry) takeComplianceList(a *models.Actor) error {
	if r.ComplianceLists == nil {
		return errors.New("compliance: no list rate limiter configured")
	}
	if ok, wait := r.ComplianceLists.reserve(a.UserID, r.now(), 0); !ok {
		return &RateLimitedError{RetryAfter: wait, Lists: true}
	}
	return nil
}
