package i18n

import (
	"strings"
	"time"
)

// Durations and lists are words too (issue 13): a Go duration (1h0m0s) or a list joined with a
// Latin comma is a string that bypassed the catalogues.

// Duration says d in words with CLDR plurals: "1 hour", "2 hours and 30 minutes", "ساعة
// واحدة". Days, hours and minutes that are not zero are named, largest first, and joined as a
// list (List); seconds are dropped, and a duration under a minute reads as "0 minutes".
func (l *Localizer) Duration(d time.Duration) string {
	d = d.Truncate(time.Minute)
	if d < 0 {
		d = -d
	}
	days, hours, minutes := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, l.N("duration.days", days))
	}
	if hours > 0 {
		parts = append(parts, l.N("duration.hours", hours))
	}
	if minutes > 0 || len(parts) == 0 {
		parts = append(parts, l.N("duration.minutes", minutes))
	}
	return l.List(parts)
}

// List joins items by the language's CLDR list pattern (type "standard"): "A, B and C" in
// English, "A, B dhe C" in Albanian, "A، B و C" in Arabic. The patterns of the shipped
// languages only put a separator between items, so the catalogue keeps the three separators:
// "list.separator" between two items of a longer list (CLDR start and middle),
// "list.last_separator" before its last item (end) and "list.pair_separator" between the two
// items of a list of two ("2"). ListSeparator gives the one before an item.
func (l *Localizer) List(items []string) string {
	var b strings.Builder
	for i, s := range items {
		b.WriteString(l.ListSeparator(i, len(items)))
		b.WriteString(s)
	}
	return b.String()
}

// ListSeparator is what goes before item i of a list of n items: nothing before the first,
// "list.pair_separator" in a list of two, "list.last_separator" before the last of three or
// more, and "list.separator" otherwise.
func (l *Localizer) ListSeparator(i, n int) string {
	switch {
	case i <= 0 || i >= n:
		return ""
	case n == 2:
		return l.T("list.pair_separator")
	case i == n-1:
		return l.T("list.last_separator")
	default:
		return l.T("list.separator")
	}
}
