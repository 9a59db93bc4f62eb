package matching

import "testing"

// TestPashtoNorth: a name written with the Pashto letters the dialects say otherwise (ږ zh or
// g, ښ sh or kh) meets its northern Latin spelling as another spelling of the name, for the
// child and for a parent, and its southern one as before.
func TestPashtoNorth(t *testing.T) {
	for _, tc := range []struct{ script, latin string }{
		{"وږمه", "Wagma"},
		{"وږمه", "Wazhma"},
		{"سپوږمۍ", "Spogmai"},
		{"سپوږمۍ", "Spozhmai"},
	} {
		t.Run(tc.script+" / "+tc.latin, func(t *testing.T) {
			q, c := NewPerson(Identity{GivenName: tc.script}), NewPerson(Identity{GivenName: tc.latin})
			cmp, ok := Compare(q, c, Freqs{})
			if !ok || cmp.names.given.lvl < nameClose {
				t.Errorf("given names at level %d (similarity %.2f), want another spelling", cmp.names.given.lvl, cmp.names.given.sim)
			}
		})
	}
	for _, tc := range []struct{ script, latin string }{
		{"ښایسته گل", "Khaista Gul"},
		{"ښایسته گل", "Shaista Gul"},
	} {
		t.Run("father "+tc.script+" / "+tc.latin, func(t *testing.T) {
			if f := compareParent(kindFather, makeParent(tc.script), makeParent(tc.latin)); f.lvl < nameClose {
				t.Errorf("fathers at level %d (similarity %.2f), want another spelling", f.lvl, f.sim)
			}
		})
	}
}
