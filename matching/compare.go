package matching

// Name similarity of duplicate candidates: names folded for matching (in order, swapped,
// single, aliases; trigram and a weighted phonetic edit distance). The weights that turn the
// comparisons into a score are in weights.go.

import (
	"slices"
	"strings"
	"time"
)

// Person is one side of a comparison: its names folded for matching, and its other facts
// (NewPerson).
type Person struct {
	forms    []nameForm // (given, family) readings: the officer's Latin, the original's transliteration
	aliases  []nameForm // each alias as a given name alone
	sex      string
	from, to *time.Time
	nats     []string
	// father, mother are the parents' names the child gives (parents.go).
	father, mother parentName
}

// nameForm is a name folded into words (see nameWords), with its phonetic forms precomputed.
type nameForm struct {
	label          string // the Latin name as shown
	given, family  name
	full, fullSwap name
	abjad          bool // read by LatinName from the Arabic script, vowels guessed
}

type name struct {
	text     string // as written (Latin), for explanations
	variants []name // its other plausible spellings (variants.go)
	words    []string
	phon     string // phonetic words joined by spaces, for trigrams
	key      string // phonetic words concatenated, for the edit distance
	skeleton string
}

func makeName(s string) name { return foldedNames.get(s, foldName) }

func foldName(s string) name {
	n := nameOf(nameWords(s))
	n.text = CleanName(s)
	n.variants = variantsOf(n.text, n)
	return n
}

func nameOf(ws []string) name {
	n := name{words: ws}
	ph := make([]string, len(ws))
	for i, w := range ws {
		ph[i] = phoneticWord(w)
	}
	n.phon = strings.Join(ph, " ")
	n.key = strings.Join(ph, "")
	n.skeleton = skeletonOf(ws)
	return n
}

func (n name) empty() bool { return len(n.words) == 0 }

// Bangladeshi and Pakistani names, like Afghan and Arab ones, often carry Muhammad (Md) before
// the name the child goes by — or not, the next time ("Md Arif" / "Arif"). muhammad is the
// word nameWords makes of "Md".
const muhammad = "muhammad"

// isMuhammad reports a spelling of Muhammad (not Mahmud, which has the same consonants).
func isMuhammad(word string) bool {
	k := phoneticWord(word)
	return len(k) == 7 && k[0] == 'm' && (k[1] == 'o' || k[1] == 'u') && k[2:5] == "ham" &&
		(k[5] == 'a' || k[5] == 'e') && k[6] == 'd'
}

// withoutMuhammad is the name without a leading Muhammad (ok false when it has none, or
// nothing else).
func (n name) withoutMuhammad() (name, bool) { return n.withoutFirst(isMuhammad) }

// withoutFirst is the name without its first word when is says so of it (ok false when it
// does not, or when nothing else is left).
func (n name) withoutFirst(is func(word string) bool) (name, bool) {
	if len(n.words) < 2 || !is(n.words[0]) {
		return name{}, false
	}
	return nameOf(n.words[1:]), true
}

func makeForm(given, family string) nameForm {
	f := nameForm{label: JoinName(given, family), given: makeName(given), family: makeName(family)}
	f.full = makeName(JoinName(given, family))
	f.fullSwap = makeName(JoinName(family, given))
	return f
}

func (f nameForm) empty() bool { return f.given.empty() && f.family.empty() }

// Identity is what is known of a child, to compare: the names as written (any script) with
// the officer's Latin forms (empty: suggested by Latin), aliases as written, and the other
// facts. A stored child also brings the Latin given and family names its record carries
// (several when records were merged: each pairing of them is a reading).
type Identity struct {
	GivenName, FamilyName           string
	GivenNameLatin, FamilyNameLatin string
	Aliases                         []string
	OtherGivenNames                 []string // Latin
	OtherFamilyNames                []string // Latin
	Sex                             string
	BirthDateFrom, BirthDateTo      *time.Time
	Nationalities                   []string
	// FatherName and MotherName are the parents' names as the child gives them (any script;
	// their Latin reading is LatinName's), empty when not asked or not known.
	FatherName, MotherName string
}

// NewPerson folds an identity for comparison: the officer's Latin names (or the
// transliteration of the originals when no Latin was typed), the transliteration of the
// originals, every pairing of the other given and family names, and each alias.
func NewPerson(id Identity) Person {
	p := Person{sex: id.Sex, from: id.BirthDateFrom, to: id.BirthDateTo, nats: id.Nationalities,
		father: makeParent(id.FatherName), mother: makeParent(id.MotherName)}
	p.addForms(id.GivenName, id.FamilyName, id.GivenNameLatin, id.FamilyNameLatin)
	for _, a := range id.Aliases {
		if a = CleanName(a); a != "" {
			p.aliases = append(p.aliases, makeForm(Latin(a, ""), ""))
		}
	}
	for _, g := range id.OtherGivenNames {
		for _, f := range id.OtherFamilyNames {
			p.addForm(g, f, false)
		}
	}
	return p
}

// addForms adds the officer's Latin names (or the suggestion when none was typed) and the
// transliteration of the names as written.
func (p *Person) addForms(given, family, givenLatin, familyLatin string) {
	given, family = CleanName(given), CleanName(family)
	for _, f := range [][2]string{
		{Latin(given, givenLatin), Latin(family, familyLatin)},
		{Latin(given, ""), Latin(family, "")},
	} {
		// A machine reading of the Arabic script guesses the vowels the script does not write.
		abjad := (scriptOf(given) == scriptArabic && f[0] == LatinName(given)) ||
			(scriptOf(family) == scriptArabic && f[1] == LatinName(family))
		p.addForm(f[0], f[1], abjad)
	}
	// The Pashto letters the dialects say otherwise, read the northern way too (pashtoNorth).
	ng, okG := pashtoNorth(given)
	nf, okF := pashtoNorth(family)
	if okG || okF {
		p.addForm(Latin(ng, ""), Latin(nf, ""), true)
	}
}

func (p *Person) addForm(given, family string, abjad bool) {
	if len(p.forms) >= 6 {
		return
	}
	for _, f := range p.forms {
		if f.label == JoinName(given, family) {
			return
		}
	}
	if f := makeForm(given, family); !f.empty() {
		f.abjad = abjad
		p.forms = append(p.forms, f)
	}
}

// SearchTerms are what retrieval looks for: the Latin full names and aliases (for trigram
// similarity), the skeletons of full names in both orders (with and without a leading
// Muhammad) and of aliases, and the skeletons of names given alone (matched against given
// names and aliases too).
func (p Person) SearchTerms() (terms, fullSkels, singleSkels []string) {
	add := func(list *[]string, s string) {
		if s != "" && !slices.Contains(*list, s) {
			*list = append(*list, s)
		}
	}
	for i, f := range p.forms {
		// A second reading with the same consonants adds nothing the skeleton look-up does
		// not find, and a trigram scan is the costly part.
		if i == 0 || !slices.ContainsFunc(p.forms[:i], func(o nameForm) bool { return o.full.skeleton == f.full.skeleton }) {
			add(&terms, f.label)
		}
		if f.given.empty() || f.family.empty() {
			add(&singleSkels, f.full.skeleton)
			continue
		}
		add(&fullSkels, f.full.skeleton)
		add(&fullSkels, f.fullSwap.skeleton)
		// Other spellings of the name asked (stored ones are in variant_skeletons).
		for _, v := range f.full.variants {
			add(&fullSkels, v.skeleton)
		}
		// With and without a leading Muhammad (Md Arif Molla / Arif Molla).
		if core, ok := f.given.withoutMuhammad(); ok {
			add(&fullSkels, skeletonOf(append(slices.Clone(core.words), f.family.words...)))
		} else {
			add(&fullSkels, skeletonOf(append([]string{muhammad}, append(slices.Clone(f.given.words), f.family.words...)...)))
		}
	}
	for _, a := range p.aliases {
		add(&terms, a.label)
		add(&fullSkels, a.full.skeleton)
		for _, v := range a.full.variants {
			add(&fullSkels, v.skeleton)
		}
		if len(a.full.words) == 1 {
			add(&singleSkels, a.full.skeleton)
		}
	}
	return terms, orEmptyStrings(fullSkels), orEmptyStrings(singleSkels)
}

func orEmptyStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Penalties of weaker name similarity.
const (
	muhammadFactor   = 0.95 // Muhammad written before the name on one side only
	vowelBlindFactor = 0.90 // same consonants, vowels unknown (Arabic script against Latin)
	articleFactor    = 0.97 // an article written together with the name on one side only
)

// single is the name a one-name side goes by: its given name, else its family name.
func single(f nameForm) name {
	if !f.given.empty() {
		return f.given
	}
	return f.family
}

// combine joins the given-name and family-name similarities: mostly the weaker of the two, so
// brothers (same family name) and namesakes (same given name) stay apart.
func combine(g, f float64) float64 {
	return 0.3*(g+f)/2 + 0.7*min(g, f)
}

// nameSim is the similarity of two names (0–1): the better of trigram similarity over the
// phonetic words and a weighted edit distance over the phonetic key.
func nameSim(a, b name) float64 {
	if a.empty() || b.empty() {
		return 0
	}
	s := spellingSim(a, b)
	if s == 1 {
		return 1
	}
	// Another reading of either name (Somali, Kurmanji, Egyptian, Bengali, Kurdish zh and kh spellings).
	for _, av := range a.variants {
		s = max(s, spellingSim(av, b)*variantFactor)
	}
	for _, bv := range b.variants {
		s = max(s, spellingSim(a, bv)*variantFactor)
	}
	return s
}

// spellingSim is nameSim without the variant readings.
func spellingSim(a, b name) float64 {
	// Forms of one name with a word added, dropped or joined (shortforms.go), among them
	// "Md Arif" / "Arif": the same name with and without Muhammad before it.
	s := max(simpleSim(a, b), shortFormSim(a, b))
	if bengaliO(a.key, b.key) {
		s = max(s, bengaliOSim)
	}
	// "Alobaidi" / "Al-Obaidi": an article written together with a name that starts with a
	// vowel (nameWords leaves it, not to cut Alireza or Alexander).
	if ac, ok := a.withoutArticle(); ok {
		s = max(s, simpleSim(ac, b)*articleFactor)
	}
	if bc, ok := b.withoutArticle(); ok {
		s = max(s, simpleSim(a, bc)*articleFactor)
	}
	return s
}

// bengaliOSim is the similarity of two spellings of a name that differ only in the Bengali
// inherent vowel (bengaliO): another spelling.
const bengaliOSim = 0.9

// minBengaliOKey is the shortest phonetic key read for the Bengali inherent vowel.
const minBengaliOKey = 5

// bengaliO reports whether two phonetic keys differ only in vowels that one writes o and the
// other a, twice or more, the o's all on one side. The Bengali inherent vowel (অ, said ô) is
// written o by Bangladeshi spellings and a by Indian and English ones, throughout a name:
// Pronob / Pranab, Moriom / Mariam, Tonmoy / Tanmay, Shobuj / Shabuj. Once only, it is as
// often another name (Omar / Amar, Roma / Rama), which the spelling similarity weighs.
func bengaliO(a, b string) bool {
	if len(a) != len(b) || len(a) < minBengaliOKey {
		return false
	}
	n, side := 0, byte(0)
	for i := 0; i < len(a); i++ {
		if a[i] == b[i] {
			continue
		}
		if !(a[i] == 'o' && b[i] == 'a' || a[i] == 'a' && b[i] == 'o') || side != 0 && a[i] != side {
			return false
		}
		n, side = n+1, a[i]
	}
	return n >= 2
}

// chainFactor is the similarity kept when a family name agrees only with the beginning or the
// end of the other's chain of names: the same family is likely, the same child less so than
// with the same name (a cousin's chain shares its end, a brother's all of it).
const chainFactor = 0.85

// chainSim extends a family-name similarity to chains of names. Arab, Somali and Eritrean
// registrations often write the father's and grandfather's names (the nasab) where a family
// name is asked: "Ali Hussein Kadhim" one time, "Ali Hussein" (the father alone) or the
// family's own name alone the next. So a family name of fewer words that agrees (another
// spelling at least, nameClose) with the first or the last words of the other's is similar
// (×chainFactor), never the same name.
func chainSim(sim func(a, b name) float64) func(a, b name) float64 {
	return func(a, b name) float64 {
		s := sim(a, b)
		short, long := a, b
		if len(short.words) > len(long.words) {
			short, long = long, short
		}
		n := len(short.words)
		if n == 0 || n == len(long.words) {
			return s
		}
		part := max(sim(short, nameOf(long.words[:n])), sim(short, nameOf(long.words[len(long.words)-n:])))
		if part < 0.9 {
			return s
		}
		return max(s, part*chainFactor)
	}
}

// withoutArticle is the name with a leading al- or el- cut from its first word.
func (n name) withoutArticle() (name, bool) {
	if len(n.words) == 0 || len(n.words[0]) < 6 || !(strings.HasPrefix(n.words[0], "al") || strings.HasPrefix(n.words[0], "el")) {
		return name{}, false
	}
	ws := slices.Clone(n.words)
	ws[0] = ws[0][2:]
	return nameOf(ws), true
}

func simpleSim(a, b name) float64 {
	if a.key == b.key {
		return 1
	}
	return spellingSims.get([2]string{a.phon, b.phon}, phonSim)
}

// phonSim is simpleSim of two names by their phonetic words (key is phon without spaces).
func phonSim(ab [2]string) float64 {
	return max(trigramSim(ab[0], ab[1]), editSim(strings.ReplaceAll(ab[0], " ", ""), strings.ReplaceAll(ab[1], " ", "")))
}

// trigramSim is pg_trgm's similarity: shared trigrams of the space-padded words over all.
func trigramSim(a, b string) float64 {
	ta, tb := trigrams(a), trigrams(b)
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	shared := 0
	for t := range ta {
		if tb[t] {
			shared++
		}
	}
	return float64(shared) / float64(len(ta)+len(tb)-shared)
}

func trigrams(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		p := "  " + w + " "
		for i := 0; i+3 <= len(p); i++ {
			out[p[i:i+3]] = true
		}
	}
	return out
}

// editSim is 1 − 2.5·cost/length of a weighted edit distance: vowels and look-alike consonants
// cost little to change, so spellings of one name stay close and different names do not.
func editSim(a, b string) float64 {
	n := max(len(a), len(b))
	if n == 0 {
		return 0
	}
	// A vowel added at the end is a suffix (Ahmad / Ahmadi, Mansour / Mansouri), not a spelling.
	ins := func(s string, i int) float64 {
		if i == len(s)-1 && i > 0 && isVowel(s[i]) && !isVowel(s[i-1]) {
			return 1
		}
		return indelCost(s[i])
	}
	prev := make([]float64, len(b)+1)
	cur := make([]float64, len(b)+1)
	for j := 1; j <= len(b); j++ {
		prev[j] = prev[j-1] + ins(b, j-1)
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = prev[0] + ins(a, i-1)
		for j := 1; j <= len(b); j++ {
			cur[j] = min(prev[j]+ins(a, i-1), cur[j-1]+ins(b, j-1), prev[j-1]+subCost(a[i-1], b[j-1]))
		}
		prev, cur = cur, prev
	}
	return max(0, 1-2.5*prev[len(b)]/float64(n))
}

func indelCost(c byte) float64 {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return 0.25
	case 'h':
		return 0.5
	case 'y':
		return 0.4
	}
	return 1
}

// similar holds the cost of exchanging two sounds that spellings of one name confuse.
var similar = map[[2]byte]float64{}

func init() {
	for _, p := range []struct {
		pair string
		cost float64
	}{
		{"ae", .25}, {"ei", .25}, {"ou", .2}, {"ao", .5}, {"eo", .5}, {"eu", .5}, {"ai", .6}, {"au", .6},
		{"io", .6}, {"iu", .6}, {"kq", .3}, {"kg", .3}, {"kG", .3}, {"qG", .3}, {"gG", .3}, {"Ts", .3},
		{"Tt", .3}, {"Dz", .3}, {"Dd", .3}, {"Hh", .3}, {"Hk", .5}, {"jy", .3}, {"jZ", .3}, {"yZ", .3},
		{"Ss", .4}, {"td", .4}, {"gh", .5}, {"gj", .5}, {"zs", .5}, {"bp", .4}, {"vf", .5}, {"yi", .3}, {"vu", .4},
	} {
		similar[[2]byte{p.pair[0], p.pair[1]}] = p.cost
		similar[[2]byte{p.pair[1], p.pair[0]}] = p.cost
	}
}

func subCost(a, b byte) float64 {
	if a == b {
		return 0
	}
	if c, ok := similar[[2]byte{a, b}]; ok {
		return c
	}
	return 1
}

func rangeOf(from, to *time.Time) (time.Time, time.Time) {
	switch {
	case from == nil:
		return *to, *to
	case to == nil:
		return *from, *from
	}
	return *from, *to
}
