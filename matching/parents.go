package matching

import (
	"slices"
	"strings"
)

// The parents' names: the evidence that tells namesakes apart. Registries of this population
// (UNHCR registration, the Afghan tazkira) identify a person by their own name and their
// father's (and mother's); at a million children thousands share "Mohammad Ahmadi", the sex,
// the nationality and the birth year, and only the parents' names can tell them apart.
//
// Each parent's name is compared as a given name is (nameSim, the same levels: exact, another
// spelling or script, similar, weak, different) and weighs log2(m/u) from parentMU, with the
// term-frequency adjustment of a given name: a father's name is a given name, so agreeing on
// "Mohammad" as a father weighs less than agreeing on "Sohrab". A name missing on either side
// weighs 0: a child who does not give a parent's name (or a record that predates the field)
// is neither nearer nor further.

// parentName is a parent's name folded for matching: its Latin reading (LatinName of what the
// child said) and whether that reading guessed the vowels of the Arabic script.
type parentName struct {
	n     name
	abjad bool
}

func makeParent(s string) parentName {
	s = CleanName(s)
	if s == "" {
		return parentName{}
	}
	latin := Latin(s, "")
	n := makeName(latin)
	// The northern Pashto reading (pashtoNorth) is one more spelling of the name.
	if north, ok := pashtoNorth(s); ok {
		if v := makeName(Latin(north, "")); v.key != n.key {
			n.variants = append(slices.Clone(n.variants), v)
		}
	}
	return parentName{n: n, abjad: scriptOf(s) == scriptArabic}
}

func (p parentName) empty() bool { return p.n.empty() }

// Parents' name kinds of a fieldComparison; their frequencies are those of given names.
const (
	kindFather = "father"
	kindMother = "mother"
)

// parentPrefixFactor is the similarity penalty of comparing a parent's given name with the
// beginning of his or her full name ("Ghulam Sakhi Rahimi" / "Ghulam Sakhi"): children give
// one or the other.
const parentPrefixFactor = 0.95

// minParentPartKey is the shortest phonetic key of a parent's name that may stand for the end
// of a longer one (Qayum for Abdul Qayum; not "Ali" for "Wali").
const minParentPartKey = 4

// compareParent compares the query's and the candidate's name of one parent (level missing
// when either side has none). Children give a parent's name more or less fully: "Ghulam Sakhi
// Rahimi" or "Ghulam Sakhi", "Md. Abdul Karim" or "Abdul Karim", "Abdul Wahid" or "Wahid",
// "Tesfay Gebremariam" (with his father's name) or "Tesfay". So a shorter name is compared with
// the beginning and with the end of the longer one (×parentPrefixFactor). Two names that begin
// with the same word or words ("Mohammad Hussain", "Mohammad Hassan"; "Sayed Jalal", "Sayed
// Kamal"; "Tesfay Haile", "Tesfay Gebremedhin"; "Md. Abul Kashem", "Md. Abul Hashem") are
// compared by the rest: a shared first word is as often a title or the commonest name
// (Mohammad, Ghulam, Sayed, Gul, Abul) as the name itself, and a father's father differs
// between namesakes.
func compareParent(kind string, q, c parentName) fieldComparison {
	if q.empty() || c.empty() {
		return fieldComparison{kind: kind}
	}
	sim := func(a, b name) float64 {
		s := nameSim(a, b)
		// Between a reading of the Arabic script and a Latin spelling only the consonants
		// can be compared (formSim).
		if q.abjad != c.abjad {
			s = max(s, vowelBlindSim(a, b))
		}
		return s
	}
	a, b := q.n, c.n
	// Every shared first word goes, as long as both keep a word: a title and the commonest
	// name often come together ("Md. Abul Kashem" / "Md. Abul Hashem", "Haji Gul Ahmad").
	for len(a.words) >= 2 && len(b.words) >= 2 && sameFirstWord(a.words[0], b.words[0]) {
		a, b = a.part(1, len(a.words)), b.part(1, len(b.words))
	}
	s := sim(a, b)
	if short, long := a, b; len(short.words) != len(long.words) {
		if len(short.words) > len(long.words) {
			short, long = long, short
		}
		n := len(short.words)
		s = max(s, sim(short, long.part(0, n))*parentPrefixFactor, sim(short, long.part(len(long.words)-n, len(long.words)))*parentPrefixFactor)
	}
	s = definiteSim(a, b, s)
	// A compound written as one word loses its first element the same way ("Abdulqayum" /
	// "Qayum", "Gholamreza" / "Reza").
	if short, long := a.key, b.key; len(short) != len(long) {
		if len(short) > len(long) {
			short, long = long, short
		}
		if len(short) >= minParentPartKey && strings.HasSuffix(long, short) {
			s = max(s, parentPrefixFactor)
		}
	}
	return fieldComparison{kind: kind, lvl: nameLevel(s), sim: s, qSkel: q.n.skeleton, cSkel: c.n.skeleton, cName: c.n.text}
}

// definiteFormSim is the similarity of a name and its Albanian definite form: another
// spelling of the same name.
const definiteFormSim = 0.9

// albanianDefinite reports whether the phonetic key long is short in the Albanian definite
// form, as children and officers in Albania and Kosovo say and write a name: masculine + i or
// u (Agron / Agroni), feminine + a, or e becoming ja (Shqipe / Shqipja).
func albanianDefinite(short, long string) bool {
	if len(short) < 4 {
		return false
	}
	for _, end := range []string{"i", "u", "a"} {
		if long == short+end {
			return true
		}
	}
	stem, ok := strings.CutSuffix(short, "e")
	return ok && (long == stem+"ja" || long == stem+"a")
}

// sameFirstWord reports whether two names begin with the same word (any spelling of Muhammad
// counts as one, and an initial counts as the word it begins: "M. Rafique" is Muhammad Rafiq
// in Pakistani and Bangladeshi spellings, "A. Karim" Abdul Karim).
func sameFirstWord(a, b string) bool {
	if len(a) == 1 || len(b) == 1 {
		return a[0] == b[0]
	}
	return phoneticWord(a) == phoneticWord(b) || isMuhammad(a) && isMuhammad(b)
}

// part is the name's words from i to j, with the same words of its readings (variants), so
// that a parent's name compared by its parts (the rest after a shared first word, the
// beginning or end of a longer name) is still read as Somali, Kurmanji… spelling reads it:
// "Khadija Omar" / "Khadiija Cumar" compare "Omar" with "Cumar" read as Somali.
func (n name) part(i, j int) name {
	if i == 0 && j == len(n.words) {
		return n
	}
	p := nameOf(n.words[i:j])
	for _, v := range n.variants {
		if len(v.words) != len(n.words) {
			continue
		}
		if pv := nameOf(v.words[i:j]); pv.key != p.key && !slices.ContainsFunc(p.variants, func(x name) bool { return x.key == pv.key }) {
			p.variants = append(p.variants, pv)
		}
	}
	return p
}

// parentOf is a person's parent's name as evidence: none when it is only the child's own family
// name ("Ahmadi" for the father of Mohammad Ahmadi; the Iraqi "Hussein Kadhim" of Ali Hussein
// Kadhim) — the family names are compared already, and counting them again as a parent would
// count them twice, while a record with the father's own name would count as a disagreement.
func (p Person) parentOf(pn parentName) parentName {
	if pn.empty() {
		return pn
	}
	for _, f := range p.forms {
		// The same name or another spelling of it, not merely the same consonants (Hadi is
		// not Haddad).
		if !f.family.empty() && f.family.skeleton == pn.n.skeleton && nameSim(f.family, pn.n) >= familyAsParentSim {
			return parentName{}
		}
	}
	return pn
}

// familyAsParentSim is how alike a parent's name and the child's family name must be for the
// parent's name to be only the family name: another spelling of it (nameClose).
const familyAsParentSim = 0.9

// compareParents compares the query's and the candidate's father's and mother's names.
func compareParents(q, c Person) (father, mother fieldComparison) {
	return compareParent(kindFather, q.parentOf(q.father), c.parentOf(c.father)),
		compareParent(kindMother, q.parentOf(q.mother), c.parentOf(c.mother))
}

// The frequency of a parent's name. The registry counts the children's given names
// (name_frequencies), not their parents': a father's name is drawn from the names boys are
// given, a mother's from the names girls are given, so a parent's name's share among parents
// is about its share among all given names divided by the share of children of the parent's
// sex. Without that correction a mother's name looked rarer than it is by log2(1/0.12) ≈ 3
// bits where girls are 12 % of the children (Fatima: 2 % of the given names, 17 % of the
// mothers). The shares are those of the synthetic population (internal/synth), which follow
// the route (most unaccompanied children are boys); TestParentNameFrequencies measures the
// correction's error against the parents' names' own frequencies there. Counting the parents'
// names themselves would cost every registration two more child_names rows and four more
// name_frequencies upserts (docs/duplicate-check.md).
var parentSexShare = map[string]float64{kindFather: 0.88, kindMother: 0.12}

// parentTF is the share of parents (of this kind) with a name of this skeleton, estimated from
// the given names' frequencies (ok false without frequencies).
func (f Freqs) parentTF(kind, skel string) (float64, bool) {
	u, ok := f.tf("given", skel)
	if !ok {
		return 0, false
	}
	return min(u/parentSexShare[kind], 1), true
}

// ParentSkeletons are the skeletons of the query's parents' names, for their frequencies
// (among given names; parentTF).
func (p Person) ParentSkeletons() []string {
	var out []string
	for _, pn := range []parentName{p.father, p.mother} {
		if s := pn.n.skeleton; s != "" {
			out = append(out, s)
		}
	}
	return out
}

// HasParents reports whether the person carries a parent's name.
func (p Person) HasParents() bool { return !p.father.empty() || !p.mother.empty() }

// The parentage key: "child's given name + father's name" (the tazkira's "X son of Y"), a
// blocking key of the duplicate check stored with the child's names (registry.ParentageRows)
// and looked up for a question that carries the father's name, so namesakes with that father
// are retrieved whatever the age estimate. A leading Muhammad of the given name is left out
// on both sides (Md. Sumon / Sumon): children give it or not.

// maxParentageKeys bounds the keys of one question (each is one more index range scan).
const maxParentageKeys = 8

// parentageWords are the words of the key of a given name and a father's name.
func parentageWords(given, father name) []string {
	if core, ok := given.withoutMuhammad(); ok {
		given = core
	}
	return append(slices.Clone(given.words), father.words...)
}

// ParentageLatin is the Latin form of the parentage key of a given name (in Latin), a
// father's name as the child gives it (any script; read as makeParent reads it) and, for the
// longer key, the family name (in Latin; "" for the shorter): "" when the given name or the
// father's name is missing. Its Skeleton is the key.
func ParentageLatin(givenLatin, father, familyLatin string) string {
	g, f := makeName(CleanName(givenLatin)), makeParent(father)
	if g.empty() || f.empty() {
		return ""
	}
	return strings.Join(append(parentageWords(g, f.n), nameWords(familyLatin)...), " ")
}

// ParentageSkeletons are the parentage keys of the query: short, the skeletons of each
// reading of the child's given name (the officer's Latin, the transliteration, their other
// spellings) followed by the father's name or one of its other spellings; long, when the
// family name is asked, of each reading's given name, the father's name and the family name
// (few namesakes even among a million children). None without a father's name.
func (p Person) ParentageSkeletons() (short, long []string) {
	short, long = []string{}, []string{}
	if p.father.empty() {
		return short, long
	}
	add := func(out *[]string, words []string, max int) {
		// As Skeleton reads the stored key (a compound may span two names).
		if s := Skeleton(strings.Join(words, " ")); len(*out) < max && !slices.Contains(*out, s) {
			*out = append(*out, s)
		}
	}
	fathers := append([]name{p.father.n}, p.father.n.variants...)
	for _, f := range p.forms {
		if f.given.empty() {
			continue
		}
		for _, g := range append([]name{f.given}, f.given.variants...) {
			for _, fa := range fathers {
				add(&short, parentageWords(g, fa), maxParentageKeys)
			}
		}
		if !f.family.empty() {
			for _, fa := range fathers {
				add(&long, append(parentageWords(f.given, fa), f.family.words...), maxParentageKeys/2)
			}
		}
	}
	return short, long
}
