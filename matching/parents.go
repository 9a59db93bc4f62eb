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
	return parentName{n: makeName(latin), abjad: scriptOf(s) == scriptArabic}
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

// compareParent compares the query's and the candidate's name of one parent (level missing
// when either side has none).
func compareParent(kind string, q, c parentName) fieldComparison {
	if q.empty() || c.empty() {
		return fieldComparison{kind: kind}
	}
	sim := func(a, b name) float64 {
		s := nameSim(a, b)
		// Between a reading of the Arabic script and a Latin spelling only the consonants
		// can be compared (formSim).
		if q.abjad != c.abjad && a.skeleton != "" && b.skeleton != "" {
			s = max(s, editSim(a.skeleton, b.skeleton)*vowelBlindFactor)
		}
		return s
	}
	s := sim(q.n, c.n)
	if short, long := q.n, c.n; len(short.words) != len(long.words) {
		if len(short.words) > len(long.words) {
			short, long = long, short
		}
		s = max(s, sim(short, nameOf(long.words[:len(short.words)]))*parentPrefixFactor)
	}
	return fieldComparison{kind: kind, lvl: nameLevel(s), sim: s, qSkel: q.n.skeleton, cSkel: c.n.skeleton, cName: c.n.text}
}

// freqKind is the kind of name whose frequencies adjust agreement on this field.
func (fc fieldComparison) freqKind() string {
	if fc.kind == kindFather || fc.kind == kindMother {
		return "given"
	}
	return fc.kind
}

// ParentSkeletons are the skeletons of the query's parents' names, for their frequencies
// (among given names).
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
