package main

import (
	"encoding/json"
	"testing"

	"github.com/kujdes/kujdes/matching"
)

// TestRegistrationNamesDoNotMeet: the benchmark's children must not meet by name in the
// duplicate check's skeleton keys (those registry.lockNames serializes on), or the benchmark
// measures registrations of the same name waiting for each other instead of the registration.
func TestRegistrationNamesDoNotMeet(t *testing.T) {
	owner := map[string]int64{}
	families := map[string]bool{}
	// The one-statement scenarios first, then the form's, as the benchmark runs them.
	for n := int64(1); n <= 60_000; n++ {
		confirm := n <= 40_000
		body, err := registration(n, confirm)
		if err != nil {
			t.Fatal(err)
		}
		var in struct {
			Given      string `json:"given_name"`
			Family     string `json:"family_name"`
			ConfirmNew bool   `json:"confirm_new"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatal(err)
		}
		if in.ConfirmNew != confirm {
			t.Fatalf("%d: confirm_new %v, asked %v", n, in.ConfirmNew, confirm)
		}
		if confirm {
			families[in.Family] = true
		} else if families[in.Family] {
			t.Fatalf("%d: the form's child shares the family name %s", n, in.Family)
		}
		_, full, single := matching.NewPerson(matching.Identity{GivenName: in.Given, FamilyName: in.Family,
			GivenNameLatin: in.Given, FamilyNameLatin: in.Family, Sex: "male"}).SearchTerms()
		if len(full) == 0 {
			t.Fatalf("%d (%s %s): no skeleton", n, in.Given, in.Family)
		}
		for _, k := range append(full, single...) {
			if m, ok := owner[k]; ok && m != n {
				t.Fatalf("children %d and %d (%s %s) meet on the skeleton %q", m, n, in.Given, in.Family, k)
			}
			owner[k] = n
		}
	}
	if len(families) > 40_000/7+1 {
		t.Errorf("%d family names: seven children should share each", len(families))
	}
}
