package matching

import (
	"math"
	"slices"
)

// Estimating the m and u probabilities without labels: expectation–maximisation over candidate
// pairs (Fellegi–Sunter's mixture, as Splink estimates m). Each pair's comparison levels are a
// draw either from the matches (probability λ, the levels' m) or from the non-matches (the
// levels' u), each field independently. EM alternates: the chance that each pair is a match
// under the current m, u and λ (expectation); then m, u and λ as the counts of each level
// weighted by those chances (maximisation). It starts from the values in use, so it converges
// to the nearby mixture; fields missing on a pair (a parent's name not given) count for
// neither side. The father's and mother's names share one table, as in parentMU.

// emFields are the fields EstimateEM estimates, with the table each starts from.
var emFields = []struct {
	name  string
	table map[level]mu
	level func(Comparison) []level
}{
	{"given", givenMU, func(c Comparison) []level { return []level{c.names.given.lvl} }},
	{"family", familyMU, func(c Comparison) []level { return []level{c.names.family.lvl} }},
	{"birth", birthMU, func(c Comparison) []level { return []level{c.birth} }},
	{"sex", sexMU, func(c Comparison) []level { return []level{c.sex} }},
	{"nat", natMU, func(c Comparison) []level { return []level{c.nat} }},
	{"parent", parentMU, func(c Comparison) []level { return []level{c.father.lvl, c.mother.lvl} }},
}

// EMEstimate is what EstimateEM found: the share of matches among the pairs (Lambda), and per
// field ("given", "family", "birth", "sex", "nat", "parent") and level the m and u
// probabilities, by level name.
type EMEstimate struct {
	Lambda     float64
	Iterations int
	M, U       map[string]map[string]float64
	// Start are the values in use it started from (M, U and Weight per field and level).
	StartM, StartU map[string]map[string]float64
}

// Weight is the estimated weight of a field's level (bits).
func (e EMEstimate) Weight(field, lvl string) float64 {
	return math.Log2(e.M[field][lvl] / e.U[field][lvl])
}

// levelNames name the levels in EMEstimate.
var levelNames = map[level]string{
	nameExact: "exact", nameClose: "close", nameSimilar: "similar", nameWeak: "weak", nameDifferent: "different",
	birthClose: "close", birthOverlap: "overlap", birthNear: "near", birthGap: "gap", birthFar: "far",
	sexSame: "same", sexDiffers: "differs", natSame: "same", natDiffers: "differs",
}

// EMOptions shape an estimate as Splink does it: U, when set, are u probabilities estimated
// from random pairs of the registry (LevelCounts with no match: random pairs are almost never
// matches) and stay fixed, EM estimating only m; Fixed fields (those the candidate pairs were
// blocked on, whose levels within a block say little about matching) keep their starting
// values and take no part (Splink: a blocked-on field cannot be estimated in that session,
// and counting its agreement, shared by every pair of the block, would make every pair a
// match).
type EMOptions struct {
	U     *EMEstimate
	Fixed []string
}

// EstimateEM estimates m, u and the share of matches from unlabelled comparisons (candidate
// pairs of a registry: each query against the candidates retrieval found for it), starting
// from the values in use (u from opts.U when set) and a share of matches lambda0, for at most
// maxIter rounds (it stops earlier when no probability moves by more than 1e-6).
func EstimateEM(cmps []Comparison, lambda0 float64, maxIter int, opts EMOptions) EMEstimate {
	const smooth = 0.5 // pseudo-count per level, so that no level's probability becomes 0
	m, u := map[string]map[level]float64{}, map[string]map[level]float64{}
	est := EMEstimate{StartM: map[string]map[string]float64{}, StartU: map[string]map[string]float64{}}
	for _, f := range emFields {
		m[f.name], u[f.name] = map[level]float64{}, map[level]float64{}
		est.StartM[f.name], est.StartU[f.name] = map[string]float64{}, map[string]float64{}
		for l, p := range f.table {
			m[f.name][l], u[f.name][l] = p.m, p.u
			est.StartM[f.name][levelNames[l]], est.StartU[f.name][levelNames[l]] = p.m, p.u
			if opts.U != nil && !slices.Contains(opts.Fixed, f.name) {
				u[f.name][l] = opts.U.U[f.name][levelNames[l]]
			}
		}
	}
	lambda := lambda0
	levels := make([][][]level, len(cmps))
	for i, c := range cmps {
		levels[i] = make([][]level, len(emFields))
		for k, f := range emFields {
			levels[i][k] = f.level(c)
		}
	}
	iter := 0
	for iter = 1; iter <= maxIter; iter++ {
		cm, cu := map[string]map[level]float64{}, map[string]map[level]float64{}
		for _, f := range emFields {
			cm[f.name], cu[f.name] = map[level]float64{}, map[level]float64{}
		}
		matches := 0.0
		for i := range cmps {
			// Expectation, in logs: a pair agreeing on every field is 2^40 times likelier a match.
			lm, lu := math.Log(lambda), math.Log(1-lambda)
			for k, f := range emFields {
				if slices.Contains(opts.Fixed, f.name) {
					continue
				}
				for _, l := range levels[i][k] {
					if _, ok := f.table[l]; ok {
						lm += math.Log(m[f.name][l])
						lu += math.Log(u[f.name][l])
					}
				}
			}
			p := 1 / (1 + math.Exp(lu-lm))
			matches += p
			for k, f := range emFields {
				for _, l := range levels[i][k] {
					if _, ok := f.table[l]; ok {
						cm[f.name][l] += p
						cu[f.name][l] += 1 - p
					}
				}
			}
		}
		moved := 0.0
		for _, f := range emFields {
			if slices.Contains(opts.Fixed, f.name) {
				continue
			}
			var tm, tu float64
			for l := range f.table {
				tm += cm[f.name][l] + smooth
				tu += cu[f.name][l] + smooth
			}
			for l := range f.table {
				nm, nu := (cm[f.name][l]+smooth)/tm, (cu[f.name][l]+smooth)/tu
				if opts.U != nil {
					nu = u[f.name][l]
				}
				moved = max(moved, math.Abs(nm-m[f.name][l]), math.Abs(nu-u[f.name][l]))
				m[f.name][l], u[f.name][l] = nm, nu
			}
		}
		nl := matches / float64(max(len(cmps), 1))
		moved = max(moved, math.Abs(nl-lambda))
		lambda = nl
		if moved < 1e-6 {
			break
		}
	}
	est.Lambda, est.Iterations = lambda, min(iter, maxIter)
	est.M, est.U = map[string]map[string]float64{}, map[string]map[string]float64{}
	for _, f := range emFields {
		est.M[f.name], est.U[f.name] = map[string]float64{}, map[string]float64{}
		for l := range f.table {
			est.M[f.name][levelNames[l]], est.U[f.name][levelNames[l]] = m[f.name][l], u[f.name][l]
		}
	}
	return est
}

// LevelCounts are the m and u probabilities counted from labelled comparisons (match[i] tells
// whether cmps[i] is a match), smoothed as EstimateEM smooths them: the truth EM is checked
// against.
func LevelCounts(cmps []Comparison, match []bool) EMEstimate {
	const smooth = 0.5
	est := EMEstimate{M: map[string]map[string]float64{}, U: map[string]map[string]float64{}}
	for _, f := range emFields {
		cm, cu := map[level]float64{}, map[level]float64{}
		for i, c := range cmps {
			for _, l := range f.level(c) {
				if _, ok := f.table[l]; !ok {
					continue
				}
				if match[i] {
					cm[l]++
				} else {
					cu[l]++
				}
			}
		}
		var tm, tu float64
		for l := range f.table {
			tm += cm[l] + smooth
			tu += cu[l] + smooth
		}
		est.M[f.name], est.U[f.name] = map[string]float64{}, map[string]float64{}
		for l := range f.table {
			est.M[f.name][levelNames[l]], est.U[f.name][levelNames[l]] = (cm[l]+smooth)/tm, (cu[l]+smooth)/tu
		}
	}
	return est
}
