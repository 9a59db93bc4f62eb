package registry

import (
	"testing"
)

// TestParentsTellNamesakesApart: three namesakes (same names, sex, nationality and birth
// range) are indistinguishable to a check without parents' names — the answer says so
// (Namesakes) — while the parents' names, fetched with the candidates, put the right child
// first and the answer no longer claims namesakes. A parent's name the question leaves out
// changes nothing.
func TestParentsTellNamesakesApart(t *testing.T) {
	f := newDupFixture(t)
	base := testChild{given: "Mohammad", family: "Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}}
	with := func(father, mother string) testChild { c := base; c.father, c.mother = father, mother; return c }
	// Karim's son last: a tie would put him last (ranking falls back on the id).
	f.add(t, with("Hussain", "Zahra"))
	f.add(t, with("", "")) // registered before the parents' names were asked
	karim := f.add(t, with("Karim", "Fatima"))
	f.add(t, testChild{given: "Sohrab", family: "Nazari", sex: "male", from: "2009-01-01", to: "2009-12-31", nats: []string{"AF"}, father: "Karim"})

	plain := f.find(t, base.query(t), 10)
	if len(plain) != 3 {
		t.Fatalf("without parents' names: %d candidates, want the 3 namesakes", len(plain))
	}
	if n := Namesakes(plain); n != 3 {
		t.Errorf("without parents' names: namesakes %d, want 3 (weights %v)", n, weights(plain))
	}
	for _, tc := range []struct {
		name           string
		father, mother string
	}{
		{"father only, another spelling", "Kareem", ""},
		{"father in the Persian script", "کریم", ""},
		{"both parents", "Karim", "Fatemeh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := base.query(t)
			q.FatherName, q.MotherName = tc.father, tc.mother
			got := f.find(t, q, 10)
			if len(got) == 0 || got[0].ChildID != karim {
				t.Fatalf("first %v, want child %d (weights %v)", candidateIDs(got), karim, weights(got))
			}
			if n := Namesakes(got); n != 0 {
				t.Errorf("namesakes %d, want 0: the parents' names tell them apart (weights %v)", n, weights(got))
			}
			if !hasReason(got[0], ReasonFatherName) {
				t.Errorf("first candidate's reasons lack %s: %v", ReasonFatherName, got[0].Reasons)
			}
			if (tc.mother != "") != hasReason(got[0], ReasonMotherName) {
				t.Errorf("mother asked %q, reasons %v", tc.mother, got[0].Reasons)
			}
			// The record without parents' names weighs as it did without them.
			for _, c := range got {
				for _, p := range plain {
					if c.ChildID == p.ChildID && !hasReason(p, ReasonFatherName) && !hasReason(c, ReasonFatherName) && c.MatchWeight != p.MatchWeight {
						t.Errorf("child %d without parents' names: weight %.1f, was %.1f", c.ChildID, c.MatchWeight, p.MatchWeight)
					}
				}
			}
		})
	}
	// Retrieval stays by the child's own names: a shared father's name finds nobody.
	q := testChild{given: "Yasin", family: "Karimi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}}.query(t)
	q.FatherName = "Karim"
	if got := f.find(t, q, 10); len(got) != 0 {
		t.Errorf("a father's name alone retrieved %v", candidateIDs(got))
	}
}

func weights(cs []Candidate) []float64 {
	out := make([]float64, len(cs))
	for i, c := range cs {
		out[i] = c.MatchWeight
	}
	return out
}

func hasReason(c Candidate, code string) bool {
	for _, r := range c.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

// TestNamesakes covers the rule: candidates within one bit of the first, the first included,
// and 0 when the first stands out.
func TestNamesakes(t *testing.T) {
	c := func(ws ...float64) []Candidate {
		out := make([]Candidate, len(ws))
		for i, w := range ws {
			out[i] = Candidate{MatchWeight: w}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   []Candidate
		want int
	}{
		{"none", nil, 0},
		{"one", c(20), 0},
		{"first stands out", c(20, 18.9, 18), 0},
		{"two within a bit", c(20, 19.2, 15), 2},
		{"all alike", c(20, 20, 19.5, 19), 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Namesakes(tc.in); got != tc.want {
				t.Errorf("Namesakes = %d, want %d", got, tc.want)
			}
		})
	}
}
