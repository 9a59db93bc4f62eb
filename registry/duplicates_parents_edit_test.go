package registry_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// TestParentsNamesEdited (issue 12): the parents' names are identity fields — read with the
// record, changed by an identity edit of someone who may correct the child's names, audited
// by field name without their values, and refused over 100 characters without a write.
func TestParentsNamesEdited(t *testing.T) {
	t.Parallel()
	s := newDemoScope(t, 0)
	ctx := context.Background()
	border1 := *s.actors["border1"]
	border1.ChildFields = auth.ChildFieldsFor(border1.Roles) // as a signed-in officer carries them
	id := s.ids["AL-2026-000001"]                            // the demo gives his parents' names
	v, err := s.reg.GetChild(ctx, &border1, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.FatherName != "کریم" || v.MotherName != "فاطمه" {
		t.Fatalf("demo parents: %q, %q", v.FatherName, v.MotherName)
	}
	in := registry.IdentityInput{GivenName: v.GivenName, FamilyName: v.FamilyName, GivenNameLatin: v.GivenNameLatin,
		FamilyNameLatin: v.FamilyNameLatin, Sex: v.Sex, Nationalities: v.Nationalities, Languages: v.Languages,
		ProtectionStatus: v.ProtectionStatus, AgeMin: new(15), AgeMax: new(16), FatherName: " Karim ", MotherName: ""}
	in.FatherName = repeatRune('ک', 101)
	if _, err := s.reg.UpdateChild(ctx, &border1, id, v.Version, registry.ChildPatch{Identity: &in}); err == nil {
		t.Fatal("a father's name of 101 characters was accepted")
	}
	// Nothing was written: the same version still applies.
	in.FatherName = " Karim "
	got, err := s.reg.UpdateChild(ctx, &border1, id, v.Version, registry.ChildPatch{Identity: &in})
	if err != nil {
		t.Fatal(err)
	}
	if got.FatherName != "Karim" || got.MotherName != "" {
		t.Errorf("after the edit: %q, %q", got.FatherName, got.MotherName)
	}
	var ev models.AuditEvent
	if err := s.db.Where("action = 'child.update' AND entity_id = ?", strconv.FormatInt(id, 10)).Order("id DESC").First(&ev).Error; err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"father_name", "mother_name"} {
		c, ok := ev.Changes[f]
		if !ok {
			t.Errorf("audit changes %v lack %s", ev.Changes, f)
		}
		if c.Before != nil || c.After != nil {
			t.Errorf("%s: the audit trail carries the values %v → %v", f, c.Before, c.After)
		}
	}
	// The parentage keys (migration 00041) follow an edit of the father's name.
	in.FatherName = "Sohrab"
	got, err = s.reg.UpdateChild(ctx, &border1, id, got.Version, registry.ChildPatch{Identity: &in})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := s.db.Raw(`SELECT latin FROM child_names WHERE child_id = ? AND kind = 'parentage' ORDER BY id`, id).Scan(&keys).Error; err != nil {
		t.Fatal(err)
	}
	want := registry.ParentageRows(id, got.GivenName, got.FamilyName, got.GivenNameLatin, got.FamilyNameLatin, "Sohrab")
	if len(want) == 0 || len(keys) != len(want) {
		t.Fatalf("parentage rows after the edit: %v, want %d", keys, len(want))
	}
	for i, w := range want {
		if keys[i] != w.Latin {
			t.Errorf("parentage row %d: %q, want %q", i, keys[i], w.Latin)
		}
	}
	// The name search looks for the child's names, not the father's.
	page, err := s.reg.SearchChildren(ctx, &border1, registry.SearchInput{Name: "Sohrab", Limit: registry.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Items {
		if c.ID == id {
			t.Errorf("the search for the father's name found the child")
		}
	}
}

func repeatRune(r rune, n int) string {
	out := make([]rune, n)
	for i := range out {
		out[i] = r
	}
	return string(out)
}
