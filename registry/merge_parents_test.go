package registry_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// TestMergeCarriesParentsNames (issue 12): a merge loses nothing — the survivor takes the
// parents' names it lacks from the duplicate (keeping its own), the audit names the fields
// without their values, and undoing the merge gives the survivor back as it was.
func TestMergeCarriesParentsNames(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	po := f.actors[models.RoleProtectionOfficer]
	parents := func(id int64) [2]string {
		t.Helper()
		var row struct{ FatherName, MotherName string }
		if err := f.db.Raw(`SELECT father_name, mother_name FROM children WHERE id = ?`, id).Scan(&row).Error; err != nil {
			t.Fatal(err)
		}
		return [2]string{row.FatherName, row.MotherName}
	}
	setParents := func(id int64, father, mother string) {
		t.Helper()
		if err := f.db.Exec(`UPDATE children SET father_name = ?, mother_name = ? WHERE id = ?`, father, mother, id).Error; err != nil {
			t.Fatal(err)
		}
	}
	// The survivor knows the mother only; the duplicate both parents.
	setParents(f.child, "", "Zahra")
	setParents(f.other, "Karim", "Fatima")
	m, err := f.reg.MergeChildren(ctx, po, f.child, registry.MergeInput{DuplicateID: f.other, Reason: "same person"})
	if err != nil {
		t.Fatal(err)
	}
	if got := parents(f.child); got != [2]string{"Karim", "Zahra"} {
		t.Errorf("survivor's parents after the merge: %q", got)
	}
	if got := parents(f.other); got != [2]string{"Karim", "Fatima"} {
		t.Errorf("the duplicate's parents changed: %q", got)
	}
	if len(m.ParentsTaken) != 1 || m.ParentsTaken[0] != "father_name" {
		t.Errorf("parents taken: %v", m.ParentsTaken)
	}
	var ev models.AuditEvent
	if err := f.db.Where("action = 'child.merge' AND entity_id = ?", strconv.FormatInt(f.child, 10)).First(&ev).Error; err != nil {
		t.Fatal(err)
	}
	if c, ok := ev.Changes["father_name"]; !ok || c.Before != nil || c.After != nil {
		t.Errorf("merge audit %v: want father_name named, without its value", ev.Changes)
	}
	if _, ok := ev.Changes["mother_name"]; ok {
		t.Errorf("merge audit %v names the mother's name the survivor kept", ev.Changes)
	}
	if _, err := f.reg.UnmergeChild(ctx, po, f.other, "not the same person"); err != nil {
		t.Fatal(err)
	}
	if got := parents(f.child); got != [2]string{"", "Zahra"} {
		t.Errorf("survivor's parents after the undo: %q", got)
	}
	if got := parents(f.other); got != [2]string{"Karim", "Fatima"} {
		t.Errorf("the duplicate's parents after the undo: %q", got)
	}

	// Merged again, the father's name edited on the survivor since: the undo keeps the edit.
	if _, err := f.reg.MergeChildren(ctx, po, f.child, registry.MergeInput{DuplicateID: f.other, Reason: "same person after all"}); err != nil {
		t.Fatal(err)
	}
	setParents(f.child, "Abdul Karim", "Zahra")
	if _, err := f.reg.UnmergeChild(ctx, po, f.other, "not the same person"); err != nil {
		t.Fatal(err)
	}
	if got := parents(f.child); got != [2]string{"Abdul Karim", "Zahra"} {
		t.Errorf("survivor's parents after an edit and the undo: %q", got)
	}
}
