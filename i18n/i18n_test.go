package i18n

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// pluralKeys are the CLDR category names go-i18n reads from a message table.
var pluralKeys = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

// load reads a message file as id → set of keys (plural forms, or "other" for plain strings).
func load(t *testing.T, fsys fs.FS, name string) map[string]map[string]bool {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := toml.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := map[string]map[string]bool{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		forms := map[string]bool{}
		for k, v := range m {
			switch vv := v.(type) {
			case string:
				if pluralKeys[k] {
					forms[k] = true
				} else if k != "description" && k != "hash" {
					out[prefix+k] = map[string]bool{"other": true}
				}
			case map[string]any:
				walk(prefix+k+".", vv)
			}
		}
		if len(forms) > 0 {
			out[strings.TrimSuffix(prefix, ".")] = forms
		}
	}
	walk("", raw)
	return out
}

// Every language must have exactly the ids English has, and every plural message must have
// every CLDR form its language needs (Arabic: zero, one, two, few, many, other).
func TestCatalogsComplete(t *testing.T) {
	for _, p := range catalogProblems(t, FS()) {
		t.Error(p)
	}
}

func catalogProblems(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	var problems []string
	en := load(t, fsys, "active.en.toml")
	if len(en) < 5 {
		return []string{fmt.Sprintf("English catalogue suspiciously small: %d ids", len(en))}
	}
	names, _ := fs.Glob(fsys, "active.*.toml")
	if len(names) < 3 {
		return []string{fmt.Sprintf("expected en, sq and ar catalogues, found %v", names)}
	}
	for _, name := range names {
		tag := strings.TrimSuffix(strings.TrimPrefix(path.Base(name), "active."), ".toml")
		other := load(t, fsys, name)
		var missing, extra []string
		for id := range en {
			if _, ok := other[id]; !ok {
				missing = append(missing, id)
			}
		}
		for id := range other {
			if _, ok := en[id]; !ok {
				extra = append(extra, id)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("%s lacks %d id(s) that en has: %v", name, len(missing), missing))
		}
		if len(extra) > 0 {
			problems = append(problems, fmt.Sprintf("%s has %d id(s) that en lacks: %v", name, len(extra), extra))
		}
		needed := cldrForms(t, tag)
		for id, forms := range other {
			if !isPlural(en[id]) {
				continue
			}
			for form := range needed {
				if !forms[form] {
					problems = append(problems, fmt.Sprintf("%s: plural message %q lacks the CLDR form %q", name, id, form))
				}
			}
		}
	}
	return problems
}

func isPlural(forms map[string]bool) bool {
	return len(forms) > 1 || (len(forms) == 1 && !forms["other"])
}

// cldrForms asks go-i18n which plural categories a language uses for whole numbers 0–1000:
// a probe message names each category, and we record which ones come out.
func cldrForms(t *testing.T, tag string) map[string]bool {
	t.Helper()
	lt := language.MustParse(tag)
	b := i18n.NewBundle(lt)
	b.MustAddMessages(lt, &i18n.Message{ID: "probe", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"})
	loc := i18n.NewLocalizer(b, tag)
	forms := map[string]bool{}
	for n := 0; n <= 1000; n++ {
		forms[loc.MustLocalize(&i18n.LocalizeConfig{MessageID: "probe", PluralCount: n})] = true
	}
	return forms
}

// The check above must fail when a message is deleted: prove it on a copy with one id removed.
func TestCatalogCheckDetectsMissingMessage(t *testing.T) {
	b, _ := fs.ReadFile(FS(), "active.sq.toml")
	var kept []string
	removed := false
	for _, l := range strings.Split(string(b), "\n") {
		if !removed && strings.HasPrefix(l, "\"home.title\"") {
			removed = true
			continue
		}
		kept = append(kept, l)
	}
	if !removed {
		t.Fatal(`active.sq.toml has no "home.title" line to remove`)
	}
	read := func(n string) *fstest.MapFile {
		b, _ := fs.ReadFile(FS(), n)
		return &fstest.MapFile{Data: b}
	}
	fsys := fstest.MapFS{
		"active.en.toml": read("active.en.toml"),
		"active.ar.toml": read("active.ar.toml"),
		"active.sq.toml": &fstest.MapFile{Data: []byte(strings.Join(kept, "\n"))},
	}
	problems := catalogProblems(t, fsys)
	if len(problems) != 1 || !strings.Contains(problems[0], "home.title") {
		t.Fatalf("deleting home.title from sq should give one problem naming it, got %v", problems)
	}
}

func TestMatch(t *testing.T) {
	b, err := New("en")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ choice, accept, want string }{
		{"", "", "en"},
		{"", "sq-AL,sq;q=0.9,en;q=0.8", "sq"},
		{"", "de;q=1.0, ar;q=0.5, en;q=0.1", "ar"}, // q-values, not the first entry
		{"", "en;q=0.2, sq;q=0.9", "sq"},
		{"ar", "sq", "ar"},   // explicit choice wins
		{"xx", "sq", "sq"},   // unknown choice ignored
		{"", "fr, de", "en"}, // nothing shipped → default
		{"", "garbage;;q=", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.choice+"|"+tt.accept, func(t *testing.T) {
			if got := b.Match(tt.choice, tt.accept).Tag; got != tt.want {
				t.Errorf("Match(%q, %q) = %s, want %s", tt.choice, tt.accept, got, tt.want)
			}
		})
	}
	if !b.Match("ar", "").RTL || b.Match("sq", "").RTL {
		t.Error("ar must be right-to-left, sq left-to-right")
	}
}

func TestArabicPluralsUseCLDR(t *testing.T) {
	b, err := New("en")
	if err != nil {
		t.Fatal(err)
	}
	ar := b.Localizer(b.Match("ar", ""))
	seen := map[string]int{}
	for _, n := range []int{0, 1, 2, 3, 11, 100} {
		seen[ar.N("count.children", n)] = n
	}
	// 0 zero, 1 one, 2 two, 3 few, 11 many, 100 other: six different sentences.
	if len(seen) != 6 {
		t.Fatalf("Arabic should use six plural forms, got %d: %v", len(seen), seen)
	}
	en := b.Localizer(b.Match("en", ""))
	if en.N("count.children", 1) == en.N("count.children", 2) {
		t.Fatal("English one/other not distinguished")
	}
}
