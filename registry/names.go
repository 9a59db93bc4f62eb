package registry

import (
	"strings"
	"unicode"

	"github.com/gosimple/unidecode"

	"github.com/kujdes/kujdes/models"
)

// LatinName suggests the Latin transliteration of a name written in any script; officers may
// correct it.
func LatinName(s string) string {
	return strings.Join(strings.Fields(unidecode.Unidecode(s)), " ")
}

// NameSkeleton is a spelling-tolerant key of a Latin name (vowels dropped, similar sounds
// folded), so Mohammad, Muhammad and Mohamed meet.
func NameSkeleton(latin string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(latin) {
		if r >= 'a' && r <= 'z' && !strings.ContainsRune("aeiouyhw", r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NameRows are the child_names rows of a child: the given name, the family name, the full
// name "given family" and each alias, as written and in Latin letters, with their skeletons.
// A Latin form left empty by the officer is suggested by LatinName. Empty names give no row.
func NameRows(childID int64, given, family, givenLatin, familyLatin string, aliases []string) []models.ChildName {
	given, family = cleanName(given), cleanName(family)
	givenLatin, familyLatin = latinOf(given, givenLatin), latinOf(family, familyLatin)
	var rows []models.ChildName
	seen := map[string]bool{}
	add := func(kind, original, latin string) {
		if latin == "" && original == "" {
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
		rows = append(rows, models.ChildName{ChildID: childID, Kind: kind, Original: original, Latin: latin, Skeleton: NameSkeleton(latin)})
	}
	add("given", given, givenLatin)
	add("family", family, familyLatin)
	// The full name only adds something when both parts exist.
	if givenLatin != "" && familyLatin != "" {
		add("full", joinName(given, family), joinName(givenLatin, familyLatin))
	}
	for _, a := range aliases {
		a = cleanName(a)
		if a == "" {
			continue
		}
		add("alias", a, latinOf(a, ""))
	}
	return rows
}

// latinOf is the officer's Latin form when given, else the original when it is already in
// Latin letters, else its transliteration.
func latinOf(original, latin string) string {
	if latin = cleanName(latin); latin != "" {
		return latin
	}
	if original == "" {
		return ""
	}
	if isLatin(original) {
		return original
	}
	return LatinName(original)
}

// isLatin reports whether every letter of s is a Latin letter (accents allowed).
func isLatin(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

func cleanName(s string) string { return strings.Join(strings.Fields(s), " ") }

func joinName(given, family string) string {
	return strings.TrimSpace(given + " " + family)
}
