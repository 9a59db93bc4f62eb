package frontend

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestShowLatin(t *testing.T) {
	for _, c := range []struct {
		name                  string
		given, family, gl, fl string
		want                  bool
	}{
		{"Arabic with Latin", "كريم", "سلطاني", "Karim", "Sultani", true},
		{"Latin equal", "Karim", "Sultani", "Karim", "Sultani", false},
		{"Latin equal but for spaces", "Karim ", "Sultani", "Karim", " Sultani", false},
		{"no Latin", "كريم", "", "", "", false},
		{"Latin differs", "Mohamad", "Ali", "Muhammad", "Ali", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := showLatin(c.given, c.family, c.gl, c.fl); got != c.want {
				t.Errorf("showLatin = %v, want %v", got, c.want)
			}
		})
	}
}

// Every field an audit event can name has a label for the access-history page
// ("history.field.<key>"): the keys are read from the use cases' source (the literal keys of
// the audit changes), so a new key without a label fails here, not on a reader's screen.
func TestEveryAuditFieldHasALabel(t *testing.T) {
	files, err := filepath.Glob("../registry/*.go")
	if err != nil {
		t.Fatal(err)
	}
	// "key": {After: …}, changes["key"] = …, and the identity columns compared in identityChanges.
	literal := regexp.MustCompile(`"([a-z_]+)": *\{(After|Before)|changes\["([a-z_]+)"\]`)
	identity := regexp.MustCompile(`"([a-z_]+)": *\{c\.`)
	keys := map[string]bool{
		// changes["ended_"+reason] in guardianship.go, one per end reason.
		"ended_replaced": true, "ended_full_appointed": true,
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]+m[3]] = true
		}
		for _, m := range identity.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d audit field keys in the registry's source: the pattern no longer matches", len(keys))
	}
	var en map[string]any
	if _, err := toml.DecodeFile("../i18n/active.en.toml", &en); err != nil {
		t.Fatal(err)
	}
	var missing []string
	for k := range keys {
		if _, ok := en["history.field."+k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("audit fields without a label (history.field.<key> in i18n/active.*.toml): %q", missing)
	}
}
