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

// The parents' key a record stores (Skeleton of ParentsLatin) is among the keys of a question
// for the same child however the parents' names are spelled, written or joined — and whatever
// the child's own names — and not among those of a child with another father or mother.
func TestParentsKeys(t *testing.T) {
	for _, tc := range []struct {
		name                       string
		storedFather, storedMother string
		askedFather, askedMother   string
		want                       bool
	}{
		{"the same names", "Kamal Uddin", "Rahima Khatun", "Kamal Uddin", "Rahima Khatun", true},
		{"a compound joined", "Kamal Uddin", "Rahima Khatun", "Kamaluddin", "Rahima Khatun", true},
		{"another spelling", "Mohammad Karim", "Fatima", "Muhammad Kareem", "Fatema", true},
		{"the Arabic script", "Abdul Hadi", "Shaista", "عبدالهادی", "شایسته", true},
		{"the Cyrillic script", "Taras", "Nataliia", "Тарас", "Наталія", true},
		{"a Somali spelling", "Mohamed Ali", "Fadumo", "Maxamed Cali", "Faadumo", true},
		{"another mother", "Kamal Uddin", "Rahima Khatun", "Kamal Uddin", "Rokeya Begum", false},
		{"another father", "Abdul Hadi", "Shaista", "Abdul Hamid", "Shaista", false},
		{"the parents exchanged", "Karim", "Fatima", "Fatima", "Karim", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stored := Skeleton(ParentsLatin(tc.storedFather, tc.storedMother))
			// The child's own names play no part: here they differ beyond their skeletons.
			keys := NewPerson(Identity{GivenName: "Salauddin", FamilyName: "Bhuiya", FatherName: tc.askedFather, MotherName: tc.askedMother}).ParentsSkeletons()
			if got := slices.Contains(keys, stored); got != tc.want {
				t.Errorf("%s + %s (%q) among the keys %v of %s + %s: %v", tc.storedFather, tc.storedMother, stored, keys,
					tc.askedFather, tc.askedMother, got)
			}
		})
	}
	if keys := NewPerson(Identity{GivenName: "Salah Uddin", FatherName: "Kamal Uddin"}).ParentsSkeletons(); len(keys) != 0 {
		t.Errorf("parents' keys without the mother's name: %v", keys)
	}
	if ParentsLatin("", "Rahima") != "" || ParentsLatin("Kamal", " ") != "" {
		t.Error("a parents' key without a father's or a mother's name")
	}
}
