package demo

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// Guardianship demo data (issue 9): the guardian registry with loads, decisions on the
// appointments, visits, a declared conflict of interest and one caseload-cap override. Two
// more guardians (guardian3, guardian4) have accounts but no demo login: they exist to give
// the suggestions and the registry a choice.

var demoGuardians = []struct {
	username, name, kind, org, region string
	languages                         []string
	cap                               int // 0: the default
}{
	{"guardian1", "", "person", "", "GJI", []string{"sq", "en", "fa"}, 0},
	{"guardian2", "", "organisation", "Shoqata për Mbrojtjen e Fëmijëve Shkodër", "SHK", []string{"sq", "uk", "ru", "ar"}, 0},
	{"guardian3", "Arta Mema", "person", "", "KOR", []string{"sq", "ar", "ckb"}, 2},
	{"guardian4", "Ledio Çela", "person", "", "TIR", []string{"sq", "en", "tr"}, 0},
}

// seedGuardianship adds the guardianship demo data inside Seed's transaction.
func seedGuardianship(ctx context.Context, tx *gorm.DB, issuer string, now time.Time, regionID, userID, childID map[string]int64) error {
	day := 24 * time.Hour
	trained, checked := now.AddDate(0, -5, 0), now.AddDate(0, -6, 0)
	gid := map[string]int64{}
	for _, g := range demoGuardians {
		uid, ok := userID[g.username]
		if !ok {
			u, err := models.UpsertUserAtLogin(ctx, tx, models.Identity{Issuer: issuer, Subject: "demo-" + g.username,
				Username: g.username, Name: g.name, Email: g.username + "@kujdes.example"}, now)
			if err != nil {
				return err
			}
			if err := tx.Model(&models.User{}).Where("id = ?", u.ID).Updates(map[string]any{"last_login_at": nil, "roles": models.Strings{"guardian"}}).Error; err != nil {
				return err
			}
			uid = u.ID
		}
		row := models.Guardian{UserID: uid, Kind: g.kind, OrganisationName: g.org, Languages: g.languages, RegionID: regionID[g.region],
			TrainedOn: &trained, RecordCheckedOn: &checked, Active: true, Version: 1}
		if g.cap > 0 {
			c := g.cap
			row.CaseloadCap = &c
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		userID[g.username], gid[g.username] = uid, row.ID
	}
	// The decisions of the appointments demo.go made, dated on their start; met the next day.
	if err := tx.Model(&models.GuardianAppointment{}).Where("kind = 'full'").
		Updates(map[string]any{"appointing_authority": "Gjykata e Rrethit Gjyqësor", "decision_reference": gorm.Expr("'Vendim nr. ' || id || '/2026'"),
			"decided_on": gorm.Expr("started_at::date"), "first_meeting_at": gorm.Expr("started_at + interval '1 day'")}).Error; err != nil {
		return err
	}
	// guardian3 (own cap 2): two wards, then a third over the cap with a recorded override.
	for _, a := range []struct {
		child             string
		daysAgo           int
		interpret, reason string
	}{
		{"AL-2026-000012", 45, "Tigrinya interpreter by video call (UNHCR roster).", ""},
		{"AL-2026-000008", 12, "Urdu interpreter of the Vlorë office at every meeting.", ""},
		{"AL-2026-000010", 2, "Dari interpreter of the Gjirokastër office at every meeting.",
			"No other guardian speaking with her family is free this month; reviewed again in 30 days."},
	} {
		started := now.Add(-time.Duration(a.daysAgo) * day)
		on := started
		ap := models.GuardianAppointment{ChildID: childID[a.child], GuardianUserID: userID["guardian3"], Kind: "full", StartedAt: started,
			AppointingAuthority: "Njësia për Mbrojtjen e Fëmijëve, Korçë", DecisionReference: "KOR-" + a.child[len(a.child)-3:], DecidedOn: &on,
			Interpretation: a.interpret, CapOverrideReason: a.reason, Version: 1}
		if err := tx.Create(&ap).Error; err != nil {
			return err
		}
	}
	visits := []models.GuardianVisit{
		{ChildID: childID["AL-2026-000001"], VisitedBy: ptr(userID["guardian1"]), VisitedOn: now.Add(-10 * day), Kind: "visit",
			Place: "Qendra e Fëmijëve, Gjirokastër", ChildSeen: true, ChildViews: "Wants to go to school and to call his uncle in Germany.",
			Concerns: "Sleeps badly.", FollowUp: "Ask the centre for a psychologist."},
		{ChildID: childID["AL-2026-000004"], VisitedBy: ptr(userID["guardian2"]), VisitedOn: now.Add(-5 * day), Kind: "visit",
			Place: "Foster family, Korçë", ChildSeen: true, ChildViews: "Likes the family; misses her sister."},
		{ChildID: childID["AL-2026-000006"], VisitedBy: ptr(userID["guardian2"]), VisitedOn: now.Add(-3 * day), Kind: "call",
			ChildSeen: false, Concerns: "The centre could not bring him to the phone."},
	}
	if err := tx.Create(&visits).Error; err != nil {
		return err
	}
	return tx.Create(&models.GuardianConflict{GuardianID: gid["guardian4"], ChildID: childID["AL-2026-000012"],
		Reason: "Knows the adult who travelled with him.", DeclaredAt: now.Add(-11 * day)}).Error
}
