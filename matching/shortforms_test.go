package matching

import "testing"

// TestShortForms: each kind of shortforms.go — a title, the Sorani Hama for Muhammad, a name
// of Allah and its short form, a compound joined with a letter pair or an article at the
// joint — brings a
// name and its other form to the level wanted at least, and each kind's near-misses (other
// names) stay below similar.
func TestShortForms(t *testing.T) {
	tests := []struct {
		kind      string
		same      [][2]string
		want      level
		different [][2]string
	}{
		{"title", [][2]string{{"Sayed Masood", "Masood"}, {"Syed Ali Raza", "Ali Raza"}, {"Haji Gul Agha", "Gul Agha"}, {"Sayed Jawad", "Syed Jawad"}},
			nameClose, [][2]string{{"Sayed Jalal", "Kamal"}, {"Sayed Masood", "Sayed"}, {"Haji Gul Agha", "Haji Gul Ahmad"}}},
		// The titles of religious learning (the fifth set's tuning part: Hafiz Talha / Talha).
		{"title of learning", [][2]string{{"Hafiz Talha", "Talha"}, {"Qari Abdul Basit", "Abdul Basit"}, {"Mawlawi Abdul Hai", "Abdul Hai"}, {"Maulana Tariq", "Tariq"}},
			nameClose, [][2]string{{"Hafiz Talha", "Hafiz Hamza"}, {"Hafiz Talha", "Hafiz"}, {"Mufti Naeem", "Nadeem"}}},
		{"Sorani Hama", [][2]string{{"Hama Amin", "Mohammed Amin"}, {"Hama Karim", "Karim"}, {"Hama Rashid", "Muhammad Rashid"}},
			nameClose, [][2]string{{"Hama Karim", "Hama Rashid"}, {"Hama Amin", "Mohammed Anwar"}, {"Hamid", "Mohammed"}}},
		{"-ullah short", [][2]string{{"Naqibullah", "Naqib"}, {"Nasratullah", "Nasrat"}, {"Hayat Ullah", "Hayat"}},
			nameSimilar, [][2]string{{"Naqibullah", "Najib"}, {"Rahmatullah", "Hikmat"}, {"Samiullah", "Sami Jan"}}},
		{"compound joined at dj", [][2]string{{"Ahmad Jawid", "Ahmadjawed"}, {"Ahmad Jan", "Ahmadjan"}, {"Mohammad Jan", "Mohammadjan"}},
			nameClose, [][2]string{{"Ahmad Jan", "Ahmadzia"}, {"Ahmad Jawid", "Ahmadwali"}}},
		// The article at a compound's joint, kept when joined and dropped when apart (the
		// fifth set's tuning part: Ziaulhaq / Zia Ul Haq).
		{"article at the joint", [][2]string{{"Ziaulhaq", "Zia Ul Haq"}, {"Fazlurrahman", "Fazl ur Rahman"}, {"Saifulislam", "Saif al Islam"}, {"Anwarulhaq", "Anwar ul Haq"}},
			nameClose, [][2]string{{"Ziaulhaq", "Zia Ul Rahman"}, {"Anwarulhaq", "Anwar Ali"}, {"Saifulislam", "Saif Ali"}}},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			for _, p := range tc.same {
				if s := nameSim(makeName(p[0]), makeName(p[1])); nameLevel(s) < tc.want {
					t.Errorf("%s / %s: similarity %.2f, want level %d at least", p[0], p[1], s, tc.want)
				}
			}
			for _, p := range tc.different {
				if s := nameSim(makeName(p[0]), makeName(p[1])); nameLevel(s) >= nameSimilar {
					t.Errorf("%s / %s are other names: similarity %.2f", p[0], p[1], s)
				}
			}
		})
	}
	// A short form is similar, not another spelling: the full name still weighs more.
	if s := nameSim(makeName("Naqibullah"), makeName("Naqib")); nameLevel(s) != nameSimilar {
		t.Errorf("Naqibullah / Naqib: similarity %.2f, want similar", s)
	}
}

// TestGivenNameDefiniteForm: a child's given name in its Albanian definite form (Kaltrina for
// Kaltrinë, Agroni for Agron) is another spelling of it, as a parent's is (compareParent); a
// family name that ends in a vowel more is another name (Ahmad / Ahmadi, Rexhep / Rexhepi).
func TestGivenNameDefiniteForm(t *testing.T) {
	for _, tc := range []struct {
		a, b Identity
		want func(Comparison) bool
	}{
		{Identity{GivenName: "Kaltrina", FamilyName: "Hasani"}, Identity{GivenName: "Kaltrinë", FamilyName: "Hasani"},
			func(c Comparison) bool { return c.names.given.lvl >= nameClose }},
		{Identity{GivenName: "Agron", FamilyName: "Gashi"}, Identity{GivenName: "Agroni", FamilyName: "Gashi"},
			func(c Comparison) bool { return c.names.given.lvl >= nameClose }},
		{Identity{GivenName: "Bekim", FamilyName: "Rexhep"}, Identity{GivenName: "Bekim", FamilyName: "Rexhepi"},
			func(c Comparison) bool { return c.names.family.lvl < nameClose }},
		{Identity{GivenName: "Omid", FamilyName: "Ahmad"}, Identity{GivenName: "Omid", FamilyName: "Ahmadi"},
			func(c Comparison) bool { return c.names.family.lvl < nameClose }},
	} {
		t.Run(tc.a.GivenName+" "+tc.a.FamilyName+" / "+tc.b.GivenName+" "+tc.b.FamilyName, func(t *testing.T) {
			cmp, ok := Compare(NewPerson(tc.b), NewPerson(tc.a), Freqs{})
			if !ok || !tc.want(cmp) {
				t.Errorf("given at level %d (%.2f), family at level %d (%.2f)", cmp.names.given.lvl, cmp.names.given.sim, cmp.names.family.lvl, cmp.names.family.sim)
			}
		})
	}
}

// TestWawReadAsVowel: a reading of the Arabic script that took و between two consonants for
// the vowel u (پلوشه, Palusha) meets the Latin spelling that writes it w (Palwasha) as a
// similar name at least, for the child and for a parent; other consonants still keep names
// apart.
func TestWawReadAsVowel(t *testing.T) {
	for _, tc := range []struct {
		script, latin string
		same          bool
	}{
		{"پلوشه", "Palwasha", true},
		{"پلوشه", "Pashtana", false},
		{"پلوشه", "Parwasha", false},
	} {
		t.Run(tc.script+" / "+tc.latin, func(t *testing.T) {
			cmp, ok := Compare(NewPerson(Identity{GivenName: tc.script}), NewPerson(Identity{GivenName: tc.latin}), Freqs{})
			if got := ok && cmp.names.given.lvl >= nameSimilar; got != tc.same {
				t.Errorf("given names at level %d (similarity %.2f), same name: %v, want %v", cmp.names.given.lvl, cmp.names.given.sim, got, tc.same)
			}
			f := compareParent(kindMother, makeParent(tc.script), makeParent(tc.latin))
			if got := f.lvl >= nameSimilar; got != tc.same {
				t.Errorf("mothers at level %d (similarity %.2f), same name: %v, want %v", f.lvl, f.sim, got, tc.same)
			}
		})
	}
}
