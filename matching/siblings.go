package matching

// Brothers, sisters and twins share both parents and the family name, and often have alike
// given names; the parents' cap (Comparison.parentsCap) keeps such a candidate below likely
// when the given names agree only weakly. Two kinds of given names are read otherwise there
// than their similarity says:
//   - one spelling with one sound written otherwise (oneSoundApart), as written or in one of
//     the names' readings (oneSoundApartRead): Sujon / Sujan, Yousef / Yusuf, Sajib / Shajib,
//     Shuvo / Subho (bh read as v). The vowels, and the s / sh of Bengali and Persian, are what
//     transliterations disagree on most, and parents do not give two children one name in
//     two spellings;
//   - compound given names that share a word (sharedWordRest): Hassan Raza / Hussain Raza,
//     Ahmad Zia / Ahmad Shah. Brothers are often named with one common element, which makes
//     the whole names look similar; what tells them apart is the rest.

// minOneSoundKey is the shortest phonetic key in which one vowel written otherwise is still
// one name: in a shorter one (Rama / Rima, Amer / Amir) it is another name as often.
const minOneSoundKey = 5

// oneSoundApart reports whether two names have phonetic keys of the same length that differ in
// one letter only: a vowel on both sides (minOneSoundKey letters at least), or s and sh
// (S in the key) — not a changed consonant, nor a vowel added or dropped (Hassan / Hussain,
// Amer / Omar differ in two).
func oneSoundApart(a, b name) bool {
	x, y := a.key, b.key
	if len(x) != len(y) || x == y {
		return false
	}
	at := -1
	for i := 0; i < len(x); i++ {
		if x[i] != y[i] {
			if at >= 0 {
				return false
			}
			at = i
		}
	}
	p, q := x[at], y[at]
	switch {
	case isVowel(p) && isVowel(q):
		return len(x) >= minOneSoundKey
	case p == 's' && q == 'S', p == 'S' && q == 's':
		return len(x) >= 4
	}
	return false
}

// sharedWordRest is, for two given names of the same number of words (two at least) that share
// a word at the same place (any spelling of Muhammad counts as one), their other words (ok
// false otherwise, or when they share every word).
func sharedWordRest(a, b name) (restA, restB name, ok bool) {
	if len(a.words) < 2 || len(a.words) != len(b.words) {
		return name{}, name{}, false
	}
	var wa, wb []string
	for i := range a.words {
		x, y := a.words[i], b.words[i]
		if phoneticWord(x) == phoneticWord(y) || isMuhammad(x) && isMuhammad(y) {
			continue
		}
		wa, wb = append(wa, x), append(wb, y)
	}
	if len(wa) == 0 || len(wa) == len(a.words) {
		return name{}, name{}, false
	}
	return nameOf(wa), nameOf(wb), true
}

// siblingLevel is the level of two given names as the parents' cap reads it (see above): the
// level of their other words when they share one, and at least similar for one sound written
// otherwise.
func siblingLevel(a, b name, lvl level) level {
	if ra, rb, ok := sharedWordRest(a, b); ok && lvl > nameWeak {
		return min(lvl, siblingLevel(ra, rb, nameLevel(nameSim(ra, rb))))
	}
	if lvl <= nameWeak && oneSoundApartRead(a, b) {
		return nameSimilar
	}
	return lvl
}

// oneSoundApartRead is oneSoundApart for the names or one of their readings (variants.go):
// Shuvo / Subho are one sound apart once Subho's bh is read as the v others write.
func oneSoundApartRead(a, b name) bool {
	if oneSoundApart(a, b) {
		return true
	}
	for _, av := range a.variants {
		if oneSoundApart(av, b) {
			return true
		}
	}
	for _, bv := range b.variants {
		if oneSoundApart(a, bv) {
			return true
		}
	}
	return false
}
