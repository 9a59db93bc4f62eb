package registry

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/models"
)

// The compliance refresh (issue 11, docs/compliance.md): every child's dated facts are read in
// batches, the rules of compliance/ evaluated at now (violations) and at each of the last 12
// months' ends (indicators), and the results replace compliance_violations and
// compliance_monthly in one transaction. The dashboard reads only those tables.

// complianceBatch is how many children one round of fact queries reads.
const complianceBatch = 2000

// complianceViolationRow is a row of compliance_violations.
type complianceViolationRow struct {
	ID                 int64 `gorm:"primaryKey"`
	Generation         int64
	ChildID            int64
	Rule               string
	RegionID           int64
	FacilityID         *int64
	GuardianID         *int64
	RegistrationNumber string
	AgeBand            string
	Nationalities      models.Strings `gorm:"type:text[]"`
	Since, Due         time.Time
	Days, Threshold    int
	Unit, Resolve      string
	Facts              json.RawMessage `gorm:"type:jsonb"`
	ComputedAt         time.Time
	// RegionCode is read with the row (joined), never written.
	RegionCode string `gorm:"->"`
}

func (complianceViolationRow) TableName() string { return "compliance_violations" }

type complianceMonthlyRow struct {
	Month      time.Time
	RegionID   int64
	FacilityID int64
	GuardianID int64
	Indicator  string
	Value      int
	N          int
}

func (complianceMonthlyRow) TableName() string { return "compliance_monthly" }

type complianceRefreshRow struct {
	ID                   int64 `gorm:"primaryKey"`
	ComputedAt           time.Time
	Thresholds           json.RawMessage `gorm:"type:jsonb"`
	Children, Violations int
	TookMs               int
}

func (complianceRefreshRow) TableName() string { return "compliance_refreshes" }

// RefreshCompliance re-evaluates every rule over every child and replaces the stored
// violations and monthly indicators, in one transaction (readers see the old figures until it
// commits). A change of the thresholds in force since the previous refresh is audited.
func (r *Registry) RefreshCompliance(ctx context.Context) error {
	start, now, rules := time.Now(), r.now(), r.complianceRules()
	th, err := json.Marshal(rules.Thresholds().Values)
	if err != nil {
		return err
	}
	var stats complianceRefreshRow
	err = r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// One refresh at a time: a second waits, then recomputes from the newer data.
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext('kujdes.compliance_refresh'))").Error; err != nil {
			return err
		}
		var prev complianceRefreshRow
		if err := tx.Order("id DESC").Limit(1).Find(&prev).Error; err != nil {
			return err
		}
		if prev.ID != 0 && !jsonEqual(prev.Thresholds, th) {
			if err := audit(ctx, tx, SystemActor("compliance"), "compliance.thresholds", "compliance", "", models.AuditChanges{
				"thresholds": {Before: string(prev.Thresholds), After: string(th)}}, ""); err != nil {
				return err
			}
		}
		stats = complianceRefreshRow{ComputedAt: now, Thresholds: th}
		if err := tx.Create(&stats).Error; err != nil {
			return err
		}
		agg := map[complianceMonthlyRow]int{}
		addCase := func(k compliance.Case) {
			key := complianceMonthlyRow{Month: k.Month, RegionID: k.RegionID, Indicator: k.Indicator, Value: k.Value}
			agg[key]++
			if k.FacilityID != 0 {
				f := key
				f.FacilityID = k.FacilityID
				agg[f]++
			}
			if k.GuardianID != 0 {
				g := key
				g.GuardianID = k.GuardianID
				agg[g]++
			}
		}
		ends, months := compliance.MonthEnds(now), compliance.Months(now)
		loads := make([]map[int64]int, len(ends))
		for i := range loads {
			loads[i] = map[int64]int{}
		}
		var after int64
		for {
			facts, err := complianceFacts(tx, after)
			if err != nil {
				return err
			}
			if len(facts) == 0 {
				break
			}
			after = facts[len(facts)-1].ID
			var rows []complianceViolationRow
			for _, c := range facts {
				stats.Children++
				for _, v := range rules.Evaluate(c, now) {
					v = c.Pseudonymise(v, now)
					fj, err := json.Marshal(v.Facts)
					if err != nil {
						return err
					}
					rows = append(rows, complianceViolationRow{Generation: stats.ID, ChildID: v.ChildID, Rule: string(v.Rule),
						RegionID: v.RegionID, FacilityID: v.FacilityID, GuardianID: v.GuardianID, RegistrationNumber: v.RegistrationNumber,
						AgeBand: v.AgeBand, Nationalities: v.Nationalities, Since: v.Since, Due: v.Due, Days: v.Days,
						Threshold: v.Threshold, Unit: string(v.Unit), Resolve: v.Resolve, Facts: fj, ComputedAt: now})
				}
				for _, k := range rules.Cases(c, now) {
					addCase(k)
				}
				for i, at := range ends {
					if ap := c.CurrentAppointment(at); ap != nil && c.Status != "duplicate" {
						loads[i][ap.GuardianID]++
					}
				}
			}
			stats.Violations += len(rows)
			if len(rows) > 0 {
				// A violation still open keeps its id (its page's address); its figures are renewed.
				err := tx.Clauses(clause.OnConflict{
					Columns: []clause.Column{{Name: "child_id"}, {Name: "rule"}, {Name: "due"}},
					DoUpdates: clause.AssignmentColumns([]string{"generation", "region_id", "facility_id", "guardian_id",
						"registration_number", "age_band", "nationalities", "since", "days", "threshold", "unit", "resolve", "facts", "computed_at"}),
				}).CreateInBatches(&rows, 500).Error
				if err != nil {
					return err
				}
			}
		}
		if err := tx.Where("generation <> ?", stats.ID).Delete(&complianceViolationRow{}).Error; err != nil {
			return err
		}
		if err := refreshComplianceOpen(tx); err != nil {
			return err
		}
		// S3 over the guardians with wards at each month's end.
		var gs []struct {
			UserID, RegionID int64
			CaseloadCap      *int
		}
		if err := tx.Table("guardians").Select("user_id, region_id, caseload_cap").Scan(&gs).Error; err != nil {
			return err
		}
		for i, m := range months {
			var ls []compliance.GuardianLoad
			for _, g := range gs {
				ls = append(ls, compliance.GuardianLoad{GuardianID: g.UserID, RegionID: g.RegionID, Cap: g.CaseloadCap, Wards: loads[i][g.UserID]})
			}
			for _, k := range rules.GuardianCases(m, ls) {
				addCase(k)
			}
		}
		if err := tx.Exec("DELETE FROM compliance_monthly").Error; err != nil {
			return err
		}
		out := make([]complianceMonthlyRow, 0, len(agg))
		for k, n := range agg {
			k.N = n
			out = append(out, k)
		}
		if len(out) > 0 {
			if err := tx.CreateInBatches(&out, 1000).Error; err != nil {
				return err
			}
		}
		stats.TookMs = int(time.Since(start).Milliseconds())
		return tx.Model(&stats).Updates(map[string]any{"children": stats.Children, "violations": stats.Violations, "took_ms": stats.TookMs}).Error
	})
	if err != nil {
		return err
	}
	slog.InfoContext(ctx, "compliance refreshed", "children", stats.Children, "violations", stats.Violations, "took_ms", stats.TookMs)
	// The refresh rewrote the tables the dashboard reads: fresh statistics keep its plans on
	// the indexes (at 100 000 children the report's p95 right after a refresh was 435 ms
	// without it, at load 9, and 58 ms with it, at load 5.6). Sampled: about a second at a
	// million children; a failure only costs speed.
	if err := r.DB.WithContext(ctx).Exec("ANALYZE compliance_violations, compliance_monthly, compliance_open").Error; err != nil {
		slog.WarnContext(ctx, "compliance statistics not refreshed", "err", models.RedactError(err))
	}
	return nil
}

func jsonEqual(a, b []byte) bool {
	var x, y map[string]int
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil || len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if y[k] != v {
			return false
		}
	}
	return true
}

// complianceFacts reads the dated facts of the next batch of children after the id, in one
// query per table (never per child).
func complianceFacts(tx *gorm.DB, after int64) ([]compliance.ChildFacts, error) {
	type childFactRow struct {
		ID                 int64
		RegistrationNumber string
		RegionID           int64
		RegionCode         string
		Status             string
		BirthDateFrom      *time.Time
		BirthDateTo        *time.Time
		Nationalities      models.Strings `gorm:"type:text[]"`
		RegisteredAt       time.Time
		AssessedAt         *time.Time
		ApplicationMadeOn  *time.Time
		ClosedOn           *time.Time
	}
	app := applicationMadeOn()
	var cs []childFactRow
	err := tx.Table("children").Select(`children.id, children.registration_number, children.region_id, rg.code AS region_code,
		children.status, children.birth_date_from, children.birth_date_to, children.nationalities,
		COALESCE(children.registered_at, children.created_at) AS registered_at,
		children.vulnerabilities_assessed_at AS assessed_at, `+app.sql+` AS application_made_on,
		CASE WHEN NOT (`+caseOpen.sql+`) THEN
			(SELECT max(e.occurred_on)::timestamp AT TIME ZONE 'UTC' FROM child_lifecycle_events e WHERE e.child_id = children.id) END AS closed_on`, app.args...).
		Joins("JOIN regions rg ON rg.id = children.region_id").
		Where("children.id > ? AND children.status <> 'duplicate'", after).Order("children.id").Limit(complianceBatch).Scan(&cs).Error
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	ids := make([]int64, len(cs))
	idx := map[int64]int{}
	out := make([]compliance.ChildFacts, len(cs))
	for i, c := range cs {
		ids[i], idx[c.ID] = c.ID, i
		out[i] = compliance.ChildFacts{ID: c.ID, RegistrationNumber: c.RegistrationNumber, RegionID: c.RegionID, RegionCode: c.RegionCode,
			Status: c.Status, BirthFrom: c.BirthDateFrom, BirthTo: c.BirthDateTo, Nationalities: c.Nationalities,
			RegisteredAt: c.RegisteredAt, AssessedAt: c.AssessedAt, ApplicationMadeOn: c.ApplicationMadeOn, ClosedOn: c.ClosedOn}
	}
	var aps []struct {
		ChildID, GuardianUserID int64
		Kind                    string
		StartedAt               time.Time
		EndedAt                 *time.Time
	}
	if err := tx.Table("guardian_appointments").Select("child_id, guardian_user_id, kind, started_at, ended_at").
		Where("child_id IN ?", ids).Order("started_at").Scan(&aps).Error; err != nil {
		return nil, err
	}
	for _, a := range aps {
		c := &out[idx[a.ChildID]]
		c.Appointments = append(c.Appointments, compliance.AppointmentFact{GuardianID: a.GuardianUserID, Kind: a.Kind, Started: a.StartedAt, Ended: a.EndedAt})
	}
	var pls []struct {
		ID, ChildID, FacilityID int64
		Kind                    string
		StartedAt               time.Time
		EndedAt                 *time.Time
		BestInterests           string
		Checks                  models.Strings `gorm:"type:text[]"`
	}
	if err := tx.Table("placements p").Select(`p.id, p.child_id, p.facility_id, f.kind, p.started_at, p.ended_at, p.best_interests,
		ARRAY(SELECT pc.checked_on::text FROM placement_checks pc WHERE pc.placement_id = p.id) AS checks`).
		Joins("JOIN facilities f ON f.id = p.facility_id").Where("p.child_id IN ?", ids).Order("p.started_at").Scan(&pls).Error; err != nil {
		return nil, err
	}
	for _, p := range pls {
		c := &out[idx[p.ChildID]]
		pf := compliance.PlacementFact{FacilityID: p.FacilityID, FacilityKind: p.Kind, Started: p.StartedAt, Ended: p.EndedAt, BestInterests: p.BestInterests}
		for _, d := range p.Checks {
			if t, err := time.Parse(time.DateOnly, d); err == nil {
				pf.Checks = append(pf.Checks, t)
			}
		}
		c.Placements = append(c.Placements, pf)
	}
	type dated struct {
		ChildID int64
		On      time.Time
	}
	for _, q := range []struct {
		sql string
		set func(c *compliance.ChildFacts, t time.Time)
	}{
		{"SELECT child_id, visited_on::timestamp AT TIME ZONE 'UTC' AS on FROM guardian_visits WHERE child_seen AND child_id IN ?",
			func(c *compliance.ChildFacts, t time.Time) { c.VisitsSeen = append(c.VisitsSeen, t) }},
		{"SELECT child_id, informed_on::timestamp AT TIME ZONE 'UTC' AS on FROM rights_information WHERE child_id IN ?",
			func(c *compliance.ChildFacts, t time.Time) { c.RightsOn = append(c.RightsOn, t) }},
		{"SELECT child_id, planned_on::timestamp AT TIME ZONE 'UTC' AS on FROM transition_plans WHERE child_id IN ?",
			func(c *compliance.ChildFacts, t time.Time) { c.PlansOn = append(c.PlansOn, t) }},
	} {
		var ds []dated
		if err := tx.Raw(q.sql, ids).Scan(&ds).Error; err != nil {
			return nil, err
		}
		for _, d := range ds {
			q.set(&out[idx[d.ChildID]], d.On)
		}
	}
	var eps []struct {
		ChildID                   int64
		DiscoveredAt              time.Time
		PoliceReportedAt, FoundAt *time.Time
		InterviewAt               *time.Time
	}
	if err := tx.Table("missing_episodes").Select("child_id, discovered_at, police_reported_at, found_at, interview_at").
		Where("child_id IN ?", ids).Order("discovered_at").Scan(&eps).Error; err != nil {
		return nil, err
	}
	for _, e := range eps {
		c := &out[idx[e.ChildID]]
		c.Missing = append(c.Missing, compliance.EpisodeFact{Discovered: e.DiscoveredAt, PoliceReported: e.PoliceReportedAt, Found: e.FoundAt, Interview: e.InterviewAt})
	}
	return out, nil
}

// refreshComplianceOpen rolls the open violations up per region, facility and guardian and
// rule (how many open violations), with a '*' row per dimension member counting the distinct
// children with any; then refreshes the planner's statistics of the three tables, which the
// refresh has just rewritten (ANALYZE runs inside the transaction).
func refreshComplianceOpen(tx *gorm.DB) error {
	if err := tx.Exec("DELETE FROM compliance_open").Error; err != nil {
		return err
	}
	err := tx.Exec(`INSERT INTO compliance_open (dim, id, region_id, rule, n)
		SELECT 'region', region_id, region_id, rule, count(*) FROM compliance_violations GROUP BY region_id, rule
		UNION ALL SELECT 'region', region_id, region_id, '*', count(DISTINCT child_id) FROM compliance_violations GROUP BY region_id
		UNION ALL SELECT 'facility', facility_id, region_id, rule, count(*) FROM compliance_violations
			WHERE facility_id IS NOT NULL GROUP BY facility_id, region_id, rule
		UNION ALL SELECT 'facility', facility_id, region_id, '*', count(DISTINCT child_id) FROM compliance_violations
			WHERE facility_id IS NOT NULL GROUP BY facility_id, region_id
		UNION ALL SELECT 'guardian', guardian_id, region_id, rule, count(*) FROM compliance_violations
			WHERE guardian_id IS NOT NULL GROUP BY guardian_id, region_id, rule
		UNION ALL SELECT 'guardian', guardian_id, region_id, '*', count(DISTINCT child_id) FROM compliance_violations
			WHERE guardian_id IS NOT NULL GROUP BY guardian_id, region_id`).Error
	if err != nil {
		return err
	}
	return tx.Exec("ANALYZE compliance_open, compliance_violations, compliance_monthly").Error
}

// ComplianceRefreshArgs is the periodic River job that runs RefreshCompliance (package notify
// works it, every KUJDES_COMPLIANCE_REFRESH_EVERY); Slot (the start of the interval, RFC 3339)
// makes it unique per interval, so several instances refresh once.
type ComplianceRefreshArgs struct {
	Slot string `json:"slot"`
}

// Kind names the job in river_job.
func (ComplianceRefreshArgs) Kind() string { return "compliance_refresh" }
