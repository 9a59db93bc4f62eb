package workdays

import (
	"testing"
	"time"
)

func tirane(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Tirane")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDeadlineAcrossWeekendsAndHolidays(t *testing.T) {
	loc := tirane(t)
	eid2026 := []time.Time{time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		name   string
		listed []time.Time
		from   time.Time
		n      int
		due    string // the last working day, in Tirana
	}{
		{"three plain weeks", nil, at("2026-06-01 10:00"), 15, "2026-06-22"},
		{"friday to monday", nil, at("2026-06-05 16:00"), 1, "2026-06-08"},
		{"the day itself does not count, even at midnight", nil, at("2026-06-01 00:00"), 1, "2026-06-02"},
		{"summer day and nevruz on a weekend move to mondays", nil, at("2026-03-12 09:00"), 5, "2026-03-20"},
		{"a listed bajram is skipped too", eid2026, at("2026-03-12 09:00"), 5, "2026-03-24"},
		{"catholic easter monday", nil, at("2026-04-03 12:00"), 1, "2026-04-07"},
		{"orthodox easter monday", nil, at("2026-04-10 12:00"), 1, "2026-04-14"},
		{"independence and liberation days", nil, at("2026-11-27 12:00"), 1, "2026-12-01"},
		{"youth day on a tuesday", nil, at("2026-12-07 12:00"), 1, "2026-12-09"},
		{"late evening utc is already the next day in tirana", nil, time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC), 1, "2026-06-03"},
		{"zero days: the end of the same day", nil, at("2026-06-01 10:00"), 0, "2026-06-01"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New("AL", tt.listed, loc)
			if err != nil {
				t.Fatal(err)
			}
			d := c.Deadline(tt.from, tt.n)
			if got := d.In(loc).Format(time.DateOnly); got != tt.due {
				t.Fatalf("due %s, want %s", got, tt.due)
			}
			// Exactly at the boundary: the last instant of the due day is on time, the next
			// one (midnight in Tirana) is late.
			if d.In(loc).Hour() != 23 || d.In(loc).Minute() != 59 {
				t.Errorf("deadline %v is not the end of the day in Tirana", d.In(loc))
			}
			if next := d.Add(time.Nanosecond).In(loc); next.Format(time.DateOnly) == tt.due || next.Hour() != 0 {
				t.Errorf("one nanosecond after the deadline (%v) is still the due day", next)
			}
		})
	}
}

func TestIsWorkday(t *testing.T) {
	loc := tirane(t)
	c := MustAlbania([]time.Time{time.Date(2026, 5, 27, 0, 0, 0, 0, time.UTC)}) // Kurban Bajrami 2026
	for _, tt := range []struct {
		day  string
		want bool
	}{
		{"2026-06-01", true},  // Monday
		{"2026-06-06", false}, // Saturday
		{"2026-05-01", false}, // Labour Day, a Friday
		{"2026-05-27", false}, // listed
		{"2026-05-28", true},
		{"2026-03-16", false}, // Summer Day (Saturday 14) observed
		{"2026-12-25", false}, // Christmas, a Friday
		{"2027-01-01", false}, // rules hold for any year
	} {
		d, _ := time.ParseInLocation(time.DateOnly, tt.day, loc)
		if got := c.IsWorkday(d.Add(12 * time.Hour)); got != tt.want {
			t.Errorf("%s: workday %v, want %v", tt.day, got, tt.want)
		}
	}
}

func TestNewRefusesUnknownCountry(t *testing.T) {
	if _, err := New("XK", nil, nil); err == nil {
		t.Fatal("a country without rules must be refused, not silently counted without holidays")
	}
}

func TestParseDates(t *testing.T) {
	ds, err := ParseDates("2026-03-20, 2026-05-27")
	if err != nil || len(ds) != 2 || ds[1].Format(time.DateOnly) != "2026-05-27" {
		t.Fatalf("%v %v", ds, err)
	}
	if _, err := ParseDates("2026-13-01"); err == nil {
		t.Fatal("a bad date must be refused")
	}
}
