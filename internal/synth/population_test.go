package synth

import (
	"reflect"
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
