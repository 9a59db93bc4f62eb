package synth

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPopulationNameFrequencies: a realistic population has a few very common names and a
// long tail — numbers a registry of this size shows, measured on 20 000 children.
func TestPopulationNameFrequencies(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	const n = 20_000
	ps := Population(42, n, now)
	if !reflect.DeepEqual(ps[:50], Population(42, 50, now)) {
		t.Fatal("the same seed gave other children")
	}
	given, family, combo := map[string]int{}, map[string]int{}, map[string]int{}
	key := func(p Person) (string, string) {
		f := ""
		if p.family != nil {
			f = strings.ToLower(p.family.latin[0])
		}
		return strings.ToLower(p.given.latin[0]), f
	}
	for _, p := range ps {
		g, f := key(p)
		given[g]++
		if f != "" {
			family[f]++
		}
		combo[g+"|"+f]++
	}
	rare := 0
	for _, p := range ps {
		if g, f := key(p); combo[g+"|"+f] <= 5 {
			rare++
		}
	}
	t.Logf("%d children: %d given names (Mohammad %d), %d family names (Ahmadi %d), %.0f %% with at most 5 namesakes",
		n, len(given), given["mohammad"], len(family), family["ahmadi"], 100*float64(rare)/n)
	if share := float64(given["mohammad"]) / n; share < 0.02 || share > 0.1 {
		t.Errorf("Mohammad is %.3f of the children, want a common name (2–10 %%)", share)
	}
	if share := float64(family["ahmadi"]) / n; share < 0.01 || share > 0.06 {
		t.Errorf("Ahmadi is %.3f of the children, want a common family name (1–6 %%)", share)
	}
	if len(given) < 1500 || len(family) < 3000 {
		t.Errorf("%d given and %d family names: no long tail", len(given), len(family))
	}
	if float64(rare)/n < 0.5 {
		t.Errorf("only %d of %d children have at most 5 namesakes", rare, n)
	}
	// Generate keeps drawing uniformly from the lists (the demo's children).
	for _, p := range Generate(42, 2000, now) {
		if !listed(p.given) || p.family != nil && !listed(*p.family) {
			t.Fatalf("Generate drew a long-tail name: %+v", p)
		}
	}
}

func listed(e nameEntry) bool {
	for _, o := range origins {
		for _, l := range [][]nameEntry{o.male, o.female, o.family} {
			for _, x := range l {
				if reflect.DeepEqual(x, e) {
					return true
				}
			}
		}
	}
	return false
}

// TestPopulationParents: every child of a Population has a father's and a mother's name,
// drawn from the male and female given names of the child's origin with realistic
// frequencies (a few common, a long tail), the same for a seed; the children themselves are
// those of the seed (the parents come from a stream of their own); Generate gives none; and
// AskParents asks with both, the father's only or none per its documented mix.
func TestPopulationParents(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	const n = 20_000
	ps := Population(42, n, now)
	fathers, mothers := map[string]int{}, map[string]int{}
	for _, p := range ps {
		if p.FatherName == "" || p.MotherName == "" || p.father == nil || p.mother == nil {
			t.Fatalf("a child without parents' names: %+v", p)
		}
		fathers[strings.ToLower(p.father.latin[0])]++
		mothers[strings.ToLower(p.mother.latin[0])]++
		if p.FatherName != p.father.script && !slices.Contains(p.father.latin, p.FatherName) {
			t.Fatalf("father %q is neither %q nor a spelling of %v", p.FatherName, p.father.script, p.father.latin)
		}
	}
	t.Logf("%d fathers' names (Mohammad %d), %d mothers' names (Fatima %d)", len(fathers), fathers["mohammad"], len(mothers), mothers["fatima"])
	if share := float64(fathers["mohammad"]) / n; share < 0.02 || share > 0.12 {
		t.Errorf("Mohammad is the father of %.3f of the children, want a common name", share)
	}
	if len(fathers) < 1000 || len(mothers) < 300 {
		t.Errorf("%d fathers' and %d mothers' names: no long tail", len(fathers), len(mothers))
	}
	// The children are those of the seed; the parents are the same for the same seed.
	again := Population(42, 50, now)
	for i := range again {
		if again[i].FatherName != ps[i].FatherName || again[i].GivenName != ps[i].GivenName {
			t.Fatalf("child %d differs for the same seed", i)
		}
	}
	for _, p := range Generate(42, 200, now) {
		if p.FatherName != "" || p.MotherName != "" {
			t.Fatalf("Generate gave parents' names: %+v", p)
		}
	}
	asked := AskParents(1, ps)
	var both, father, none int
	for i, p := range asked {
		switch {
		case p.FatherName != "" && p.MotherName != "":
			both++
		case p.FatherName != "":
			father++
		default:
			none++
		}
		if ps[i].MotherName == "" {
			t.Fatal("AskParents changed the people given")
		}
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"both", float64(both) / n, ParentsBoth}, {"father only", float64(father) / n, ParentsFatherOnly}, {"none", float64(none) / n, 1 - ParentsBoth - ParentsFatherOnly}} {
		if math.Abs(c.got-c.want) > 0.02 {
			t.Errorf("%s: %.3f of the questions, want %.2f", c.name, c.got, c.want)
		}
	}
}
