package matching

import (
	"slices"
	"testing"
)

// A question that gives the family name in the given-name field still has, among its swapped
// long keys, the long parentage key the record stores (in another spelling of the father's
// name, or the script); a question with one name only or without a father's name has none.
func TestSwappedParentageKeys(t *testing.T) {
	for _, tc := range []struct {
		storedGiven, storedFamily, storedFather string
		askedGiven, askedFamily, askedFather    string
	}{
		{"Farhad", "Rahimi", "Kardoullah", "Rahimi", "Farhad", "Kardoullah"},
		{"Mohammad", "Ahmadi", "Karim", "Ahmadi", "Muhammad", "Kareem"},
		{"Omar", "Immad", "Arman", "Immad", "عمر", "Arman"},
		{"Ali", "Mohammadi", "کریم", "محمدی", "علی", "کریم"},
	} {
		stored := Skeleton(ParentageLatin(tc.storedGiven, tc.storedFather, tc.storedFamily))
		p := NewPerson(Identity{GivenName: tc.askedGiven, FamilyName: tc.askedFamily, FatherName: tc.askedFather})
		if got := p.SwappedParentageSkeletons(); !slices.Contains(got, stored) {
			t.Errorf("%s %s son of %s (%q) not among the swapped keys %v of %s %s son of %s", tc.storedGiven, tc.storedFamily,
				tc.storedFather, stored, got, tc.askedGiven, tc.askedFamily, tc.askedFather)
		}
		if short, long := p.ParentageSkeletons(); slices.Contains(short, stored) || slices.Contains(long, stored) {
			t.Errorf("the unswapped keys already hold %q: the case does not test the swap", stored)
		}
	}
	for _, id := range []Identity{{GivenName: "Mohammad", FatherName: "Karim"}, {GivenName: "Mohammad", FamilyName: "Ahmadi"}} {
		if got := NewPerson(id).SwappedParentageSkeletons(); len(got) != 0 {
			t.Errorf("swapped keys of %+v: %v", id, got)
		}
	}
}
