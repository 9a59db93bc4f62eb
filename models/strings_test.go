package models

import "testing"

// TestStringsValue: an array literal quotes every element and escapes backslashes and quotes,
// so PostgreSQL reads back exactly what was written.
func TestStringsValue(t *testing.T) {
	for _, c := range []struct {
		in   Strings
		want string
	}{
		{nil, "{}"},
		{Strings{"AF"}, `{"AF"}`},
		{Strings{"AF", "IR"}, `{"AF","IR"}`},
		{Strings{`a"b`, `c\d`, ""}, `{"a\"b","c\\d",""}`},
		{Strings{"محمد", "a,b"}, `{"محمد","a,b"}`},
	} {
		got, err := c.in.Value()
		if err != nil || got != c.want {
			t.Errorf("%q.Value() = %v, %v; want %s", []string(c.in), got, err, c.want)
		}
	}
}

// TestStringsValueAllocs: writing an array allocates its literal and little else. Building a
// strings.Replacer per element (its byte table is 6 KB) cost a fifth of a registration's CPU
// in this process on a machine where fresh memory is dear (docs/audit-log.md, 10th session).
func TestStringsValueAllocs(t *testing.T) {
	s := Strings{"Ahmad", `Sh"ah`, "Rahimi", "AF"}
	if n := testing.AllocsPerRun(100, func() { _, _ = s.Value() }); n > 3 {
		t.Errorf("Strings.Value allocates %.0f times for 4 elements; want at most 3", n)
	}
}
