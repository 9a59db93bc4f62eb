package registry

import (
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// applyIdentity compares a validated identity with the record, fills the column updates and
// the audit changes (field names only: identity values are withheld from the trail), and
// rewrites the child's searchable names. Names moved in by a merge stay.
func (r *Registry) applyIdentity(tx *gorm.DB, c *models.Child, id identity, changes models.AuditChanges, updates map[string]any) error {
	str := map[string][2]string{
		"given_name": {c.GivenName, id.in.GivenName}, "family_name": {c.FamilyName, id.in.FamilyName},
		"given_name_latin": {c.GivenNameLatin, id.in.GivenNameLatin}, "family_name_latin": {c.FamilyNameLatin, id.in.FamilyNameLatin},
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
		updates["vulnerabilities_assessed_at"] = r.now()
		changes["vulnerabilities_assessed_at"] = models.FieldChange{After: r.now().Format(time.RFC3339)}
	}
	var aliases []string
	if err := tx.Model(&models.ChildName{}).Where("child_id = ? AND kind = 'alias'", c.ID).Order("id").Pluck("original", &aliases).Error; err != nil {
		return err
	}
	_, nameChanged := updates["given_name"]
	_, familyChanged := updates["family_name"]
	_, gl := updates["given_name_latin"]
	_, fl := updates["family_name_latin"]
	if !slices.Equal(aliases, id.in.Aliases) {
		changes["aliases"] = models.FieldChange{}
	}
	if !nameChanged && !familyChanged && !gl && !fl && slices.Equal(aliases, id.in.Aliases) {
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
