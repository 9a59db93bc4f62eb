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

// TestParentsKeyRetrieves (issue 12): a re-registration whose given and family names are both
// spelled beyond their skeletons (Salah Uddin Bhuiyan / Salauddin Bhuiya: no name key, full,
// alone or with the father's, meets the record's) is found through the parents' key (father's
// name + mother's name) when the question carries both names, and the engine calls it likely;
// without the mother's name, or with another mother, it is not retrieved at all.
func TestParentsKeyRetrieves(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	child := f.add(t, testChild{given: "Salah Uddin", family: "Bhuiyan", sex: "male", from: "2011-01-01", to: "2011-12-31",
		nats: []string{"BD"}, father: "Kamal Uddin", mother: "Rahima Khatun"})
	f.add(t, testChild{given: "Sabbir", family: "Hossain", sex: "male", from: "2011-01-01", to: "2011-12-31",
		nats: []string{"BD"}, father: "Abdul Mannan", mother: "Rahima Khatun"})
	asked := testChild{given: "Salauddin", family: "Bhuiya", sex: "male", from: "2011-06-01", to: "2012-05-31", nats: []string{"BD"}}
	for _, tc := range []struct {
		name           string
		father, mother string
		found          bool
	}{
		{"both parents' names, the father's compound joined", "Kamaluddin", "Rahima Khatun", true},
		{"both parents' names in the Bengali script", "কামাল উদ্দিন", "রহিমা খাতুন", true},
		{"the father's name only", "Kamaluddin", "", false},
		{"another mother", "Kamaluddin", "Rokeya Begum", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := asked.query(t)
			q.FatherName, q.MotherName = tc.father, tc.mother
			got := f.find(t, q, 10)
			k := slices.Index(candidateIDs(got), child)
			if !tc.found {
				if k >= 0 {
					t.Fatalf("retrieved: %v", candidateIDs(got))
				}
				return
			}
			if k != 0 || got[0].Band != BandLikely {
				t.Fatalf("want child %d first and likely, got %v", child, got)
			}
		})
	}
}
