package matching

import (
	"slices"
	"strings"
)

// SwappedParentageSkeletons are the long parentage keys of the question read with its given
// and family names swapped: the skeletons of "family name + father's name + given name" for
// each reading of the names and each spelling of the father's name, at most
// maxParentageKeys/2. A child re-registered with the family name in the given-name field
// (the order of names differs between the route's languages and officers) stores "given +
// father + family", which no key of ParentageSkeletons equals; its own name keys find it in
// both orders, but only within the birth window. The short key is not swapped: "family name
// + father's name" would hand out the children who bear that family name as a given name
// and have a father so named. None without a father's name or without both names.
func (p Person) SwappedParentageSkeletons() []string {
	out := []string{}
	if p.father.empty() {
		return out
	}
	fathers := append([]name{p.father.n}, p.father.n.variants...)
	for _, f := range p.forms {
		if f.given.empty() || f.family.empty() {
			continue
		}
		for _, fa := range fathers {
			s := Skeleton(strings.Join(append(parentageWords(f.family, fa), f.given.words...), " "))
			if len(out) < maxParentageKeys/2 && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
