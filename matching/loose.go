package matching

import (
	"slices"
	"strings"
	"unicode"

	"github.com/gosimple/unidecode"
)

// Looser spellings, for retrieval only. Skeleton folds vowels, doubled letters and the
// consonants spellings confuse, and the readings (variants.go) add the other orthographies of
// the route; a few spelling habits still move a name's skeleton, in either direction:
//
//   - an h written or not after a consonant (Shakib / Sakib, Shumon / Sumon, Şahin / Shahin,
//     Ridha / Reda, Ramadhan / Ramadan, Bhatt / Butt, Nicholas / Nicolas; Michael / Mikael
//     meet through a reading, michaelK).
//
// (A doubled j, Sajjad / Sajad, was one of them until RulesVersion 7: phoneticWord now reads
// jj as one j, so the two share a skeleton.)
//
// A question looks its names up in these spellings too (LooseSkeletons): one more exact
// index look-up each, nothing stored with a registration — a stored name is found in the
// spelling asked by the question's side alone, which is why the rules go both ways (h dropped
// and h added). They are not readings of the engine: Compare already finds such pairs
// similar (the spelling similarity), and a stored variant skeleton for each would cost writes.

// maxLoose bounds the looser spellings of one name (each is one more index look-up, per kind).
const maxLoose = 4

// hAfter are the consonants after which an h is written or not.
const hAfter = "bcdgkpstz"

// hAdded are the consonants after which looseSpellings adds an h (ph, ch are other letters).
var hAdded = []byte{'s', 'd', 'k', 't'}

// looseSpellings are the looser spellings of a lower-case Latin name: h after a consonant
// dropped everywhere; an h added after every s (d, k, t) that has none. At most maxLoose, in
// that order.
func looseSpellings(low string) []string {
	var out []string
	add := func(s string) {
		if s != low && len(out) < maxLoose && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	// h dropped after a consonant.
	var b strings.Builder
	for i := 0; i < len(low); i++ {
		if low[i] == 'h' && i > 0 && strings.IndexByte(hAfter, low[i-1]) >= 0 {
			continue
		}
		b.WriteByte(low[i])
	}
	add(b.String())
	// An h added after s, d, k, t (not at the end of a word, not before an h, not to a doubled
	// letter).
	for _, c := range hAdded {
		add(replaceLetter(low, c, string([]byte{c, 'h'}), func(prev, next byte) bool {
			return next != 'h' && next != c && prev != c && next != 0 && next != ' '
		}))
	}
	return out
}

// looseNames are a folded name's looser spellings, folded, without those whose skeleton is
// the name's own or one of its readings'.
func looseNames(n name) []name {
	if n.text == "" || !isLatin(n.text) {
		return nil
	}
	skip := []string{n.skeleton}
	for _, v := range n.variants {
		skip = append(skip, v.skeleton)
	}
	var out []name
	for _, s := range looseSpellings(strings.Map(unicode.ToLower, unidecode.Unidecode(n.text))) {
		l := nameOf(nameWords(s))
		if l.empty() || l.skeleton == "" || slices.Contains(skip, l.skeleton) {
			continue
		}
		skip = append(skip, l.skeleton)
		out = append(out, l)
	}
	return out
}

// LooseSkeletons are the skeletons of the looser spellings (looseSpellings) of a Latin name,
// other than its own skeleton and its VariantSkeletons: keys a question looks up, never
// stored.
func LooseSkeletons(latin string) []string {
	var out []string
	for _, l := range looseNames(makeName(latin)) {
		out = append(out, l.skeleton)
	}
	return out
}

// maxLooseKeys bounds the keys of each kind a question adds for its looser spellings.
const maxLooseKeys = 8

// LooseKeys are the retrieval keys of the question's other spellings that the check does not
// look up otherwise (each an exact index look-up; nothing is stored for them):
//
//   - field: the skeletons of each given and family name's readings (VariantSkeletons) and
//     looser spellings (looseSpellings), to look up among given and family names as
//     FieldSkeletons are;
//   - full: the skeletons of the looser spellings of the full name, to look up among full
//     names and aliases (its readings are in SearchTerms already);
//   - parentage: short parentage keys (ParentageSkeletons) of the given name's looser
//     spellings with the father's name and its readings, of the given name and its
//     readings with the father's looser spellings, and of the given name's form with or
//     without -ullah (ullahForm: Naqib / Naqibullah) with the father's name and its readings.
//
// At most maxLooseKeys of each; none a key of SearchTerms, FieldSkeletons or
// ParentageSkeletons already.
func (p Person) LooseKeys() (field, full, parentage []string) {
	field, full, parentage = []string{}, []string{}, []string{}
	_, fullSkels, singleSkels := p.SearchTerms()
	fieldSkels := p.FieldSkeletons()
	short, _ := p.ParentageSkeletons()
	add := func(out *[]string, s string, known ...[]string) {
		if s == "" || len(*out) >= maxLooseKeys || slices.Contains(*out, s) {
			return
		}
		for _, k := range known {
			if slices.Contains(k, s) {
				return
			}
		}
		*out = append(*out, s)
	}
	for _, f := range p.forms {
		for _, n := range []name{f.given, f.family} {
			for _, v := range n.variants {
				add(&field, v.skeleton, fieldSkels)
			}
		}
	}
	for _, f := range p.forms {
		for _, n := range []name{f.given, f.family} {
			for _, l := range looseNames(n) {
				add(&field, l.skeleton, fieldSkels)
			}
		}
		if !f.given.empty() && !f.family.empty() {
			for _, l := range looseNames(f.full) {
				add(&full, l.skeleton, fullSkels, singleSkels)
			}
		}
	}
	if p.father.empty() {
		return field, full, parentage
	}
	fathers := append([]name{p.father.n}, p.father.n.variants...)
	for _, f := range p.forms {
		if f.given.empty() {
			continue
		}
		for _, g := range looseNames(f.given) {
			for _, fa := range fathers {
				add(&parentage, Skeleton(strings.Join(parentageWords(g, fa), " ")), short)
			}
		}
		for _, fa := range looseNames(p.father.n) {
			for _, g := range append([]name{f.given}, f.given.variants...) {
				add(&parentage, Skeleton(strings.Join(parentageWords(g, fa), " ")), short)
			}
		}
		// The given name's short or long form as a name of Allah (Naqib / Naqibullah).
		if g, ok := f.given.ullahForm(); ok {
			for _, fa := range fathers {
				add(&parentage, Skeleton(strings.Join(parentageWords(g, fa), " ")), short)
			}
		}
	}
	return field, full, parentage
}
