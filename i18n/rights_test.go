package i18n

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The rights sheet's catalogue passes the same completeness rule as the interface's: every
// language has exactly the ids English has. Every language the issue lists is shipped, the
// right-to-left ones are marked so, and every drafted translation carries the review marker.
func TestRightsCatalogsComplete(t *testing.T) {
	fsys := RightsFS()
	en := load(t, fsys, "rights/rights.en.toml")
	if len(en) < 20 {
		t.Fatalf("English rights catalogue suspiciously small: %d ids", len(en))
	}
	names, _ := fs.Glob(fsys, "rights/rights.*.toml")
	var tags []string
	for _, name := range names {
		tag := strings.TrimSuffix(strings.TrimPrefix(path.Base(name), "rights."), ".toml")
		tags = append(tags, tag)
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
			t.Errorf("%s lacks %v", name, missing)
		}
		if len(extra) > 0 {
			t.Errorf("%s has ids English lacks: %v", name, extra)
		}
		b, _ := fs.ReadFile(fsys, name)
		if tag != "en" && !strings.Contains(string(b), "# machine-drafted, needs native review") {
			t.Errorf("%s: a drafted translation must carry the review marker", name)
		}
		// The hotline number never splits or reorders: a no-break space, in every language.
		if strings.Contains(string(b), "116 000") || !strings.Contains(string(b), "116\u00a0000") {
			t.Errorf("%s: write 116 000 with a no-break space", name)
		}
	}
	want := []string{"ar", "bn", "ckb", "en", "fa-AF", "fr", "kmr", "ps", "sq", "tr", "uk", "ur"}
	sort.Strings(tags)
	if !slices.Equal(tags, want) {
		t.Errorf("rights languages %v, want %v", tags, want)
	}
}

func TestRightsBundle(t *testing.T) {
	r, err := NewRights()
	if err != nil {
		t.Fatal(err)
	}
	rtl := map[string]bool{"ar": true, "fa-AF": true, "ps": true, "ur": true, "ckb": true}
	for _, l := range r.Languages() {
		if l.RTL != rtl[l.Tag] {
			t.Errorf("%s: RTL %v", l.Tag, l.RTL)
		}
		loc := r.Localizer(l)
		title := loc.T("rights.title")
		if title == "rights.title" || (l.Tag != "en" && title == "Your rights") {
			t.Errorf("%s: title %q", l.Tag, title)
		}
		if got := loc.T("rights.for", map[string]any{"Name": "Omar"}); !strings.Contains(got, "Omar") {
			t.Errorf("%s: placeholder lost: %q", l.Tag, got)
		}
	}
	if len(r.Languages()) != 12 {
		t.Errorf("%d languages", len(r.Languages()))
	}
	for _, tt := range []struct {
		child []string
		want  string
	}{{[]string{"fa"}, "fa-AF"}, {[]string{"ar-SY"}, "ar"}, {[]string{"ti", "kmr"}, "kmr"}, {[]string{"ti"}, "en"}, {nil, "en"}} {
		if got := r.For(tt.child).Tag; got != tt.want {
			t.Errorf("For(%v) = %s, want %s", tt.child, got, tt.want)
		}
	}
}
