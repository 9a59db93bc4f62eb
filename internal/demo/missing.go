package demo

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Demo missing episodes (issue 10): two children missing now — Omar Al-Hassan (medium risk,
// the police told within the hour) and Yusuf Ahmadzai, a repeat runaway (his third episode in
// 30 days: high risk, a strategy meeting, the police told late, S9) — and Rahim Uddin, found
// four days ago with his return interview not yet held (S10 overdue). The risk of each episode
// comes from the one rule (registry.AssessMissingRisk) at its discovery.

type demoEpisode struct {
	child                          string
	lastSeen, discovered           time.Duration // before now
	place, with, discoveredBy      string
	circumstances, description     string
	assessed                       string
	police, hotline, guardian      time.Duration // after the discovery; 0: not yet
	policeRef                      string
	found                          time.Duration // before now; 0: still missing
	foundPlace, foundBy, interview string
}

var demoEpisodes = []demoEpisode{
	{child: "AL-2026-000002", lastSeen: 10*24*time.Hour + 3*time.Hour, discovered: 10 * 24 * time.Hour, place: "Gjirokastër, the old bazaar",
		discoveredBy: "Reception staff", description: "Black jacket, grey trousers", assessed: "medium", police: time.Hour, policeRef: "GJ-2026-0931",
		found: 9 * 24 * time.Hour, foundPlace: "Kakavijë, near the border crossing", foundBy: "Border police patrol", interview: "Wanted to reach his cousin in Greece; a smuggler had promised to take him."},
	{child: "AL-2026-000002", lastSeen: 6*24*time.Hour + 2*time.Hour, discovered: 6 * 24 * time.Hour, place: "Gjirokastër bus station",
		with: "an adult man who called himself his uncle", discoveredBy: "Guardian (Drita Leka)", description: "Black jacket, grey trousers, red backpack",
		assessed: "high", police: 30 * time.Minute, hotline: time.Hour, guardian: 10 * time.Minute, policeRef: "GJ-2026-1022",
		found: 5 * 24 * time.Hour, foundPlace: "Tiranë, South-North bus terminal", foundBy: "Police, Tiranë", interview: "The man asked for money to take him north; he refused and came back."},
	{child: "AL-2026-000002", lastSeen: 7 * time.Hour, discovered: 5 * time.Hour, place: "Gjirokastër, outside the children's centre",
		with: "the same adult man as last week", discoveredBy: "Night carer", circumstances: "Left after a phone call; took his backpack and documents.",
		description: "About 165 cm, short black hair, black jacket, grey trousers, red backpack", assessed: "medium",
		police: 3 * time.Hour, guardian: 10 * time.Minute, policeRef: "GJ-2026-1187"},
	{child: "AL-2026-000003", lastSeen: 22 * time.Hour, discovered: 20 * time.Hour, place: "Gjirokastër bus station", discoveredBy: "Social worker on duty",
		circumstances: "Said he wanted to buy a phone card and did not come back.", description: "Tall, thin; blue hoodie, white trainers",
		assessed: "medium", police: 50 * time.Minute, hotline: 90 * time.Minute, policeRef: "GJ-2026-1174"},
	{child: "AL-2026-000005", lastSeen: 6*24*time.Hour + 3*time.Hour, discovered: 6 * 24 * time.Hour, place: "Korçë, the children's home",
		discoveredBy: "Staff of the children's home", description: "Green jacket, jeans", assessed: "medium", police: time.Hour, hotline: 2 * time.Hour,
		policeRef: "KO-2026-0412", found: 4 * 24 * time.Hour, foundPlace: "Korçë bus terminal", foundBy: "Police, Korçë commissariat"},
}

// seedMissing loads the demo missing episodes into tx (called by Seed).
func seedMissing(ctx context.Context, tx *gorm.DB, now time.Time, childID, userID map[string]int64) error {
	tx = tx.WithContext(ctx)
	reporter := userID["protection1"]
	earlier := map[string][]time.Time{}
	for _, d := range demoEpisodes {
		var c models.Child
		if err := tx.Where("id = ?", childID[d.child]).Take(&c).Error; err != nil {
			return err
		}
		discovered := now.Add(-d.discovered)
		risk := registry.AssessMissingRisk(registry.RiskFacts{Assessed: d.assessed, BirthFrom: c.BirthDateFrom, BirthTo: c.BirthDateTo,
			TraffickingIndicators: c.TraffickingIndicators, Earlier: earlier[d.child]}, discovered)
		earlier[d.child] = append(earlier[d.child], discovered)
		after := func(x time.Duration) *time.Time {
			if x == 0 {
				return nil
			}
			t := discovered.Add(x)
			return &t
		}
		e := models.MissingEpisode{ChildID: c.ID, LastSeenAt: now.Add(-d.lastSeen), LastSeenPlace: d.place, LastSeenWith: d.with,
			DiscoveredAt: discovered, DiscoveredBy: d.discoveredBy, Circumstances: d.circumstances, Description: d.description,
			RiskAssessed: d.assessed, Risk: risk.Level, RiskReasons: models.Strings(risk.Reasons), StrategyMeeting: risk.StrategyMeeting,
			ReportedAt: discovered.Add(10 * time.Minute), ReportedBy: &reporter, PoliceReportedAt: after(d.police), PoliceReference: d.policeRef,
			HotlineNotifiedAt: after(d.hotline), GuardianInformedAt: after(d.guardian), Version: 1, CreatedAt: discovered, UpdatedAt: discovered}
		status := "missing"
		if d.found > 0 {
			found := now.Add(-d.found)
			e.FoundAt, e.FoundPlace, e.FoundBy, e.FoundCondition, e.FoundRecordedBy = &found, d.foundPlace, d.foundBy, "unharmed", &reporter
			if d.interview != "" {
				held := found.Add(30 * time.Hour)
				e.InterviewAt, e.InterviewBy, e.InterviewSummary, e.InterviewRecordedBy = &held, "Mirela Shehu", d.interview, &reporter
			}
			status = "active"
		}
		if err := tx.Create(&e).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Child{}).Where("id = ?", c.ID).Update("status", status).Error; err != nil {
			return err
		}
	}
	return nil
}
