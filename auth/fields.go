package auth

import (
	"slices"

	"github.com/kujdes/kujdes/models"
)

// Field-level permissions: which role may change which fields of a child's record through an
// edit (PATCH /children/{id}, the edit form of the child's page). Holding child.update lets a
// role edit; this table says what. The names are the JSON field names, which are also the keys
// of the audit changes (identity changes are audited by field name only).
//
// Nobody changes status here: status moves only by the named transitions of
// registry/lifecycle.go (and merge). A field missing from every list is read-only for all.

// childIdentityFields say who the child is.
var childIdentityFields = []string{
	"given_name", "family_name", "given_name_latin", "family_name_latin", "aliases",
	"father_name", "mother_name", "sex", "birth_date", "nationalities", "languages",
}

// childNeedsFields say what the child needs and what puts them at risk.
var childNeedsFields = []string{
	"protection_status", "vulnerabilities", "vulnerabilities_assessed_at", "special_needs",
	"trafficking_indicators", "trafficking_notes",
}

// childFields is the table. Border officers may correct the identity of the children they
// registered (in their scope); guardians know the child best and may also update needs; only
// protection officers move a child to another region (which changes who is responsible).
var childFields = map[models.Role][][]string{
	models.RoleBorderOfficer:     {childIdentityFields},
	models.RoleProtectionOfficer: {childIdentityFields, childNeedsFields, {"region_code"}},
	models.RoleGuardian:          {childIdentityFields, childNeedsFields},
}

// ChildFieldsFor returns the union of the child fields roles may change.
func ChildFieldsFor(roles []models.Role) map[string]bool {
	out := map[string]bool{}
	for _, r := range roles {
		for _, group := range childFields[r] {
			for _, f := range group {
				out[f] = true
			}
		}
	}
	return out
}

// ChildFields lists every field named in the table, sorted (for tests and documentation).
func ChildFields() []string {
	var out []string
	for _, groups := range childFields {
		for _, g := range groups {
			for _, f := range g {
				if !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
