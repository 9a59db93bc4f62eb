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

// albanianJ comes before the other readings of j (bengaliJ, zheReading) and c (turkishC): a j
// after a consonant is Albanian far more often than Bengali or Kurdish, and a name reaches
// maxVariants before the end of the list (Vjollca Cela: Somali, Bengali, Kurdish, Turkish).
var readings = []reading{somaliReading, kurmanjiReading, albanianJ, egyptianG, bengaliJ, zheReading, kurmanjiX, turkishC, ukrainianH, russianYo, frenchOu, slavicForms, michaelK, bengaliBh}

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
		// The ʿayn ends a name too (Jaamac, Sharmaarke Cali Jaamac).
		if n := len(w); n > 3 && w[n-1] == 'c' && isVowel(w[n-2]) {
			w = w[:n-1]
		}
		var b strings.Builder
		for j := 0; j < len(w); j++ {
			c := w[j]
			switch {
			case c == 'c' && somaliAyn(w, j):
				continue
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

// somaliAyn reports whether the c at w[i] is the ʿayn inside a Somali name: between two
// vowels, one of them long (doubled), as in Ismaaciil (Ismail), Sucaad (Suad), Ducaale
// (Duale). A c between short vowels is as often the French s or the English k (Lucia).
func somaliAyn(w string, i int) bool {
	if i == 0 || i+1 >= len(w) || !isVowel(w[i-1]) || !isVowel(w[i+1]) {
		return false
	}
	return i >= 2 && w[i-2] == w[i-1] || i+2 < len(w) && w[i+2] == w[i+1]
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

// bengaliBh reads the bh of Bangladeshi spellings (ভ) as the v that others write for the same
// letter: Shubho / Shuvo, Probhat / Provat, Abhi / Avi.
func bengaliBh(s string) string {
	return strings.ReplaceAll(s, "bh", "v")
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

// turkishC reads the c of Turkish spellings as the j (ج) that English spellings write and
// Albanian ones write xh: Hatice / Khadija / Hatixhe, Recep / Rajab, Cemal / Jamal, Cihan /
// Jihan. Not the ch, sc or cc of other languages; phoneticWord reads c before e and i as the
// French s (Youcef), which stays the first reading.
func turkishC(s string) string {
	return replaceLetter(s, 'c', "j", func(prev, next byte) bool { return next != 'h' && prev != 's' && prev != 'c' && next != 'c' })
}

// ukrainianH reads the h of Ukrainian spellings (Г) as the g that Russian ones write for the
// same name: Oleh / Oleg, Ihor / Igor, Bohdan / Bogdan, Serhii / Sergii. Not a name's first
// h before a vowel, which is as often an Arabic h (Hani, not Gani), nor one of a digraph (sh,
// ch, kh, zh, th, dh, gh, ph, xh). A first h before a consonant is Ukrainian (Hlib / Gleb,
// Hryhorii / Grigorii, Hnat / Gnat): no Arabic, Persian or Turkish name begins so.
func ukrainianH(s string) string {
	return replaceLetter(s, 'h', "g", func(prev, next byte) bool {
		if prev == 0 || prev == ' ' {
			return next != 0 && next != ' ' && next != 'y' && !isVowel(next)
		}
		return !strings.ContainsRune("sckztdgpxh", rune(prev))
	})
}

// michaelK reads the ch of Michael, a Greek k, as the k that other spellings write: the
// Tigrinya and Amharic compounds with it (Gebremichael / Gebremikael, Woldemichael,
// Tesfamichael, Andemichael / Andemikael), where phoneticWord would read ch as sh.
func michaelK(s string) string {
	return strings.ReplaceAll(s, "chae", "kae")
}

// russianYo reads the yo (ё) of Russian spellings after a consonant as the e that Ukrainian
// and passport spellings write: Artyom / Artem, Fyodor / Fedor, Semyon / Semen, Pyotr / Petr.
func russianYo(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 'y' && i > 0 && i+1 < len(s) && s[i+1] == 'o' && s[i-1] != ' ' && !isVowel(s[i-1]) {
			b.WriteByte('e')
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// frenchOu reads the ou before a vowel that begins a name in French spellings as the w of
// English ones: Oualid / Walid, Ouarda / Warda, Ouassim / Wassim.
func frenchOu(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if len(w) > 3 && strings.HasPrefix(w, "ou") && isVowel(w[2]) {
			words[i] = "w" + w[2:]
		}
	}
	return strings.Join(words, " ")
}

// slavicNames are the Russian forms of Ukrainian given names (the passport's transliteration
// of the Ukrainian form, KMU 2010) that children and officers also use: a Ukrainian child's
// name or parent's name is written one way on the passport and the other when said in
// Russian or taken from a Russian-language document. Only names whose two forms are too far
// apart for the spelling similarity (Mykola / Nikolai; not Andrii / Andrei).
var slavicNames = map[string]string{
	"mykola": "nikolai", "oleksandr": "aleksandr", "oleksii": "aleksei", "mykhailo": "mikhail",
	"volodymyr": "vladimir", "vasyl": "vasilii", "petro": "piotr", "hryhorii": "grigorii",
	"yurii": "iurii", "kateryna": "ekaterina", "olena": "elena", "halyna": "galina",
	"hanna": "anna", "yevhen": "evgenii", "ivanna": "ioanna", "liubov": "lyubov",
}

// slavicForms reads each Ukrainian given name of slavicNames in its Russian form.
func slavicForms(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if r, ok := slavicNames[w]; ok {
			words[i] = r
		}
	}
	return strings.Join(words, " ")
}

// albanianJ reads the Albanian j after a consonant and before a vowel as the i that Italian,
// Greek and English spellings write for the same sound: Gentjana / Gentiana, Vjollca /
// Viollca, Marjana / Mariana, Arjeta / Arieta, Pjetër / Pieter. (phoneticWord reads a j after
// a vowel as i already: Hajdar / Haidar.) Not the j of dj, gj or xh (the Arabic ج), nor a
// doubled j.
func albanianJ(s string) string {
	return replaceLetter(s, 'j', "i", func(prev, next byte) bool {
		return prev != 0 && prev != ' ' && !isVowel(prev) && !strings.ContainsRune("dgjxyz", rune(prev)) && isVowel(next)
	})
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
