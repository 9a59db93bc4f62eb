package registry

import (
	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// NameRows are the child_names rows of a child: the given name, the family name, the full
// name "given family" (the given name alone when there is no family name) and each alias, as
// written and in Latin letters, with their skeletons. A Latin form left empty by the officer
// is suggested by matching.LatinName. Empty names give no row.
func NameRows(childID int64, given, family, givenLatin, familyLatin string, aliases []string) []models.ChildName {
	given, family = matching.CleanName(given), matching.CleanName(family)
	givenLatin, familyLatin = matching.Latin(given, givenLatin), matching.Latin(family, familyLatin)
	var rows []models.ChildName
	seen := map[string]bool{}
	add := func(kind, original, latin string) {
		if latin == "" {
			return
		}
		if original == "" {
			original = latin
		}
		key := kind + "\x00" + original + "\x00" + latin
		if seen[key] {
			return
		}
		seen[key] = true
		row := models.ChildName{ChildID: childID, Kind: kind, Original: original, Latin: latin, Skeleton: matching.Skeleton(latin),
			VariantSkeletons: models.Strings{}}
		if kind == "full" || kind == "alias" {
			row.VariantSkeletons = matching.VariantSkeletons(latin)
		}
		rows = append(rows, row)
	}
	add("given", given, givenLatin)
	add("family", family, familyLatin)
	add("full", matching.JoinName(given, family), matching.JoinName(givenLatin, familyLatin))
	for _, a := range aliases {
		if a = matching.CleanName(a); a != "" {
			add("alias", a, matching.Latin(a, ""))
		}
	}
	return rows
}

// ParentageRows are the parentage rows of a child (kind "parentage"): "given name + father's
// name" and "given name + father's name + family name" for each reading of the names (the
// officer's Latin, the transliteration), the blocking keys by which a duplicate check that
// carries the father's name finds the child whatever its age estimate
// (matching.ParentageLatin, duplicateSearchSQL). None without a given name or a father's
// name. They are written, deleted and moved with NameRows' rows.
func ParentageRows(childID int64, given, family, givenLatin, familyLatin, father string) []models.ChildName {
	given, family, father = matching.CleanName(given), matching.CleanName(family), matching.CleanName(father)
	var rows []models.ChildName
	seen := map[string]bool{}
	for _, n := range [][2]string{
		{matching.Latin(given, givenLatin), matching.Latin(family, familyLatin)}, {matching.Latin(given, ""), matching.Latin(family, "")},
	} {
		for _, fam := range []string{"", n[1]} {
			latin := matching.ParentageLatin(n[0], father, fam)
			skel := matching.Skeleton(latin)
			if latin == "" || seen[skel] {
				continue
			}
			seen[skel] = true
			original := matching.JoinName(given, father)
			if fam != "" {
				original = matching.JoinName(original, family)
			}
			rows = append(rows, models.ChildName{ChildID: childID, Kind: "parentage", Original: original,
				Latin: latin, Skeleton: skel, VariantSkeletons: models.Strings{}})
		}
	}
	return rows
}
