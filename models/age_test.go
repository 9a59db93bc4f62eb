package models_test

import (
	"testing"
	"time"

	"github.com/kujdes/kujdes/models"
)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAgeAt(t *testing.T) {
	for _, tt := range []struct {
		name      string
		birth, at string
		want      int
	}{
		{"the reported case: born after 28 Feb of a leap year", "2008-03-01", "2026-03-01", 18},
		{"day before the 18th birthday", "2008-03-01", "2026-02-28", 17},
		{"18th birthday", "2008-06-15", "2026-06-15", 18},
		{"day before the 18th birthday, mid-year", "2008-06-15", "2026-06-14", 17},
		{"day after the 18th birthday", "2008-06-15", "2026-06-16", 18},
		{"at a leap year's end", "2008-12-31", "2024-12-31", 16},
		{"leap year's end, day before", "2008-12-31", "2024-12-30", 15},
		{"new year's day", "2009-01-01", "2027-01-01", 18},
		{"new year's eve before it", "2009-01-01", "2026-12-31", 17},
		{"born 31 Dec, on 1 Jan", "2008-12-31", "2009-01-01", 0},
		{"birth day itself", "2026-03-01", "2026-03-01", 0},
		{"leap year at, born in a common year after Feb", "2007-03-01", "2024-03-01", 17},
		{"leap year at, day before", "2007-03-01", "2024-02-29", 16},
		{"born 29 Feb: 28 Feb of a common year is not yet the birthday", "2008-02-29", "2026-02-28", 17},
		{"born 29 Feb: 1 Mar of a common year is", "2008-02-29", "2026-03-01", 18},
		{"born 29 Feb: 29 Feb of a leap year is", "2008-02-29", "2028-02-29", 20},
		{"born 29 Feb: 28 Feb of a leap year is not", "2008-02-29", "2028-02-28", 19},
		{"born 28 Feb, on 28 Feb", "2008-02-28", "2026-02-28", 18},
		{"born 1 Mar of a common year, on 29 Feb", "2010-03-01", "2028-02-29", 17},
		{"time of day does not count", "2008-03-01", "2026-03-01T23:59:59Z", 18},
		{"a zone east of UTC counts the UTC date", "2008-03-01", "2026-03-01T00:30:00+01:00", 17},
	} {
		t.Run(tt.name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, tt.at)
			if err != nil {
				at = date(tt.at)
			}
			if got := models.AgeAt(date(tt.birth), at); got != tt.want {
				t.Errorf("AgeAt(%s, %s) = %d, want %d", tt.birth, tt.at, got, tt.want)
			}
		})
	}
}

func TestAgeRangeAt(t *testing.T) {
	lo, hi := models.AgeRangeAt(date("2008-03-01"), date("2010-02-28"), date("2026-03-01"))
	if lo != 16 || hi != 18 {
		t.Errorf("AgeRangeAt = %d–%d, want 16–18", lo, hi)
	}
}

// BirthDatesForAges is exactly the inverse of AgeAt, on every day of eight years (two of them
// leap) and for the age ranges forms accept.
func TestBirthDatesForAges(t *testing.T) {
	for at := date("2023-01-01"); at.Before(date("2031-01-01")); at = at.AddDate(0, 0, 1) {
		for lo := 0; lo <= 3; lo++ {
			for hi := lo; hi <= lo+2; hi++ {
				from, to := models.BirthDatesForAges(lo, hi, at)
				day := 24 * time.Hour
				if a := models.AgeAt(from, at); a < lo || a > hi {
					t.Fatalf("at %s ages %d–%d: earliest %s is %d", at.Format(time.DateOnly), lo, hi, from.Format(time.DateOnly), a)
				}
				if a := models.AgeAt(to, at); a < lo || a > hi {
					t.Fatalf("at %s ages %d–%d: latest %s is %d", at.Format(time.DateOnly), lo, hi, to.Format(time.DateOnly), a)
				}
				if a := models.AgeAt(from.Add(-day), at); a <= hi {
					t.Fatalf("at %s ages %d–%d: the day before %s is %d, inside", at.Format(time.DateOnly), lo, hi, from.Format(time.DateOnly), a)
				}
				if a := models.AgeAt(to.Add(day), at); a >= lo {
					t.Fatalf("at %s ages %d–%d: the day after %s is %d, inside", at.Format(time.DateOnly), lo, hi, to.Format(time.DateOnly), a)
				}
			}
		}
	}
	// The 29 February cases by name.
	for _, tt := range []struct {
		lo, hi   int
		at       string
		from, to string
	}{
		{1, 1, "2028-02-29", "2026-03-01", "2027-02-28"},
		{17, 17, "2026-03-01", "2008-03-02", "2009-03-01"},
		{0, 0, "2029-02-28", "2028-02-29", "2029-02-28"},
	} {
		from, to := models.BirthDatesForAges(tt.lo, tt.hi, date(tt.at))
		if from.Format(time.DateOnly) != tt.from || to.Format(time.DateOnly) != tt.to {
			t.Errorf("BirthDatesForAges(%d, %d, %s) = %s..%s, want %s..%s", tt.lo, tt.hi, tt.at, from.Format(time.DateOnly), to.Format(time.DateOnly), tt.from, tt.to)
		}
	}
}

// TestTurnsAdultOn: the 18th birthday from a known date, from an assessed range (the latest
// possible birth date: the benefit of the doubt) and from 29 February.
func TestTurnsAdultOn(t *testing.T) {
	p := func(s string) *time.Time {
		if s == "" {
			return nil
		}
		d := date(s)
		return &d
	}
	for _, tt := range []struct {
		name     string
		from, to string
		want     string
	}{
		{"known date", "2008-06-15", "2008-06-15", "2026-06-15"},
		{"assessed range counts from the latest birth date", "2007-06-16", "2009-06-15", "2027-06-15"},
		{"born 29 Feb: 18 on 1 Mar of a common year", "2008-02-29", "2008-02-29", "2026-03-01"},
		{"born 29 Feb, 18 in a leap year", "2010-02-28", "2010-02-28", "2028-02-28"},
		{"range ending on 29 Feb", "2006-03-01", "2008-02-29", "2026-03-01"},
		{"born 1 Mar of a leap year", "2008-03-01", "2008-03-01", "2026-03-01"},
		{"new year's eve", "2008-12-31", "2008-12-31", "2026-12-31"},
		{"only an earliest date", "2008-05-05", "", "2026-05-05"},
		{"no birth date", "", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := models.TurnsAdultOn(p(tt.from), p(tt.to))
			if tt.want == "" {
				if ok {
					t.Errorf("got %v, want none", got)
				}
				return
			}
			if !ok || got.Format(time.DateOnly) != tt.want {
				t.Errorf("got %v %v, want %s", got, ok, tt.want)
			}
			// The same rule as AgeAt: 18 on that day, 17 the day before.
			b := p(tt.to)
			if b == nil {
				b = p(tt.from)
			}
			if models.AgeAt(*b, got) != 18 || models.AgeAt(*b, got.AddDate(0, 0, -1)) != 17 {
				t.Errorf("AgeAt disagrees around %v", got)
			}
		})
	}
}
