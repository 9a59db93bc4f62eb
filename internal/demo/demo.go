// Package demo loads a synthetic population so a newcomer sees a living Kujdes: regions and
// border posts of Albania, one demo user per role (signed in through the development identity
// provider), and children in several regions with guardians. Nothing here is real data.
package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth/devidp"
	"github.com/kujdes/kujdes/models"
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

// children: registration number, region, border post, status.
var children = []struct{ number, region, post, status string }{
	{"AL-2026-000001", "GJI", "KAK", "active"}, {"AL-2026-000002", "GJI", "KAK", "active"},
	{"AL-2026-000003", "GJI", "KAK", "missing"}, {"AL-2026-000004", "KOR", "KAP", "active"},
	{"AL-2026-000005", "KOR", "KAP", "active"}, {"AL-2026-000006", "SHK", "HAN", "active"},
	{"AL-2026-000007", "SHK", "MUR", "active"}, {"AL-2026-000008", "VLO", "QAF", "active"},
	{"AL-2026-000009", "TIR", "TIA", "transferred"}, {"AL-2026-000010", "GJI", "KAK", "active"},
	{"AL-2026-000011", "SHK", "HAN", "reunified"}, {"AL-2026-000012", "KOR", "KAP", "active"},
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

// Seed loads the demo population into an empty database; users are keyed to issuer (the
// development provider's). It changes nothing when children already exist.
func Seed(ctx context.Context, db *gorm.DB, issuer string, now time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Child{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
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
			ch := models.Child{RegistrationNumber: c.number, RegionID: regionID[c.region], BorderPostID: &p, Status: c.status, Version: 1,
				CreatedAt: now.Add(-time.Duration(len(children)-i) * 24 * time.Hour), UpdatedAt: now}
			if err := tx.Create(&ch).Error; err != nil {
				return err
			}
			childID[c.number] = ch.ID
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
		return nil
	})
}
