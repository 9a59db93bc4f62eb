package matching

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
)

// Pair is one labelled pair of the evaluation set (testdata/name_pairs.csv, the tuning part,
// and testdata/name_pairs_holdout.csv, the frozen holdout): two children and whether they are
// the same child.
type Pair struct {
	A, B Identity
	Same bool
	Note string
}

// pairsHeader is the first line of a labelled-pairs file; pairsParentsHeader of one whose
// children carry their father's and mother's names (testdata/parent_pairs*.csv).
const (
	pairsHeader        = "a_given,a_family,a_sex,a_birth_from,a_birth_to,a_nat,b_given,b_family,b_sex,b_birth_from,b_birth_to,b_nat,same,note"
	pairsParentsHeader = "a_given,a_family,a_sex,a_birth_from,a_birth_to,a_nat,a_father,a_mother," +
		"b_given,b_family,b_sex,b_birth_from,b_birth_to,b_nat,b_father,b_mother,same,note"
)

// ReadPairs reads a labelled-pairs file: CSV with the header pairsHeader (or
// pairsParentsHeader: each side followed by its father's and mother's names, empty when not
// given), lines starting with # are comments, birth dates YYYY-MM-DD (empty when unknown),
// nationalities separated by ";". Every child A is a distinct identity (two may share a name
// only with other facts), so that a registry of all the A children has one record per pair.
func ReadPairs(r io.Reader) ([]Pair, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	side := 6 // columns of one child
	switch {
	case len(recs) > 0 && strings.Join(recs[0], ",") == pairsHeader:
	case len(recs) > 0 && strings.Join(recs[0], ",") == pairsParentsHeader:
		side = 8
	default:
		return nil, fmt.Errorf("labelled pairs: the header must be %q or %q", pairsHeader, pairsParentsHeader)
	}
	var pairs []Pair
	seen := map[string]bool{}
	for i, rec := range recs[1:] {
		line := i + 2
		if len(rec) != 2*side+2 {
			return nil, fmt.Errorf("labelled pairs record %d: %d fields, want %d", line, len(rec), 2*side+2)
		}
		var p Pair
		var err error
		if p.A, err = pairSide(rec[0:side]); err != nil {
			return nil, fmt.Errorf("labelled pairs record %d: %w", line, err)
		}
		if p.B, err = pairSide(rec[side : 2*side]); err != nil {
			return nil, fmt.Errorf("labelled pairs record %d: %w", line, err)
		}
		same := rec[2*side]
		switch same {
		case "true":
			p.Same = true
		case "false":
		default:
			return nil, fmt.Errorf("labelled pairs record %d: same = %q", line, same)
		}
		p.Note = rec[2*side+1]
		key := strings.Join(rec[:side], "|")
		if seen[key] {
			return nil, fmt.Errorf("labelled pairs record %d: child A repeats an earlier A", line)
		}
		seen[key] = true
		pairs = append(pairs, p)
	}
	return pairs, nil
}

// pairSide reads given, family, sex, birth from, birth to and nationalities, and the father's
// and mother's names when given.
func pairSide(f []string) (Identity, error) {
	id := Identity{GivenName: f[0], FamilyName: f[1], Sex: f[2]}
	if len(f) == 8 {
		id.FatherName, id.MotherName = f[6], f[7]
	}
	for _, d := range []struct {
		s   string
		out **time.Time
	}{{f[3], &id.BirthDateFrom}, {f[4], &id.BirthDateTo}} {
		if d.s == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.s)
		if err != nil {
			return Identity{}, err
		}
		*d.out = &t
	}
	if f[5] != "" {
		id.Nationalities = strings.Split(f[5], ";")
	}
	return id, nil
}
