package compliance_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/internal/workdays"
)

func at(t *testing.T, v string) time.Time {
	t.Helper()
	x, err := time.Parse("2006-01-02 15:04", v)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func ptr(t time.Time) *time.Time { return &t }

// rules with Albania's fixed holidays and one listed holiday, Monday 18 May 2026 (as a
// deployment would list a Bajram).
func testRules(t *testing.T) compliance.Rules {
	t.Helper()
	cal, err := workdays.New("AL", []time.Time{at(t, "2026-05-18 00:00")}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return compliance.NewRules(compliance.Thresholds{}, cal)
}

// rulesOf lists the rules of the violations, in order.
func rulesOf(vs []compliance.Violation) string {
	var out []string
	for _, v := range vs {
		out = append(out, string(v.Rule))
	}
	return strings.Join(out, " ")
}

// A child with everything in place, registered Monday 4 May 2026 09:00; cases change one fact.
func settled(t *testing.T) compliance.ChildFacts {
	born := at(t, "2010-01-01 00:00")
	return compliance.ChildFacts{ID: 1, RegistrationNumber: "T-1", RegionID: 1, Status: "active", BirthFrom: &born, BirthTo: &born,
		RegisteredAt: at(t, "2026-05-04 09:00"), AssessedAt: ptr(at(t, "2026-05-04 10:00")),
		Appointments: []compliance.AppointmentFact{{GuardianID: 7, Kind: "full", Started: at(t, "2026-05-04 12:00")}},
		Placements:   []compliance.PlacementFact{{FacilityID: 3, FacilityKind: "foster_family", Started: at(t, "2026-05-05 12:00")}},
		VisitsSeen:   []time.Time{at(t, "2026-05-20 00:00")},
		RightsOn:     []time.Time{at(t, "2026-05-05 00:00")},
	}
}

func TestEvaluateEachRule(t *testing.T) {
	r := testRules(t)
	cases := []struct {
		name   string
		change func(c *compliance.ChildFacts)
		at     string
		want   string
	}{
		{"everything in place", func(c *compliance.ChildFacts) {}, "2026-06-10 10:00", ""},
		// S1: 24 h after registration.
		{"S1 exactly at 24 h is not late", func(c *compliance.ChildFacts) { c.Appointments = nil }, "2026-05-05 09:00", ""},
		{"S1 one minute later", func(c *compliance.ChildFacts) { c.Appointments = nil }, "2026-05-05 09:01", "S1"},
		// S2: 15 working days from Mon 4 May: 5–8, 11–15, 19–22 (18 May a listed holiday), 25, 26
		// → the end of Tue 26 May.
		{"S2 on the last working day (holiday skipped)", func(c *compliance.ChildFacts) { c.Appointments = nil }, "2026-05-26 23:59", "S1"},
		{"S2 the day after", func(c *compliance.ChildFacts) { c.Appointments = nil }, "2026-05-27 00:00", "S1 S2"},
		{"S2 counts from the application", func(c *compliance.ChildFacts) {
			c.Appointments, c.ApplicationMadeOn = nil, ptr(at(t, "2026-05-11 00:00"))
		}, "2026-05-27 00:00", "S1"},
		{"an application recorded after the instant does not count yet", func(c *compliance.ChildFacts) {
			c.Appointments, c.ApplicationMadeOn = nil, ptr(at(t, "2026-06-20 00:00"))
		}, "2026-05-27 00:00", "S1 S2"},
		{"ended appointment: S1 and S2 open again", func(c *compliance.ChildFacts) {
			c.Appointments[0].Ended = ptr(at(t, "2026-06-01 08:00"))
		}, "2026-06-01 09:00", "S1 S2"},
		{"appointment not started yet at the instant", func(c *compliance.ChildFacts) {
			c.Appointments[0].Started = at(t, "2026-06-02 00:00")
		}, "2026-06-01 09:00", "S1 S2"},
		// S4: 24 h.
		{"S4 never assessed", func(c *compliance.ChildFacts) { c.AssessedAt = nil }, "2026-05-05 09:01", "S4"},
		{"S4 exactly at 24 h", func(c *compliance.ChildFacts) { c.AssessedAt = nil }, "2026-05-05 09:00", ""},
		// S5: 7 days.
		{"S5 no placement after 7 days", func(c *compliance.ChildFacts) { c.Placements = nil }, "2026-05-11 09:01", "S5"},
		{"S5 at exactly 7 days", func(c *compliance.ChildFacts) { c.Placements = nil }, "2026-05-11 09:00", ""},
		// S6: prohibited placements.
		{"S6 police cell", func(c *compliance.ChildFacts) { c.Placements[0].FacilityKind = "police_detention" }, "2026-05-20 10:00", "S6"},
		{"S6 adult centre at 16 with a justification", func(c *compliance.ChildFacts) {
			c.Placements[0].FacilityKind, c.Placements[0].BestInterests = "adult_reception_centre", "Separate wing for minors, verified cousin."
		}, "2026-05-20 10:00", ""},
		{"S6 adult centre at 16 without one", func(c *compliance.ChildFacts) { c.Placements[0].FacilityKind = "adult_reception_centre" }, "2026-05-20 10:00", "S6"},
		{"S6 adult centre under 16", func(c *compliance.ChildFacts) {
			b := at(t, "2011-01-01 00:00")
			c.BirthFrom, c.BirthTo = &b, &b
			c.Placements[0].FacilityKind, c.Placements[0].BestInterests = "adult_reception_centre", "Separate wing for minors, verified cousin."
		}, "2026-05-20 10:00", "S6"},
		{"S6 ended police placement no longer counts", func(c *compliance.ChildFacts) {
			c.Placements = append([]compliance.PlacementFact{{FacilityID: 9, FacilityKind: "police_detention", Started: at(t, "2026-05-04 10:00"),
				Ended: ptr(at(t, "2026-05-05 12:00"))}}, c.Placements...)
		}, "2026-05-20 10:00", ""},
		// S7: 3 months after the start (5 May → 5 Aug), or after the last check.
		{"S7 on the due day", func(c *compliance.ChildFacts) { c.VisitsSeen = []time.Time{at(t, "2026-08-01 00:00")} }, "2026-08-05 23:00", ""},
		{"S7 the day after", func(c *compliance.ChildFacts) { c.VisitsSeen = []time.Time{at(t, "2026-08-01 00:00")} }, "2026-08-06 00:00", "S7"},
		{"S7 a check renews it", func(c *compliance.ChildFacts) {
			c.VisitsSeen = []time.Time{at(t, "2026-08-01 00:00")}
			c.Placements[0].Checks = []time.Time{at(t, "2026-07-01 00:00")}
		}, "2026-08-06 00:00", ""},
		// S8: 30 days after the end of the day of the last visit where the child was seen.
		{"S8 30 days after the visit", func(c *compliance.ChildFacts) {}, "2026-06-19 23:59", ""},
		{"S8 the next day", func(c *compliance.ChildFacts) {}, "2026-06-20 00:00", "S8"},
		{"S8 no visit: from the appointment", func(c *compliance.ChildFacts) { c.VisitsSeen = nil }, "2026-06-03 12:01", "S8"},
		// S9 and S10.
		{"S9 not reported after 2 h", func(c *compliance.ChildFacts) {
			c.Missing = []compliance.EpisodeFact{{Discovered: at(t, "2026-05-20 08:00")}}
		}, "2026-05-20 10:01", "S9"},
		{"S9 reported late is closed (counted in the indicator)", func(c *compliance.ChildFacts) {
			c.Missing = []compliance.EpisodeFact{{Discovered: at(t, "2026-05-20 08:00"), PoliceReported: ptr(at(t, "2026-05-20 11:00"))}}
		}, "2026-05-20 12:00", ""},
		{"S10 no interview 72 h after found", func(c *compliance.ChildFacts) {
			c.Missing = []compliance.EpisodeFact{{Discovered: at(t, "2026-05-20 08:00"), PoliceReported: ptr(at(t, "2026-05-20 09:00")),
				Found: ptr(at(t, "2026-05-21 08:00"))}}
		}, "2026-05-24 08:01", "S10"},
		{"S10 at exactly 72 h", func(c *compliance.ChildFacts) {
			c.Missing = []compliance.EpisodeFact{{Discovered: at(t, "2026-05-20 08:00"), PoliceReported: ptr(at(t, "2026-05-20 09:00")),
				Found: ptr(at(t, "2026-05-21 08:00"))}}
		}, "2026-05-24 08:00", ""},
		// S11: 15 days, a date: met until that day ends.
		{"S11 on the 15th day", func(c *compliance.ChildFacts) { c.RightsOn = nil }, "2026-05-19 23:59", ""},
		{"S11 the day after", func(c *compliance.ChildFacts) { c.RightsOn = nil }, "2026-05-20 00:00", "S11"},
		// S13: 90 days before 18.
		{"S13 due", func(c *compliance.ChildFacts) {
			b := at(t, "2008-08-01 00:00")
			c.BirthFrom, c.BirthTo = &b, &b
		}, "2026-05-20 10:00", "S13"},
		{"S13 a plan recorded", func(c *compliance.ChildFacts) {
			b := at(t, "2008-08-01 00:00")
			c.BirthFrom, c.BirthTo, c.PlansOn = &b, &b, []time.Time{at(t, "2026-05-10 00:00")}
		}, "2026-05-20 10:00", ""},
		{"S13 not yet due (the day before)", func(c *compliance.ChildFacts) {
			b := at(t, "2008-08-19 00:00") // plan due 21 May
			c.BirthFrom, c.BirthTo = &b, &b
		}, "2026-05-20 10:00", ""},
		// Closed cases: nothing.
		{"aged out: excluded", func(c *compliance.ChildFacts) {
			c.Status, c.ClosedOn, c.Appointments = "aged_out", ptr(at(t, "2026-05-10 00:00")), nil
		}, "2026-06-10 10:00", ""},
		{"closed later: counted while open", func(c *compliance.ChildFacts) {
			c.Status, c.ClosedOn, c.Appointments = "transferred", ptr(at(t, "2026-06-30 00:00")), nil
		}, "2026-06-10 10:00", "S1 S2"},
		{"duplicate: excluded", func(c *compliance.ChildFacts) { c.Status, c.Appointments = "duplicate", nil }, "2026-06-10 10:00", ""},
		{"registered after the instant: excluded", func(c *compliance.ChildFacts) { c.Appointments = nil }, "2026-05-01 10:00", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := settled(t)
			tc.change(&c)
			if got := rulesOf(r.Evaluate(c, at(t, tc.at))); got != tc.want {
				t.Errorf("violations %q, want %q", got, tc.want)
			}
		})
	}
}

// The ended appointment's violation is dated from the end, not from the long-passed deadline.
func TestViolationSinceAndFacts(t *testing.T) {
	r := testRules(t)
	c := settled(t)
	c.Appointments[0].Ended = ptr(at(t, "2026-06-01 08:00"))
	vs := r.Evaluate(c, at(t, "2026-06-03 08:00"))
	if len(vs) != 2 || !vs[0].Since.Equal(at(t, "2026-06-01 08:00")) || vs[0].Days != 2 || vs[0].Resolve != compliance.ResolveDesignate {
		t.Fatalf("%+v", vs)
	}
	keys := []string{}
	for _, f := range vs[1].Facts {
		keys = append(keys, f.Key)
	}
	if !slices.Equal(keys, []string{"registered", "appointment_ended"}) {
		t.Errorf("facts %v", keys)
	}
}

func TestWorkdaysTo(t *testing.T) {
	r := testRules(t)
	for _, tc := range []struct {
		from, to string
		want     int
	}{
		{"2026-05-04 09:00", "2026-05-04 17:00", 0},
		{"2026-05-04 09:00", "2026-05-05 08:00", 1},
		{"2026-05-08 09:00", "2026-05-11 10:00", 1},  // Friday → Monday
		{"2026-05-15 09:00", "2026-05-19 10:00", 1},  // over the listed holiday of Monday 18 May
		{"2026-04-30 09:00", "2026-05-04 10:00", 1},  // 1 May (a fixed holiday) and the weekend skipped
		{"2026-05-04 09:00", "2026-05-26 12:00", 15}, // S2's deadline day
	} {
		if got := r.WorkdaysTo(at(t, tc.from), at(t, tc.to)); got != tc.want {
			t.Errorf("%s → %s: %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestThresholdOverrides(t *testing.T) {
	r := compliance.NewRules(compliance.Thresholds{Values: map[compliance.Code]int{compliance.S8: 21, compliance.S3: -1}}, nil)
	if r.Threshold(compliance.S8) != 21 || r.Threshold(compliance.S3) != 30 || r.Threshold(compliance.S2) != 15 {
		t.Errorf("thresholds %v", r.Thresholds().Values)
	}
	r = r.WithDuration(compliance.S1, 90*time.Minute)
	if due := r.ProvisionalDue(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); due.Hour() != 1 || due.Minute() != 30 {
		t.Errorf("S1 with 90m: %v", due)
	}
	if own := 5; r.CaseloadCap(&own) != 5 || r.CaseloadCap(nil) != 30 {
		t.Error("caseload cap")
	}
}

func TestSummariseAndSuppress(t *testing.T) {
	r := compliance.DefaultRules()
	def := func(k string) compliance.IndicatorDef { d, _ := compliance.IndicatorOf(k); return d }
	for _, tc := range []struct {
		key  string
		d    compliance.Distribution
		want string
	}{
		{compliance.IndS2InTime, compliance.Distribution{1: 9, 0: 1}, "green"}, // exactly 90 %
		{compliance.IndS2InTime, compliance.Distribution{1: 3, 0: 1}, "amber"}, // exactly 75 %
		{compliance.IndS2InTime, compliance.Distribution{1: 2, 0: 1}, "red"},
		{compliance.IndS2InTime, nil, "none"},
		{compliance.IndS6Prohibited, compliance.Distribution{0: 100, 1: 1}, "red"}, // zero tolerance
		{compliance.IndS6Prohibited, compliance.Distribution{0: 100}, "green"},
		{compliance.IndS8VisitsOverdue, compliance.Distribution{0: 90, 1: 10}, "amber"}, // exactly 10 %
		{compliance.IndS8VisitsOverdue, compliance.Distribution{0: 89, 1: 11}, "red"},
		{compliance.IndS2MedianWorkdays, compliance.Distribution{12: 1}, "green"}, // 12 = 0.8 × 15
		{compliance.IndS2MedianWorkdays, compliance.Distribution{15: 1}, "amber"},
		{compliance.IndS2MedianWorkdays, compliance.Distribution{16: 1}, "red"},
		{compliance.IndS9MedianMinutes, compliance.Distribution{60: 1, 300: 1}, "red"}, // median 180 > 120
	} {
		if got := r.Summarise(def(tc.key), tc.d); string(got.Status) != tc.want {
			t.Errorf("%s %v: %s (%+v), want %s", tc.key, tc.d, got.Status, got, tc.want)
		}
	}
	if m := (compliance.Distribution{1: 2, 3: 1, 10: 1}).Median(); m != 2 {
		t.Errorf("median %v", m)
	}
	for _, tc := range []struct {
		in   compliance.Indicator
		want bool
	}{
		{compliance.Indicator{Kind: compliance.KindCount, Numerator: 0, Denominator: 3}, false}, // zero identifies nobody
		{compliance.Indicator{Kind: compliance.KindCount, Numerator: 4, Denominator: 300}, true},
		{compliance.Indicator{Kind: compliance.KindCount, Numerator: 5, Denominator: 300}, false},
		{compliance.Indicator{Kind: compliance.KindShare, Numerator: 1, Denominator: 4}, true},
		{compliance.Indicator{Kind: compliance.KindShare, Numerator: 1, Denominator: 5}, false},
	} {
		if got := compliance.Suppress(tc.in); got.Suppressed != tc.want || got.Suppressed && got.Numerator+got.Denominator != 0 {
			t.Errorf("%+v → %+v", tc.in, got)
		}
	}
}

func TestAgeBand(t *testing.T) {
	now := at(t, "2026-06-01 00:00")
	for _, tc := range []struct{ born, want string }{
		{"2013-06-01 00:00", "0-13"}, {"2012-06-02 00:00", "0-13"}, {"2012-06-01 00:00", "14-15"}, {"2010-06-01 00:00", "16-17"}, {"2008-06-01 00:00", "18+"},
	} {
		b := at(t, tc.born)
		if got := compliance.AgeBand(&b, &b, now); got != tc.want {
			t.Errorf("born %s: %s, want %s", tc.born, got, tc.want)
		}
	}
	if compliance.AgeBand(nil, nil, now) != "" {
		t.Error("unknown age")
	}
}
