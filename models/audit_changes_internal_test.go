package models

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestAuditChangesPlainIsCanonical: the short path of AuditChanges.canonical (plain: every
// value nil, a string or a bool) gives byte for byte what the full path gives — encode,
// decode into plain Go values, encode again — which `audit verify` recomputes from the stored
// jsonb. A difference would make every registration's event fail verification.
func TestAuditChangesPlainIsCanonical(t *testing.T) {
	cases := []AuditChanges{
		{},
		{"status": {After: "active"}, "protection_status": {Before: "unaccompanied", After: "separated"}},
		{"given_name": {}, "family_name": {}, "confirmed_new_despite_candidates": {After: true}, "flag": {Before: false, After: true}},
		{"html": {After: "<b>&amp;</b> \u2028 \"quoted\" \\ back"}, "empty": {Before: "", After: ""}},
		{"arabic": {After: "محمد"}, "zz": {Before: "z"}, "a": {After: "a"}},
	}
	for _, c := range cases {
		if _, ok := c.plain(); !ok {
			t.Fatalf("%v: not plain", c)
		}
		got, err := c.canonical()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		want, err := canonicalChanges(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("short path %s, full path %s", got, want)
		}
	}
	// Anything else takes the full path: a string not in UTF-8, numbers (1 and 1.0 are one number in jsonb), lists,
	// objects.
	for _, v := range []any{"a\xffb", 1, int64(1) << 60, 1.5, []string{"a"}, map[string]int{"a": 1}, struct{ A int }{1}} {
		if _, ok := (AuditChanges{"x": {After: v}}).plain(); ok {
			t.Errorf("%#v (%T) took the short path", v, v)
		}
	}
}
