package registry

import (
	"cmp"
	"slices"
	"testing"
)

// TestMatcherQuality measures the matching engine alone, without a database, on both parts of
// the labelled pairs: every pair's child A is one record of a registry (its name frequencies
// counted as the name_frequencies triggers count them), each child B is compared with every
// record, and a pair is flagged when its own A is among the ten best candidates of at least
// possible weight (the retrieval's hard limits applied: not the other sex, birth ranges at
// most three years apart).
func TestMatcherQuality(t *testing.T) {
	t.Parallel()
	for _, part := range []struct {
		name, file string
		frozen     bool
	}{
		{"tuning", "testdata/name_pairs.csv", false},
		{"holdout", "testdata/name_pairs_holdout.csv", true},
	} {
		t.Run(part.name, func(t *testing.T) {
			t.Parallel()
			pairs := readLabelledPairs(t, part.file)
			freqs := nameFreqs{n: map[[2]string]int64{}, total: map[string]int64{}}
			stored := make([]person, len(pairs))
			for i, p := range pairs {
				row := candidateRow{ID: int64(i + 1), GivenName: p.a.given, FamilyName: p.a.family,
					GivenNameLatin: latinOf(p.a.given, ""), FamilyNameLatin: latinOf(p.a.family, ""), Sex: p.a.sex,
					BirthDateFrom: date(t, p.a.from), BirthDateTo: date(t, p.a.to), Nationalities: p.a.nats}
				rows := NameRows(row.ID, p.a.given, p.a.family, row.GivenNameLatin, row.FamilyNameLatin, nil)
				for _, n := range rows {
					if (n.Kind == "given" || n.Kind == "family") && n.Skeleton != "" {
						freqs.n[[2]string{n.Kind, n.Skeleton}]++
						freqs.total[n.Kind]++
					}
				}
				stored[i] = storedPerson(row, rows)
			}
			type hit struct {
				i      int
				weight float64
			}
			var tp, fp, fn, tn, likelyN int
			for i, p := range pairs {
				q := p.b.query(t)
				qp := queryPerson(q)
				var hits []hit
				for j, c := range stored {
					if sexLevel(qp.sex, c.sex) == sexDiffers {
						continue
					}
					if l, years := birthLevel(qp.from, qp.to, c.from, c.to); l == birthFar && years > 3 || l == birthGap && years > 3 {
						continue
					}
					if w, _ := scoreMatch(qp, c, freqs); w >= possibleWeight {
						hits = append(hits, hit{j, w})
					}
				}
				slices.SortStableFunc(hits, func(x, y hit) int {
					if c := cmp.Compare(y.weight, x.weight); c != 0 {
						return c
					}
					return cmp.Compare(birthDistance(qp.from, qp.to, stored[x.i].from, stored[x.i].to), birthDistance(qp.from, qp.to, stored[y.i].from, stored[y.i].to))
				})
				k := slices.IndexFunc(hits, func(h hit) bool { return h.i == i })
				flagged := k >= 0 && k < 10
				if flagged && likely(hits[k].weight, freqs.children()) {
					likelyN++
				}
				switch {
				case p.same && flagged:
					tp++
				case p.same:
					fn++
				case flagged:
					fp++
				default:
					tn++
				}
			}
			precision := float64(tp) / float64(max(tp+fp, 1))
			recall := float64(tp) / float64(max(tp+fn, 1))
			t.Logf("%s: true positives %d (%d likely), false positives %d, false negatives %d, true negatives %d", part.name, tp, likelyN, fp, fn, tn)
			t.Logf("%s: precision %.3f, recall %.3f", part.name, precision, recall)
			if precision < 0.9 || recall < 0.9 {
				t.Errorf("%s: precision %.3f and recall %.3f must both be at least 0.9", part.name, precision, recall)
			}
		})
	}
}
