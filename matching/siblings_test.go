package matching

import (
	"testing"
	"time"
)

// TestSiblingLevel: with both parents' names agreeing, the same child whose given name has one
// sound written otherwise (a vowel in a name of five letters or more, s / sh) is likely, and so
// is the same compound name; a brother whose name differs in more (Hassan / Hussain), a short
// name with another vowel (Rama / Rima) and a brother who shares one element of a compound
// name (Hassan Raza / Hussain Raza) stay below likely.
func TestSiblingLevel(t *testing.T) {
	d := func(s string) *time.Time { v, _ := time.Parse(time.DateOnly, s); return &v }
	child := func(given string) Person {
		return NewPerson(Identity{GivenName: given, FamilyName: "Rahman", Sex: "male", BirthDateFrom: d("2009-01-01"),
			BirthDateTo: d("2009-12-31"), Nationalities: []string{"BD"}, FatherName: "Abdul Karim", MotherName: "Rokeya Begum"})
	}
	for _, tc := range []struct {
		q, c   string
		likely bool
	}{
		{"Sumon", "Suman", true},
		{"Yousef", "Yusuf", true},
		{"Sakib", "Shakib", true},
		{"Mohammad Reza", "Muhammad Reza", true},
		{"Ali Reza", "Ali Raza", true},
		{"Rama", "Rima", false},
		{"Hassan", "Hussain", false},
		{"Hasan", "Hosen", false},
		{"Hassan Raza", "Hussain Raza", false},
		{"Ahmad Zia", "Ahmad Shah", false},
		{"Abu Bakar", "Abu Talha", false},
		{"Sujon Ahmed", "Sujan Ahmed", true},
	} {
		t.Run(tc.q+" / "+tc.c, func(t *testing.T) {
			cmp, ok := Compare(child(tc.q), child(tc.c), Freqs{})
			if !ok {
				t.Fatal("no comparison")
			}
			if got := Likely(cmp.Weight(), 0); got != tc.likely {
				t.Errorf("likely %v (weight %.1f, given names %.2f), want %v", got, cmp.Weight(), cmp.names.given.sim, tc.likely)
			}
		})
	}
}
