package registry

import (
	"math"
	"testing"
)

// TestEstimateWeights estimates the m and u probabilities of every comparison level from the
// tuning part of the labelled pairs (never from the frozen holdout): m from its "same" pairs,
// u from random pairs (each pair's child A against every other pair's child B). It prints the
// estimates and fails when a weight in use (duplicates_weights.go) is more than one bit from
// its estimate — for the levels seen often enough to say.
func TestEstimateWeights(t *testing.T) {
	pairs := readLabelledPairs(t, "testdata/name_pairs.csv")
	people := func(c testChild) person { return queryPerson(c.query(t)) }
	as, bs := make([]person, len(pairs)), make([]person, len(pairs))
	for i, p := range pairs {
		as[i], bs[i] = people(p.a), people(p.b)
	}
	type counts map[string]map[level]float64
	count := func(c counts, cmp comparison) {
		add := func(field string, l level) {
			if l == levelMissing {
				return
			}
			if c[field] == nil {
				c[field] = map[level]float64{}
			}
			c[field][l]++
		}
		if !cmp.names.alias && !cmp.names.swapped {
			add("given", cmp.names.given.lvl)
			add("family", cmp.names.family.lvl)
		}
		add("birth", cmp.birth)
		add("sex", cmp.sex)
		add("nat", cmp.nat)
	}
	m, u := counts{}, counts{}
	for i, p := range pairs {
		if !p.same {
			continue
		}
		if cmp, ok := compare(bs[i], as[i], nameFreqs{}); ok {
			count(m, cmp)
		}
	}
	for i := range pairs {
		for j := range pairs {
			if i == j {
				continue
			}
			cmp, ok := compare(bs[j], as[i], nameFreqs{})
			if !ok {
				cmp = comparison{names: nameComparison{given: fieldComparison{lvl: nameDifferent}, family: fieldComparison{lvl: nameDifferent}}}
				cmp.birth, _ = birthLevel(bs[j].from, bs[j].to, as[i].from, as[i].to)
				cmp.sex, cmp.nat = sexLevel(bs[j].sex, as[i].sex), natLevel(bs[j].nats, as[i].nats)
			}
			count(u, cmp)
		}
	}
	tables := map[string]map[level]mu{"given": givenMU, "family": familyMU, "birth": birthMU, "sex": sexMU, "nat": natMU}
	for _, field := range []string{"given", "family", "birth", "sex", "nat"} {
		var mt, ut float64
		for l := range tables[field] {
			mt += m[field][l] + 0.5
			ut += u[field][l] + 0.5
		}
		for l := level(0); l <= natDiffers; l++ {
			use, ok := tables[field][l]
			if !ok {
				continue
			}
			em, eu := (m[field][l]+0.5)/mt, (u[field][l]+0.5)/ut
			est := math.Log2(em / eu)
			t.Logf("%-6s level %2d: m %.3f (%3.0f pairs) u %.4f (%5.0f pairs): weight %+.1f, in use %+.1f", field, l, em, m[field][l], eu, u[field][l], est, use.weight())
			if m[field][l] >= 5 && u[field][l] >= 5 && math.Abs(est-use.weight()) > 1 {
				t.Errorf("%s level %d: weight in use %+.1f, estimated %+.1f", field, l, use.weight(), est)
			}
		}
	}
}
