package matching

import (
	"bufio"
	"crypto/sha256"
	"os"
	"strings"
	"testing"
)

// holdoutByte is the split rule of the labelled pairs with parents' names: a pair whose CSV
// line (without the file's header and comments) has a SHA-256 whose first byte is below it
// belongs to the frozen holdout (about 40 %), any other to the tuning part.
const holdoutByte = 102

// dataLines is the pairs' lines of a labelled-pairs file, as written: no comment, no header,
// no blank line.
func dataLines(t *testing.T, file string) []string {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") || l == pairsParentsHeader {
			continue
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestParentPairsSplitByRule checks that each labelled set with parents' names was split by
// its documented rule, so that no pair moved between the tuning part and the frozen holdout
// after the split (moving a "hard" holdout pair to the tuning part is the quiet way of tuning
// on the holdout), and that no later set (parent_pairs_2*.csv … parent_pairs_5*.csv) repeats
// a pair or a child A of an earlier one.
func TestParentPairsSplitByRule(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, set := range []struct{ tuning, holdout string }{
		{"testdata/parent_pairs.csv", "testdata/parent_pairs_holdout.csv"},
		{"testdata/parent_pairs_2.csv", "testdata/parent_pairs_2_holdout.csv"},
		{"testdata/parent_pairs_3.csv", "testdata/parent_pairs_3_holdout.csv"},
		{"testdata/parent_pairs_4.csv", "testdata/parent_pairs_4_holdout.csv"},
		{"testdata/parent_pairs_5.csv", "testdata/parent_pairs_5_holdout.csv"},
	} {
		for _, part := range []struct {
			file    string
			holdout bool
		}{{set.tuning, false}, {set.holdout, true}} {
			readPairs(t, part.file) // the format, and no child A twice in a file
			for _, l := range dataLines(t, part.file) {
				if sum := sha256.Sum256([]byte(l)); (sum[0] < holdoutByte) != part.holdout {
					t.Errorf("%s: the split rule puts this pair in the other part: %s", part.file, l)
				}
				childA := strings.Join(strings.Split(l, ",")[:8], ",")
				if f, ok := seen[childA]; ok {
					t.Errorf("%s: child A already in %s: %s", part.file, f, childA)
				}
				seen[childA] = part.file
			}
		}
	}
}
