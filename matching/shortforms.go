package matching

import "strings"

// Forms of one name that no spelling rule brings together, because a word is added, dropped
// or joined rather than spelled otherwise. Each is a kind seen on the route, and each is read
// in the comparison only (spellingSim, compareParent): the stored skeletons do not change.
//   - a title before the name (withoutTitle): Sayed Masood / Masood, Haji Mohammad Zahir /
//     Mohammad Zaher, Syed Imtiaz Ali / Imtiaz Ali Shah, Hafiz Talha / Talha. A Sayed, Syed,
//     Haji or Hafiz is written before the name by one officer and left out by the next, as
//     Muhammad is (withoutMuhammad);
//   - Muhammad said as the Sorani Hama (muhammadLike): Hama Amin / Mohammed Amin, Hama Karim /
//     Karim;
//   - a name of Allah said without -ullah (ullahShort): Naqibullah / Naqib, Nasratullah /
//     Nasrat. Afghan and Pakistani children go by the first part of the compound;
//   - a compound written as one word on one side and as two on the other (joinedSim): the
//     letters at the joint then read as one sound on one side only (Ahmadjawed: the dj of the
//     French and Maghrebi spellings; Ahmad Jawid), so both are read as one word; and an
//     article at the joint is written in the one word and left out of the two (Ziaulhaq /
//     Zia ul Haq, Fazlurrahman / Fazl ur Rahman: withoutJointArticle);
//   - the Albanian definite form of a given name (definiteSim), as for the parents' names:
//     Kaltrina / Kaltrinë, Agron / Agroni.

// titleFactor is the similarity kept when a title is written before the name on one side only.
const titleFactor = 0.95

// titles are the honorifics written before a name, as nameWords folds them: the Sayed of the
// Prophet's descendants (Sayed, Syed, Sayyid, Seyed), the Haji of a pilgrim (Haji, Hajji,
// Alhaj), and the titles of religious learning that Afghan and Pakistani boys and their
// fathers carry from the madrasa (Hafiz: one who knows the Qur'an by heart; Qari: its
// reciter; Mawlawi, Maulana, Mufti). Only as the first of two words or more: Sayed and Hafiz
// alone are given names.
var titles = map[string]bool{
	"sayed": true, "sayyed": true, "sayyid": true, "sayid": true, "syed": true, "seyed": true, "seyyed": true,
	"haji": true, "hajji": true, "hadji": true, "haj": true, "alhaj": true, "alhaji": true,
	"hafiz": true, "hafez": true, "qari": true, "mawlawi": true, "mawlavi": true, "maulvi": true, "molvi": true,
	"moulvi": true, "mawlana": true, "maulana": true, "molana": true, "mufti": true,
}

// withoutTitle is the name without a leading title, its readings kept (ok false when it has
// none, or nothing else).
func (n name) withoutTitle() (name, bool) {
	if len(n.words) < 2 || !titles[n.words[0]] {
		return name{}, false
	}
	return n.part(1, len(n.words)), true
}

// muhammadLike reports a spelling of Muhammad (isMuhammad) or the Sorani Hama that Kurdish
// children and documents use for it. It is read in the comparison only; the parentage key
// (parentageWords) leaves out a leading Muhammad, not a Hama.
func muhammadLike(word string) bool {
	return isMuhammad(word) || phoneticWord(word) == "hama"
}

// withoutMuhammadLike is the name without a leading muhammadLike word (ok false when it has
// none, or nothing else).
func (n name) withoutMuhammadLike() (name, bool) { return n.withoutFirst(muhammadLike) }

// ullahShortSim is the similarity of a name of Allah and its short form: the same name, said
// otherwise (similar, not another spelling).
const ullahShortSim = 0.85

// minUllahStem is the shortest phonetic key of a short form (Naqib, Hayat; not Ali).
const minUllahStem = 4

// ullahShort reports whether one phonetic key is the other's compound with Allah (the
// "…ullah" that nameWords and foldWord write "…ula"): Naqibullah / Naqib.
func ullahShort(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= minUllahStem && b == a+"ula"
}

// joinedNames are names whose words are joined into one, folded (joinedSim).
var joinedNames = memo[string, name]{max: 1 << 14}

// joined is the name's words read as one word.
func joined(n name) name {
	if len(n.words) < 2 {
		return n
	}
	return joinedNames.get(strings.Join(n.words, ""), func(w string) name { return nameOf([]string{w}) })
}

// joinedSim is the similarity of two names of different numbers of words, both read as one
// word (0 when they have as many words), also with an article at a joint of the one-word
// name left out (withoutJointArticle).
func joinedSim(a, b name) float64 {
	if len(a.words) == len(b.words) {
		return 0
	}
	s := simpleSim(joined(a), joined(b))
	if one, apart := a, b; len(one.words) == 1 || len(apart.words) == 1 {
		if len(one.words) != 1 {
			one, apart = apart, one
		}
		if w, ok := withoutJointArticle(one.words[0], apart.words); ok {
			s = max(s, simpleSim(nameOf([]string{w}), joined(apart)))
		}
	}
	return s
}

// withoutJointArticle is a compound written as one word without the article at one of the
// joints that the other name's words mark (ok false when there is none there): Ziaulhaq for
// Zia ul Haq, Fazlurrahman for Fazl ur Rahman, Saifulislam for Saif al-Islam. Written apart,
// the article is a word of its own, which nameWords leaves out; joined, it stays.
func withoutJointArticle(word string, apart []string) (string, bool) {
	at := 0
	for _, w := range apart[:len(apart)-1] {
		at += len(w)
		for _, n := range []int{2, 3} {
			if at+n < len(word) && articles[word[at:at+n]] {
				return word[:at] + word[at+n:], true
			}
		}
	}
	return "", false
}

// definiteSim is s, raised to definiteFormSim when one name is the other's Albanian definite
// form (albanianDefinite).
func definiteSim(a, b name, s float64) float64 {
	if albanianDefinite(a.key, b.key) || albanianDefinite(b.key, a.key) {
		return max(s, definiteFormSim)
	}
	return s
}

// shortFormSim is the best similarity of two names read in the forms above (0 when none
// applies): without a title, without a Muhammad or Hama on one side or both, as a name of
// Allah and its short form, as one word.
func shortFormSim(a, b name) float64 {
	s := joinedSim(a, b)
	if ullahShort(a.key, b.key) {
		s = max(s, ullahShortSim)
	}
	at, aok := a.withoutTitle()
	bt, bok := b.withoutTitle()
	switch {
	case aok && bok:
		s = max(s, simpleSim(at, bt))
	case aok:
		s = max(s, simpleSim(at, b)*titleFactor)
	case bok:
		s = max(s, simpleSim(a, bt)*titleFactor)
	}
	am, aok := a.withoutMuhammadLike()
	bm, bok := b.withoutMuhammadLike()
	switch {
	case aok && bok:
		s = max(s, simpleSim(am, bm)*muhammadFactor)
	case aok:
		s = max(s, simpleSim(am, b)*muhammadFactor)
	case bok:
		s = max(s, simpleSim(a, bm)*muhammadFactor)
	}
	return s
}

// ullahForm is a one-word given name's other form for retrieval: a name of Allah without
// -ullah (Naqibullah: Naqib), or a name long enough with it (Naqib: Naqibullah); ok false
// for a name of more words or a shorter one.
func (n name) ullahForm() (name, bool) {
	if len(n.words) != 1 {
		return name{}, false
	}
	w := n.words[0]
	if stem, ok := strings.CutSuffix(w, "ula"); ok {
		if len(phoneticWord(stem)) < minUllahStem {
			return name{}, false
		}
		return nameOf([]string{stem}), true
	}
	if len(n.key) < minUllahStem {
		return name{}, false
	}
	return nameOf([]string{w + "ula"}), true
}
