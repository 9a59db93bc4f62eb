package matching

import (
	"testing"
)

// Compare weighs every pair of the tuning set (and the same pairs with parents' names and an
// alias) exactly alike whether the frequencies hold every name of both sides or only the
// question's FrequencySkeletons: the duplicate check reads no others.
func TestFrequencySkeletons(t *testing.T) {
	t.Parallel()
	pairs := readPairs(t, "testdata/name_pairs.csv")
	var ids [][2]Identity
	for _, p := range pairs {
		ids = append(ids, [2]Identity{p.A, p.B})
		a, b := p.A, p.B
		a.FatherName, b.FatherName = "Karim", "Kareem"
		a.MotherName, b.MotherName = "فاطمة", "Fatima"
		a.Aliases = []string{b.GivenName}
		ids = append(ids, [2]Identity{a, b}, [2]Identity{b, a})
	}
	compared := 0
	for i, pair := range ids {
		q, c := NewPerson(pair[0]), NewPerson(pair[1])
		var all, asked Freqs
		n := int64(3)
		for _, kind := range []string{"given", "family"} {
			all.AddTotal(kind, 100_000)
			asked.AddTotal(kind, 100_000)
			for _, s := range append(append(append(q.FieldSkeletons(), c.FieldSkeletons()...), q.ParentSkeletons()...), c.ParentSkeletons()...) {
				n = n*7%9973 + 1 // a different count for every name
				all.Add(kind, s, n)
			}
		}
		for _, kind := range []string{"given", "family"} {
			for _, s := range q.FrequencySkeletons() {
				if n, ok := all.n[[2]string{kind, s}]; ok {
					asked.Add(kind, s, n)
				}
			}
		}
		want, okWant := Compare(q, c, all)
		got, okGot := Compare(q, c, asked)
		if okWant != okGot || want.Weight() != got.Weight() {
			t.Errorf("pair %d (%s %s / %s %s): weight %.4f with every name's frequency, %.4f with the question's", i,
				pair[0].GivenName, pair[0].FamilyName, pair[1].GivenName, pair[1].FamilyName, want.Weight(), got.Weight())
		}
		if okWant {
			compared++
		}
	}
	if compared < len(pairs) {
		t.Fatalf("only %d of %d comparisons compared", compared, len(ids))
	}
}
