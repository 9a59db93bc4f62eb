package matching

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/unidecode"
	"golang.org/x/text/unicode/norm"
)

// Names on the route are written in Arabic, Persian (Dari), Pashto, Urdu and Sorani Kurdish
// (all in the Arabic script), Bengali, Cyrillic (Ukrainian), Ethiopic (Tigrinya) and Latin
// with Turkish or Albanian letters. unidecode gives a letter-by-letter reading of any of
// them; for names it is not enough: the Arabic script writes no short vowels (محمد is "mhmd"),
// Bengali consonants carry an unwritten vowel, and Ukrainian passports follow their own
// table. The rules below fix those cases and fall back to unidecode for everything else.

// RulesVersion is the version of the name-folding rules of this package that compute the
// stored skeletons (Skeleton, VariantSkeletons). Raise it with every change that moves a
// skeleton: registry.RefreshNameSkeletons then rewrites the rows written under older rules.
// 2: Albanian j between vowels read as i; the Mauritanian particle ould left out; variant
// skeletons of other spellings (issue 12). 3: the zh reading of j and ž (zheReading) and the
// kh reading of x (kurmanjiX) add variant skeletons. 4: the j reading of the Turkish c
// (turkishC), the g reading of the Ukrainian h (ukrainianH), the e reading of the Russian yo
// (russianYo), the w reading of the French initial ou (frenchOu), the Russian forms of
// Ukrainian names (slavicForms) and the Somali final c (somaliReading) add variant skeletons.
// 5: the l of Allah in Abdullahi written once (Abdulahi, Abdilahi) folds as when doubled.
// 6: the Somali ʿayn c inside a name (somaliAyn), the Ukrainian h that begins a name before a
// consonant (ukrainianH), the k of Michael (michaelK) and the Bengali bh written v (bengaliBh)
// add variant skeletons.
// 7: a doubled j is one j (Sajjad / Sajad, phoneticWord); an Abd compound whose second name
// begins with a vowel keeps the article's l (Abd El Ilah / Abdelilah, nameWords); the
// Albanian j after a consonant read as i (albanianJ) adds variant skeletons. Stored parentage
// keys are folded words, so the Abd rule reaches them only when a child's names are written
// again.
const RulesVersion = 7

// LatinName suggests the Latin transliteration of a name written in any script; officers may
// correct it. Names already in Latin letters lose their diacritics (Gül → Gul).
func LatinName(s string) string {
	words := strings.Fields(norm.NFC.String(s))
	persian := strings.ContainsFunc(s, isPersianLetter)
	russian := isRussian(s)
	out := make([]string, 0, len(words))
	for _, w := range words {
		var l string
		switch scriptOf(w) {
		case scriptArabic:
			l = arabicWord(w, persian)
		case scriptBengali:
			if strings.Trim(w, ".ঃ") == "মো" || strings.Trim(w, ".ঃ") == "মোহাঃ" {
				l = "Md" // Bangladeshi abbreviation of Mohammad
				break
			}
			l = capitalize(bengaliWord(w))
		case scriptCyrillic:
			l = cyrillicWord(w, russian)
		case scriptEthiopic:
			l = capitalize(ethiopicWord(w))
		default:
			l = unidecode.Unidecode(w)
		}
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(strings.Fields(strings.Join(out, " ")), " ")
}

type script int

const (
	scriptLatin script = iota
	scriptArabic
	scriptBengali
	scriptCyrillic
	scriptEthiopic
)

func scriptOf(w string) script {
	for _, r := range w {
		switch {
		case unicode.Is(unicode.Arabic, r):
			return scriptArabic
		case unicode.Is(unicode.Bengali, r):
			return scriptBengali
		case unicode.Is(unicode.Cyrillic, r):
			return scriptCyrillic
		case unicode.Is(unicode.Ethiopic, r):
			return scriptEthiopic
		}
	}
	return scriptLatin
}

// isPersianLetter reports letters Arabic does not use: their presence means Dari, Pashto,
// Urdu or Kurdish conventions (ث is "s", not "th"; ذ and ض are "z").
func isPersianLetter(r rune) bool {
	return strings.ContainsRune("پچژگکیۍېګښځڅټډړږڼٹڈڑںہھےەێۆڕڵ", r)
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// --- Arabic script -------------------------------------------------------------------------

// --- Matching keys -------------------------------------------------------------------------

// articles are the Arabic article and its assimilated forms when written as a separate word
// (Abd al-Rahman, Nasr ad-Din, El Hadi).
var articles = map[string]bool{"al": true, "el": true, "ul": true, "il": true, "ad": true, "ed": true,
	"ud": true, "ar": true, "er": true, "ur": true, "as": true, "es": true, "us": true, "at": true,
	"et": true, "az": true, "ez": true, "an": true, "en": true, "ash": true, "esh": true}

// nameWords folds a name into lower-case ASCII words where spelling conventions meet: the
// article is dropped, "Abd al-", "…ullah" and "…uddin" compounds are written one way, and
// "Md" is Mohammad (Bangladesh).
func nameWords(name string) []string {
	if !isLatin(name) {
		name = LatinName(name)
	}
	// Diacritics go, as when officers type without them (Koç → koc, Şahin → sahin, ë → e).
	name = strings.ToLower(unidecode.Unidecode(name))
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return ' '
	}, name)
	var ws []string
	for _, w := range strings.Fields(name) {
		switch w {
		case "md", "mohd", "muhd", "mhd":
			w = "muhammad"
		}
		n := len(ws)
		switch {
		case articles[w], w == "ould", w == "wuld":
			// Mauritanian "ould" (son of) is written before the father's name, attached,
			// apart or not at all.
			continue
		case n > 0 && (w == "ullah" || w == "ulla" || w == "allah" || w == "ollah" || w == "olla"):
			ws[n-1] += "ullah"
		case n > 0 && (w == "din" || w == "deen" || w == "dine" || w == "uddin" || w == "eddine" || w == "uddeen" || w == "addin"):
			ws[n-1] += "uddin"
		case n > 0 && isAbd(ws[n-1]):
			// A name that begins with a vowel takes the article's l that nameWords dropped or
			// that was never written (Abd El Ilah, Abd Ilah / Abdelilah; Abd Al Aziz /
			// Abdulaziz): foldWord reads the compound as written in one word.
			if abd := ws[n-1]; isVowel(w[0]) && (abd == "abd" || isVowel(abd[len(abd)-1])) {
				w = "l" + w
			}
			ws[n-1] += w
		default:
			ws = append(ws, w)
		}
	}
	for i, w := range ws {
		ws[i] = foldWord(w)
	}
	return ws
}

func isAbd(w string) bool {
	switch w {
	case "abd", "abdul", "abdel", "abdal", "abdur", "abdus", "abdu", "abdo", "abdou", "abdoul", "abdol":
		return true
	}
	return false
}

func foldWord(w string) string {
	for _, suf := range []string{"ullah", "ollah", "allah", "ellah", "ulla", "olla", "alla", "ulah"} {
		if stem, ok := strings.CutSuffix(w, suf); ok && len(stem) >= 3 {
			w = stem + "ula"
			break
		}
	}
	if rest, ok := strings.CutPrefix(w, "ould"); ok && len(rest) >= 4 {
		w = rest
	}
	if rest, ok := strings.CutPrefix(w, "abd"); ok && len(rest) >= 3 {
		rest = strings.TrimLeft(rest, "aeiou")
		switch {
		case slices.Contains([]string{"ahi", "aahi"}, strings.TrimLeft(rest, "l")):
			// Abd + Allah + i (Somali and West African Abdullahi): the l of Allah written
			// once or twice is one letter, as the doubled first letter of the other
			// compounds is (Abdurrahman / Abdurahman) — it is not the article's l.
			rest = "lahi"
		case len(rest) > 2 && rest[0] == 'l':
			rest = rest[1:]
		case len(rest) > 2 && rest[0] == rest[1]:
			rest = rest[1:]
		}
		w = "abd" + rest
	}
	for _, suf := range []string{"uddeen", "uddin", "eddine", "eddin", "addin", "odin", "udin", "edin"} {
		if stem, ok := strings.CutSuffix(w, suf); ok && len(stem) >= 3 {
			w = stem + "din"
			break
		}
	}
	// An article written together with the name (Elmasry, Alhassan), not Alireza or Alexander.
	if len(w) >= 6 && (strings.HasPrefix(w, "al") || strings.HasPrefix(w, "el")) && !isVowel(w[2]) && w[2] != 'y' {
		w = w[2:]
	}
	// French spellings add a silent e (Amine, Yassine, Abderrahmane).
	if len(w) > 4 && strings.HasSuffix(w, "ne") && strings.ContainsRune("aeiou", rune(w[len(w)-3])) {
		w = w[:len(w)-1]
	}
	return w
}

// nameKey is a name with spelling conventions unified but vowels kept, for the similarity
// measure. Digraphs become one symbol: S sh/ch, Z zh, H kh, G gh, T th, D dh.
func nameKey(words []string) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteString(phoneticWord(w))
	}
	return b.String()
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// phoneticLetters are the letter groups phoneticWord reads as one sound (built once: a
// Replacer is costly to build and every name of every candidate goes through it).
var phoneticLetters = strings.NewReplacer("tch", "S", "sch", "S", "sh", "S", "ch", "S", "zh", "Z", "kh", "H",
	"gh", "G", "ph", "f", "th", "T", "dh", "D", "dzh", "j", "dj", "j", "xh", "j", "gj", "j",
	"ck", "k", "x", "ks", "ou", "u", "oo", "u", "ee", "i", "ce", "se", "ci", "si", "cy", "sy", "c", "k",
	// A doubled j (the shadda of ج: Sajjad / Sajad, Najjar / Najar, Hajji / Haji) is one
	// letter, as other doubled letters are; read before the j after a vowel becomes i.
	"jj", "j")

func phoneticWord(w string) string {
	// Somali writes ħ as x (Farax, Xasan); elsewhere x is "ks" (Alexander).
	if strings.HasPrefix(w, "x") && !strings.HasPrefix(w, "xh") {
		w = "h" + w[1:]
	}
	if strings.HasSuffix(w, "x") {
		w = w[:len(w)-1] + "h"
	}
	w = phoneticLetters.Replace(w)
	out := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		c := w[i]
		prevVowel := i > 0 && isVowel(w[i-1])
		nextVowel := i+1 < len(w) && isVowel(w[i+1])
		switch c {
		case 'y':
			if !((i == 0 && nextVowel) || (i > 0 && !prevVowel && nextVowel)) {
				c = 'i'
			}
		case 'j':
			// Albanian and Kosovar j between vowels is the i of other spellings (Hajdar /
			// Haidar, Lejla / Leila), as y is.
			if prevVowel && nextVowel || prevVowel && i+1 < len(w) && !isVowel(w[i+1]) {
				c = 'i'
			}
		case 'w', 'v':
			c = 'v'
			if i > 0 && prevVowel && !nextVowel {
				c = 'u'
			}
		case 'h':
			if i == len(w)-1 && prevVowel && len(w) > 2 {
				continue
			}
		}
		if n := len(out); n > 0 && out[n-1] == c {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// skeletonOf drops the vowels of a key and folds consonants that spellings confuse: k/q/g/c,
// th/s, dh/z, kh/h, j/y/zh and d/t (Ahmad/Ahmet); a y inside a word is a vowel.
func skeletonOf(words []string) string {
	var b []byte
	for _, w := range words {
		k := phoneticWord(w)
		for i := 0; i < len(k); i++ {
			c := k[i]
			switch c {
			case 'a', 'e', 'i', 'o', 'u':
				continue
			case 'y':
				if i > 0 {
					continue // Ilyas/Ilias, Hysen/Husein
				}
			case 'q', 'G', 'g':
				c = 'k'
			case 'T':
				c = 's'
			case 'D':
				c = 'z'
			case 'H':
				c = 'h'
			case 'j', 'Z':
				c = 'y'
			case 'd':
				c = 't'
			}
			if n := len(b); n > 0 && b[n-1] == c {
				continue
			}
			b = append(b, c)
		}
	}
	return string(b)
}

// Skeleton is a spelling-tolerant key of a name (vowels dropped, similar sounds folded,
// the Arabic article and compound spellings unified), so Mohammad, Muhammad and Mohamed meet,
// and so do Abdul Rahman and Abd al-Rahman. Word order counts: the full name and its swapped
// form have different skeletons.
func Skeleton(latin string) string {
	return skeletonOf(nameWords(latin))
}

// Latin is the officer's Latin form when given, else the original when it is already in
// Latin letters, else its transliteration.
func Latin(original, latin string) string {
	if latin = CleanName(latin); latin != "" {
		return latin
	}
	if original == "" || isLatin(original) {
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

// CleanName is a name with its spaces folded (none at the ends, one between words).
func CleanName(s string) string { return strings.Join(strings.Fields(s), " ") }

// JoinName is the full name "given family" (the one of them there is when the other is empty).
func JoinName(given, family string) string {
	return strings.TrimSpace(given + " " + family)
}
