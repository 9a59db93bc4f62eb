package registry_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/demo"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// demoScope is the demo database with a few more facts that exercise every branch of the
// scope rule, and an actor for every demo user.
type demoScope struct {
	db     *gorm.DB
	reg    *registry.Registry
	actors map[string]*models.Actor // by username
	ids    map[string]int64         // named demo children, by registration number
	now    time.Time
}

func newDemoScope(t *testing.T, population int) demoScope {
	t.Helper()
	ctx := context.Background()
	db := testdb.New(t)
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	if err := demo.Seed(ctx, db, "https://demo.test", now, population); err != nil {
		t.Fatal(err)
	}
	s := demoScope{db: db, reg: registry.New(db), actors: map[string]*models.Actor{}, ids: map[string]int64{}, now: now}
	s.reg.Now = func() time.Time { return now }
	for _, du := range demo.Users {
		u, err := models.UserByIdentity(ctx, db, "https://demo.test", du.Subject)
		if err != nil {
			t.Fatal(err)
		}
		var roles []models.Role
		for _, r := range du.Roles {
			roles = append(roles, models.Role(r))
		}
		s.actors[du.Username] = &models.Actor{UserID: u.ID, Issuer: u.Issuer, Subject: u.Subject, Roles: roles,
			RegionIDs: u.RegionIDs, BorderPostIDs: u.BorderPostIDs, Permissions: auth.PermissionsFor(roles)}
	}
	var kids []models.Child
	if err := db.Where("registration_number BETWEEN 'AL-2026-000001' AND 'AL-2026-000012'").Find(&kids).Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range kids {
		s.ids[c.RegistrationNumber] = c.ID
	}
	if len(s.ids) != 12 {
		t.Fatalf("%d named demo children, want 12", len(s.ids))
	}
	post := func(code string) *int64 {
		var id int64
		if err := db.Raw(`SELECT id FROM border_posts WHERE code = ?`, code).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("post %s: %v", code, err)
		}
		return &id
	}
	// Emergency access: protection2 (SHK) to a GJI child, protection1 to a child already in
	// their region, monitor1 to a SHK child; border2 had one on a VLO child, expired.
	for _, g := range []struct{ who, child string }{
		{"protection2", "AL-2026-000001"}, {"protection1", "AL-2026-000001"}, {"monitor1", "AL-2026-000006"},
	} {
		if _, err := s.reg.BreakGlass(ctx, s.actors[g.who], registry.BreakGlassInput{RegistrationNumber: g.child, Reason: "Police report 42/2026, child reported missing"}); err != nil {
			t.Fatalf("break-glass %s: %v", g.who, err)
		}
	}
	if err := db.Create(&models.BreakGlassGrant{UserID: s.actors["border2"].UserID, ChildID: s.ids["AL-2026-000008"], Reason: "an old emergency",
		GrantedAt: now.Add(-3 * time.Hour), ExpiresAt: now.Add(-2 * time.Hour)}).Error; err != nil {
		t.Fatal(err)
	}
	// Arrivals at KAP: one that brought a SHK child into the post's scope, and a sighting of a
	// KAK child that did not.
	for _, ar := range []models.Arrival{
		{ChildID: s.ids["AL-2026-000007"], ArrivedAt: now.Add(-5 * time.Hour), BorderPostID: post("KAP"), HowFound: "presented_at_border", GrantsScope: true, CreatedAt: now},
		{ChildID: s.ids["AL-2026-000001"], ArrivedAt: now.Add(-4 * time.Hour), BorderPostID: post("KAP"), HowFound: "presented_at_border", GrantsScope: false, CreatedAt: now},
	} {
		if err := db.Create(&ar).Error; err != nil {
			t.Fatal(err)
		}
	}
	// An appointment that starts tomorrow gives guardian2 nothing yet (the demo already has
	// guardian1's ended appointment on AL-2026-000004).
	if err := db.Create(&models.GuardianAppointment{ChildID: s.ids["AL-2026-000005"], GuardianUserID: s.actors["guardian2"].UserID,
		Kind: "full", StartedAt: now.Add(24 * time.Hour)}).Error; err != nil {
		t.Fatal(err)
	}
	return s
}

// seen is what one reader sees of the children: id → seen only through emergency access.
type seen map[int64]bool

// listAll pages through ListChildren.
func (s demoScope) listAll(t *testing.T, a *models.Actor) (seen, error) {
	t.Helper()
	out := seen{}
	after := int64(0)
	for {
		page, err := s.reg.ListChildren(context.Background(), a, after, 17)
		if err != nil {
			return nil, err
		}
		for _, v := range page.Items {
			out[v.ID] = v.ViaBreakGlass
		}
		if page.Next == 0 {
			return out, nil
		}
		after = page.Next
	}
}

// searchAll pages through SearchChildren without filters.
func (s demoScope) searchAll(t *testing.T, a *models.Actor) (seen, error) {
	t.Helper()
	out := seen{}
	in := registry.SearchInput{Limit: 23}
	for {
		page, err := s.reg.SearchChildren(context.Background(), a, in)
		if err != nil {
			return nil, err
		}
		for _, v := range page.Items {
			out[v.ID] = v.ViaBreakGlass
		}
		if page.Next == 0 {
			return out, nil
		}
		in.After = page.Next
	}
}

// TestScopeEquivalence: for every demo user and every child, the list, the search (without
// filters and by the child's name) and the single read agree on whether the user sees the
// child and on whether only through emergency access; and for a few users the visible named
// children are written out by hand, so a wrong rule fails too, not only a disagreement.
func TestScopeEquivalence(t *testing.T) {
	t.Parallel()
	s := newDemoScope(t, 30)
	ctx := context.Background()
	var all []models.Child
	if err := s.db.Order("id").Find(&all).Error; err != nil {
		t.Fatal(err)
	}
	if len(all) < 40 {
		t.Fatalf("%d children, want the 12 named and the synthetic population", len(all))
	}

	// By hand, over the 12 named children: registration number → seen only through
	// emergency access.
	want := map[string]map[string]bool{
		// KAK registrations; not the KAP sighting's child elsewhere.
		"border1": {"AL-2026-000001": false, "AL-2026-000002": false, "AL-2026-000003": false, "AL-2026-000010": false},
		// KAP registrations and the SHK child whose arrival at KAP granted scope; not the KAK
		// child only sighted at KAP, not the VLO child under an expired emergency access.
		"border2": {"AL-2026-000004": false, "AL-2026-000005": false, "AL-2026-000012": false, "AL-2026-000007": false},
		// GJI and KOR; the emergency access on a child already in scope changes nothing.
		"protection1": {"AL-2026-000001": false, "AL-2026-000002": false, "AL-2026-000003": false, "AL-2026-000010": false,
			"AL-2026-000004": false, "AL-2026-000005": false, "AL-2026-000012": false},
		// SHK, and a GJI child through emergency access.
		"protection2": {"AL-2026-000006": false, "AL-2026-000007": false, "AL-2026-000011": false, "AL-2026-000001": true},
		// Current appointments only: not AL-2026-000004 (ended 10 days ago).
		"guardian1": {"AL-2026-000001": false, "AL-2026-000002": false},
		// Not AL-2026-000005: that appointment starts tomorrow.
		"guardian2": {"AL-2026-000004": false, "AL-2026-000006": false},
		// Nothing but the child under their emergency access.
		"monitor1": {"AL-2026-000006": true},
		"admin1":   {},
		"admin2":   {},
		"newcomer": {},
	}
	if len(want) != len(demo.Users) {
		t.Fatalf("expectations for %d users, %d demo users", len(want), len(demo.Users))
	}

	for _, du := range demo.Users {
		t.Run(du.Username, func(t *testing.T) {
			a := s.actors[du.Username]
			list, lerr := s.listAll(t, a)
			search, serr := s.searchAll(t, a)
			canList := a.Can(models.PermChildList)
			if !canList {
				// Without child.list there is no list to compare: both refuse.
				if !errors.Is(lerr, models.ErrForbidden) || !errors.Is(serr, models.ErrForbidden) {
					t.Fatalf("list %v, search %v, want forbidden", lerr, serr)
				}
			} else if lerr != nil || serr != nil {
				t.Fatalf("list %v, search %v", lerr, serr)
			}
			if canList && !maps.Equal(list, search) {
				t.Errorf("list and search disagree:\nlist   %v\nsearch %v", list, search)
			}
			if canList {
				queue, err := s.reg.NeedsActionQueue(ctx, a, registry.MaxPageSize)
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range queue {
					if via, ok := list[q.ID]; !ok || via != q.ViaBreakGlass || len(q.Reasons) == 0 {
						t.Errorf("needs-action child %d (via %v, reasons %v): list has it %v, via %v", q.ID, q.ViaBreakGlass, q.Reasons, ok, via)
					}
				}
			}
			read := seen{}
			for _, c := range all {
				v, err := s.reg.GetChild(ctx, a, c.ID)
				switch {
				case err == nil:
					if v.ID != c.ID {
						t.Fatalf("read %d returned %d", c.ID, v.ID)
					}
					read[c.ID] = v.ViaBreakGlass
				case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrForbidden) && !a.Can(models.PermChildRead):
				default:
					t.Fatalf("read %d: %v", c.ID, err)
				}
				if !canList {
					continue
				}
				// The search by the child's own name finds it exactly when it is visible.
				page, err := s.reg.SearchChildren(ctx, a, registry.SearchInput{Name: c.GivenNameLatin + " " + c.FamilyNameLatin, Limit: registry.MaxPageSize})
				if err != nil {
					t.Fatalf("search %d by name: %v", c.ID, err)
				}
				found := slices.IndexFunc(page.Items, func(v registry.ChildView) bool { return v.ID == c.ID })
				_, visible := read[c.ID]
				if (found >= 0) != visible {
					t.Errorf("child %d: found by name %v, single read %v", c.ID, found >= 0, visible)
				}
				if found >= 0 && page.Items[found].ViaBreakGlass != read[c.ID] {
					t.Errorf("child %d: by name via break-glass %v, single read %v", c.ID, page.Items[found].ViaBreakGlass, read[c.ID])
				}
				for _, v := range page.Items {
					if _, ok := list[v.ID]; !ok {
						t.Errorf("search by name returned %d, which the list does not show", v.ID)
					}
				}
			}
			if canList && !maps.Equal(list, read) {
				t.Errorf("list and single read disagree:\nlist %v\nread %v", list, read)
			}
			named := map[string]bool{}
			for number, id := range s.ids {
				if via, ok := read[id]; ok {
					named[number] = via
				}
			}
			if !maps.Equal(named, want[du.Username]) {
				t.Errorf("named children seen (number → via emergency access):\ngot  %v\nwant %v", sorted(named), sorted(want[du.Username]))
			}
		})
	}
}

func sorted(m map[string]bool) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s := k
		if m[k] {
			s += "(bg)"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}
