package demo

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Case-lifecycle demo data (issue 10): records that were aged out and reunified (with their
// ended guardianships and details), children turning 18 within 90 days with and without a
// transition plan (S13), and information on rights recorded for some children (S11). The
// extra children are numbered AL-2025-9000xx, apart from the named 2026 children and from
// the synthetic population's sequence.

type lifecycleChild struct {
	number, region, post, status, given, family, givenLatin, familyLatin, sex, nationality, languages string
	// adultIn is the days until the 18th birthday (negative: already past), by a known date.
	adultIn int
	// guardian has (or had) a full appointment; it ended with the closing transition.
	guardian string
}

var lifecycleChildren = []lifecycleChild{
	// Aged out 20 days and 3 months ago: guardianship ended "aged_out", records read-only.
	{"AL-2025-900001", "GJI", "KAK", "aged_out", "حمید", "نوری", "Hamid", "Noori", "male", "AF", "fa-AF", -20, "guardian1"},
	{"AL-2025-900002", "KOR", "KAP", "aged_out", "کاوە", "ئەحمەد", "Kawa", "Ahmed", "male", "IQ", "ckb ar", -95, "guardian3"},
	// Reunified with family.
	{"AL-2025-900003", "KOR", "KAP", "reunified", "مریم", "حیدری", "Maryam", "Haidari", "female", "AF", "fa-AF", 400, "guardian3"},
	{"AL-2025-900004", "GJI", "KAK", "reunified", "بلال", "رحمان", "Bilal", "Rehman", "male", "PK", "ur", 300, "guardian1"},
	// Turning 18 within 90 days without a plan: S13 on guardian2's My wards and protection2's
	// needs-action queue; and one in protection1's region with no guardian yet.
	{"AL-2025-900005", "SHK", "HAN", "active", "جواد", "سلطانی", "Jawad", "Sultani", "male", "AF", "ps fa-AF", 60, "guardian2"},
	{"AL-2025-900006", "KOR", "KAP", "active", "نور", "خليل", "Nour", "Khalil", "female", "SY", "ar", 80, ""},
	// Turning 18 in 45 days with a plan recorded.
	{"AL-2025-900007", "GJI", "KAK", "active", "آرمان", "حسینی", "Arman", "Hosseini", "male", "AF", "fa-AF", 45, "guardian4"},
}

// seedLifecycle adds the lifecycle demo data inside Seed's transaction.
func seedLifecycle(ctx context.Context, tx *gorm.DB, now time.Time, regionID, postID, userID, childID map[string]int64) error {
	day := 24 * time.Hour
	today := now.UTC().Truncate(day)
	for i, c := range lifecycleChildren {
		p := postID[c.post]
		registered := now.Add(-time.Duration(200-i*10) * day)
		adultOn := today.AddDate(0, 0, c.adultIn)
		birth := adultOn.AddDate(-models.AgeOfMajority, 0, 0)
		ch := models.Child{RegistrationNumber: c.number, RegionID: regionID[c.region], BorderPostID: &p, Status: c.status,
			GivenName: c.given, FamilyName: c.family, GivenNameLatin: c.givenLatin, FamilyNameLatin: c.familyLatin,
			Sex: c.sex, BirthDateKnown: true, BirthDateFrom: &birth, BirthDateTo: &birth, Nationalities: models.Strings{c.nationality},
			Languages: models.Strings(strings.Fields(c.languages)), ProtectionStatus: "unaccompanied",
			Vulnerabilities: models.Strings{}, TraffickingIndicators: models.Strings{}, VulnerabilitiesAt: &registered,
			RegisteredAt: registered, Version: 1, CreatedAt: registered, UpdatedAt: registered}
		if err := tx.WithContext(ctx).Create(&ch).Error; err != nil {
			return err
		}
		childID[c.number] = ch.ID
		if rows := registry.NameRows(ch.ID, c.given, c.family, c.givenLatin, c.familyLatin, nil); len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		if err := tx.Create(&models.Arrival{ChildID: ch.ID, ArrivedAt: registered.Add(-2 * time.Hour), BorderPostID: &p,
			HowFound: "presented_at_border", GrantsScope: true, CreatedAt: registered}).Error; err != nil {
			return err
		}
		var closed *time.Time
		ev := models.LifecycleEvent{ChildID: ch.ID, FromStatus: "active", ToStatus: c.status, CreatedAt: now}
		switch c.status {
		case "aged_out":
			ev.Transition, ev.OccurredOn, closed = "age_out", adultOn, &adultOn
		case "reunified":
			on := today.AddDate(0, 0, -30-i)
			ev.Transition, ev.OccurredOn, closed = "reunify", on, &on
			ev.ReunifiedWhere, ev.ReunifiedWith = map[bool]string{true: "Hamburg, Germany", false: "Milan, Italy"}[i%2 == 0],
				map[bool]string{true: "father", false: "elder brother"}[i%2 == 0]
			ev.RecordedBy = ptr(userID["protection1"])
		}
		if c.guardian != "" {
			ap := models.GuardianAppointment{ChildID: ch.ID, GuardianUserID: userID[c.guardian], Kind: "full", StartedAt: registered.Add(3 * day),
				AppointingAuthority: "Gjykata e Rrethit Gjyqësor", DecisionReference: "LC-" + c.number[len(c.number)-3:], DecidedOn: ptr(registered.Add(3 * day)), Version: 1}
			if closed != nil {
				ap.EndedAt, ap.EndReason = closed, map[string]string{"aged_out": "aged_out", "reunified": "reunified"}[c.status]
			}
			if err := tx.Create(&ap).Error; err != nil {
				return err
			}
		}
		if ev.Transition != "" {
			if err := tx.Create(&ev).Error; err != nil {
				return err
			}
		}
	}
	// The transition plan of the child turning 18 in 45 days.
	if err := tx.Create(&models.TransitionPlan{ChildID: childID["AL-2025-900007"], PlannedOn: today.AddDate(0, 0, -20),
		Summary:    "Supported independent living in Gjirokastër from his 18th birthday; vocational course (electrician) already started; guardian keeps in touch for 6 months.",
		RecordedBy: ptr(userID["protection1"]), CreatedAt: now.Add(-20 * day)}).Error; err != nil {
		return err
	}
	// The demo's transferred and reunified named children: their details.
	for _, e := range []models.LifecycleEvent{
		{ChildID: childID["AL-2026-000009"], Transition: "transfer", FromStatus: "active", ToStatus: "transferred", OccurredOn: today.AddDate(0, 0, -1),
			DestinationCountry: "DE", DestinationAuthority: "Jugendamt München", Reference: "Dublin 2026/4411"},
		{ChildID: childID["AL-2026-000011"], Transition: "reunify", FromStatus: "active", ToStatus: "reunified", OccurredOn: today.AddDate(0, 0, -1),
			ReunifiedWhere: "Oslo, Norway", ReunifiedWith: "uncle"},
	} {
		e.RecordedBy, e.CreatedAt = ptr(userID["protection1"]), now
		if err := tx.Create(&e).Error; err != nil {
			return err
		}
	}
	// Information on rights (S11), in a language each child understands.
	for _, r := range []struct {
		child, lang, method, by string
		daysAgo                 int
	}{
		{"AL-2026-000001", "fa-AF", "interpreter", "guardian1", 30},
		{"AL-2026-000004", "ar", "written_sheet", "protection1", 8},
		{"AL-2026-000006", "uk", "in_person", "guardian2", 15},
		{"AL-2025-900005", "ps", "interpreter", "guardian2", 150},
		{"AL-2025-900007", "fa-AF", "written_sheet", "protection1", 160},
	} {
		if err := tx.Create(&models.RightsInformation{ChildID: childID[r.child], InformedOn: today.AddDate(0, 0, -r.daysAgo), Language: r.lang,
			Method: r.method, RecordedBy: ptr(userID[r.by]), CreatedAt: now}).Error; err != nil {
			return err
		}
	}
	return nil
}
