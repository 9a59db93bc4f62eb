package registry_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The risk rules of a missing child, with an injected clock: the reporter's assessment is
// raised to high for a child who may be under 13 (the youngest age of their range, counted
// by the one age rule), whose age is unknown, who carries trafficking indicators or who was
// missing before; 3 episodes within 30 days (this one included) call for a strategy meeting.
func TestAssessMissingRisk(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	born := func(y, m, d int) *time.Time { t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC); return &t }
	fifteen := func(f *registry.RiskFacts) { f.BirthFrom, f.BirthTo = born(2011, 1, 1), born(2011, 6, 1) }
	tests := []struct {
		name     string
		facts    func(*registry.RiskFacts)
		level    string
		reasons  []string
		meeting  bool
		episodes int
	}{
		{"15, first time, low stays low", fifteen, "low", nil, false, 1},
		{"15, medium stays medium", func(f *registry.RiskFacts) { fifteen(f); f.Assessed = "medium" }, "medium", nil, false, 1},
		{"the reporter's high stays high", func(f *registry.RiskFacts) { fifteen(f); f.Assessed = "high" }, "high", nil, false, 1},
		{"13 today is not under 13", func(f *registry.RiskFacts) { f.BirthFrom, f.BirthTo = born(2013, 12, 2), born(2013, 12, 2) }, "low", nil, false, 1},
		{"13 tomorrow is under 13", func(f *registry.RiskFacts) { f.BirthFrom, f.BirthTo = born(2013, 12, 3), born(2013, 12, 3) }, "high", []string{registry.RiskReasonUnder13}, false, 1},
		{"a range reaching below 13", func(f *registry.RiskFacts) { f.BirthFrom, f.BirthTo = born(2011, 1, 1), born(2014, 1, 1) }, "high", []string{registry.RiskReasonUnder13}, false, 1},
		{"unknown age", func(f *registry.RiskFacts) { f.BirthFrom, f.BirthTo = nil, nil }, "high", []string{registry.RiskReasonAgeUnknown}, false, 1},
		{"trafficking indicators", func(f *registry.RiskFacts) { fifteen(f); f.TraffickingIndicators = []string{"unrelated_adult"} }, "high", []string{registry.RiskReasonTrafficking}, false, 1},
		{"missing once before, long ago", func(f *registry.RiskFacts) { fifteen(f); f.Earlier = []time.Time{now.Add(-200 * day)} }, "high", []string{registry.RiskReasonBefore}, false, 1},
		{"2 episodes in 30 days", func(f *registry.RiskFacts) { fifteen(f); f.Earlier = []time.Time{now.Add(-10 * day)} }, "high", []string{registry.RiskReasonBefore}, false, 2},
		{"exactly 3 in 30 days", func(f *registry.RiskFacts) {
			fifteen(f)
			f.Earlier = []time.Time{now.Add(-20 * day), now.Add(-5 * day)}
		}, "high", []string{registry.RiskReasonBefore}, true, 3},
		{"the third one exactly 30 days ago still counts", func(f *registry.RiskFacts) {
			fifteen(f)
			f.Earlier = []time.Time{now.Add(-30 * day), now.Add(-1 * day)}
		}, "high", []string{registry.RiskReasonBefore}, true, 3},
		{"30 days and a second ago does not", func(f *registry.RiskFacts) {
			fifteen(f)
			f.Earlier = []time.Time{now.Add(-30*day - time.Second), now.Add(-1 * day)}
		}, "high", []string{registry.RiskReasonBefore}, false, 2},
		{"every reason at once", func(f *registry.RiskFacts) {
			f.BirthFrom, f.BirthTo = born(2015, 1, 1), born(2015, 1, 1)
			f.TraffickingIndicators = []string{"debt_bondage"}
			f.Earlier = []time.Time{now.Add(-2 * day), now.Add(-3 * day), now.Add(-4 * day)}
		}, "high", []string{registry.RiskReasonUnder13, registry.RiskReasonTrafficking, registry.RiskReasonBefore}, true, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := registry.RiskFacts{Assessed: "low"}
			tt.facts(&f)
			got := registry.AssessMissingRisk(f, now)
			want := tt.reasons
			if want == nil {
				want = []string{}
			}
			if got.Level != tt.level || !slices.Equal(got.Reasons, want) || got.StrategyMeeting != tt.meeting || got.RecentEpisodes != tt.episodes {
				t.Errorf("got %+v; want level %s, reasons %v, meeting %v, %d episodes", got, tt.level, tt.reasons, tt.meeting, tt.episodes)
			}
		})
	}
	// The clock decides: the same facts a day later are no longer 3 in 30 days.
	f := registry.RiskFacts{Assessed: "low", BirthFrom: born(2011, 1, 1), BirthTo: born(2011, 6, 1),
		Earlier: []time.Time{now.Add(-30 * day), now.Add(-1 * day)}}
	if r := registry.AssessMissingRisk(f, now.Add(day)); r.StrategyMeeting || r.RecentEpisodes != 2 {
		t.Errorf("a day later: %+v", r)
	}
	if !slices.Equal(models.MissingRiskLevels, []string{"low", "medium", "high"}) {
		t.Errorf("levels %v", models.MissingRiskLevels)
	}
}

// S9 and S10 as deadlines: the police within the configured threshold of the discovery, the
// return interview within 72 h of the finding.
func TestMissingDeadlines(t *testing.T) {
	m := registry.MissingRules{PoliceReportWithin: 2 * time.Hour, ReturnInterviewWithin: 72 * time.Hour}
	at := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	if got := m.PoliceReportDue(at); !got.Equal(at.Add(2 * time.Hour)) {
		t.Errorf("S9 due %v", got)
	}
	if got := m.ReturnInterviewDue(at); !got.Equal(at.Add(72 * time.Hour)) {
		t.Errorf("S10 due %v", got)
	}
	if d := registry.DefaultMissingRules(); d.PoliceReportWithin != 2*time.Hour || d.ReturnInterviewWithin != 72*time.Hour {
		t.Errorf("defaults %+v", d)
	}
}
