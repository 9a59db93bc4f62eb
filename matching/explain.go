package matching

import "math"

// Reason is one explanation of a match: a code (localized as "duplicate.reason.<code>"), its
// data and the match weight it contributed (log2 of a likelihood ratio, one decimal; 0 for a
// reason that only explains another).
type Reason struct {
	Code   string         `json:"code"`
	Data   map[string]any `json:"data,omitempty"`
	Weight float64        `json:"weight"`
}

// Reason codes.
const (
	ReasonNameSimilar      = "name_similar"       // Name, Similarity (percent)
	ReasonNameSameSkeleton = "name_same_skeleton" // Name
	ReasonAliasMatch       = "alias_match"        // Name, Similarity (percent)
	ReasonNamesSwapped     = "names_swapped"
	ReasonBirthOverlap     = "birth_overlap"
	ReasonBirthFar         = "birth_far" // Years
	ReasonSexSame          = "sex_same"
	ReasonSexDiffers       = "sex_differs"
	ReasonNationalitySame  = "nationality_same"
	// ReasonNationalityDiffers: no declared nationality in common.
	ReasonNationalityDiffers = "nationality_differs"
	// ReasonNameCommon, ReasonNameRare: the frequency adjustment of agreeing on Name.
	ReasonNameCommon = "name_common"
	ReasonNameRare   = "name_rare"
	// ReasonFatherName, ReasonMotherName: a parent's name compared (Similarity in percent; the
	// record's parent's name itself is not shown: a candidate may be outside the asker's
	// scope, and the asker knows the name they typed); the weight includes its frequency
	// adjustment.
	ReasonFatherName = "father_name"
	ReasonMotherName = "mother_name"
	// ReasonParentsUnresolved: the parents' names keep the candidate below likely (parentsCap):
	// a parent's name both sides give disagrees, or the parents agree but the given names do
	// not (a brother or sister, a twin). Its weight is what the cap took.
	ReasonParentsUnresolved = "parents_unresolved"
)

// Weight is the match weight of a comparison: the sum of its fields' weights (bits of
// evidence).
func (cmp Comparison) Weight() float64 {
	w, _ := cmp.score()
	return w
}

// Explain is the explanation of a comparison: one reason per field compared, with the weight
// it contributed (they add up to Weight, up to rounding), and the frequency adjustment of
// agreeing on a name when it is large enough to show.
func (cmp Comparison) Explain() []Reason {
	_, reasons := cmp.score()
	return reasons
}

// score is the match weight and its reasons, added up together so that they cannot disagree.
func (cmp Comparison) score() (float64, []Reason) {
	nc, freqs := cmp.names, cmp.freqs
	g, ga := nc.given.weight(freqs)
	f, fa := nc.family.weight(freqs)
	sim := nc.given.sim
	if nc.family.lvl != levelMissing {
		sim = combine(nc.given.sim, nc.family.sim)
	}
	pct := int(math.Round(sim * 100))
	code := ReasonNameSimilar
	if nc.alias {
		code = ReasonAliasMatch
	}
	total := g + f + ga + fa + nc.extra
	reasons := []Reason{{Code: code, Data: map[string]any{"Name": nc.label, "Similarity": pct}, Weight: RoundWeight(g + f)}}
	if nc.sameSkeleton {
		reasons = append(reasons, Reason{Code: ReasonNameSameSkeleton, Data: map[string]any{"Name": nc.label}})
	}
	if nc.swapped || nc.alias {
		w := nc.extra
		if nc.alias {
			w = 0 // shown with the alias itself
			reasons[0].Weight = RoundWeight(g + f + nc.extra)
		}
		if nc.swapped {
			reasons = append(reasons, Reason{Code: ReasonNamesSwapped, Weight: RoundWeight(w)})
		}
	}
	for _, adj := range []struct {
		w    float64
		name string
	}{{ga, nameOfLabel(nc.given)}, {fa, nameOfLabel(nc.family)}} {
		switch {
		case adj.w <= -tfShownFrom:
			reasons = append(reasons, Reason{Code: ReasonNameCommon, Data: map[string]any{"Name": adj.name}, Weight: RoundWeight(adj.w)})
		case adj.w >= tfShownFrom:
			reasons = append(reasons, Reason{Code: ReasonNameRare, Data: map[string]any{"Name": adj.name}, Weight: RoundWeight(adj.w)})
		}
	}
	for _, p := range []struct {
		fc   fieldComparison
		code string
	}{{cmp.father, ReasonFatherName}, {cmp.mother, ReasonMotherName}} {
		if p.fc.lvl == levelMissing {
			continue
		}
		w, adj := p.fc.weight(freqs)
		total += w + adj
		reasons = append(reasons, Reason{Code: p.code, Data: map[string]any{"Similarity": int(math.Round(p.fc.sim * 100))},
			Weight: RoundWeight(w + adj)})
	}
	if cmp.birth != levelMissing {
		w := levelWeight(birthMU, cmp.birth)
		total += w
		if cmp.birth == birthOverlap || cmp.birth == birthClose {
			reasons = append(reasons, Reason{Code: ReasonBirthOverlap, Weight: RoundWeight(w)})
		} else {
			reasons = append(reasons, Reason{Code: ReasonBirthFar, Data: map[string]any{"Years": cmp.birthYears}, Weight: RoundWeight(w)})
		}
	}
	if cmp.sex != levelMissing {
		w := levelWeight(sexMU, cmp.sex)
		total += w
		code := ReasonSexSame
		if cmp.sex == sexDiffers {
			code = ReasonSexDiffers
		}
		reasons = append(reasons, Reason{Code: code, Weight: RoundWeight(w)})
	}
	if cmp.nat != levelMissing {
		w := levelWeight(natMU, cmp.nat)
		total += w
		code := ReasonNationalitySame
		if cmp.nat == natDiffers {
			code = ReasonNationalityDiffers
		}
		reasons = append(reasons, Reason{Code: code, Weight: RoundWeight(w)})
	}
	if c, ok := cmp.parentsCap(); ok && total > c {
		reasons = append(reasons, Reason{Code: ReasonParentsUnresolved, Weight: RoundWeight(c - total)})
		total = c
	}
	return total, reasons
}

// parentsCap is the highest weight a candidate may have when its parents' names leave it
// unresolved (ok): just below Likely among the registry's children. Two cases, a rule rather
// than a weight, because the independence Fellegi–Sunter assumes fails for them:
//   - a parent's name that both sides give disagrees. A child knows their parents' names (on
//     the labelled pairs, 2 of 63 same-child comparisons disagreed), and a namesake who shares
//     one parent's common name with the child asked about would otherwise pass as likely on
//     the other parent's agreement (−4.9 bits against +8);
//   - a parent's name agrees but the given names agree only weakly or not at all: brothers,
//     sisters and twins share both parents and the family name and often have alike names
//     (Hassan / Hussain, Rama / Rima), so the parents' agreement cannot tell them from the
//     same child. The given names are read as siblings' names are (siblingLevel, siblings.go):
//     one sound written otherwise is one name (Sujon / Sujan), and compound names that share
//     a word are compared by the rest (Hassan Raza / Hussain Raza).
//
// Such a candidate stays listed (possible, ranked by its weight) for the officer to resolve.
func (cmp Comparison) parentsCap() (float64, bool) {
	agree := func(fc fieldComparison) bool { return fc.lvl >= nameSimilar && fc.lvl <= nameExact }
	differs := cmp.father.lvl == nameDifferent || cmp.mother.lvl == nameDifferent
	sibling := (agree(cmp.father) || agree(cmp.mother)) && !cmp.names.alias && cmp.names.given.lvl != levelMissing &&
		cmp.names.given.siblingLvl <= nameWeak
	if !differs && !sibling {
		return 0, false
	}
	return likelyWeight(cmp.freqs.Children()) - parentsCapMargin, true
}

// parentsCapMargin keeps a capped weight clearly below likely.
const parentsCapMargin = 0.5
