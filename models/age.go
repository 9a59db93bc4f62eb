package models

import "time"

// Ages are counted in one place, here: every other package (the registry's checks, the
// search's age bands, the pages, the demo and synthetic data) calls these functions.
//
// An age is the number of years completed, on calendar dates in UTC (a birth date is a date;
// the time of day of `at` does not matter). A birthday is reached on the same month and day;
// someone born on 29 February reaches it on 1 March in a year without a 29 February (the
// common legal convention, e.g. for coming of age: born 2008-02-29, 18 on 2026-03-01, still
// 17 on 2026-02-28). Counting with the day of the year (YearDay) is wrong after 28 February in
// leap years: it made someone born 2008-03-01 only 17 on 2026-03-01.

// AgeAt is the age in completed years at `at` of someone born on `birth`.
func AgeAt(birth, at time.Time) int {
	by, bm, bd := birth.UTC().Date()
	ay, am, ad := at.UTC().Date()
	age := ay - by
	if am < bm || (am == bm && ad < bd) {
		age--
	}
	return age
}

// AgeRangeAt is the range of ages at `at` of someone born between from and to (inclusive).
func AgeRangeAt(from, to, at time.Time) (lo, hi int) {
	return AgeAt(to, at), AgeAt(from, at)
}

// BirthDatesForAges is the inverse of AgeAt: the earliest and latest birth dates of someone
// aged lo to hi completed years (inclusive) at `at`. For every date b in [from, to],
// lo <= AgeAt(b, at) <= hi, and for no date outside.
func BirthDatesForAges(lo, hi int, at time.Time) (from, to time.Time) {
	// Born on or before `at` moved back lo years; born after `at` moved back hi+1 years
	// (who was born that day is already hi+1).
	return yearsBefore(at, hi+1).AddDate(0, 0, 1), yearsBefore(at, lo)
}

// yearsBefore is the date n years before at's date; 29 February becomes 28 February in a
// year without it (the last day someone born then has not yet had their birthday on at).
func yearsBefore(at time.Time, n int) time.Time {
	y, m, d := at.UTC().Date()
	y -= n
	if last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day(); d > last {
		d = last
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AgeOfMajority is the age at which a child becomes an adult and leaves the registry's care
// (registry.AdultAge is the same number, for the age-assessment rules).
const AgeOfMajority = 18

// TurnsAdultOn is THE rule for the day a child turns 18 (S13, the age-out sweep, the pages):
// the first day on which AgeAt is 18.
//
// A child's birth dates are stored as a range (Child.BirthDateFrom ≤ BirthDateTo): a known
// birth date has both ends equal; an estimated age "14 to 16" is the range of birth dates of
// someone of that age, where BirthDateFrom is the EARLIEST possible birth date (the oldest the
// child may be, the upper bound of the age) and BirthDateTo the LATEST (the youngest, the
// lower bound of the age). The benefit of the doubt says a person is a child while they may
// still be one, so the 18th birthday counts from the lower bound of the age — BirthDateTo,
// the latest possible 18th birthday. ok is false when no birth date is recorded (nobody can
// be aged out then). Someone born on 29 February turns 18 on 1 March in a year without one,
// as AgeAt counts.
//
// The SQL of the same rule (registry.turnsAdultSQL) is tested against this function.
func TurnsAdultOn(birthFrom, birthTo *time.Time) (day time.Time, ok bool) {
	b := birthTo
	if b == nil {
		b = birthFrom
	}
	if b == nil {
		return time.Time{}, false
	}
	y, m, d := b.UTC().Date()
	// time.Date normalises 29 February of a common year to 1 March.
	return time.Date(y+AgeOfMajority, m, d, 0, 0, 0, 0, time.UTC), true
}
