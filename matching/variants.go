package matching

// Spelling variants: besides its one folded form (nameWords, phoneticWord), a name is compared
// in the other plausible Latin spellings of the route's languages, each a reading that a
// different officer or interpreter would type. A reading only adds a way to match; it costs a
// little (variantFactor), so a name spelled alike still weighs more.

import (
	"slices"
	"strings"
	"unicode"
)

// variantFactor is the similarity kept when only a variant spelling matches.
const variantFactor = 0.95

// maxVariants bounds the readings of one name (each is one more comparison).
const maxVariants = 4

// A reading rewrites a lower-case Latin name (accents kept) into another plausible spelling;
// it returns the input when it does not apply.
type reading func(s string) string

var readings = []reading{somaliReading, kurmanjiReading, egyptianG, bengaliJ, zheReading, kurmanjiX}

// somaliReading reads Somali orthography, where c is the ʿayn that other spellings leave out
// (Cabdi, Cumar, Cali) and x the ḥ others write h (Maxamed, Faarax), with doubled long vowels
// (Faarax, Ayaan).
func somaliReading(s string) string {
	if !strings.ContainsAny(s, "cx") && !containsDoubledVowel(s) {
		return s
	}
	words := strings.Fields(s)
	for i, w := range words {
		if len(w) > 2 && w[0] == 'c' && isVowel(w[1]) {
			w = w[1:]
		}
		var b strings.Builder
		for j := 0; j < len(w); j++ {
			c := w[j]
			switch {
			case c == 'x' && (j+1 == len(w) || w[j+1] != 'h'):
				c = 'h'
			case isVowel(c) && j > 0 && w[j-1] == c:
				continue
			}
			b.WriteByte(c)
		}
		words[i] = b.String()
	}
	return strings.Join(words, " ")
}

func containsDoubledVowel(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] && (s[i] == 'a' || s[i] == 'i' || s[i] == 'u') {
			return true
		}
	}
	return false
}

var kurmanjiLetters = strings.NewReplacer("ş", "sh", "ç", "ch")

// kurmanjiReading reads Kurmanji and Turkish letters as English-style spellings do (ş sh,
// ç ch), and Kurmanji's short e as the a of Arabic-derived names (Ehmed Ahmed, Mihemed
// Mohammed) — only in a name that has Kurmanji or Turkish letters.
func kurmanjiReading(s string) string {
	if !strings.ContainsAny(s, "şçêîû") {
		return s
	}
	s = kurmanjiLetters.Replace(s)
	return strings.Map(func(r rune) rune {
		if r == 'e' {
			return 'a'
		}
		return r
	}, s)
}

// egyptianG reads the Egyptian g of Gamal, Ragab, Hegazy as the j of other spellings (not the
// gh, gj or ng of other languages).
func egyptianG(s string) string {
	return replaceLetter(s, 'g', "j", func(prev, next byte) bool { return next != 'h' && next != 'j' && prev != 'n' })
}

// bengaliJ reads the j that Bangladeshi spellings use for the Arabic z (Mijanur / Mizanur,
// Najmul / Nazmul); not the j of dj, gj, xh.
func bengaliJ(s string) string {
	return replaceLetter(s, 'j', "z", func(prev, next byte) bool { return prev != 'd' && prev != 'g' })
}

var zheLetters = strings.NewReplacer("ž", "zh")

// zheReading reads the Persian and Kurdish ژ as English spellings write it, zh: Kurmanji,
// Sorani Latin, Turkish and French spellings write it j (Hejar / Hazhar, Rojin / Rozhin),
// scholarly and Slavic-keyboard ones ž (Hažar). Not the j of dj, gj, where j is the Arabic ج
// (Djamel, Gjergj). The j of other names (Jamal) read as zh stays close to itself (j and zh
// are look-alike sounds), so the reading mostly adds where phoneticWord would read a j after
// a vowel as the Albanian i.
func zheReading(s string) string {
	if strings.ContainsRune(s, 'ž') {
		s = zheLetters.Replace(s)
	}
	return replaceLetter(s, 'j', "zh", func(prev, next byte) bool { return prev != 'd' && prev != 'g' })
}

// kurmanjiX reads the x of Kurmanji (and Azerbaijani) spellings as the kh that English ones
// write for the same خ (Xelil / Khalil, Bextiyar / Bakhtiyar); somaliReading reads it as the
// Somali ḥ. Not the Albanian xh.
func kurmanjiX(s string) string {
	return replaceLetter(s, 'x', "kh", func(prev, next byte) bool { return next != 'h' })
}

// replaceLetter replaces the letter from by to wherever ok accepts its neighbours (0 at an edge).
func replaceLetter(s string, from byte, to string, ok func(prev, next byte) bool) string {
	if strings.IndexByte(s, from) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != from {
			b.WriteByte(s[i])
			continue
		}
		var prev, next byte
		if i > 0 {
			prev = s[i-1]
		}
		if i+1 < len(s) {
			next = s[i+1]
		}
		if ok(prev, next) {
			b.WriteString(to)
		} else {
			b.WriteByte(from)
		}
	}
	return b.String()
}

// variantsOf are a Latin name's other readings, folded (none for a name in another script:
// its transliteration is compared instead).
func variantsOf(s string, base name) []name {
	if s == "" || !isLatin(s) {
		return nil
	}
	low := strings.Map(unicode.ToLower, s)
	var out []name
	seen := []string{base.key}
	for _, r := range readings {
		t := r(low)
		if t == low {
			continue
		}
		v := nameOf(nameWords(t))
		if v.empty() || slices.Contains(seen, v.key) {
			continue
		}
		seen = append(seen, v.key)
		out = append(out, v)
		if len(out) == maxVariants {
			break
		}
	}
	return out
}

// VariantSkeletons are the skeletons of a Latin name's other readings (stored with a full
// name or alias in child_names.variant_skeletons, for retrieval).
func VariantSkeletons(latin string) []string {
	base := makeName(latin)
	out := []string{}
	for _, v := range base.variants {
		if v.skeleton != "" && v.skeleton != base.skeleton && !slices.Contains(out, v.skeleton) {
			out = append(out, v.skeleton)
		}
	}
	return out
}
