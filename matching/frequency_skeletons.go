package matching

import "slices"

// FrequencySkeletons are the skeletons whose name frequencies Compare reads when this person
// is the question: its names' (FieldSkeletons) and its parents' (ParentSkeletons), to look up
// among given and family names. Agreement is adjusted only by the frequency of a skeleton both
// sides share, so a candidate's other names need none and the duplicate check looks up these
// alone (TestFrequencySkeletons holds Compare to it).
func (p Person) FrequencySkeletons() []string {
	out := p.FieldSkeletons()
	for _, s := range p.ParentSkeletons() {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
