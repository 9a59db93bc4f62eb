package registry_test

import (
	"context"
	"testing"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/registry"
)

// TestNameBirthMidFollowsChild (migration 00046): every name row carries the middle of its
// child's birth range, whoever wrote it — the registration, which supplies the value, and the
// writers left to the trigger (the demo's GORM inserts, an identity edit that rewrites the
// names and changes the birth range, a merge and its undo moving names, the skeleton
// refresh, an insert in SQL).
func TestNameBirthMidFollowsChild(t *testing.T) {
	t.Parallel()
	s := newDemoScope(t, 0)
	ctx := context.Background()
	po := *s.actors["protection1"] // GJI, where KAK is
	po.ChildFields = auth.ChildFieldsFor(po.Roles)
	check := func(step string) {
		t.Helper()
		var got struct{ Rows, Wrong, WithBirth int64 }
		if err := s.db.Raw(`SELECT count(*) AS rows,
			count(*) FILTER (WHERE cn.birth_mid IS DISTINCT FROM kujdes_birth_mid(c.birth_date_from, c.birth_date_to)) AS wrong,
			count(*) FILTER (WHERE cn.birth_mid IS NOT NULL) AS with_birth
			FROM child_names cn JOIN children c ON c.id = cn.child_id`).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got.Wrong != 0 || got.WithBirth == 0 {
			t.Errorf("%s: %d of %d name rows have another birth middle than their child's (%d with one)", step, got.Wrong, got.Rows, got.WithBirth)
		}
	}
	check("demo")
	register := func(given string, ageMin, ageMax int) int64 {
		t.Helper()
		out, err := s.reg.RegisterArrival(ctx, &po, registry.RegistrationInput{
			IdentityInput: registry.IdentityInput{GivenName: given, FamilyName: "Rahimi", FatherName: "Karim", Sex: "male",
				AgeMin: new(ageMin), AgeMax: new(ageMax), Nationalities: []string{"AF"}, Languages: []string{"ps"}},
			Arrival:    registry.ArrivalInput{HowFound: "border_check", BorderPostCode: "KAK"},
			ConfirmNew: true,
		})
		if err != nil || !out.NewChild {
			t.Fatalf("registration of %s: %+v %v", given, out, err)
		}
		return out.ChildID
	}
	a := register("Bashir", 15, 16)
	b := register("Basir", 12, 12)
	check("registered")
	var supplied int64
	if err := s.db.Raw(`SELECT count(*) FROM child_names WHERE child_id IN (?, ?) AND birth_mid IS NOT NULL`, a, b).Scan(&supplied).Error; err != nil || supplied < 10 {
		t.Fatalf("registered name rows with a birth middle: %d (%v)", supplied, err)
	}

	// An identity edit: other names (rewritten rows) and another age (the child's range).
	v, err := s.reg.GetChild(ctx, &po, a)
	if err != nil {
		t.Fatal(err)
	}
	in := registry.IdentityInput{GivenName: "Bashir", FamilyName: "Rahimy", FatherName: "Karim", Sex: v.Sex,
		AgeMin: new(9), AgeMax: new(11), Nationalities: v.Nationalities, Languages: v.Languages, ProtectionStatus: v.ProtectionStatus}
	if _, err := s.reg.UpdateChild(ctx, &po, a, v.Version, registry.ChildPatch{Identity: &in}); err != nil {
		t.Fatal(err)
	}
	check("identity edited")

	// A merge moves b's names to a, whose birth range differs; the undo moves them back.
	if _, err := s.reg.MergeChildren(ctx, &po, a, registry.MergeInput{DuplicateID: b, Reason: "same boy"}); err != nil {
		t.Fatal(err)
	}
	check("merged")
	if _, err := s.reg.UnmergeChild(ctx, &po, b, "not the same boy"); err != nil {
		t.Fatal(err)
	}
	check("unmerged")

	// The skeleton refresh rewrites rows; an insert in SQL names no birth middle.
	if err := s.db.Exec(`UPDATE name_rules SET version = 1`).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := registry.RefreshNameSkeletons(ctx, s.db); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Exec(`INSERT INTO child_names (child_id, kind, original, latin, skeleton) VALUES (?, 'alias', 'Abu Bakr', 'Abu Bakr', 'abbkr')`, b).Error; err != nil {
		t.Fatal(err)
	}
	check("refreshed and inserted in SQL")
}
