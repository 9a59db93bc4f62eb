package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Demo family links (issue 9, siblings): two Syrian sisters who arrived together at Kakavijë
// four months ago and live together in the Gjirokastër children's centre — their placement
// has not been reviewed for more than three months, so the needs-action queue shows
// "placement review due" (S7) — and two Afghan brothers placed apart: the younger with the
// Dervishi foster family, the older at the centre, a separation recorded with its
// justification (siblings_separated). Their registration numbers are drawn from the sequence
// after the named children above (AL-2026-000013…16 in a fresh demo).

var demoSiblings = []struct {
	key, given, family, givenLatin, familyLatin, sex, nationality, languages string
	ageMin, ageMax, registeredDaysAgo                                        int
}{
	{"layla", "ليلى", "حداد", "Layla", "Haddad", "female", "SY", "ar", 13, 14, 130},
	{"nour", "نور", "حداد", "Nour", "Haddad", "female", "SY", "ar", 10, 11, 130},
	{"karim", "کریم", "سلطانی", "Karim", "Sultani", "male", "AF", "fa-AF", 15, 16, 21},
	{"javid", "جاوید", "سلطانی", "Javid", "Sultani", "male", "AF", "fa-AF", 8, 9, 21},
}

// seedRelatives adds the sibling children, their placements and links inside Seed's
// transaction (after seedPlacements, whose facilities it uses).
func seedRelatives(ctx context.Context, tx *gorm.DB, now time.Time, userID map[string]int64) error {
	tx = tx.WithContext(ctx)
	day := 24 * time.Hour
	var gji, kak int64
	if err := tx.Raw(`SELECT id FROM regions WHERE code = 'GJI'`).Scan(&gji).Error; err != nil {
		return err
	}
	if err := tx.Raw(`SELECT id FROM border_posts WHERE code = 'KAK'`).Scan(&kak).Error; err != nil {
		return err
	}
	facility := func(name string) (int64, error) {
		var id int64
		err := tx.Raw(`SELECT id FROM facilities WHERE name = ?`, name).Scan(&id).Error
		if err == nil && id == 0 {
			err = fmt.Errorf("demo facility %q missing", name)
		}
		return id, err
	}
	centre, err := facility("Qendra e Fëmijëve Gjirokastër")
	if err != nil {
		return err
	}
	foster, err := facility("Familja kujdestare Dervishi")
	if err != nil {
		return err
	}
	child := map[string]int64{}
	for _, s := range demoSiblings {
		var seq int64
		if err := tx.Raw(`SELECT nextval('child_registration_seq')`).Scan(&seq).Error; err != nil {
			return err
		}
		registered := now.Add(-time.Duration(s.registeredDaysAgo) * day)
		from, to := models.BirthDatesForAges(s.ageMin, s.ageMax, registered)
		c := models.Child{RegistrationNumber: fmt.Sprintf("AL-%d-%06d", registered.Year(), seq), RegionID: gji, BorderPostID: &kak,
			Status: "active", GivenName: s.given, FamilyName: s.family, GivenNameLatin: s.givenLatin, FamilyNameLatin: s.familyLatin,
			Sex: s.sex, BirthDateFrom: &from, BirthDateTo: &to, Nationalities: models.Strings{s.nationality},
			Languages: models.Strings(strings.Fields(s.languages)), ProtectionStatus: "unaccompanied",
			Vulnerabilities: models.Strings{}, TraffickingIndicators: models.Strings{}, VulnerabilitiesAt: &registered,
			RegisteredAt: registered, Version: 1, CreatedAt: registered, UpdatedAt: registered}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		child[s.key] = c.ID
		if rows := registry.NameRows(c.ID, s.given, s.family, s.givenLatin, s.familyLatin, nil); len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		if err := tx.Create(&models.Arrival{ChildID: c.ID, ArrivedAt: registered.Add(-2 * time.Hour), BorderPostID: &kak,
			HowFound: "presented_at_border", GrantsScope: true, RegisteredBy: ptr(userID["border1"]), CreatedAt: registered}).Error; err != nil {
			return err
		}
	}
	officer, border := userID["protection1"], userID["border1"]
	placements := []struct {
		child    string
		facility int64
		daysAgo  int
		reason   string
		warnings []string
		why      string
	}{
		{"layla", centre, 125, "Sisters placed together on arrival", nil, ""},
		{"nour", centre, 125, "Sisters placed together on arrival", nil, ""},
		{"javid", foster, 18, "A family placement for the younger brother", nil, ""},
		{"karim", centre, 17, "The foster family takes one child; the centre is ten minutes away",
			[]string{registry.WarnSiblingsSeparated}, "The Dervishi family has one free bed, for the younger brother; the brothers meet every Saturday and Karim goes to the same school."},
	}
	for _, p := range placements {
		start := now.Add(-time.Duration(p.daysAgo) * day)
		pl := models.Placement{ChildID: child[p.child], FacilityID: p.facility, StartedAt: start, Reason: p.reason,
			DecidedBy: "Njësia e Mbrojtjes së Fëmijëve Gjirokastër", RecordedBy: &officer, Warnings: models.Strings(p.warnings),
			WarningJustification: p.why, Version: 1, CreatedAt: start}
		if pl.Warnings == nil {
			pl.Warnings = models.Strings{}
		}
		if err := tx.Create(&pl).Error; err != nil {
			return err
		}
	}
	links := []struct {
		a, b, kind, note string
		by               int64
		daysAgo          int
	}{
		{"layla", "nour", models.RelativeSibling, "Arrived together; Layla looks after her younger sister.", border, 130},
		{"karim", "javid", models.RelativeSibling, "Brothers; their tazkiras name the same father.", border, 21},
	}
	for _, l := range links {
		a, b := child[l.a], child[l.b]
		at := now.Add(-time.Duration(l.daysAgo) * day)
		if err := tx.Create(&models.ChildRelative{ChildAID: min(a, b), ChildBID: max(a, b), Kind: l.kind, Note: l.note,
			RecordedBy: &l.by, RecordedAt: at, Version: 1}).Error; err != nil {
			return err
		}
	}
	return nil
}
