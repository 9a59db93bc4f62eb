package matching

import "testing"

// BenchmarkCompare measures the engine alone: one query compared with one candidate (both
// folded beforehand, as the registry does once per check and per candidate), over the pairs
// of the tuning part.
//
//	go test -run '^$' -bench Compare ./matching/
func BenchmarkCompare(b *testing.B) {
	pairs := readPairs(b, "testdata/name_pairs.csv")
	qs, cs := make([]Person, len(pairs)), make([]Person, len(pairs))
	for i, p := range pairs {
		qs[i], cs[i] = NewPerson(p.B), NewPerson(p.A)
	}
	i := 0
	for b.Loop() {
		if cmp, ok := Compare(qs[i%len(qs)], cs[i%len(cs)], Freqs{}); ok {
			_ = cmp.Explain()
		}
		i++
	}
}

// BenchmarkNewPerson measures folding one identity (transliteration, skeletons, variants).
func BenchmarkNewPerson(b *testing.B) {
	pairs := readPairs(b, "testdata/name_pairs.csv")
	i := 0
	for b.Loop() {
		NewPerson(pairs[i%len(pairs)].A)
		i++
	}
}
