package matching_test

import (
	"math"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/synth"
	"github.com/kujdes/kujdes/matching"
)

// TestEstimateEMSynthetic estimates the weights of the parents' names by EM over the candidate
// pairs of a synthetic registry (synth.Population, 20 000 children with their parents' names;
// 2 000 re-registrations as questions, each compared with the children sharing its given- or
// family-name skeleton, at most 30): u counted over all the candidate pairs (nearly all
// non-matches), m by EM with the blocked-on names left out (EMOptions). The labels (DuplicateOf)
// are not used by EM, only to measure the truth it is compared with. It fails when EM's weight of a parent's exact
// agreement or disagreement is more than one bit from the truth.
func TestEstimateEMSynthetic(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	people := synth.Population(7, 20_000, now)
	stored := make([]matching.Person, len(people))
	block := map[string][]int{}
	key := func(kind, s string) string { return kind + ":" + s }
	for i, p := range people {
		stored[i] = matching.NewPerson(identity(p))
		for _, n := range [][3]string{{"g", p.GivenName, p.GivenNameLatin}, {"f", p.FamilyName, p.FamilyNameLatin}} {
			if s := matching.Skeleton(matching.Latin(n[1], n[2])); s != "" {
				block[key(n[0], s)] = append(block[key(n[0], s)], i)
			}
		}
	}
	var cmps []matching.Comparison
	var truth []bool
	for _, q := range synth.Variants(8, people, 2_000, now) {
		qp := matching.NewPerson(identity(q))
		seen := map[int]bool{}
		for _, n := range [][3]string{{"g", q.GivenName, q.GivenNameLatin}, {"f", q.FamilyName, q.FamilyNameLatin}} {
			for _, j := range block[key(n[0], matching.Skeleton(matching.Latin(n[1], n[2])))] {
				if len(seen) < 30 && !seen[j] {
					seen[j] = true
					if c, ok := matching.Compare(qp, stored[j], matching.Freqs{}); ok {
						cmps = append(cmps, c)
						truth = append(truth, j == q.DuplicateOf)
					}
				}
			}
		}
	}
	matches := 0
	for _, m := range truth {
		if m {
			matches++
		}
	}
	// u from the candidate pairs themselves, all taken as non-matches (they are, but for one
	// in about 65): random pairs of the registry would not do — candidates share a name, and
	// with it, far more often than random children, the nationality, the sex and the parents'
	// names' origin.
	u := matching.LevelCounts(cmps, make([]bool, len(cmps)))
	est := matching.EstimateEM(cmps, 0.01, 300, matching.EMOptions{U: &u, Fixed: []string{"given", "family"}})
	real := matching.LevelCounts(cmps, truth)
	t.Logf("%d candidate pairs, %d iterations: share of matches %.4f (truth %.4f)", len(cmps), est.Iterations, est.Lambda, float64(matches)/float64(len(cmps)))
	for _, l := range []string{"exact", "close", "similar", "weak", "different"} {
		t.Logf("parent %-9s EM m %.3f u %.4f weight %+.1f | truth m %.3f u %.4f weight %+.1f | in use m %.3f u %.4f weight %+.1f", l,
			est.M["parent"][l], est.U["parent"][l], est.Weight("parent", l), real.M["parent"][l], real.U["parent"][l], real.Weight("parent", l),
			est.StartM["parent"][l], est.StartU["parent"][l], math.Log2(est.StartM["parent"][l]/est.StartU["parent"][l]))
	}
	// EM's u are those of candidates (which share a name), not of random children: the
	// weights compared are EM's against the truth over the same candidate pairs.
	for _, l := range []string{"exact", "close", "similar"} {
		if d := est.Weight("parent", l) - real.Weight("parent", l); math.Abs(d) > 1 {
			t.Errorf("parent %s: EM weight %+.1f, truth %+.1f", l, est.Weight("parent", l), real.Weight("parent", l))
		}
	}
	if w := est.Weight("parent", "different"); w > -4 || w < real.Weight("parent", "different")-1 {
		t.Errorf("parent different: EM weight %+.1f, truth %+.1f: want strong evidence against, not stronger than the truth", w, real.Weight("parent", "different"))
	}
	if truth := float64(matches) / float64(len(cmps)); est.Lambda < truth/2 || est.Lambda > 2*truth {
		t.Errorf("share of matches %.4f, truth %.4f", est.Lambda, truth)
	}
}

// identity is a synthetic child as the engine reads it.
func identity(p synth.Person) matching.Identity {
	from, to := p.BirthDateFrom, p.BirthDateTo
	return matching.Identity{GivenName: p.GivenName, FamilyName: p.FamilyName, GivenNameLatin: p.GivenNameLatin,
		FamilyNameLatin: p.FamilyNameLatin, Sex: p.Sex, BirthDateFrom: &from, BirthDateTo: &to, Nationalities: p.Nationalities,
		FatherName: p.FatherName, MotherName: p.MotherName}
}

// TestParentNameFrequencies measures the frequency adjustment of agreeing on a parent's name
// (parentTF: the given names' frequencies divided by the share of children of the parent's
// sex) against the one the parents' names' own frequencies would give, in a synthetic registry
// of 100 000 children with their parents' names (synth.Population), and against the adjustment
// before (the given names' frequencies as they are). The error is averaged over agreements: a
// name weighs as often as two parents share it (its count squared). It fails when the
// average error is a bit or more, for the father's or the mother's name.
func TestParentNameFrequencies(t *testing.T) {
	people := synth.Population(12, 100_000, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	var freqs matching.Freqs
	given := map[string]float64{}
	parents := map[string]map[string]float64{"father": {}, "mother": {}}
	girls := 0
	for _, p := range people {
		for _, n := range [][3]string{{"given", p.GivenName, p.GivenNameLatin}, {"family", p.FamilyName, p.FamilyNameLatin}} {
			if s := matching.Skeleton(matching.Latin(n[1], n[2])); s != "" {
				freqs.Add(n[0], s, 1)
				freqs.AddTotal(n[0], 1)
				if n[0] == "given" {
					given[s]++
				}
			}
		}
		for kind, n := range map[string]string{"father": p.FatherName, "mother": p.MotherName} {
			if s := matching.Skeleton(matching.Latin(n, "")); s != "" {
				parents[kind][s]++
			}
		}
		if p.Sex == "female" {
			girls++
		}
	}
	t.Logf("%d children, %.3f of them girls; %d given-name skeletons", len(people), float64(girls)/float64(len(people)), len(given))
	clamp := func(x float64) float64 { return max(min(x, 3), -6) }
	const uExact = 0.0022       // parentMU's exact u
	const uGivenBefore = 0.0029 // the given name's exactU, which the adjustment used before
	var total float64
	for _, n := range given {
		total += n
	}
	for _, kind := range []string{"father", "mother"} {
		var m float64
		for _, n := range parents[kind] {
			m += n
		}
		var w, errNow, errBefore float64
		for s, n := range parents[kind] {
			truth := clamp(math.Log2(uExact / (n / m)))
			now := matching.ParentTFAdjustment(freqs, kind, s)
			before := clamp(math.Log2(uGivenBefore / ((given[s] + 1000*uGivenBefore) / (total + 1000))))
			w += n * n
			errNow += n * n * math.Abs(now-truth)
			errBefore += n * n * math.Abs(before-truth)
		}
		errNow, errBefore = errNow/w, errBefore/w
		t.Logf("%s's name: %d names; mean error of the adjustment over agreements %.2f bits (before: %.2f)", kind, len(parents[kind]), errNow, errBefore)
		if errNow >= 1 {
			t.Errorf("%s's name: the adjustment is %.2f bits off on average", kind, errNow)
		}
	}
}
