package demo

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// Demo facilities and placements (issue 9): facilities of every kind with live occupancy —
// one over capacity, one with an expired licence, a police station where one child has been
// held for four days (issue 11: the breach of S6 the compliance dashboard shows in red; the
// use case refuses such a placement today, so the demo writes it directly) — placement histories, a few justified warnings and a 16–17-year-old
// in an adult centre with a best-interests justification. Two named children have no
// placement yet, so the needs-action queue shows "no placement" (S5).

var demoFacilities = []struct {
	key, name, kind, operator, region, address, licence string
	capacity, ageMin, ageMax                            int
	sexes                                               []string
	expiresInDays                                       int // 0: no expiry recorded
}{
	{"gji-centre", "Qendra e Fëmijëve Gjirokastër", models.FacilityChildrensCentre, "Bashkia Gjirokastër", "GJI", "Rruga Ismail Kadare 12, Gjirokastër", "QF-GJI-0031", 12, 10, 17, nil, 400},
	{"gji-foster", "Familja kujdestare Dervishi", models.FacilityFosterFamily, "Shërbimi Social Shtetëror", "GJI", "Lagjja Palorto, Gjirokastër", "FK-2025-114", 2, 6, 17, nil, 300},
	{"kor-home", "Shtëpia e Fëmijëve Korçë", models.FacilityChildrensCentre, "Fondacioni Zemër e Hapur", "KOR", "Bulevardi Republika 40, Korçë", "QF-KOR-0007", 2, 6, 17, nil, 200},
	{"tir-adult", "Qendra Kombëtare e Pritjes Babrru", models.FacilityAdultReception, "Ministria e Brendshme", "TIR", "Rruga e Babrrusë, Tiranë", "QP-TIR-0001", 100, 16, 99, nil, 500},
	{"shk-flats", "Apartamentet e jetesës së mbikëqyrur Shkodër", models.FacilitySupervisedLiving, "Organizata Hapa të Sigurt", "SHK", "Rruga Marin Barleti 9, Shkodër", "JM-SHK-0002", 6, 16, 17, []string{"male"}, -20},
	{"vlo-kin", "Kujdes nga të afërmit — familja Hoxha", models.FacilityKinshipCare, "", "VLO", "Lagjja Uji i Ftohtë, Vlorë", "", 1, 0, 17, nil, 0},
	{"kak-police", "Komisariati i Policisë Kakavijë", models.FacilityPoliceDetention, "Policia e Shtetit", "GJI", "Pika e Kalimit Kakavijë", "", 0, 0, 99, nil, 0},
}

// demoPlacements: child, facility, days ago started, days ago ended (0: current), reason,
// decided by, warnings overridden and why, best-interests justification.
var demoPlacements = []struct {
	child, facility     string
	started, ended      int
	reason, decidedBy   string
	warnings            []string
	justification, best string
}{
	{"AL-2026-000001", "gji-centre", 11, 3, "Emergency placement on arrival", "Njësia e Mbrojtjes së Fëmijëve Gjirokastër", nil, "", ""},
	{"AL-2026-000001", "gji-foster", 3, 0, "A family placement speaking Dari became available", "Njësia e Mbrojtjes së Fëmijëve Gjirokastër", nil, "", ""},
	{"AL-2026-000004", "kor-home", 8, 0, "First placement after registration", "Njësia e Mbrojtjes së Fëmijëve Korçë", nil, "", ""},
	{"AL-2026-000005", "kor-home", 7, 0, "First placement after registration", "Njësia e Mbrojtjes së Fëmijëve Korçë", nil, "", ""},
	{"AL-2026-000012", "kor-home", 1, 0, "Arrived at night; the only children's centre in the region", "Njësia e Mbrojtjes së Fëmijëve Korçë",
		[]string{"over_capacity"}, "An extra bed is set up in the boys' room until a foster family is found this week.", ""},
	{"AL-2026-000006", "shk-flats", 6, 0, "Wants to stay near the Ukrainian community", "Njësia e Mbrojtjes së Fëmijëve Shkodër",
		[]string{"licence_expired", "age_not_accepted"}, "Licence renewal filed on time and inspected last month; the only place with a Ukrainian-speaking mentor.", ""},
	{"AL-2026-000007", "tir-adult", 5, 0, "Asked to stay with his older cousin's group while the family link is verified", "Njësia e Mbrojtjes së Fëmijëve Shkodër",
		nil, "", "He is 16–17, the cousin is verified, the centre has a separate wing for minors with a night carer, and he refused the children's centre."},
	// issue 11: held at the border police station since he was found; his uncle's family in
	// Vlorë (vlo-kin) is still being checked.
	{"AL-2026-000008", "kak-police", 4, 0, "Found at night at the crossing; kept at the station while his uncle's family is checked", "Policia e Shtetit, Kakavijë", nil, "", ""},
}

// seedPlacements loads the demo facilities and placements into tx (called by Seed).
func seedPlacements(ctx context.Context, tx *gorm.DB, now time.Time, regionID, childID, userID map[string]int64) error {
	tx = tx.WithContext(ctx)
	day := 24 * time.Hour
	facilityID := map[string]int64{}
	for _, f := range demoFacilities {
		sexes := models.Strings{"female", "male", "other", "unknown"}
		if f.sexes != nil {
			sexes = models.Strings(f.sexes)
		}
		fac := models.Facility{Name: f.name, Kind: f.kind, Operator: f.operator, RegionID: regionID[f.region], Address: f.address,
			Capacity: f.capacity, AgeMin: f.ageMin, AgeMax: f.ageMax, SexesAccepted: sexes, LicenceNumber: f.licence,
			Active: true, Version: 1, CreatedAt: now.Add(-400 * day), UpdatedAt: now.Add(-400 * day)}
		if f.expiresInDays != 0 {
			exp := now.Add(time.Duration(f.expiresInDays) * day).Truncate(day)
			fac.LicenceExpiresOn = &exp
		}
		if err := tx.Create(&fac).Error; err != nil {
			return err
		}
		facilityID[f.key] = fac.ID
	}
	recorder := userID["protection1"]
	for _, p := range demoPlacements {
		pl := models.Placement{ChildID: childID[p.child], FacilityID: facilityID[p.facility], StartedAt: now.Add(-time.Duration(p.started) * day),
			Reason: p.reason, DecidedBy: p.decidedBy, RecordedBy: &recorder, BestInterests: p.best, Warnings: models.Strings(p.warnings),
			WarningJustification: p.justification, Version: 1, CreatedAt: now.Add(-time.Duration(p.started) * day)}
		if pl.Warnings == nil {
			pl.Warnings = models.Strings{}
		}
		if p.ended > 0 {
			end := now.Add(-time.Duration(p.ended) * day)
			pl.EndedAt, pl.EndReason = &end, "moved"
		}
		if err := tx.Create(&pl).Error; err != nil {
			return err
		}
		if p.child == "AL-2026-000001" && p.ended == 0 {
			guardian := userID["guardian1"]
			check := models.PlacementCheck{PlacementID: pl.ID, ChildID: pl.ChildID, CheckedOn: now.Add(-2 * day).Truncate(day), CheckedBy: &guardian,
				SeparatedFromAdults: "yes", SameSexSleeping: "yes", SchoolAccess: "no", HealthCare: "yes", Interpreter: "yes",
				PsychosocialSupport: "na", SafetyConcerns: "", ChildView: "Likes the family; wants to go to school soon.", CreatedAt: now.Add(-2 * day)}
			if err := tx.Create(&check).Error; err != nil {
				return err
			}
		}
	}
	return nil
}
