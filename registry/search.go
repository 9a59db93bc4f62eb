package registry

import (
	"context"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// SearchInput filters the children in the actor's scope. Names travel in the request body,
// never in a URL.
type SearchInput struct {
	Name           string `json:"name,omitempty" input:"len=100"`
	Status         string `json:"status,omitempty" input:"len=35"`
	Nationality    string `json:"nationality,omitempty" input:"len=35"`
	AgeBand        string `json:"age_band,omitempty" input:"len=35"` // "0-13", "14-15", "16-17", "18+"
	RegisteredFrom string `json:"registered_from,omitempty" input:"len=35"`
	RegisteredTo   string `json:"registered_to,omitempty" input:"len=35"`
	// After and Limit page through a search without a name (page.go: after ≥ 0, limit
	// 0..MaxPageSize, 0 meaning DefaultPageSize); out of range is refused, never clamped.
	After int64 `json:"after,omitempty"`
	Limit int   `json:"limit,omitempty"`
}

// AgeBands are the bands a search may filter by (age today, from the birth range's middle).
var AgeBands = []string{"0-13", "14-15", "16-17", "18+"}

// SearchChildren lists the children in scope that match, by id (keyset), or — with a name —
// the closest names first. The search is audited (its filters, not the name).
func (r *Registry) SearchChildren(ctx context.Context, a *models.Actor, in SearchInput) (ChildPage, error) {
	if err := require(a, models.PermChildList); err != nil {
		return ChildPage{}, err
	}
	if err := CheckInput(in); err != nil {
		return ChildPage{}, err
	}
	var verr models.ValidationError
	in.Name = strings.TrimSpace(in.Name)
	if in.Status != "" && !slices.Contains(models.ChildStatuses, in.Status) {
		verr.Add("status", "code_unknown", map[string]any{"Value": in.Status})
	}
	if in.AgeBand != "" && !slices.Contains(AgeBands, in.AgeBand) {
		verr.Add("age_band", "code_unknown", map[string]any{"Value": in.AgeBand})
	}
	var from, to time.Time
	var err error
	if in.RegisteredFrom != "" {
		if from, err = time.Parse(time.DateOnly, in.RegisteredFrom); err != nil {
			verr.Add("registered_from", "date_invalid", nil)
		}
	}
	if in.RegisteredTo != "" {
		if to, err = time.Parse(time.DateOnly, in.RegisteredTo); err != nil {
			verr.Add("registered_to", "date_invalid", nil)
		}
	}
	limit := checkPage(in.After, in.Limit, &verr)
	if err := verr.Err(); err != nil {
		return ChildPage{}, err
	}
	var page ChildPage
	err = r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := r.childViews(tx, a)
		if in.Status != "" {
			q = q.Where("children.status = ?", in.Status)
		}
		if in.Nationality != "" {
			q = q.Where("? = ANY(children.nationalities)", strings.ToUpper(in.Nationality))
		}
		if !from.IsZero() {
			q = q.Where("children.registered_at >= ?", from)
		}
		if !to.IsZero() {
			q = q.Where("children.registered_at < ?", to.AddDate(0, 0, 1))
		}
		if in.AgeBand != "" {
			lo, hi := ageBand(in.AgeBand)
			today := r.now()
			// Age from the middle of the birth range.
			mid := "(children.birth_date_from + (children.birth_date_to - children.birth_date_from) / 2)"
			bornFrom, bornTo := models.BirthDatesForAges(lo, hi, today)
			q = q.Where(mid+" BETWEEN ?::date AND ?::date", bornFrom, bornTo)
		}
		var rows []childRow
		if in.Name != "" {
			// Closest names first; trigram similarity over the transliterated, accent-folded names.
			latin := strings.ToLower(matching.LatinName(in.Name))
			q = q.Joins(`JOIN LATERAL (SELECT max(similarity(cn.norm, lower(kujdes_unaccent(?)))) AS sim
				FROM child_names cn WHERE cn.child_id = children.id AND cn.kind <> 'parentage') names ON true`, latin).
				Where("names.sim >= 0.3").Order("names.sim DESC, children.id")
			if err := q.Limit(limit).Find(&rows).Error; err != nil {
				return err
			}
		} else {
			if err := q.Where("children.id > ?", in.After).Order("children.id").Limit(limit + 1).Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) > limit {
				rows, page.Next = rows[:limit], rows[limit-1].ID
			}
		}
		page.Items = views(rows)
		return audit(ctx, tx, a, "child.search", "child", "", models.AuditChanges{
			"by_name": {After: in.Name != ""}, "status": {After: in.Status}, "nationality": {After: in.Nationality},
			"age_band": {After: in.AgeBand}, "count": {After: len(rows)},
		}, "")
	})
	return page, err
}

func ageBand(b string) (lo, hi int) {
	switch b {
	case "0-13":
		return 0, 13
	case "14-15":
		return 14, 15
	case "16-17":
		return 16, 17
	}
	return 18, 150
}

// NeedsAction is a child waiting for something the standards require, with what.
type NeedsAction struct {
	ChildView
	// Reasons: "no_guardian" (S1/S2), "vulnerabilities_not_assessed" (S4),
	// "age_assessment_pending", "seen_elsewhere" (a sighting in the last 30 days),
	// "visit_overdue" (S8, guardian_rules.go), "no_placement" (S5), "placement_review_due"
	// (S7, placements.go), "return_interview_due" (S10, missing_rules.go) and
	// "transition_plan_due" (S13, lifecycle_rules.go) and "rights_information_due" (S11,
	// compliance_rules.go).
	Reasons []string `json:"reasons"`
	// Deadlines of the reasons that have one, each naming its rule (S1, S2, S8 guardianship;
	// S5, S7 placements; S10 return interview) and its due date.
	Deadlines []Deadline `json:"deadlines,omitempty"`
}

// NeedsActionQueue lists the children in scope who still need a guardian, a vulnerability
// assessment, an age decision, a visit, a placement or a placement review, oldest
// registration first.
func (r *Registry) NeedsActionQueue(ctx context.Context, a *models.Actor, limit int) ([]NeedsAction, error) {
	if err := require(a, models.PermChildList); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxPageSize {
		limit = 100
	}
	var out []NeedsAction
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		type row struct {
			models.Child
			RegionCode                          string
			BorderPostCode                      *string
			ViaBreakGlass                       bool
			NoGuardian, NotAssessed, AgePending bool
			SeenElsewhere                       bool // issue 7: sightings
			VisitOverdue                        bool // issue 9: S8
			VisitBase                           *time.Time
			ApplicationMadeOn                   *time.Time // issue 10: S2 counts from it
			// Issue 9: no placement yet (S5) and placement review due (S7), with their dates.
			PlacementDue, ReviewDue *time.Time
			// Issue 10: found, return interview not yet held (S10).
			InterviewFoundAt *time.Time
			PlanWarning      bool       // issue 10: S13
			RightsDue        *time.Time // issue 11: S11
		}
		noGuardian := not(currentAppointment(0, r.now()))
		agePending := sqlCond{sql: "EXISTS (SELECT 1 FROM age_assessments aa WHERE aa.child_id = children.id AND aa.outcome = 'pending')"}
		sighted := seenElsewhere(r.now())
		overdue := r.guardianRules().visitOverdue(r.now())
		placementDue, reviewDue := r.placementNeeds()
		interviewDue := returnInterviewNeed()
		planWarning := r.lifecycleRules().planWarning(r.now())         // issue 10: S13
		rightsDue := r.lifecycleRules().rightsInformationNeed(r.now()) // issue 11: S11
		needs := or(noGuardian, notAssessed, agePending, sighted, overdue, placementDue.when, reviewDue.when, interviewDue.when, planWarning, rightsDue.when)
		var rows []row
		err := r.childViews(tx, a, as(noGuardian, "no_guardian"), as(notAssessed, "not_assessed"), as(agePending, "age_pending"),
			as(sighted, "seen_elsewhere"), as(overdue, "visit_overdue"), as(visitBase(r.now()), "visit_base"),
			as(placementDue.due, "placement_due"), as(reviewDue.due, "review_due"), as(interviewDue.due, "interview_found_at"),
			as(applicationMadeOn(), "application_made_on"), as(planWarning, "plan_warning"), as(rightsDue.due, "rights_due")).
			Where(caseOpen.sql).
			Where(needs.sql, needs.args...).
			Order("children.registered_at, children.id").Limit(limit).Find(&rows).Error
		if err != nil {
			return err
		}
		out = make([]NeedsAction, len(rows))
		for i, x := range rows {
			// The WHERE above admits only rows with at least one reason.
			var rs []string
			if x.NoGuardian {
				rs = append(rs, "no_guardian")
			}
			if x.NotAssessed {
				rs = append(rs, "vulnerabilities_not_assessed")
			}
			if x.AgePending {
				rs = append(rs, "age_assessment_pending")
			}
			if x.SeenElsewhere {
				rs = append(rs, ReasonSeenElsewhere)
			}
			if x.VisitOverdue {
				rs = append(rs, ReasonVisitOverdue)
			}
			deadlines := r.guardianRules().queueDeadlines(x.RegisteredAt, x.ApplicationMadeOn, x.NoGuardian, x.VisitOverdue, x.VisitBase, r.now())
			if x.PlacementDue != nil {
				rs = append(rs, ReasonNoPlacement)
				deadlines = append(deadlines, deadline(RuleS5, *x.PlacementDue, nil, r.now()))
			}
			if x.ReviewDue != nil {
				rs = append(rs, ReasonPlacementReviewDue)
				deadlines = append(deadlines, deadline(RuleS7, *x.ReviewDue, nil, r.now()))
			}
			if x.InterviewFoundAt != nil {
				rs = append(rs, ReasonReturnInterviewDue)
				deadlines = append(deadlines, deadline(RuleS10, r.missingRules().ReturnInterviewDue(*x.InterviewFoundAt), nil, r.now()))
			}
			if x.PlanWarning { // issue 10: S13
				rs = append(rs, ReasonTransitionPlanDue)
				deadlines = append(deadlines, r.lifecycleRules().planDeadline(x.Child, r.now()))
			}
			if x.RightsDue != nil { // issue 11: S11
				rs = append(rs, ReasonRightsInformationDue)
				deadlines = append(deadlines, deadline(RuleS11, *x.RightsDue, nil, r.now()))
			}
			v := childRow{Child: x.Child, RegionCode: x.RegionCode, BorderPostCode: x.BorderPostCode, ViaBreakGlass: x.ViaBreakGlass}.view()
			out[i] = NeedsAction{ChildView: v, Reasons: rs, Deadlines: deadlines}
		}
		return audit(ctx, tx, a, "child.list", "child", "", models.AuditChanges{"queue": {After: "needs_action"}, "count": {After: len(out)}}, "")
	})
	return out, err
}
