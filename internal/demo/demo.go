// Package demo loads a synthetic population so a newcomer sees a living Kujdes: regions and
// border posts of Albania, one demo user per role (signed in through the development identity
// provider), and children in several regions with guardians. Nothing here is real data.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth/devidp"
	"github.com/kujdes/kujdes/internal/synth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// User is a demo account: its development-provider identity and its Kujdes scope.
type User struct {
	devidp.User
	Regions     []string
	BorderPosts []string
}

// Users are the demo accounts, one or two per role, and one without any role.
var Users = []User{
	{User: devidp.User{Subject: "demo-border-1", Username: "border1", Name: "Arben Hoxha", Email: "border1@kujdes.example", Roles: []string{"border_officer"}}, BorderPosts: []string{"KAK"}},
	{User: devidp.User{Subject: "demo-border-2", Username: "border2", Name: "Elira Kola", Email: "border2@kujdes.example", Roles: []string{"border_officer"}}, BorderPosts: []string{"KAP"}},
	{User: devidp.User{Subject: "demo-protection-1", Username: "protection1", Name: "Mirela Shehu", Email: "protection1@kujdes.example", Roles: []string{"protection_officer"}}, Regions: []string{"GJI", "KOR"}},
	{User: devidp.User{Subject: "demo-protection-2", Username: "protection2", Name: "Gentian Marku", Email: "protection2@kujdes.example", Roles: []string{"protection_officer"}}, Regions: []string{"SHK"}},
	{User: devidp.User{Subject: "demo-guardian-1", Username: "guardian1", Name: "Drita Leka", Email: "guardian1@kujdes.example", Roles: []string{"guardian"}}},
	{User: devidp.User{Subject: "demo-guardian-2", Username: "guardian2", Name: "Besnik Gjoni", Email: "guardian2@kujdes.example", Roles: []string{"guardian"}}},
	{User: devidp.User{Subject: "demo-monitor-1", Username: "monitor1", Name: "Teuta Dervishi", Email: "monitor1@kujdes.example", Roles: []string{"monitor"}}, Regions: []string{"TIR", "SHK", "KOR", "VLO", "GJI"}},
	{User: devidp.User{Subject: "demo-admin-1", Username: "admin1", Name: "Ilir Basha", Email: "admin1@kujdes.example", Roles: []string{"admin"}}},
	// A second administrator: giving a user access needs one administrator to ask and another
	// to approve (separation of duties, registry/grants.go).
	{User: devidp.User{Subject: "demo-admin-2", Username: "admin2", Name: "Vjosa Lika", Email: "admin2@kujdes.example", Roles: []string{"admin"}}},
	{User: devidp.User{Subject: "demo-newcomer", Username: "newcomer", Name: "Sara Newcomer", Email: "newcomer@kujdes.example", Roles: []string{}}},
}

// ProviderUsers lists the demo accounts for the development identity provider.
func ProviderUsers() []devidp.User {
	out := make([]devidp.User, len(Users))
	for i, u := range Users {
		out[i] = u.User
	}
	return out
}

var regions = []models.Region{
	{Code: "TIR", Name: "Tiranë"}, {Code: "SHK", Name: "Shkodër"}, {Code: "KOR", Name: "Korçë"},
	{Code: "VLO", Name: "Vlorë"}, {Code: "GJI", Name: "Gjirokastër"},
}

var posts = []struct{ code, name, region string }{
	{"KAK", "Kakavijë", "GJI"}, {"KAP", "Kapshticë", "KOR"}, {"HAN", "Hani i Hotit", "SHK"},
	{"MUR", "Murriqan", "SHK"}, {"QAF", "Qafë Botë", "VLO"}, {"TIA", "Rinas airport", "TIR"},
}

// children: registration number, region, border post, status, and who they are.
var children = []struct {
	number, region, post, status                                        string
	given, family, givenLatin, familyLatin, sex, nationality, languages string
	ageMin, ageMax                                                      int
}{
	{"AL-2026-000001", "GJI", "KAK", "active", "احمد", "کریمی", "Ahmad", "Karimi", "male", "AF", "fa-AF ps", 15, 16},
	{"AL-2026-000002", "GJI", "KAK", "active", "یوسف", "احمدزی", "Yusuf", "Ahmadzai", "male", "AF", "ps", 14, 15},
	{"AL-2026-000003", "GJI", "KAK", "missing", "عمر", "الحسن", "Omar", "Al-Hassan", "male", "SY", "ar", 16, 17},
	{"AL-2026-000004", "KOR", "KAP", "active", "فاطمة", "حسين", "Fatima", "Hussein", "female", "IQ", "ar ckb", 13, 14},
	{"AL-2026-000005", "KOR", "KAP", "active", "রহিম", "উদ্দিন", "Rahim", "Uddin", "male", "BD", "bn", 16, 17},
	{"AL-2026-000006", "SHK", "HAN", "active", "Олександр", "Коваленко", "Oleksandr", "Kovalenko", "male", "UA", "uk ru", 15, 15},
	{"AL-2026-000007", "SHK", "MUR", "active", "Youssef", "Benali", "Youssef", "Benali", "male", "MA", "ar fr", 16, 17},
	{"AL-2026-000008", "VLO", "QAF", "active", "علی", "خان", "Ali", "Khan", "male", "PK", "ur pa", 14, 16},
	{"AL-2026-000009", "TIR", "TIA", "transferred", "Emre", "Yıldız", "Emre", "Yildiz", "male", "TR", "tr kmr", 17, 17},
	{"AL-2026-000010", "GJI", "KAK", "active", "زینب", "رضایی", "Zainab", "Rezaei", "female", "AF", "fa-AF", 12, 13},
	{"AL-2026-000011", "SHK", "HAN", "reunified", "Abdi", "Warsame", "Abdi", "Warsame", "male", "SO", "so ar", 15, 16},
	{"AL-2026-000012", "KOR", "KAP", "active", "Samuel", "Tesfay", "Samuel", "Tesfay", "male", "ER", "ti", 16, 17},
}

// parents are the father's and mother's names some demo children gave (issue 12), as they
// said them; the others were registered before the form asked.
var parents = map[string][2]string{
	"AL-2026-000001": {"کریم", "فاطمه"},
	"AL-2026-000002": {"عبدالله", ""},
	"AL-2026-000004": {"Hussein", "Zahra"},
	"AL-2026-000005": {"করিম", "রহিমা"},
	"AL-2026-000010": {"حسین", "مریم"},
}

// appointments: guardian username, child number, kind, days ago started, days ago ended (0 = current).
var appointments = []struct {
	guardian, child, kind string
	started, ended        int
}{
	{"guardian1", "AL-2026-000001", "full", 40, 0},
	{"guardian1", "AL-2026-000002", "provisional", 3, 0},
	{"guardian1", "AL-2026-000004", "full", 60, 10}, // ended: guardian1 no longer sees it
	{"guardian2", "AL-2026-000004", "full", 10, 0},
	{"guardian2", "AL-2026-000006", "full", 20, 0},
}

// Population is the size of the synthetic population `make run` and `kujdes demo` add to the
// named demo children.
const Population = 300

// Seed loads the demo data into an empty database: reference data, the demo users (keyed to
// issuer, the development provider's), the named demo children and their guardians, then
// population synthetic children (internal/synth: names in their scripts, several arrivals,
// some near-duplicates). It changes nothing when children already exist.
func Seed(ctx context.Context, db *gorm.DB, issuer string, now time.Time, population int) error {
	loaded := false
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Child{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		loaded = true
		regionID := map[string]int64{}
		for _, r := range regions {
			r := r
			if err := tx.Where("code = ?", r.Code).FirstOrCreate(&r).Error; err != nil {
				return fmt.Errorf("demo region %s: %w", r.Code, err)
			}
			regionID[r.Code] = r.ID
		}
		postID := map[string]int64{}
		for _, p := range posts {
			bp := models.BorderPost{Code: p.code, Name: p.name, RegionID: regionID[p.region], Active: true}
			if err := tx.Where("code = ?", p.code).FirstOrCreate(&bp).Error; err != nil {
				return fmt.Errorf("demo border post %s: %w", p.code, err)
			}
			postID[p.code] = bp.ID
		}
		userID := map[string]int64{}
		for _, du := range Users {
			u, err := models.UpsertUserAtLogin(ctx, tx, models.Identity{
				Issuer: issuer, Subject: du.Subject, Username: du.Username, Name: du.Name, Email: du.Email,
			}, now)
			if err != nil {
				return err
			}
			// A demo user has not signed in yet.
			if err := tx.Model(&models.User{}).Where("id = ?", u.ID).Update("last_login_at", nil).Error; err != nil {
				return err
			}
			userID[du.Username] = u.ID
			for _, r := range du.Regions {
				if err := tx.Exec(`INSERT INTO user_regions (user_id, region_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, u.ID, regionID[r]).Error; err != nil {
					return err
				}
			}
			for _, p := range du.BorderPosts {
				if err := tx.Exec(`INSERT INTO user_border_posts (user_id, border_post_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, u.ID, postID[p]).Error; err != nil {
					return err
				}
			}
		}
		childID := map[string]int64{}
		for i, c := range children {
			p := postID[c.post]
			registered := now.Add(-time.Duration(len(children)-i) * 24 * time.Hour)
			from, to := models.BirthDatesForAges(c.ageMin, c.ageMax, registered)
			ch := models.Child{RegistrationNumber: c.number, RegionID: regionID[c.region], BorderPostID: &p, Status: c.status,
				GivenName: c.given, FamilyName: c.family, GivenNameLatin: c.givenLatin, FamilyNameLatin: c.familyLatin,
				Sex: c.sex, BirthDateFrom: &from, BirthDateTo: &to, Nationalities: models.Strings{c.nationality},
				Languages: models.Strings(strings.Fields(c.languages)), ProtectionStatus: "unaccompanied",
				Vulnerabilities: models.Strings{}, TraffickingIndicators: models.Strings{},
				RegisteredAt: registered, Version: 1, CreatedAt: registered, UpdatedAt: registered}
			ch.FatherName, ch.MotherName = parents[c.number][0], parents[c.number][1]
			if i%3 != 0 {
				ch.VulnerabilitiesAt = &registered
			}
			if err := tx.Create(&ch).Error; err != nil {
				return err
			}
			childID[c.number] = ch.ID
			rows := registry.NameRows(ch.ID, c.given, c.family, c.givenLatin, c.familyLatin, nil)
			if rows = append(rows, registry.ParentageRows(ch.ID, c.given, c.family, c.givenLatin, c.familyLatin, ch.FatherName)...); len(rows) > 0 {
				if err := tx.Create(&rows).Error; err != nil {
					return err
				}
			}
			if err := tx.Create(&models.Arrival{ChildID: ch.ID, ArrivedAt: registered.Add(-3 * time.Hour), BorderPostID: &p,
				HowFound: "presented_at_border", GrantsScope: true, CreatedAt: registered}).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec(`SELECT setval('child_registration_seq', ?)`, len(children)).Error; err != nil {
			return err
		}
		day := 24 * time.Hour
		for _, a := range appointments {
			ap := models.GuardianAppointment{ChildID: childID[a.child], GuardianUserID: userID[a.guardian], Kind: a.kind,
				StartedAt: now.Add(-time.Duration(a.started) * day)}
			if a.ended > 0 {
				end := now.Add(-time.Duration(a.ended) * day)
				ap.EndedAt, ap.EndReason = &end, "reassigned"
			}
			if err := tx.Create(&ap).Error; err != nil {
				return err
			}
		}
		if err := seedGuardianship(ctx, tx, issuer, now, regionID, userID, childID); err != nil {
			return err
		}
		if err := seedPlacements(ctx, tx, now, regionID, childID, userID); err != nil { // issue 9
			return err
		}
		if err := seedRelatives(ctx, tx, now, userID); err != nil { // issue 9: siblings
			return err
		}
		if err := seedMissing(ctx, tx, now, childID, userID); err != nil { // issue 10
			return err
		}
		if err := seedLegal(ctx, tx, now, childID, userID); err != nil { // issue 10
			return err
		}
		if err := seedLifecycle(ctx, tx, now, regionID, postID, userID, childID); err != nil { // issue 10
			return err
		}
		// A sighting: border2 met Youssef Benali (registered in Shkodër) at Kapshticë two days
		// ago. It does not open his record to border2; protection2 sees it on the record and in
		// the needs-action queue.
		seen := now.Add(-2 * day)
		kap := postID["KAP"]
		if err := tx.Create(&models.Arrival{ChildID: childID["AL-2026-000007"], ArrivedAt: seen, BorderPostID: &kap,
			HowFound: "presented_at_border", Location: "Kapshticë, pedestrian lane", GrantsScope: false,
			RegisteredBy: ptr(userID["border2"]), CreatedAt: seen}).Error; err != nil {
			return err
		}
		return nil
	})
	if err != nil || !loaded || population == 0 {
		return err
	}
	return loadPopulation(ctx, db, now, population)
}

// loadPopulation adds synthetic children, registered over the last months at the demo posts.
func loadPopulation(ctx context.Context, db *gorm.DB, now time.Time, n int) error {
	var posts []models.BorderPost
	if err := db.WithContext(ctx).Find(&posts).Error; err != nil {
		return err
	}
	postIDs, regionByPost := map[string]int64{}, map[string]int64{}
	for _, p := range posts {
		postIDs[p.Code], regionByPost[p.Code] = p.ID, p.RegionID
	}
	return synth.Load(ctx, db, synth.Generate(2026, n, now), regionByPost, postIDs)
}

func ptr[T any](v T) *T { return &v }
