package registry

import (
	"fmt"
	"slices"
	"testing"
)

// TestParentageKeyRetrieves (issue 12): among more namesakes than the child's name keys hand
// out around the age asked, a re-registration whose age was estimated two years off is not
// retrieved by its names — but the question that carries the father's name finds the child
// through the parentage key (given name + father's name), whatever the age estimate, in
// another spelling, with or without a leading Muhammad, and by the given name alone.
func TestParentageKeyRetrieves(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	child := f.add(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31",
		nats: []string{"AF"}, father: "کریم", mother: "Fatima"})
	// 2·perKey + 10 namesakes born in 2012, nearer the age asked than the child, some of them
	// with a father of another name.
	for i := range 2*perKey + 10 {
		father := ""
		if i%3 == 0 {
			father = "Ahmad"
		}
		day := fmt.Sprintf("2012-%02d-%02d", 1+i%12, 1+i%28)
		f.add(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male", from: day, to: day, nats: []string{"AF"}, father: father})
	}
	asked := testChild{given: "Muhammad", family: "Ahmadi", sex: "male", from: "2012-01-01", to: "2012-12-31", nats: []string{"AF"}}
	if got := f.find(t, asked.query(t), 10); slices.Contains(candidateIDs(got), child) {
		t.Fatalf("the names alone retrieved the child: the fixture does not put it outside their window")
	}
	for _, tc := range []struct {
		name          string
		given, family string
		father        string
	}{
		{"father's name in another spelling", "Muhammad", "Ahmadi", "Kareem"},
		{"father's name in the script", "Mohammad", "Ahmadi", "کریم"},
		{"given name alone", "Mohammed", "", "Karim"},
		{"Md. before the given name", "Md. Mohammad", "Ahmadi", "Karim"},
		{"names swapped", "Ahmadi", "Muhammad", "Kareem"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := asked
			q.given, q.family = tc.given, tc.family
			dq := q.query(t)
			dq.FatherName = tc.father
			got := f.find(t, dq, 10)
			if len(got) == 0 || got[0].ChildID != child {
				t.Fatalf("want child %d first, got %v", child, candidateIDs(got))
			}
		})
	}
	t.Run("another father's name does not retrieve it", func(t *testing.T) {
		dq := asked.query(t)
		dq.FatherName = "Sohrab"
		if got := f.find(t, dq, 10); slices.Contains(candidateIDs(got), child) {
			t.Fatalf("retrieved with another father's name: %v", candidateIDs(got))
		}
	})
}
