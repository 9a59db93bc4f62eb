package registry

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/models"
)

// The compliance use cases (issue 11): the dashboard and its violation lists, read from the
// tables the refresh writes (compliance_refresh.go), over the reader's regions
// (scope.go complianceRegions), pseudonymised, small cells suppressed for monitors.

var _ compliance.Service = (*Registry)(nil)

// ComplianceStandards are the standards with the thresholds in force (no child data).
func (r *Registry) ComplianceStandards(a *models.Actor) ([]compliance.Standard, compliance.Thresholds, error) {
	if err := require(a, models.PermComplianceRead); err != nil {
		return nil, compliance.Thresholds{}, err
	}
	return compliance.Standards, r.complianceRules().Thresholds(), nil
}

// checkComplianceFilter validates a filter (the rule code).
func checkComplianceFilter(f compliance.Filter) error {
	var verr models.ValidationError
	if f.Rule != "" {
		if _, ok := compliance.ParseCode(string(f.Rule)); !ok {
			verr.Add("rule", "code_unknown", map[string]any{"Value": string(f.Rule)})
		}
	}
	if f.RegionID < 0 || f.FacilityID < 0 || f.GuardianID < 0 {
		verr.Add("filter", "id_invalid", nil)
	}
	return verr.Err()
}

// complianceRegionFilter is the regions a read covers: the reader's, narrowed to the filter's
// region (none when that region is not theirs).
func complianceRegionFilter(a *models.Actor, f compliance.Filter) []int64 {
	rs := complianceRegions(a)
	if f.RegionID != 0 {
		if slices.Contains(rs, f.RegionID) {
			return []int64{f.RegionID}
		}
		return nil
	}
	return rs
}

// ComplianceReport is the dashboard over the reader's regions and the filter: the headline
// indicators (shares and medians over the last 12 months, counts at the last refresh), their
// monthly trends and the open violations by region, facility and guardian.
func (r *Registry) ComplianceReport(ctx context.Context, a *models.Actor, f compliance.Filter) (compliance.Report, error) {
	if err := require(a, models.PermComplianceRead); err != nil {
		return compliance.Report{}, err
	}
	if err := checkComplianceFilter(f); err != nil {
		return compliance.Report{}, err
	}
	rules := r.complianceRules()
	out := compliance.Report{Filter: f, Thresholds: rules.Thresholds(), Indicators: []compliance.Indicator{},
		Trends: []compliance.Trend{}, ByRegion: []compliance.Breakdown{}, ByFacility: []compliance.Breakdown{}, ByGuardian: []compliance.Breakdown{}}
	regions := complianceRegionFilter(a, f)
	suppress := complianceSuppressed(a)
	db := r.DB.WithContext(ctx)
	var last complianceRefreshRow
	if err := db.Order("id DESC").Limit(1).Find(&last).Error; err != nil {
		return out, err
	}
	out.ComputedAt = last.ComputedAt
	now := last.ComputedAt
	if now.IsZero() {
		now = r.now()
	}
	months := compliance.Months(now)
	if len(regions) > 0 {
		q := db.Table("compliance_monthly").Select("indicator, month, value, sum(n) AS n").
			Where("region_id IN ? AND month >= ?", regions, months[0])
		switch {
		case f.FacilityID != 0:
			q = q.Where("facility_id = ? AND guardian_id = 0", f.FacilityID)
		case f.GuardianID != 0:
			q = q.Where("guardian_id = ? AND facility_id = 0", f.GuardianID)
		default:
			q = q.Where("facility_id = 0 AND guardian_id = 0")
		}
		var cells []struct {
			Indicator string
			Month     time.Time
			Value, N  int
		}
		if err := q.Group("indicator, month, value").Scan(&cells).Error; err != nil {
			return out, err
		}
		byMonth := map[string]map[string]compliance.Distribution{} // indicator → month → distribution
		for _, c := range cells {
			m := c.Month.UTC().Format("2006-01")
			if byMonth[c.Indicator] == nil {
				byMonth[c.Indicator] = map[string]compliance.Distribution{}
			}
			if byMonth[c.Indicator][m] == nil {
				byMonth[c.Indicator][m] = compliance.Distribution{}
			}
			byMonth[c.Indicator][m][c.Value] += c.N
		}
		cur := months[len(months)-1].Format("2006-01")
		for _, def := range compliance.Indicators {
			if f.Rule != "" && def.Rule != f.Rule {
				continue
			}
			tr := compliance.Trend{Key: def.Key, Rule: def.Rule, Kind: def.Kind}
			all := compliance.Distribution{}
			for _, m := range months {
				key := m.Format("2006-01")
				d := byMonth[def.Key][key]
				in := rules.Summarise(def, d)
				if suppress {
					in = compliance.Suppress(in)
				}
				tr.Points = append(tr.Points, compliance.TrendPoint{Month: key, Value: in.Value, Numerator: in.Numerator,
					Denominator: in.Denominator, Suppressed: in.Suppressed})
				if def.Kind != compliance.KindCount || key == cur {
					for v, n := range d {
						all[v] += n
					}
				}
			}
			in := rules.Summarise(def, all)
			if suppress {
				in = compliance.Suppress(in)
			}
			out.Indicators = append(out.Indicators, in)
			out.Trends = append(out.Trends, tr)
		}
		var err error
		if out.ByRegion, err = r.complianceBreakdown(db, "region_id", regions, f, suppress); err != nil {
			return out, err
		}
		if out.ByFacility, err = r.complianceBreakdown(db, "facility_id", regions, f, suppress); err != nil {
			return out, err
		}
		if out.ByGuardian, err = r.complianceBreakdown(db, "guardian_id", regions, f, suppress); err != nil {
			return out, err
		}
	}
	err := r.auditRead(ctx, a, "compliance.report", "compliance", "", models.AuditChanges{
		"rule": {After: string(f.Rule)}, "region_id": {After: f.RegionID}, "facility_id": {After: f.FacilityID}, "guardian_id": {After: f.GuardianID}}, "")
	return out, err
}

// complianceBreakdownLimit bounds the facilities and guardians a breakdown lists (those with
// the most open violations first).
const complianceBreakdownLimit = 50

// complianceBreakdown counts the open violations per rule (and the distinct children with
// any, Children) grouped by
// col (region_id, facility_id or guardian_id), with labels: from the rollup compliance_open
// (the top complianceBreakdownLimit facilities or guardians by children with any open
// violation), or — under a facility or guardian filter, a small set — from the violations.
func (r *Registry) complianceBreakdown(db *gorm.DB, col string, regions []int64, f compliance.Filter, suppress bool) ([]compliance.Breakdown, error) {
	out := []compliance.Breakdown{}
	type cell struct {
		ID       int64
		Rule     string
		Children int
	}
	var rows []cell
	if f.FacilityID != 0 || f.GuardianID != 0 {
		q := r.complianceViolationQuery(db, regions, f).Where(col + " IS NOT NULL")
		if err := q.Select(col + " AS id, rule, count(*) AS children").Group(col + ", rule").Scan(&rows).Error; err != nil {
			return out, err
		}
		var tot []cell
		if err := r.complianceViolationQuery(db, regions, f).Where(col + " IS NOT NULL").
			Select(col + " AS id, '*' AS rule, count(DISTINCT child_id) AS children").Group(col).Scan(&tot).Error; err != nil {
			return out, err
		}
		rows = append(rows, tot...)
	} else {
		dim := strings.TrimSuffix(col, "_id")
		top := "*"
		if f.Rule != "" {
			top = string(f.Rule)
		}
		// The top members by their largest region row, read in index order (compliance_open_top_idx)
		// and stopping early; their figures are then summed over the reader's regions. A member
		// rarely spans regions (a facility or guardian works in one), so the order is exact in
		// practice.
		var cand []int64
		if err := db.Table("compliance_open").Select("id").Where("dim = ? AND rule = ? AND region_id IN ?", dim, top, regions).
			Order("n DESC, id").Limit(2 * complianceBreakdownLimit).Scan(&cand).Error; err != nil {
			return out, err
		}
		var ids []int64
		for _, id := range cand {
			if !slices.Contains(ids, id) && len(ids) < complianceBreakdownLimit {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return out, nil
		}
		if err := db.Table("compliance_open").Select("id, rule, sum(n) AS children").Where("dim = ? AND region_id IN ? AND id IN ?", dim, regions, ids).
			Group("id, rule").Scan(&rows).Error; err != nil {
			return out, err
		}
	}
	idx := map[int64]int{}
	for _, x := range rows {
		i, ok := idx[x.ID]
		if !ok {
			i = len(out)
			idx[x.ID] = i
			out = append(out, compliance.Breakdown{ID: x.ID, Counts: map[compliance.Code]int{}})
		}
		switch {
		case x.Rule == "*":
			out[i].Children = x.Children
		case f.Rule == "" || compliance.Code(x.Rule) == f.Rule:
			out[i].Counts[compliance.Code(x.Rule)] = x.Children
		}
	}
	slices.SortFunc(out, func(x, y compliance.Breakdown) int {
		if x.Children != y.Children {
			return y.Children - x.Children
		}
		return int(x.ID - y.ID)
	})
	if len(out) > complianceBreakdownLimit {
		out = out[:complianceBreakdownLimit]
	}
	ids := make([]int64, len(out))
	for i, b := range out {
		ids[i] = b.ID
	}
	var labels []struct {
		ID    int64
		Label string
	}
	var lq *gorm.DB
	switch col {
	case "region_id":
		lq = db.Table("regions").Select("id, name AS label")
	case "facility_id":
		lq = db.Table("facilities").Select("id, name AS label")
	default:
		lq = db.Table("users u").Select("u.id, " + userLabelSQL + " AS label")
	}
	if len(ids) > 0 {
		if err := lq.Where("id IN ?", ids).Scan(&labels).Error; err != nil {
			return out, err
		}
	}
	names := map[int64]string{}
	for _, l := range labels {
		names[l.ID] = l.Label
	}
	for i := range out {
		out[i].Label = names[out[i].ID]
		if suppress {
			for c, n := range out[i].Counts {
				if compliance.SuppressCount(n) {
					out[i].Counts[c] = 0
					out[i].Suppressed = append(out[i].Suppressed, c)
				}
			}
			slices.Sort(out[i].Suppressed)
			if compliance.SuppressCount(out[i].Children) {
				out[i].Children = 0
			}
		}
	}
	return out, nil
}

// complianceViolationQuery starts a query over compliance_violations in the regions, narrowed
// by the filter.
func (r *Registry) complianceViolationQuery(db *gorm.DB, regions []int64, f compliance.Filter) *gorm.DB {
	q := db.Table("compliance_violations").Where("region_id IN ?", regions)
	if f.Rule != "" {
		q = q.Where("rule = ?", string(f.Rule))
	}
	if f.FacilityID != 0 {
		q = q.Where("facility_id = ?", f.FacilityID)
	}
	if f.GuardianID != 0 {
		q = q.Where("guardian_id = ?", f.GuardianID)
	}
	return q
}

func (v complianceViolationRow) violation() compliance.Violation {
	out := compliance.Violation{ID: v.ID, ChildID: v.ChildID, RegistrationNumber: v.RegistrationNumber, AgeBand: v.AgeBand,
		Nationalities: v.Nationalities, RegionID: v.RegionID, FacilityID: v.FacilityID, GuardianID: v.GuardianID,
		Rule: compliance.Code(v.Rule), Since: v.Since.UTC(), Due: v.Due.UTC(), Days: v.Days, Threshold: v.Threshold,
		Unit: compliance.Unit(v.Unit), Resolve: v.Resolve, Facts: []compliance.Fact{}, ComputedAt: v.ComputedAt.UTC()}
	if out.Nationalities == nil {
		out.Nationalities = []string{}
	}
	_ = json.Unmarshal(v.Facts, &out.Facts)
	return out
}

// ComplianceViolations lists the open violations in the reader's regions matching the filter,
// pseudonymised (registration number, age band, nationalities, region), by id. Every child
// listed is recorded in that child's access history.
func (r *Registry) ComplianceViolations(ctx context.Context, a *models.Actor, f compliance.Filter, p compliance.Page) (compliance.ViolationPage, error) {
	out := compliance.ViolationPage{Items: []compliance.Violation{}}
	if err := require(a, models.PermComplianceRead); err != nil {
		return out, err
	}
	var verr models.ValidationError
	limit := checkPage(p.After, p.Limit, &verr)
	if err := checkComplianceFilter(f); err != nil {
		return out, err
	}
	if err := verr.Err(); err != nil {
		return out, err
	}
	if err := r.takeComplianceList(a); err != nil {
		return out, err
	}
	regions := complianceRegionFilter(a, f)
	if len(regions) > 0 {
		db := r.DB.WithContext(ctx)
		var total int64
		q := r.complianceViolationQuery(db, regions, f)
		if f.FacilityID == 0 && f.GuardianID == 0 {
			// From the rollup: the violations per region and rule, a few rows.
			q = db.Table("compliance_open").Select("COALESCE(sum(n), 0)").Where("dim = 'region' AND rule <> '*' AND region_id IN ?", regions)
			if f.Rule != "" {
				q = q.Where("rule = ?", string(f.Rule))
			}
			err := q.Scan(&total).Error
			if err != nil {
				return out, err
			}
		} else if err := q.Count(&total).Error; err != nil {
			return out, err
		}
		out.Total = int(total)
		var rows []complianceViolationRow
		err := r.complianceViolationQuery(db, regions, f).Select("compliance_violations.*, rg.code AS region_code").
			Joins("JOIN regions rg ON rg.id = compliance_violations.region_id").
			Where("compliance_violations.id > ?", p.After).Order("compliance_violations.id").Limit(limit + 1).Scan(&rows).Error
		if err != nil {
			return out, err
		}
		if len(rows) > limit {
			rows, out.Next = rows[:limit], rows[limit-1].ID
		}
		for _, x := range rows {
			v := x.violation()
			v.RegionCode = x.RegionCode
			out.Items = append(out.Items, v)
		}
	}
	return out, r.auditListed(ctx, a, "compliance.violations", out.Items)
}

// auditListed records, in each listed child's access history, that the actor was shown the
// child in a compliance list (one event per child, written together by the read batcher), and
// the list itself when it shows nobody.
func (r *Registry) auditListed(ctx context.Context, a *models.Actor, action string, items []compliance.Violation) error {
	if len(items) == 0 {
		return r.auditRead(ctx, a, action, "compliance", "", models.AuditChanges{"count": {After: 0}}, "")
	}
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, v := range items {
		if seen[v.ChildID] {
			continue
		}
		seen[v.ChildID] = true
		wg.Add(1)
		go func(v compliance.Violation) {
			defer wg.Done()
			err := r.auditRead(ctx, a, action, "child", strconv.FormatInt(v.ChildID, 10), models.AuditChanges{"rule": {After: string(v.Rule)}}, "")
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}(v)
	}
	wg.Wait()
	return first
}

// ComplianceViolation is one open violation with its explanation, if its child is in the
// reader's regions (otherwise not found, like a violation that no longer exists). The read is
// recorded in the child's access history.
func (r *Registry) ComplianceViolation(ctx context.Context, a *models.Actor, id int64) (compliance.ViolationDetail, error) {
	if err := require(a, models.PermComplianceRead); err != nil {
		return compliance.ViolationDetail{}, err
	}
	regions := complianceRegions(a)
	if len(regions) == 0 {
		return compliance.ViolationDetail{}, models.ErrNotFound
	}
	if err := r.takeComplianceList(a); err != nil {
		return compliance.ViolationDetail{}, err
	}
	var row complianceViolationRow
	err := r.DB.WithContext(ctx).Table("compliance_violations").Select("compliance_violations.*, rg.code AS region_code").
		Joins("JOIN regions rg ON rg.id = compliance_violations.region_id").
		Where("compliance_violations.id = ? AND compliance_violations.region_id IN ?", id, regions).Take(&row).Error
	if err != nil {
		return compliance.ViolationDetail{}, notFound(err)
	}
	v := row.violation()
	v.RegionCode = row.RegionCode
	std, _ := compliance.StandardOf(v.Rule)
	out := compliance.ViolationDetail{Violation: v, Standard: std}
	return out, r.auditListed(ctx, a, "compliance.violation", []compliance.Violation{v})
}

// ParseComplianceFilter reads a filter from a query (?rule=S6&region_id=…&facility_id=…&
// guardian_id=…), for both faces; malformed values are refused, naming the parameter.
func ParseComplianceFilter(q url.Values) (compliance.Filter, error) {
	var f compliance.Filter
	var verr models.ValidationError
	if v := q.Get("rule"); v != "" {
		c, ok := compliance.ParseCode(v)
		if !ok {
			verr.Add("rule", "code_unknown", map[string]any{"Value": v})
		}
		f.Rule = c
	}
	for _, x := range []struct {
		name string
		dst  *int64
	}{{"region_id", &f.RegionID}, {"facility_id", &f.FacilityID}, {"guardian_id", &f.GuardianID}} {
		if v := q.Get(x.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				verr.Add(x.name, "id_invalid", nil)
				continue
			}
			*x.dst = n
		}
	}
	return f, verr.Err()
}
