package i18n_test

import (
	"testing"
	"time"

	"github.com/kujdes/kujdes/i18n"
)

func localizer(t *testing.T, tag string) *i18n.Localizer {
	t.Helper()
	b, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	l, ok := b.Supported(tag)
	if !ok {
		t.Fatalf("%s is not shipped", tag)
	}
	return b.Localizer(l)
}

// Durations in words with CLDR plurals (Arabic has six forms), never Go's 1h0m0s.
func TestDuration(t *testing.T) {
	for _, c := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", time.Hour, "1 hour"},
		{"en", 2 * time.Hour, "2 hours"},
		{"en", 90 * time.Minute, "1 hour and 30 minutes"},
		{"en", 26*time.Hour + time.Minute, "1 day, 2 hours and 1 minute"},
		{"en", 30 * time.Second, "0 minutes"},
		{"en", 72 * time.Hour, "3 days"},
		{"sq", time.Hour, "1 orë"},
		{"sq", 2*time.Hour + 5*time.Minute, "2 orë dhe 5 minuta"},
		{"ar", time.Hour, "ساعة واحدة"},
		{"ar", 2 * time.Hour, "ساعتان"},
		{"ar", 3 * time.Hour, "3 ساعات"},
		{"ar", 11 * time.Hour, "11 ساعة"},
		{"ar", 2*time.Hour + 30*time.Minute, "ساعتان و 30 دقيقة"},
		{"ar", 48 * time.Hour, "يومان"},
	} {
		t.Run(c.lang+" "+c.d.String(), func(t *testing.T) {
			if got := localizer(t, c.lang).Duration(c.d); got != c.want {
				t.Errorf("Duration(%s) = %q, want %q", c.d, got, c.want)
			}
		})
	}
}

// Lists follow the CLDR list pattern of each language.
func TestList(t *testing.T) {
	for _, c := range []struct {
		lang  string
		items []string
		want  string
	}{
		{"en", nil, ""},
		{"en", []string{"A"}, "A"},
		{"en", []string{"A", "B"}, "A and B"},
		{"en", []string{"A", "B", "C"}, "A, B and C"},
		{"en", []string{"A", "B", "C", "D"}, "A, B, C and D"},
		{"sq", []string{"A", "B", "C"}, "A, B dhe C"},
		{"sq", []string{"A", "B"}, "A dhe B"},
		{"ar", []string{"A", "B", "C"}, "A، B و C"},
		{"ar", []string{"A", "B"}, "A و B"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			if got := localizer(t, c.lang).List(c.items); got != c.want {
				t.Errorf("List(%q) = %q, want %q", c.items, got, c.want)
			}
		})
	}
}
