package matching

import "testing"

// TestSiblingLevel: with both parents' names agreeing, the same child whose given name has one
// sound written otherwise (a vowel in a name of five letters or more, s / sh; also in one of
// the names' readings: Shuvo / Subho once bh is read as v) is likely, and so
// is the same compound name; a brother whose name differs in more (Hassan / Hussain), a short
// name with another vowel (Rama / Rima) and a brother who shares one element of a compound
// name (Hassan Raza / Hussain Raza) stay below likely.
func TestSiblingLevel(t *testing.T) {
	checkParentsCap(t, Identity{FamilyName: "Rahman", Nationalities: []string{"BD"}, FatherName: "Abdul Karim", MotherName: "Rokeya Begum"},
		[]parentsCapCase{
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
			{"Shuvo", "Subho", true},
		})
}
