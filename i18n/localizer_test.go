package i18n

import "testing"

// TestLocalizerShared: every request in a shipped language gets the same Localizer, made
// once by New (go-i18n's NewLocalizer parses the tag each time: it was made for each
// request), without allocating, and it still translates in its language; a language that
// is not shipped still gets a Localizer of its own.
func TestLocalizerShared(t *testing.T) {
	b, err := New("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range b.Languages() {
		loc := b.Localizer(l)
		if again := b.Localizer(l); again != loc {
			t.Errorf("%s: a new Localizer for each request", l.Tag)
		}
		if n := testing.AllocsPerRun(20, func() { b.Localizer(l) }); n != 0 {
			t.Errorf("%s: %.0f allocations per Localizer", l.Tag, n)
		}
		if loc.Language != l || loc.T("language.name") != l.Name || l.Name == "" {
			t.Errorf("%s: Localizer of %+v translates language.name as %q, want %q", l.Tag, loc.Language, loc.T("language.name"), l.Name)
		}
	}
	other := Language{Tag: "de", Name: "Deutsch"}
	if loc := b.Localizer(other); loc.Language != other || loc.T("language.name") == "" {
		t.Errorf("a language not shipped: %+v %q", loc.Language, loc.T("language.name"))
	}
}
