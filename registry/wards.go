package registry

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// Ward is one child on a guardian's "My wards" board: who, the guardian's appointment, the
// visits (S8) and the open deadlines, each naming its rule.
type Ward struct {
	ChildView
	AppointmentID      int64      `json:"appointment_id"`
	AppointmentKind    string     `json:"appointment_kind"`
	AppointmentVersion int        `json:"appointment_version"`
	AppointedAt        time.Time  `json:"appointed_at"`
	FirstMeetingAt     *time.Time `json:"first_meeting_at"`
	// LastVisitOn is the last contact of any kind; LastSeenOn the last visit where the child
	// was seen, which S8 counts from.
	LastVisitOn *time.Time `json:"last_visit_on"`
	LastSeenOn  *time.Time `json:"last_seen_on"`
	// DaysSinceVisit counts from LastSeenOn (nil: never seen since registration).
	DaysSinceVisit *int     `json:"days_since_visit"`
	NextVisitDue   Deadline `json:"next_visit_due"`
	// OpenDeadlines: the next visit (S8), while the child has no full guardian S2, and from
	// its due day while no transition plan is recorded S13, and after a missing episode until the
	// return interview is held S10 (issue 10; the daily reminders send these).
	OpenDeadlines []Deadline `json:"open_deadlines"`
	// Placement is the child's current placement (placements.go PlacementSummaries); nil when
	// the child has none, which the needs-action queue flags (S5).
	Placement *PlacementSummary `json:"placement"`
	// Legal is the child's derived legal status and next procedure deadline (issue 10,
	// legal.go LegalSummaries); nil for a reader without legal.read.
	Legal *LegalSummary `json:"legal,omitempty"`
}

// MyWards lists the signed-in guardian's current wards — children with an appointment to them
// that is current now — with their visit and deadline figures, in one query; the next visit
// due first.
func (r *Registry) MyWards(ctx context.Context, a *models.Actor) ([]Ward, error) {
	if err := require(a, models.PermGuardianWards); err != nil {
		return nil, err
	}
	out := []Ward{}
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []int64
		var err error
		if out, ids, err = r.wards(tx, a, r.now()); err != nil {
			return err
		}
		return audit(ctx, tx, a, "child.list", "child", "", models.AuditChanges{
			"queue": {After: "my_wards"}, "count": {After: len(out)}, "children": {After: ids},
		}, "")
	})
	return out, err
}

// wards computes the guardian a's board at now, inside tx, without auditing it: MyWards
// audits the read; the daily reminders (alerts_reminders.go) read the open deadlines from it,
// so a deadline is computed in one place. It returns the wards and their children's ids.
func (r *Registry) wards(tx *gorm.DB, a *models.Actor, now time.Time) ([]Ward, []int64, error) {
	out := []Ward{}
	{ // (a block: the body moved here from MyWards unchanged)
		type row struct {
			models.Child
			RegionCode     string
			BorderPostCode *string
			ViaBreakGlass  bool
			WardID         int64
			WardKind       string
			WardVersion    int
			WardStarted    time.Time
			WardMet        *time.Time
			LastVisit      *time.Time
			LastSeen       *time.Time
			HasFull        bool
			// Issue 10: S2 counts from the application made.
			ApplicationMadeOn *time.Time
			PlanWarning       bool // issue 10: S13
			// Issue 10: found after a missing episode, return interview not yet held (S10).
			InterviewFoundAt *time.Time
		}
		cur := appointmentIsCurrent(now)
		var rows []row
		err := r.childViews(tx, a,
			sqlCond{sql: "ward.id AS ward_id, ward.kind AS ward_kind, ward.version AS ward_version, ward.started_at AS ward_started, ward.first_meeting_at AS ward_met"},
			sqlCond{sql: "visits.last_visit, visits.last_seen"},
			as(sqlCond{sql: `EXISTS (SELECT 1 FROM guardian_appointments ga WHERE ga.child_id = children.id AND ga.kind = 'full' AND ` + cur.sql + `)`, args: cur.args}, "has_full"),
			as(applicationMadeOn(), "application_made_on"),
			as(r.lifecycleRules().planWarning(now), "plan_warning"), // issue 10: S13
			as(returnInterviewNeed().due, "interview_found_at"),     // issue 10: S10
		).
			// The guardian's own current appointment (currentAppointment's condition, on its row).
			Joins(`JOIN LATERAL (SELECT ga.id, ga.kind, ga.version, ga.started_at, ga.first_meeting_at FROM guardian_appointments ga
				WHERE ga.child_id = children.id AND ga.guardian_user_id = ? AND `+cur.sql+`
				ORDER BY ga.started_at DESC LIMIT 1) ward ON true`, append([]any{a.UserID}, cur.args...)...).
			Joins(`LEFT JOIN LATERAL (SELECT max(v.visited_on) AS last_visit, max(v.visited_on) FILTER (WHERE v.child_seen) AS last_seen
				FROM guardian_visits v WHERE v.child_id = children.id) visits ON true`).
			Where(wardsOf(a.UserID, now).sql, wardsOf(a.UserID, now).args...).
			Order("children.id").Limit(MaxPageSize).Find(&rows).Error
		if err != nil {
			return nil, nil, err
		}
		g := r.guardianRules()
		ids := make([]int64, 0, len(rows))
		for _, x := range rows {
			w := Ward{ChildView: childRow{Child: x.Child, RegionCode: x.RegionCode, BorderPostCode: x.BorderPostCode, ViaBreakGlass: x.ViaBreakGlass}.view(), AppointmentID: x.WardID, AppointmentKind: x.WardKind, AppointmentVersion: x.WardVersion,
				AppointedAt: x.WardStarted, FirstMeetingAt: x.WardMet, LastVisitOn: x.LastVisit, LastSeenOn: x.LastSeen}
			if x.LastSeen != nil {
				d := int(now.Sub(*x.LastSeen).Hours() / 24)
				w.DaysSinceVisit = &d
			}
			w.NextVisitDue = deadline(RuleS8, g.NextVisitDue(x.LastSeen, x.WardStarted), nil, now)
			w.OpenDeadlines = []Deadline{w.NextVisitDue}
			if !x.HasFull {
				w.OpenDeadlines = append(w.OpenDeadlines, deadline(RuleS2, g.AppointDue(x.RegisteredAt, x.ApplicationMadeOn), nil, now))
			}
			if x.PlanWarning { // issue 10: S13
				w.OpenDeadlines = append(w.OpenDeadlines, r.lifecycleRules().planDeadline(x.Child, now))
			}
			if x.InterviewFoundAt != nil { // issue 10: S10, the return interview the guardian holds
				w.OpenDeadlines = append(w.OpenDeadlines, deadline(RuleS10, r.missingRules().ReturnInterviewDue(*x.InterviewFoundAt), nil, now))
			}
			out = append(out, w)
			ids = append(ids, x.ID)
		}
		places, err := r.PlacementSummaries(tx, a, ids)
		if err != nil {
			return nil, nil, err
		}
		for i := range out {
			if p, ok := places[out[i].ID]; ok {
				out[i].Placement = &p
				out[i].OpenDeadlines = append(out[i].OpenDeadlines, deadline(RuleS7, p.ReviewDue, nil, now))
			}
		}
		legal, err := r.LegalSummaries(tx, a, ids) // issue 10
		if err != nil {
			return nil, nil, err
		}
		for i := range out {
			if !a.Can(models.PermLegalRead) {
				break
			}
			l, ok := legal[out[i].ID]
			if !ok {
				l = LegalSummary{Status: LegalStatus{Stage: StageLegalNone}}
			}
			out[i].Legal = &l
			if l.NextDeadline != nil {
				out[i].OpenDeadlines = append(out[i].OpenDeadlines, *l.NextDeadline)
			}
		}
		slices.SortStableFunc(out, func(x, y Ward) int { return x.NextVisitDue.Due.Compare(y.NextVisitDue.Due) })
		return out, ids, nil
	}
}
