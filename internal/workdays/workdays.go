// Package workdays counts working days for the deadlines of the standards (S2: a guardian
// appointed within 15 working days). It wraps github.com/rickar/cal/v2, the kept library for
// business-day arithmetic, and defines the public holidays of the countries Kujdes runs in
// with that library's building blocks.
//
// A calendar knows two kinds of holidays:
//
//   - rules: holidays computed for any year — fixed dates (cal.CalcDayOfMonth) and days tied
//     to Easter (cal.CalcEasterOffset; Julian: true gives the Orthodox Easter);
//   - listed dates: holidays whose dates follow the lunar Hijri calendar and are announced
//     each year (Eid al-Fitr, Eid al-Adha). They come from configuration as a per-year list
//     (KUJDES_LISTED_HOLIDAYS), so nobody has to release Kujdes when the date is announced.
//
// Adding a year: append that year's announced dates to KUJDES_LISTED_HOLIDAYS (for Albania,
// the Muslim Community of Albania announces both Bajrams); nothing else changes. A year without
// listed dates simply has no such holidays — deadlines then fall a day or two early, never late.
//
// Adding a country: write a function like Albania below returning its rules (reuse
// github.com/rickar/cal/v2/aa for the common ones, or a country package of the library when it
// has one, e.g. github.com/rickar/cal/v2/gr), and add it to Countries.
package workdays

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
)

// Calendar answers which days are working days in one country.
type Calendar struct {
	bc  *cal.BusinessCalendar
	loc *time.Location
}

// Countries are the holiday rules Kujdes knows, by ISO 3166 code.
var Countries = map[string]func() []*cal.Holiday{
	"AL": Albania,
}

// observedOnMonday moves a holiday falling on a weekend to the next Monday (Albanian law
// 7651/1992, art. 2: "when a holiday falls on a Saturday or Sunday, the following Monday is a
// holiday").
var observedOnMonday = []cal.AltDay{{Day: time.Saturday, Offset: 2}, {Day: time.Sunday, Offset: 1}}

func fixed(name string, m time.Month, d int) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Month: m, Day: d, Func: cal.CalcDayOfMonth, Observed: observedOnMonday}
}

func easter(name string, orthodox bool) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Julian: orthodox, Func: cal.CalcEasterOffset, Observed: observedOnMonday}
}

// Albania returns Albania's public holidays that follow a rule (Law 7651/1992 "On official
// holidays and commemorative days", as amended). The two Bajrams (Eid al-Fitr, Eid al-Adha)
// are listed dates, from configuration.
func Albania() []*cal.Holiday {
	return []*cal.Holiday{
		fixed("Viti i Ri", time.January, 1),
		fixed("Viti i Ri (dita e dytë)", time.January, 2),
		fixed("Dita e Verës", time.March, 14),
		fixed("Dita e Sulltan Nevruzit", time.March, 22),
		easter("Pashkët Katolike", false),
		easter("Pashkët Ortodokse", true),
		fixed("Dita Ndërkombëtare e Punëtorëve", time.May, 1),
		fixed("Dita e Shenjtërimit të Nënë Terezës", time.September, 5),
		fixed("Dita e Pavarësisë", time.November, 28),
		fixed("Dita e Çlirimit", time.November, 29),
		fixed("Dita Kombëtare e Rinisë", time.December, 8),
		fixed("Krishtlindjet", time.December, 25),
	}
}

// listed is a holiday on the given dates only, one per year at most (cal.HolidayFn answers one
// date per year): each listed date becomes its own holiday.
func listed(day time.Time) *cal.Holiday {
	y, m, d := day.Date()
	return &cal.Holiday{Name: day.Format(time.DateOnly), Type: cal.ObservancePublic, StartYear: y, EndYear: y,
		Month: m, Day: d, Func: cal.CalcDayOfMonth, Observed: observedOnMonday}
}

// New returns the working-day calendar of a country (Monday to Friday, less its holidays and
// the listed dates), counting days in loc.
func New(country string, listedDates []time.Time, loc *time.Location) (*Calendar, error) {
	rules, ok := Countries[strings.ToUpper(country)]
	if !ok {
		known := make([]string, 0, len(Countries))
		for c := range Countries {
			known = append(known, c)
		}
		sort.Strings(known)
		return nil, fmt.Errorf("workdays: no holidays defined for %q (known: %s)", country, strings.Join(known, ", "))
	}
	if loc == nil {
		loc = time.UTC
	}
	bc := cal.NewBusinessCalendar()
	bc.AddHoliday(rules()...)
	for _, d := range listedDates {
		bc.AddHoliday(listed(d))
	}
	return &Calendar{bc: bc, loc: loc}, nil
}

// MustAlbania is Albania's calendar in Europe/Tirane with the given listed dates; it panics
// only if the time zone database is missing (tests and defaults).
func MustAlbania(listedDates []time.Time) *Calendar {
	loc, err := time.LoadLocation("Europe/Tirane")
	if err != nil {
		panic(err)
	}
	c, err := New("AL", listedDates, loc)
	if err != nil {
		panic(err)
	}
	return c
}

// day is t's calendar date in the calendar's location, at midnight in the library's default
// location (cal.DefaultLoc), which is what its holiday rules compute.
func (c *Calendar) day(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, cal.DefaultLoc)
}

// IsWorkday reports whether t falls on a working day (in the calendar's location).
func (c *Calendar) IsWorkday(t time.Time) bool { return c.bc.IsWorkday(c.day(t)) }

// Deadline is the end of the n-th working day after the day of from: the last instant by
// which something due "within n working days of from" is on time. The day of from itself
// does not count, whatever the hour. n ≤ 0 gives the end of from's own day.
func (c *Calendar) Deadline(from time.Time, n int) time.Time {
	d := c.day(from)
	if n > 0 {
		d = c.bc.WorkdaysFrom(d, n)
	}
	y, m, dd := d.Date()
	return time.Date(y, m, dd+1, 0, 0, 0, 0, c.loc).Add(-time.Nanosecond)
}

// ParseDates reads a list of dates ("2026-03-20, 2026-05-27"), for configuration.
func ParseDates(s string) ([]time.Time, error) {
	var out []time.Time
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		d, err := time.Parse(time.DateOnly, f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a date like 2026-03-20", f)
		}
		out = append(out, d)
	}
	return out, nil
}
