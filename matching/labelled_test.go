package matching

import "testing"

// TestParentPairsPartJudge: a part passes with both figures at the gate; a part held at its
// first reading passes below the gate down to its floor, and says so; precision is never held.
func TestParentPairsPartJudge(t *testing.T) {
	t.Parallel()
	gate, held := ParentPairsPart{}, ParentPairsPart{Floor: 0.85}
	for _, tc := range []struct {
		part               ParentPairsPart
		precision, recall  float64
		wantPass, wantHeld bool
	}{
		{gate, 0.95, 0.90, true, false},
		{gate, 0.95, 0.89, false, false},
		{gate, 0.89, 0.95, false, false},
		{held, 0.95, 0.95, true, false},
		{held, 0.95, 0.86, true, true},
		{held, 0.95, 0.84, false, false},
		{held, 0.89, 0.95, false, false},
	} {
		if pass, h := tc.part.Judge(tc.precision, tc.recall); pass != tc.wantPass || h != tc.wantHeld {
			t.Errorf("floor %.2f, precision %.2f, recall %.2f: pass %v held %v, want %v %v", tc.part.Floor, tc.precision, tc.recall, pass, h, tc.wantPass, tc.wantHeld)
		}
	}
	if (ParentPairsPart{}).Enough(29, 20) || !(ParentPairsPart{MinSame: 28, MinDifferent: 19}).Enough(28, 19) {
		t.Error("Enough: the default minimum is 30 same and 20 different; a part's own minimum replaces it")
	}
}
