package matching

// Fellegi–Sunter scoring of duplicate candidates. Each comparison of a query with a candidate
// (given name, family name, birth range, sex, nationality, father's and mother's names) falls into a level, and each level
// has a match weight log2(m/u): m is the chance of that level when the two records are the
// same child, u when they are two different children taken at random. The candidate's match
// weight is the sum of its comparisons' weights, so every score is explained as a list of
// weights (the reasons). Agreeing on a name is then adjusted by the name's frequency in the
// registry (term-frequency adjustment, as Splink does): u becomes the share of children with
// that name, so agreeing on a rare name weighs more than agreeing on "Mohammad".
//
// How the weights are estimated: m from the labelled "same" pairs of the tuning part
// (testdata/name_pairs.csv), u from random pairs — every child A of that file against every
// other pair's child B — never from the frozen holdout. TestEstimateWeights recomputes both
// and fails when a weight below drifts more than one bit from its estimate; when the
// comparison changes, rerun it (go test -run TestEstimateWeights -v ./matching/) and copy the
// estimates it prints. The parents' names' m and u come from the labelled pairs with parents'
// names the same way (TestEstimateParentWeights). The same estimates can be made without
// labels by EM over candidate pairs of the registry (Splink's method; em.go, EstimateEM):
// TestEstimateEMSynthetic shows it recovering the parents' m from a synthetic registry's
// candidate pairs.

import (
	"math"
	"slices"
	"strings"
	"time"
)

// level is the outcome of one comparison.
type level int

// Name levels (from nameSim), then the birth, sex and nationality levels.
const (
	levelMissing level = iota // one side does not have it: weight 0
	nameDifferent
	nameWeak    // similarity ≥ 0.65
	nameSimilar // ≥ 0.78
	nameClose   // ≥ 0.9: another spelling or script of the same name
	nameExact   // the same phonetic key

	birthClose   // the ranges overlap and their middles are at most half a year apart
	birthOverlap // they overlap
	birthNear    // ≤ 1 year apart
	birthGap     // ≤ 3 years
	birthFar

	sexSame
	sexDiffers
	natSame
	natDiffers
)

func nameLevel(sim float64) level {
	switch {
	case sim >= 0.999:
		return nameExact
	case sim >= 0.9:
		return nameClose
	case sim >= 0.78:
		return nameSimilar
	case sim >= 0.65:
		return nameWeak
	}
	return nameDifferent
}

// mu is a level's m and u probability.
type mu struct{ m, u float64 }

func (p mu) weight() float64 { return math.Log2(p.m / p.u) }

// The m and u probabilities, as TestEstimateWeights estimated them on the tuning part,
// rounded; where a level had fewer than five "same" pairs (the birth levels beyond close, a
// different nationality) m is a judgement: a re-registration's age estimate may move a year,
// and a child may claim another country.
var (
	givenMU = map[level]mu{
		nameExact: {0.69, 0.0029}, nameClose: {0.11, 0.0010}, nameSimilar: {0.125, 0.0012},
		nameWeak: {0.068, 0.0009}, nameDifferent: {0.010, 0.9935},
	}
	familyMU = map[level]mu{
		nameExact: {0.71, 0.0051}, nameClose: {0.102, 0.0010}, nameSimilar: {0.122, 0.0010},
		nameWeak: {0.023, 0.0009}, nameDifferent: {0.043, 0.9921},
	}
	birthMU = map[level]mu{
		birthClose: {0.85, 0.29}, birthOverlap: {0.12, 0.10}, birthNear: {0.05, 0.44}, birthGap: {0.02, 0.22}, birthFar: {0.003, 0.1},
	}
	// parentMU weighs a parent's name (parents.go), as TestEstimateParentWeights estimated it
	// on the tuning part of the labelled pairs with parents' names (testdata/parent_pairs.csv;
	// father and mother pooled), rounded — but for "different", seen once among 63 same-child
	// comparisons (0.019, too few to say): 0.032, between that and EM's 0.039 on a synthetic
	// registry (TestEstimateEMSynthetic), so that a namesake whose parents both differ stays
	// listed as possible (−10 bits in all) for the officer to rule out. EM over unlabelled candidate pairs (EstimateEM, see
	// docs/duplicate-check.md) gives the same ordering from a synthetic registry.
	parentMU = map[level]mu{
		nameExact: {0.51, 0.0022}, nameClose: {0.29, 0.0025}, nameSimilar: {0.148, 0.0043},
		nameWeak: {0.032, 0.0012}, nameDifferent: {0.032, 0.99},
	}
	sexMU = map[level]mu{sexSame: {0.997, 0.79}, sexDiffers: {0.003, 0.21}}
	natMU = map[level]mu{natSame: {0.99, 0.13}, natDiffers: {0.05, 0.87}}
	// exactU is how often two random children (not only retrieved ones) share a given or a
	// family name of average frequency: the term-frequency adjustment of agreeing on a name
	// is log2(exactU / its frequency), as in Splink.
	exactU = map[string]float64{"given": 0.0029, "family": 0.0051}
)

// Weights of the name evidence that is weaker than it looks.
const (
	swappedWeight   = -1.0 // given and family names exchanged
	aliasWeight     = -0.5 // matched through an alias
	familyAsGivenW  = -2.0 // the one name given matches the other's family name
	maxRareBonus    = 3.0  // a rare name adds at most this much to its level's weight
	maxCommonMalus  = -6.0 // a common name takes at most this much from it
	tfPseudoCount   = 1000 // names of average frequency added to every count
	tfShownFrom     = 0.5  // a frequency adjustment is shown as a reason from this size
	rankTieEpsilon  = 1e-9
	weightPrecision = 10 // weights are shown to one decimal
)

// The bands. A candidate is listed from a match weight of PossibleWeight. Whether it is likely
// depends on the size of the registry too: among N children, the prior odds that a given one is
// the child asked about are about 1 to N, so the posterior odds are 2^(weight − log2 N). A
// candidate is likely when they reach 2^likelyOdds (64 to 1): a weight of 14 among the 256
// children of the labelled sets, of about 23 among 100 000. An exact common name of the same age
// among 100 000 children is then only possible — there may be several such children.
const (
	PossibleWeight = 8.0
	likelyOdds     = 6.0
	// minPrior is the registry size below which the prior stays that of 256 children.
	minPrior = 256
)

// priorWeight is log2 of the prior odds for a registry of n children.
func priorWeight(n int64) float64 { return -math.Log2(float64(max(n, minPrior))) }

// Likely reports whether a match weight makes a candidate likely among n children.
func Likely(w float64, n int64) bool { return w >= likelyWeight(n) }

// likelyWeight is the lowest match weight that is likely among n children.
func likelyWeight(n int64) float64 { return likelyOdds - priorWeight(n) }

// Probability is the posterior probability that a candidate of this match weight is the
// child asked about, among n children.
func Probability(w float64, n int64) float64 { return 1 / (1 + math.Exp2(-(w + priorWeight(n)))) }

// Freqs are the name frequencies of a registry, by kind ("given" or "family") and skeleton:
// how many children bear each name, and how many names of each kind there are. The zero
// value is a registry without frequencies (no adjustment).
type Freqs struct {
	n     map[[2]string]int64
	total map[string]int64
}

// Add counts n more names of this kind with this skeleton.
func (f *Freqs) Add(kind, skeleton string, n int64) {
	if f.n == nil {
		f.n = map[[2]string]int64{}
	}
	f.n[[2]string{kind, skeleton}] += n
}

// AddTotal counts n more names of this kind in all.
func (f *Freqs) AddTotal(kind string, n int64) {
	if f.total == nil {
		f.total = map[string]int64{}
	}
	f.total[kind] += n
}

// Merge adds another registry's counts.
func (f *Freqs) Merge(o Freqs) {
	for k, n := range o.n {
		f.Add(k[0], k[1], n)
	}
	for kind, n := range o.total {
		f.AddTotal(kind, n)
	}
}

// Children is about how many children the registry holds (those with a given name).
func (f Freqs) Children() int64 { return max(f.total["given"], f.total["family"]) }

// tf is the share of children whose name of that kind has this skeleton, smoothed towards the
// average name by tfPseudoCount names (in a small registry every name looks frequent; at
// 100 000 children the smoothing no longer matters). ok is false without frequencies.
func (f Freqs) tf(kind, skel string) (float64, bool) {
	t := f.total[kind]
	if t == 0 || skel == "" {
		return 0, false
	}
	n := float64(max(f.n[[2]string{kind, skel}], 1))
	return (n + tfPseudoCount*exactU[kind]) / (float64(t) + tfPseudoCount), true
}

// fieldComparison is a name field compared.
type fieldComparison struct {
	kind  string // given or family: whose frequencies apply
	lvl   level
	sim   float64
	qSkel string
	cSkel string
	cName string // the candidate's name compared, as written
	// siblingLvl is the level the parents' cap reads for given names (siblingLevel).
	siblingLvl level
}

// nameComparison is the best reading of two people's names: its fields and its extra weight.
type nameComparison struct {
	given, family fieldComparison
	extra         float64 // swapped, alias, family-as-given
	label         string  // the candidate's name that matched
	swapped       bool
	alias         bool
	sameSkeleton  bool
}

func (fc fieldComparison) weight(freqs Freqs) (level, tfAdj float64) {
	if fc.lvl == levelMissing {
		return 0, 0
	}
	table := givenMU
	switch fc.kind {
	case "family":
		table = familyMU
	case kindFather, kindMother:
		table = parentMU
	}
	w := table[fc.lvl].weight()
	if fc.lvl >= nameSimilar && fc.qSkel == fc.cSkel {
		// Agreement on one name: how often two children (two parents) share it, against the
		// average name (the level's u).
		adj, _ := fc.tfAdjust(freqs, fc.cSkel)
		return w, adj
	}
	// A near spelling of the name asked is no stronger evidence than the name itself: a level
	// below agreement weighs at most what agreeing on the name asked weighs after its own
	// frequency adjustment (else Omar would weigh more than Ammar itself for a question about
	// Ammar, whose skeleton is as common as Omar's).
	if fc.lvl > nameDifferent {
		if adj, ok := fc.tfAdjust(freqs, fc.qSkel); ok {
			if exact := table[nameExact].weight() + adj; exact < w {
				return w, exact - w
			}
		}
	}
	return w, 0
}

// tfAdjust is the term-frequency adjustment of agreeing on the name with this skeleton: how
// often two children (two parents) share it, against the average name (the exact level's u),
// bounded by maxRareBonus and maxCommonMalus. ok is false without frequencies.
func (fc fieldComparison) tfAdjust(freqs Freqs, skel string) (adj float64, ok bool) {
	var u, avg float64
	if fc.kind == kindFather || fc.kind == kindMother {
		u, ok = freqs.parentTF(fc.kind, skel)
		avg = parentMU[nameExact].u
	} else {
		u, ok = freqs.tf(fc.kind, skel)
		avg = exactU[fc.kind]
	}
	if !ok {
		return 0, false
	}
	return max(min(math.Log2(avg/u), maxRareBonus), maxCommonMalus), true
}

func (nc nameComparison) weight(freqs Freqs) float64 {
	g, ga := nc.given.weight(freqs)
	f, fa := nc.family.weight(freqs)
	return g + ga + f + fa + nc.extra
}

// compareNames finds the reading of the names (in order, swapped, as whole names, through an
// alias) with the highest weight.
func compareNames(q, c Person, freqs Freqs) (nameComparison, bool) {
	var best nameComparison
	bestW, found := math.Inf(-1), false
	try := func(nc nameComparison) {
		if nc.given.lvl == levelMissing && nc.family.lvl == levelMissing {
			return
		}
		if w := nc.weight(freqs); w > bestW+rankTieEpsilon {
			best, bestW, found = nc, w, true
		}
	}
	field := func(kind string, a, b name, sim func(a, b name) float64) fieldComparison {
		if a.empty() || b.empty() {
			return fieldComparison{kind: kind}
		}
		s := sim(a, b)
		if kind == "given" {
			// Albanian children and officers give a given name in its definite form too
			// (Kaltrina / Kaltrinë), as they give their parents' (compareParent).
			s = definiteSim(a, b, s)
		}
		lvl := nameLevel(s)
		return fieldComparison{kind: kind, lvl: lvl, sim: s, qSkel: a.skeleton, cSkel: b.skeleton, cName: b.text,
			siblingLvl: siblingLevel(a, b, lvl)}
	}
	for _, qf := range q.forms {
		for _, cf := range c.forms {
			sim := formSim(qf, cf)
			same := qf.full.skeleton != "" && (qf.full.skeleton == cf.full.skeleton || qf.fullSwap.skeleton == cf.full.skeleton)
			base := nameComparison{label: cf.label, sameSkeleton: same}
			if !qf.given.empty() && !qf.family.empty() && !cf.given.empty() && !cf.family.empty() {
				nc := base
				nc.given, nc.family = field("given", qf.given, cf.given, sim), field("family", qf.family, cf.family, chainSim(sim))
				try(nc)
				if len(qf.given.words) != len(cf.given.words) || len(qf.family.words) != len(cf.family.words) {
					// The same words split differently (Ali | Hussein Kadhim, Ali Hussein |
					// Kadhim): the whole names stand for both fields.
					whole := field("given", qf.full, cf.full, sim)
					nc := base
					nc.given, nc.family = whole, whole
					nc.family.kind = "family"
					try(nc)
				}
				nc = base
				nc.given, nc.family = field("family", qf.given, cf.family, sim), field("given", qf.family, cf.given, sim)
				nc.extra, nc.swapped = swappedWeight, true
				try(nc)
				continue
			}
			// One side gave a single name: it must match the other's given name, or failing
			// that its family name.
			nc := base
			nc.given = field("given", single(qf), single(cf), sim)
			try(nc)
			if qf.family.empty() && !cf.family.empty() {
				nc := base
				nc.given, nc.extra, nc.swapped = field("family", qf.given, cf.family, sim), familyAsGivenW, true
				try(nc)
			} else if cf.family.empty() && !qf.family.empty() {
				nc := base
				nc.given, nc.extra, nc.swapped = field("given", qf.family, cf.given, sim), familyAsGivenW, true
				try(nc)
			}
		}
	}
	// Aliases: each alias against the other side's full and given names and aliases.
	aliasTry := func(a, b nameForm, label string) {
		for _, other := range []name{b.full, b.given} {
			nc := nameComparison{label: label, alias: true, extra: aliasWeight, sameSkeleton: a.full.skeleton == b.full.skeleton}
			nc.given = field("given", a.full, other, nameSim)
			try(nc)
		}
	}
	for _, qa := range q.aliases {
		for _, cf := range append(slices.Clone(c.forms), c.aliases...) {
			aliasTry(qa, cf, cf.label)
		}
	}
	for _, ca := range c.aliases {
		for _, qf := range q.forms {
			aliasTry(ca, qf, ca.label)
		}
	}
	return best, found
}

// formSim is the name similarity for two readings: between a reading of the Arabic script and
// a Latin spelling only the consonants can be compared (بٹ is Butt as much as Bat).
func formSim(q, c nameForm) func(a, b name) float64 {
	if q.abjad == c.abjad {
		return nameSim
	}
	return func(a, b name) float64 { return max(nameSim(a, b), vowelBlindSim(a, b)) }
}

// wawFactor is the similarity kept when the consonants agree only once a Latin w or v is read
// as the و that a reading of the Arabic script took for a vowel.
const wawFactor = 0.95

// vowelBlindSim is the similarity of a reading of the Arabic script and a Latin spelling by
// their consonants (0 when either has none). و is a consonant (w) or a long vowel (u, o), and
// a reading must guess which between two consonants: پلوشه reads Palusha, the officer writes
// Palwasha. So the consonants are compared also without the w (v in the skeleton) that one
// side writes after its first letter.
func vowelBlindSim(a, b name) float64 {
	if a.skeleton == "" || b.skeleton == "" {
		return 0
	}
	s := editSim(a.skeleton, b.skeleton) * vowelBlindFactor
	if wa, wb := withoutWaw(a.skeleton), withoutWaw(b.skeleton); wa != a.skeleton || wb != b.skeleton {
		s = max(s, editSim(wa, wb)*vowelBlindFactor*wawFactor)
	}
	return s
}

// withoutWaw is a skeleton without its v after the first letter.
func withoutWaw(skel string) string {
	if len(skel) < 2 || !strings.Contains(skel[1:], "v") {
		return skel
	}
	return skel[:1] + strings.ReplaceAll(skel[1:], "v", "")
}

// BirthDistance is how far apart the middles of two people's birth ranges are (0 when one is
// unknown): the tie-break between candidates of equal weight, such as namesakes.
func BirthDistance(q, c Person) time.Duration { return birthDistance(q.from, q.to, c.from, c.to) }

// birthDistance is how far apart the middles of two birth ranges are (0 when one is unknown):
// the tie-break between candidates of equal weight, such as namesakes.
func birthDistance(qf, qt, cf, ct *time.Time) time.Duration {
	if qf == nil && qt == nil || cf == nil && ct == nil {
		return 0
	}
	lo1, hi1 := rangeOf(qf, qt)
	lo2, hi2 := rangeOf(cf, ct)
	return lo1.Add(hi1.Sub(lo1) / 2).Sub(lo2.Add(hi2.Sub(lo2) / 2)).Abs()
}

func birthLevel(qf, qt, cf, ct *time.Time) (level, int) {
	if qf == nil && qt == nil || cf == nil && ct == nil {
		return levelMissing, 0
	}
	lo1, hi1 := rangeOf(qf, qt)
	lo2, hi2 := rangeOf(cf, ct)
	gap := max(lo2.Sub(hi1), lo1.Sub(hi2), 0)
	if gap == 0 {
		if birthDistance(qf, qt, cf, ct) <= 183*24*time.Hour {
			return birthClose, 0
		}
		return birthOverlap, 0
	}
	years := gap.Hours() / 24 / 365.25
	switch {
	case years <= 1:
		return birthNear, int(math.Ceil(years))
	case years <= 3:
		return birthGap, int(math.Ceil(years))
	}
	return birthFar, int(math.Ceil(years))
}

func sexLevel(q, c string) level {
	known := func(s string) bool { return s == "male" || s == "female" }
	switch {
	case !known(q) || !known(c):
		return levelMissing
	case q == c:
		return sexSame
	}
	return sexDiffers
}

// natLevel: declared nationalities are often wrong on the route (a child may claim another
// country), which the estimated m of a mismatch carries.
func natLevel(q, c []string) level {
	known := func(ns []string) []string {
		var out []string
		for _, n := range ns {
			if n != "" && n != "XX" {
				out = append(out, n)
			}
		}
		return out
	}
	qn, cn := known(q), known(c)
	if len(qn) == 0 || len(cn) == 0 {
		return levelMissing
	}
	for _, n := range qn {
		if slices.Contains(cn, n) {
			return natSame
		}
	}
	return natDiffers
}

// Comparison is a query compared with a candidate, field by field, under the registry's name
// frequencies: its Weight and, to show, its Explain.
type Comparison struct {
	names           nameComparison
	father, mother  fieldComparison
	birth, sex, nat level
	birthYears      int
	freqs           Freqs
}

// Compare compares a query with a candidate (the best reading of their names, birth ranges,
// sex, nationalities, parents' names); ok is false when they have no name to compare.
func Compare(q, c Person, freqs Freqs) (cmp Comparison, ok bool) {
	nc, ok := compareNames(q, c, freqs)
	if !ok {
		return Comparison{}, false
	}
	cmp = Comparison{names: nc, sex: sexLevel(q.sex, c.sex), nat: natLevel(q.nats, c.nats), freqs: freqs}
	cmp.father, cmp.mother = compareParents(q, c)
	cmp.birth, cmp.birthYears = birthLevel(q.from, q.to, c.from, c.to)
	return cmp, true
}

func levelWeight(table map[level]mu, l level) float64 {
	if l == levelMissing {
		return 0
	}
	return table[l].weight()
}

// RoundWeight is a match weight as shown: to one decimal.
func RoundWeight(w float64) float64 { return math.Round(w*weightPrecision) / weightPrecision }

// nameOfLabel is the name a frequency adjustment is about, as the candidate spells it.
func nameOfLabel(fc fieldComparison) string { return fc.cName }

// FieldSkeletons are the skeletons of the query's given and family names, for their
// frequencies.
func (p Person) FieldSkeletons() []string {
	var out []string
	for _, f := range append(slices.Clone(p.forms), p.aliases...) {
		for _, n := range []name{f.given, f.family, f.full} {
			if n.skeleton != "" && !slices.Contains(out, n.skeleton) {
				out = append(out, n.skeleton)
			}
		}
	}
	return out
}
