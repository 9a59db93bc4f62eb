package registry

import (
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// identityChanges compares a validated identity with the record and fills the column updates
// and the audit changes (field names only: identity values are withheld from the trail).
// Nothing is written: the changes are checked against field permissions first.
func identityChanges(c *models.Child, id identity, now time.Time, changes models.AuditChanges, updates map[string]any) {
	str := map[string][2]string{
		"given_name": {c.GivenName, id.in.GivenName}, "family_name": {c.FamilyName, id.in.FamilyName},
		"given_name_latin": {c.GivenNameLatin, id.in.GivenNameLatin}, "family_name_latin": {c.FamilyNameLatin, id.in.FamilyNameLatin},
		"father_name": {c.FatherName, id.in.FatherName}, "mother_name": {c.MotherName, id.in.MotherName},
		"sex": {c.Sex, id.in.Sex}, "special_needs": {c.SpecialNeeds, id.in.SpecialNeeds},
		"trafficking_notes": {c.TraffickingNotes, id.in.TraffickingNotes},
	}
	for col, v := range str {
		if v[0] != v[1] {
			updates[col] = v[1]
			changes[col] = models.FieldChange{}
		}
	}
	if c.ProtectionStatus != id.in.ProtectionStatus {
		updates["protection_status"] = id.in.ProtectionStatus
		changes["protection_status"] = models.FieldChange{Before: c.ProtectionStatus, After: id.in.ProtectionStatus}
	}
	lists := map[string][2]models.Strings{
		"nationalities": {c.Nationalities, id.nationalities}, "languages": {c.Languages, id.languages},
		"vulnerabilities":        {c.Vulnerabilities, orEmpty(id.in.Vulnerabilities)},
		"trafficking_indicators": {c.TraffickingIndicators, orEmpty(id.in.TraffickingIndicators)},
	}
	for col, v := range lists {
		if !slices.Equal(v[0], v[1]) {
			updates[col] = orEmpty(v[1])
			changes[col] = models.FieldChange{}
		}
	}
	if !sameDate(c.BirthDateFrom, id.birthFrom) || !sameDate(c.BirthDateTo, id.birthTo) || c.BirthDateKnown != id.birthKnown {
		updates["birth_date_from"], updates["birth_date_to"], updates["birth_date_known"] = id.birthFrom, id.birthTo, id.birthKnown
		changes["birth_date"] = models.FieldChange{}
	}
	if c.VulnerabilitiesAt == nil && (id.in.VulnerabilitiesAssessed || len(id.in.Vulnerabilities) > 0 || id.in.SpecialNeeds != "") {
		updates["vulnerabilities_assessed_at"] = now
		changes["vulnerabilities_assessed_at"] = models.FieldChange{After: now.Format(time.RFC3339)}
	}
}

// aliasChanges notes in changes whether the aliases differ from the record's.
func aliasChanges(tx *gorm.DB, c *models.Child, id identity, changes models.AuditChanges) error {
	var aliases []string
	if err := tx.Model(&models.ChildName{}).Where("child_id = ? AND kind = 'alias'", c.ID).Order("id").Pluck("original", &aliases).Error; err != nil {
		return err
	}
	if !slices.Equal(aliases, id.in.Aliases) {
		changes["aliases"] = models.FieldChange{}
	}
	return nil
}

// rewriteNames rewrites the child's searchable names when a name or an alias changed (as
// identityChanges and aliasChanges found). Names moved in by a merge stay.
func rewriteNames(tx *gorm.DB, c *models.Child, id identity, changes models.AuditChanges) error {
	changed := false
	for _, f := range []string{"given_name", "family_name", "given_name_latin", "family_name_latin", "aliases", "father_name"} {
		if _, ok := changes[f]; ok {
			changed = true
		}
	}
	if !changed {
		return nil
	}
	var merged models.Int64s
	if err := tx.Raw(`SELECT COALESCE(array_agg(x), '{}') FROM child_merges, unnest(moved_name_ids) x
		WHERE survivor_id = ? AND undone_at IS NULL`, c.ID).Row().Scan(&merged); err != nil {
		return err
	}
	del := tx.Where("child_id = ?", c.ID)
	if len(merged) > 0 {
		del = del.Where("id NOT IN ?", []int64(merged))
	}
	if err := del.Delete(&models.ChildName{}).Error; err != nil {
		return err
	}
	rows := NameRows(c.ID, id.in.GivenName, id.in.FamilyName, id.in.GivenNameLatin, id.in.FamilyNameLatin, id.in.Aliases)
	rows = append(rows, ParentageRows(c.ID, id.in.GivenName, id.in.FamilyName, id.in.GivenNameLatin, id.in.FamilyNameLatin, id.in.FatherName)...)
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

func sameDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Format(time.DateOnly) == b.Format(time.DateOnly)
}

// keptWhenEmpty are the identity fields that an edit by an actor who may not change them
// keeps from the record when the edit leaves them empty (field names of auth/fields.go).
var keptWhenEmpty = []struct {
	field string
	keep  func(c *models.Child, in *IdentityInput)
}{
	{"protection_status", func(c *models.Child, in *IdentityInput) {
		if in.ProtectionStatus == "" {
			in.ProtectionStatus = c.ProtectionStatus
		}
	}},
	{"vulnerabilities", func(c *models.Child, in *IdentityInput) {
		if len(in.Vulnerabilities) == 0 {
			in.Vulnerabilities = slices.Clone(c.Vulnerabilities)
		}
	}},
	{"vulnerabilities_assessed_at", func(c *models.Child, in *IdentityInput) {
		if !in.VulnerabilitiesAssessed {
			in.VulnerabilitiesAssessed = c.VulnerabilitiesAt != nil
		}
	}},
	{"special_needs", func(c *models.Child, in *IdentityInput) {
		if in.SpecialNeeds == "" {
			in.SpecialNeeds = c.SpecialNeeds
		}
	}},
	{"trafficking_indicators", func(c *models.Child, in *IdentityInput) {
		if len(in.TraffickingIndicators) == 0 {
			in.TraffickingIndicators = slices.Clone(c.TraffickingIndicators)
		}
	}},
	{"trafficking_notes", func(c *models.Child, in *IdentityInput) {
		if in.TraffickingNotes == "" {
			in.TraffickingNotes = c.TraffickingNotes
		}
	}},
}

// keepUneditable fills the needs fields that the actor may not change (auth/fields.go) and
// that the edit leaves empty with the record's values. An identity edit replaces every
// identity field, but a form shows as inputs only the fields its reader may change (a border
// officer sees the needs read-only): without this, their save would clear what they could not
// edit, and be refused for it. Leaving such a field out therefore keeps it; giving it a
// different value is still a change, refused by name (forbiddenChanges). Fields the actor may
// change keep the replace-everything meaning: empty clears them.
func keepUneditable(a *models.Actor, c *models.Child, in *IdentityInput) {
	for _, k := range keptWhenEmpty {
		if !a.MayEdit(k.field) {
			k.keep(c, in)
		}
	}
}
