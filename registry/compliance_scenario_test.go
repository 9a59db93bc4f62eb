package registry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// complianceScenario is a small population built by hand; every figure the dashboard must
// show for it is written out in TestComplianceScenario. The clock stands at Monday 15 June
// 2026, 10:00 UTC; the 12 months are July 2025 – June 2026.
type complianceScenario struct {
	db              *gorm.DB
	reg             *registry.Registry
	monitor, po     *models.Actor
	otherMonitor    *models.Actor
	ids             map[string]int64 // registration number → child id
	regionA, police int64
}

func newComplianceScenario(t *testing.T) complianceScenario {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	s := complianceScenario{db: db, reg: registry.New(db), ids: map[string]int64{}}
	s.reg.Now = func() time.Time { return now }
	exec := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	ts := func(v string) time.Time {
		t.Helper()
		x, err := time.Parse("2006-01-02 15:04", v)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	s.regionA = exec(`INSERT INTO regions (code, name) VALUES ('CPA', 'Scenario A')`)
	regionB := exec(`INSERT INTO regions (code, name) VALUES ('CPB', 'Scenario B')`)
	user := func(name string) int64 {
		return exec(`INSERT INTO users (issuer, subject, username, display_name) VALUES ('test', ?, ?, ?)`, name, name, name)
	}
	g1, g2 := user("guardian-one"), user("guardian-two")
	exec(`INSERT INTO guardians (user_id, kind, region_id) VALUES (?, 'person', ?)`, g1, s.regionA)
	exec(`INSERT INTO guardians (user_id, kind, region_id, caseload_cap) VALUES (?, 'person', ?, 1)`, g2, s.regionA)
	foster := exec(`INSERT INTO facilities (name, kind, region_id, capacity) VALUES ('Foster One', 'foster_family', ?, 5)`, s.regionA)
	s.police = exec(`INSERT INTO facilities (name, kind, region_id, capacity) VALUES ('Police Cell', 'police_detention', ?, 5)`, s.regionA)
	child := func(reg string, region int64, status, born, registered string) int64 {
		id := exec(`INSERT INTO children (registration_number, region_id, status, given_name, family_name, sex,
			birth_date_known, birth_date_from, birth_date_to, nationalities, languages, protection_status, registered_at)
			VALUES (?, ?, ?, 'Secretname', 'Hidden', 'male', true, ?, ?, '{AF}', '{fa}', 'unaccompanied', ?)`,
			reg, region, status, born, born, ts(registered))
		s.ids[reg] = id
		return id
	}
	appoint := func(c, g int64, kind, from string, to ...string) {
		var end *time.Time
		if len(to) > 0 {
			e := ts(to[0])
			end = &e
		}
		exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at, ended_at) VALUES (?, ?, ?, ?, ?)`, c, g, kind, ts(from), end)
	}
	assessed := func(c int64, at string) {
		if err := db.Exec(`UPDATE children SET vulnerabilities_assessed_at = ? WHERE id = ?`, ts(at), c).Error; err != nil {
			t.Fatal(err)
		}
	}
	place := func(c, f int64, from string, checks ...string) {
		p := exec(`INSERT INTO placements (child_id, facility_id, started_at, reason, decided_by) VALUES (?, ?, ?, 'first', 'unit')`, c, f, ts(from))
		for _, d := range checks {
			exec(`INSERT INTO placement_checks (placement_id, child_id, checked_on, separated_from_adults, same_sex_sleeping, school_access,
				health_care, interpreter, psychosocial_support) VALUES (?, ?, ?, 'yes','yes','yes','yes','yes','yes')`, p, c, d)
		}
	}
	rights := func(c int64, on string) {
		exec(`INSERT INTO rights_information (child_id, informed_on, language, method) VALUES (?, ?, 'fa', 'interpreter')`, c, on)
	}
	visits := func(c int64, days ...string) {
		for _, d := range days {
			exec(`INSERT INTO guardian_visits (child_id, visited_on, kind, child_seen) VALUES (?, ?, 'visit', true)`, c, d)
		}
	}
	episode := func(c int64, discovered, police string, found, interview string) {
		var f, i *time.Time
		if found != "" {
			x := ts(found)
			f = &x
		}
		if interview != "" {
			x := ts(interview)
			i = &x
		}
		exec(`INSERT INTO missing_episodes (child_id, last_seen_at, last_seen_place, discovered_at, discovered_by, risk_assessed, risk,
			reported_at, police_reported_at, found_at, interview_at) VALUES (?, ?, 'street', ?, 'staff', 'high', 'high', ?, ?, ?, ?)`,
			c, ts(discovered), ts(discovered), ts(discovered), ts(police), f, i)
	}
	// SC-1: everything in time — no violation.
	c1 := child("SC-1", s.regionA, "active", "2010-01-01", "2026-06-01 09:00")
	appoint(c1, g1, "full", "2026-06-01 15:00")
	assessed(c1, "2026-06-01 12:00")
	place(c1, foster, "2026-06-02 09:00")
	rights(c1, "2026-06-03")
	visits(c1, "2026-06-10")
	// SC-2: nothing done since 4 May — S1, S2, S4, S5, S11 open.
	child("SC-2", s.regionA, "active", "2010-01-01", "2026-05-04 09:00")
	// SC-3: in a police cell since 10 June — S6.
	c3 := child("SC-3", s.regionA, "active", "2010-01-01", "2026-06-10 08:00")
	appoint(c3, g1, "provisional", "2026-06-10 12:00")
	assessed(c3, "2026-06-10 10:00")
	place(c3, s.police, "2026-06-10 09:00")
	rights(c3, "2026-06-10")
	// SC-4: provisional representative late (S1 failed in January), guardian over cap (G2),
	// never reviewed (S7 since 6 April), not visited since 1 April (S8 since 1 May).
	c4 := child("SC-4", s.regionA, "active", "2010-01-01", "2026-01-05 09:00")
	appoint(c4, g2, "full", "2026-01-06 10:00")
	assessed(c4, "2026-01-05 10:00")
	place(c4, foster, "2026-01-06 12:00")
	rights(c4, "2026-01-07")
	visits(c4, "2026-04-01")
	// SC-5: missing now; reported to the police 5 h after (S9 failed in June); an earlier
	// episode reported in 1 h (met, April) whose return interview came late (S10 failed).
	c5 := child("SC-5", s.regionA, "missing", "2010-01-01", "2026-03-02 09:00")
	appoint(c5, g2, "full", "2026-03-02 11:00")
	assessed(c5, "2026-03-02 10:00")
	place(c5, foster, "2026-03-02 12:00", "2026-05-20")
	rights(c5, "2026-03-03")
	visits(c5, "2026-03-20", "2026-04-15", "2026-05-10", "2026-06-01")
	episode(c5, "2026-04-10 10:00", "2026-04-10 11:00", "2026-04-11 10:00", "2026-04-15 10:00")
	episode(c5, "2026-06-12 20:00", "2026-06-13 01:00", "", "")
	// SC-6: aged out on 1 March 2026 without a transition plan (S13 counted Dec–Feb), closed
	// since: no open violation.
	c6 := child("SC-6", s.regionA, "aged_out", "2008-03-01", "2025-11-03 09:00")
	appoint(c6, g1, "full", "2025-11-03 10:00", "2026-03-01 00:00")
	assessed(c6, "2025-11-03 10:00")
	place(c6, foster, "2025-11-03 12:00", "2026-01-20")
	rights(c6, "2025-11-04")
	visits(c6, "2025-11-20", "2025-12-15", "2026-01-10", "2026-02-05")
	exec(`INSERT INTO child_lifecycle_events (child_id, transition, from_status, to_status, occurred_on) VALUES (?, 'age_out', 'active', 'aged_out', '2026-03-01')`, c6)
	// SC-7: turns 18 on 1 August 2026, no plan (S13 since 3 May).
	c7 := child("SC-7", s.regionA, "active", "2008-08-01", "2026-06-08 09:00")
	appoint(c7, g1, "provisional", "2026-06-08 10:00")
	assessed(c7, "2026-06-08 10:00")
	place(c7, foster, "2026-06-08 12:00")
	rights(c7, "2026-06-08")
	// SC-10: the guardian's appointment ended on 5 June — S1 and S2 open again since then;
	// visited exactly 30 days apart (never overdue).
	c10 := child("SC-10", s.regionA, "active", "2010-01-01", "2026-02-02 09:00")
	appoint(c10, g1, "full", "2026-02-02 10:00", "2026-06-05 10:00")
	assessed(c10, "2026-02-02 10:00")
	place(c10, foster, "2026-02-02 12:00", "2026-05-01")
	rights(c10, "2026-02-03")
	visits(c10, "2026-03-01", "2026-03-31", "2026-04-30", "2026-05-30")
	// Out of the monitor's regions, and a duplicate: neither counts.
	child("SC-8", regionB, "active", "2010-01-01", "2026-06-01 09:00")
	child("SC-9", s.regionA, "duplicate", "2010-01-01", "2026-05-01 09:00")

	actor := func(name string, role models.Role, regions ...int64) *models.Actor {
		roles := []models.Role{role}
		return &models.Actor{UserID: user(name), Issuer: "test", Subject: name, Roles: roles, RegionIDs: regions,
			Permissions: auth.PermissionsFor(roles), ChildFields: auth.ChildFieldsFor(roles)}
	}
	s.monitor = actor("monitor", models.RoleMonitor, s.regionA)
	s.po = actor("officer", models.RoleProtectionOfficer, s.regionA)
	s.otherMonitor = actor("monitor-b", models.RoleMonitor, regionB)
	return s
}

func TestComplianceScenario(t *testing.T) {
	s := newComplianceScenario(t)
	ctx := context.Background()
	if err := s.reg.RefreshCompliance(ctx); err != nil {
		t.Fatal(err)
	}
	// A second refresh keeps the ids of the violations still open.
	first, err := s.reg.ComplianceViolations(ctx, s.po, compliance.Filter{}, compliance.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.reg.RefreshCompliance(ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("violations", func(t *testing.T) {
		page, err := s.reg.ComplianceViolations(ctx, s.po, compliance.Filter{}, compliance.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range page.Items {
			got = append(got, v.RegistrationNumber+" "+string(v.Rule))
		}
		slices.Sort(got)
		want := []string{"SC-10 S1", "SC-10 S2", "SC-2 S1", "SC-2 S11", "SC-2 S2", "SC-2 S4", "SC-2 S5", "SC-3 S6", "SC-4 S7", "SC-4 S8", "SC-7 S13"}
		if strings.Join(got, ",") != strings.Join(want, ",") || page.Total != len(want) {
			t.Fatalf("violations = %v (total %d), want %v", got, page.Total, want)
		}
		if len(first.Items) != len(page.Items) || first.Items[0].ID != page.Items[0].ID {
			t.Errorf("ids changed between refreshes: %d then %d", first.Items[0].ID, page.Items[0].ID)
		}
		since := map[string]string{}
		for _, v := range page.Items {
			since[v.RegistrationNumber+" "+string(v.Rule)] = v.Since.Format(time.RFC3339)
		}
		for k, w := range map[string]string{
			"SC-2 S1":  "2026-05-05T09:00:00Z", // 24 h after registration
			"SC-2 S2":  "2026-05-25T21:59:59Z", // 15 working days after Mon 4 May: end of Mon 25 May, Tirana
			"SC-2 S4":  "2026-05-05T09:00:00Z",
			"SC-2 S5":  "2026-05-11T09:00:00Z",
			"SC-2 S11": "2026-05-19T09:00:00Z",
			"SC-3 S6":  "2026-06-10T09:00:00Z", // since the placement began
			"SC-4 S7":  "2026-04-06T00:00:00Z", // 3 months after the placement, no review
			"SC-4 S8":  "2026-05-01T23:59:59Z", // 30 days after the visit of 1 April
			"SC-7 S13": "2026-05-03T00:00:00Z", // 90 days before 1 August
			"SC-10 S1": "2026-06-05T10:00:00Z", // the guardian's appointment ended
			"SC-10 S2": "2026-06-05T10:00:00Z",
		} {
			if since[k] != w {
				t.Errorf("%s since %s, want %s", k, since[k], w)
			}
		}
	})

	t.Run("indicators", func(t *testing.T) {
		rep, err := s.reg.ComplianceReport(ctx, s.po, compliance.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, in := range rep.Indicators {
			got[in.Key] = fmt.Sprintf("%d/%d %.3f %s", in.Numerator, in.Denominator, in.Value, in.Status)
		}
		want := map[string]string{
			compliance.IndS1InTime:         "6/8 0.750 amber", // SC-2, SC-4 late
			compliance.IndS2InTime:         "7/8 0.875 amber", // SC-2
			compliance.IndS2MedianWorkdays: "0/7 0.000 green", // 0,0,0,0,0,0,1
			compliance.IndS3OverCap:        "1/2 1.000 red",   // guardian-two: 2 wards, cap 1
			compliance.IndS4InTime:         "7/8 0.875 amber",
			compliance.IndS5InTime:         "7/8 0.875 amber",
			compliance.IndS6Prohibited:     "1/7 1.000 red", // SC-3; 7 open cases
			compliance.IndS7ReviewsOverdue: "1/7 1.000 red",
			compliance.IndS8VisitsOverdue:  "1/7 1.000 red",
			compliance.IndS9Missing:        "1/7 1.000 red",
			compliance.IndS9InTime:         "1/2 0.500 red",
			compliance.IndS9MedianMinutes:  "180/2 180.000 red", // 60 and 300 minutes
			compliance.IndS10InTime:        "0/1 0.000 red",
			compliance.IndS11InTime:        "7/8 0.875 amber",
			compliance.IndS13PlansMissing:  "1/7 1.000 red",
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %q, want %q", k, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("indicators %v", got)
		}
		trend := func(key string) string {
			for _, tr := range rep.Trends {
				if tr.Key == key {
					var ps []string
					for _, p := range tr.Points {
						ps = append(ps, fmt.Sprintf("%d/%d", p.Numerator, p.Denominator))
					}
					return strings.Join(ps, " ")
				}
			}
			return ""
		}
		// Jul Aug Sep Oct Nov Dec Jan Feb Mar Apr May Jun: open cases at each month's end.
		if g, w := trend(compliance.IndS8VisitsOverdue), "0/0 0/0 0/0 0/0 0/1 0/1 0/2 1/3 1/3 0/3 1/4 1/7"; g != w {
			t.Errorf("S8 trend %s, want %s", g, w)
		}
		if g, w := trend(compliance.IndS13PlansMissing), "0/0 0/0 0/0 0/0 0/1 1/1 1/2 1/3 0/3 0/3 0/4 1/7"; g != w {
			t.Errorf("S13 trend %s, want %s", g, w)
		}
		if g, w := trend(compliance.IndS3OverCap), "0/0 0/0 0/0 0/0 0/1 0/1 0/2 0/2 1/2 1/2 1/2 1/2"; g != w {
			t.Errorf("S3 trend %s, want %s", g, w)
		}
		if len(rep.ByRegion) != 1 || rep.ByRegion[0].Label != "Scenario A" || rep.ByRegion[0].Counts[compliance.S6] != 1 || rep.ByRegion[0].Counts[compliance.S2] != 2 {
			t.Errorf("by region %+v", rep.ByRegion)
		}
	})

	t.Run("monitor sees small cells suppressed and no names", func(t *testing.T) {
		rep, err := s.reg.ComplianceReport(ctx, s.monitor, compliance.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		// Counts of 1–4 children and shares over 1–4 cases read "<5"; shares over 8 cases and the
		// median over 7 are shown.
		var suppressed []string
		for _, in := range rep.Indicators {
			if in.Suppressed {
				suppressed = append(suppressed, in.Key)
				if in.Numerator != 0 || in.Denominator != 0 || in.Value != 0 {
					t.Errorf("%s suppressed but carries figures: %+v", in.Key, in)
				}
			}
		}
		slices.Sort(suppressed)
		want := []string{compliance.IndS10InTime, compliance.IndS13PlansMissing, compliance.IndS3OverCap, compliance.IndS6Prohibited,
			compliance.IndS7ReviewsOverdue, compliance.IndS8VisitsOverdue, compliance.IndS9Missing, compliance.IndS9InTime, compliance.IndS9MedianMinutes}
		slices.Sort(want)
		if !slices.Equal(suppressed, want) {
			t.Errorf("suppressed %v, want %v", suppressed, want)
		}
		page, err := s.reg.ComplianceViolations(ctx, s.monitor, compliance.Filter{Rule: compliance.S6}, compliance.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.Items[0].RegistrationNumber != "SC-3" || page.Items[0].AgeBand != "16-17" || page.Items[0].RegionCode != "CPA" {
			t.Fatalf("S6 list %+v", page.Items)
		}
		d, err := s.reg.ComplianceViolation(ctx, s.monitor, page.Items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Standard.Code != compliance.S6 || d.Resolve != compliance.ResolveMove || len(d.Facts) != 1 || d.Facts[0].Key != "placement_started" {
			t.Errorf("detail %+v", d)
		}
		// Listed and opened: both in the child's access history, by the monitor.
		var n int64
		mustScan(t, s.db, &n, `SELECT count(*) FROM audit_events WHERE entity = 'child' AND entity_id = ? AND actor_subject = 'monitor'
			AND action IN ('compliance.violations', 'compliance.violation')`, strconv.FormatInt(s.ids["SC-3"], 10))
		if n != 2 {
			t.Errorf("access history of SC-3 holds %d compliance reads by the monitor, want 2", n)
		}
		// Another region's monitor sees none of it.
		other, err := s.reg.ComplianceViolations(ctx, s.otherMonitor, compliance.Filter{Rule: compliance.S6}, compliance.Page{})
		if err != nil || len(other.Items) != 0 {
			t.Errorf("region B monitor sees %+v, %v", other.Items, err)
		}
		if _, err := s.reg.ComplianceViolation(ctx, s.otherMonitor, page.Items[0].ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("region B monitor opens the violation: %v", err)
		}
	})

	t.Run("needs-action queue shares the rules (S11 added)", func(t *testing.T) {
		q, err := s.reg.NeedsActionQueue(ctx, s.po, 100)
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[string]string{}
		for _, x := range q {
			reasons[x.RegistrationNumber] = strings.Join(x.Reasons, " ")
		}
		if got := reasons["SC-2"]; !strings.Contains(got, registry.ReasonRightsInformationDue) || !strings.Contains(got, "vulnerabilities_not_assessed") {
			t.Errorf("SC-2 reasons %q", got)
		}
		if got := reasons["SC-1"]; strings.Contains(got, registry.ReasonRightsInformationDue) {
			t.Errorf("SC-1 (informed) reasons %q", got)
		}
	})

	t.Run("a change of thresholds is audited at the next refresh", func(t *testing.T) {
		var before int64
		mustScan(t, s.db, &before, `SELECT count(*) FROM audit_events WHERE action = 'compliance.thresholds'`)
		s.reg.GuardianRules.CaseloadCap = 2 // guardian-two has their own cap; guardian-one now has 3 wards over 2
		defer func() { s.reg.GuardianRules.CaseloadCap = 0 }()
		if err := s.reg.RefreshCompliance(ctx); err != nil {
			t.Fatal(err)
		}
		var after int64
		var changes string
		mustScan(t, s.db, &after, `SELECT count(*) FROM audit_events WHERE action = 'compliance.thresholds'`)
		mustScan(t, s.db, &changes, `SELECT changes::text FROM audit_events WHERE action = 'compliance.thresholds' ORDER BY id DESC LIMIT 1`)
		if before != 0 || after != 1 || !strings.Contains(changes, `\"S3\": 2`) && !strings.Contains(changes, `\"S3\":2`) {
			t.Errorf("threshold audit: %d → %d, %s", before, after, changes)
		}
		rep, err := s.reg.ComplianceReport(ctx, s.po, compliance.Filter{Rule: compliance.S3})
		if err != nil || len(rep.Indicators) != 1 || rep.Indicators[0].Numerator != 2 || rep.Thresholds.Values[compliance.S3] != 2 {
			t.Errorf("S3 with cap 2: %+v %v", rep.Indicators, err)
		}
	})

	t.Run("refused", func(t *testing.T) {
		g := &models.Actor{UserID: 1, Roles: []models.Role{models.RoleGuardian}, Permissions: auth.PermissionsFor([]models.Role{models.RoleGuardian})}
		if _, err := s.reg.ComplianceReport(ctx, g, compliance.Filter{}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("guardian reads the dashboard: %v", err)
		}
		if _, err := s.reg.ComplianceViolations(ctx, s.monitor, compliance.Filter{Rule: "S99"}, compliance.Page{}); err == nil {
			t.Error("unknown rule accepted")
		}
	})
}
