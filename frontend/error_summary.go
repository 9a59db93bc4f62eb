package frontend

import (
	"sort"
	"strings"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/registry"
)

// The error summary at the top of a refused registration (issue 13, item 3; the GOV.UK
// pattern): every field in error, in the order of the form, each a link to its input, the
// whole list focused when the page loads so a screen reader reads it first.

// summaryField is where a field's error links to and which label names it.
type summaryField struct{ field, anchor, label string }

// registerFields are the registration form's fields in the order they appear.
var registerFields = []summaryField{
	{"given_name", "given_name", "child.given_name"},
	{"family_name", "family_name", "child.family_name"},
	{"given_name_latin", "given_name_latin", "child.given_name_latin"},
	{"family_name_latin", "family_name_latin", "child.family_name_latin"},
	{"aliases", "aliases", "child.aliases"},
	{"father_name", "father_name", "child.father_name"},
	{"mother_name", "mother_name", "child.mother_name"},
	{"sex", "sex-error", "child.sex"},
	{"birth_date", "birth_date", "child.birth_date"},
	{"age_min", "age_min", "child.age_min"},
	{"age_max", "age_max", "child.age_max"},
	{"nationalities", "nationality_1", "child.nationality"},
	{"languages", "register-form", "child.languages"},
	{"protection_status", "register-form", "child.protection_status"},
	{"vulnerabilities", "register-form", "child.vulnerabilities"},
	{"special_needs", "special_needs", "child.special_needs"},
	{"trafficking_indicators", "register-form", "child.trafficking_indicators"},
	{"trafficking_notes", "trafficking_notes", "child.trafficking_notes"},
	{"arrived_at", "arrived_at", "arrival.arrived_at"},
	{"border_post_code", "border_post_code", "arrival.border_post"},
	{"how_found", "how_found", "arrival.how_found"},
	{"location", "location", "arrival.location"},
	{"region_code", "region_code", "arrival.region"},
	{"accompanying_adults", "adult_0_relation", "arrival.adults"},
	{"documents", "document_0_type", "arrival.documents"},
	{"notes", "arrival_notes", "arrival.notes"},
}

// SummaryItem is one line of the error summary.
type SummaryItem struct {
	Anchor  string // the id the link goes to
	LabelID string // message id of the field's label ("" when the field has none on the form)
	Message string // the localized error
}

// errorSummary lists the errors in the order of the form; errors of fields the table does not
// know (list items such as "documents[1].country") follow, under their list's label.
func errorSummary(errs map[string]string) []SummaryItem {
	var out []SummaryItem
	seen := map[string]bool{}
	for _, f := range registerFields {
		if msg, ok := errs[f.field]; ok {
			out = append(out, SummaryItem{Anchor: f.anchor, LabelID: f.label, Message: msg})
			seen[f.field] = true
		}
	}
	var rest []string
	for field := range errs {
		if !seen[field] {
			rest = append(rest, field)
		}
	}
	sort.Strings(rest)
	for _, field := range rest {
		item := SummaryItem{Anchor: "register-form", Message: errs[field]}
		for _, f := range registerFields {
			if strings.HasPrefix(field, f.field+"[") || strings.HasPrefix(field, f.field+".") {
				item.Anchor, item.LabelID = f.anchor, f.label
			}
		}
		out = append(out, item)
	}
	return out
}

// Summary is the error summary of a refused registration (see errorSummary).
func (p registerPage) Summary() []SummaryItem { return errorSummary(p.Errors) }

// suggestLatin fills empty Latin spellings with the ones registration would suggest
// (matching.LatinName, the one rule), so a refused form shows them to check instead of
// leaving them empty.
func suggestLatin(in *registry.IdentityInput) {
	if strings.TrimSpace(in.GivenNameLatin) == "" && strings.TrimSpace(in.GivenName) != "" {
		in.GivenNameLatin = matching.LatinName(strings.TrimSpace(in.GivenName))
	}
	if strings.TrimSpace(in.FamilyNameLatin) == "" && strings.TrimSpace(in.FamilyName) != "" {
		in.FamilyNameLatin = matching.LatinName(strings.TrimSpace(in.FamilyName))
	}
}
