package synth

import (
	"strings"
	"time"
)

// Ambiguity is what a duplicate-check question about a person leaves open, judged with what
// only the generator knows: which spellings, scripts and orders are the same name. It bounds
// what any matcher can do on the question, whatever its rules: a matcher sees spellings, so
// it cannot tell children apart that the generator itself cannot tell apart.
type Ambiguity struct {
	// Namesakes counts the other children (first registrations) of the same nationality and
	// a sex that does not tell them apart (the same, or unknown on either side) who share
	// every name the question carries: the given name, the family name
	// when the question has one, and each parent's name the question has. The question's own
	// order of the names and its claimed nationality are not held against anyone.
	Namesakes int
	// Nearer counts the namesakes recorded as born nearer the question's birth estimate than
	// the child itself (birth-range middles, the nearest of each child's records); Level those
	// as near.
	Nearer, Level int
	// First is the share of first places a matcher reaches that knows every spelling of every
	// name and ranks namesakes by how near their recorded birth is to the question's (ties
	// broken at random): 1 / (Level + 1) when no namesake is nearer, else 0. Birth is the only
	// thing left that tells namesakes apart, so First estimates the best first place on the
	// question; it is an estimate, not a proof (another reading of the birth ranges could rank
	// a little better).
	First float64
}

// Ambiguities returns the Ambiguity of each question about people (each question's
// DuplicateOf is the index in people of the child it asks about, as Variants and AskParents
// give them). Every record of a child counts as that child, as in the benchmark.
func Ambiguities(people, questions []Person) []Ambiguity {
	root := func(i int) int {
		if d := people[i].DuplicateOf; d >= 0 {
			return d
		}
		return i
	}
	// The births each child is recorded with, and the children grouped by given name and
	// nationality (those a question about a child may confuse it with).
	records := map[int][]int{}
	groups := map[string][]int{}
	for i, p := range people {
		r := root(i)
		records[r] = append(records[r], i)
		if r == i {
			k := groupKey(p)
			groups[k] = append(groups[k], i)
		}
	}
	distance := func(child int, q Person) time.Duration {
		mid := q.BirthDateFrom.Add(q.BirthDateTo.Sub(q.BirthDateFrom) / 2)
		best := time.Duration(-1)
		for _, i := range records[child] {
			p := people[i]
			d := p.BirthDateFrom.Add(p.BirthDateTo.Sub(p.BirthDateFrom) / 2).Sub(mid)
			if d < 0 {
				d = -d
			}
			if best < 0 || d < best {
				best = d
			}
		}
		return best
	}
	out := make([]Ambiguity, len(questions))
	for n, q := range questions {
		child := root(q.DuplicateOf)
		c := people[child]
		family := q.FamilyName != "" || q.FamilyNameLatin != ""
		near := distance(child, q)
		var a Ambiguity
		for _, other := range groups[groupKey(c)] {
			o := people[other]
			if other == child ||
				o.Sex != c.Sex && o.Sex != "unknown" && c.Sex != "unknown" ||
				family && entryKey(o.family) != entryKey(c.family) ||
				q.FatherName != "" && entryKey(o.father) != entryKey(c.father) ||
				q.MotherName != "" && entryKey(o.mother) != entryKey(c.mother) {
				continue
			}
			a.Namesakes++
			switch d := distance(other, q); {
			case d < near:
				a.Nearer++
			case d == near:
				a.Level++
			}
		}
		if a.Nearer == 0 {
			a.First = 1 / float64(a.Level+1)
		}
		out[n] = a
	}
	return out
}

// groupKey is a child's given name (as the generator knows it, whatever its spelling) and
// nationality.
func groupKey(p Person) string {
	nat := ""
	if len(p.Nationalities) > 0 {
		nat = p.Nationalities[0]
	}
	return entryKey(&p.given) + "\x00" + nat
}

// entryKey identifies a name of the generator's lists ("" for none).
func entryKey(e *nameEntry) string {
	if e == nil {
		return ""
	}
	return e.script + "\x01" + strings.Join(e.latin, "\x01")
}
