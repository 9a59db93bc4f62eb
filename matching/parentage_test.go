package matching

import (
	"slices"
	"testing"
)

// The parentage key a record stores (Skeleton of ParentageLatin) is among the keys of a
// question for the same child, however the given name and the father's name are spelled.
func TestParentageKeys(t *testing.T) {
	for _, tc := range []struct {
		storedGiven, storedFather string
		askedGiven, askedFather   string
		want                      bool
	}{
		{"Mohammad", "Karim", "Muhammad", "Kareem", true},
		{"Md. Sumon", "Sumel", "Sumon", "Soumel", true},
		{"Rason", "Rakibul", "Md Rason", "Rakibul", true},
		{"Ahmad", "کریم", "Ahmed", "Karim", true},
		{"Abdul", "Rahman", "Abdul", "Rahman", true},
		{"Omar", "Hassan", "عمر", "حسن", true},
		{"Mohammad", "Karim", "Mohammad", "Sohrab", false},
		{"Mohammad", "Karim", "Ali", "Karim", false},
	} {
		stored := Skeleton(ParentageLatin(tc.storedGiven, tc.storedFather, ""))
		keys, long := NewPerson(Identity{GivenName: tc.askedGiven, FamilyName: "Ahmadi", FatherName: tc.askedFather}).ParentageSkeletons()
		if storedLong := Skeleton(ParentageLatin(tc.storedGiven, tc.storedFather, "Ahmadi")); slices.Contains(long, storedLong) != tc.want {
			t.Errorf("%s son of %s Ahmadi (%q) among the long keys %v: %v", tc.storedGiven, tc.storedFather, storedLong, long, !tc.want)
		}
		if got := slices.Contains(keys, stored); got != tc.want {
			t.Errorf("%s son of %s (%q) among the keys %v of %s son of %s: %v", tc.storedGiven, tc.storedFather, stored, keys,
				tc.askedGiven, tc.askedFather, got)
		}
	}
	if short, long := NewPerson(Identity{GivenName: "Mohammad", FamilyName: "Ahmadi"}).ParentageSkeletons(); len(short)+len(long) != 0 {
		t.Errorf("keys without a father's name: %v %v", short, long)
	}
	if _, long := NewPerson(Identity{GivenName: "Mohammad", FatherName: "Karim"}).ParentageSkeletons(); len(long) != 0 {
		t.Errorf("long keys without a family name: %v", long)
	}
	if ParentageLatin("", "Karim", "Ahmadi") != "" || ParentageLatin("Ali", " ", "Ahmadi") != "" {
		t.Error("a parentage key without a given name or a father's name")
	}
}
