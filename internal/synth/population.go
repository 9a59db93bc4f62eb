package synth

import (
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Population is Generate with the name frequencies of a large registry, for scale
// measurements (100 000 and 1 000 000 children): Generate draws every name uniformly from a
// few dozen per nationality, so at a million children every name is common and every child has
// hundreds of exact namesakes. Real name frequencies are skewed with a long tail: a few names
// are very common (Mohammad, Ahmadi), most are rare. Here, per nationality:
//
//   - a given name is one of the listed names with probability 1 − tailGiven, the n-th most
//     usual with weight 1/n (Zipf), else a rarer name of the long tail;
//   - a family name likewise, with probability 1 − tailFamily from the list;
//   - the long tail is made of the nationality's own names recombined (the beginning of one
//     with the end of another: Jam|shid + Far|had → Jamhad), a few thousand per nationality,
//     each with a second spelling (ou/u, i/ee…), so re-registrations vary as they do for
//     listed names.
//
// Generate itself is unchanged (the demo and the tests keep their children). The same seed
// always gives the same population.
func Population(seed int64, n int, now time.Time) []Person {
	return generate(newGen(seed), n, now, true)
}

// Shares of names drawn from the long tail (see Population).
const (
	tailGiven  = 0.3
	tailFamily = 0.5
)

// tails are the long-tail names of each origin, built once.
type tails struct{ male, female, family []nameEntry }

var (
	tailsOnce   sync.Once
	originTails []tails
)

func tailsOf(origin int) tails {
	tailsOnce.Do(func() {
		originTails = make([]tails, len(origins))
		for i, o := range origins {
			originTails[i] = tails{
				male:   recombine(o.male, o.male),
				female: recombine(o.female, o.female),
				family: recombine(append(append(slices.Clone(o.family), o.male...), o.female...), append(slices.Clone(o.family), o.male...)),
			}
		}
	})
	return originTails[origin]
}

// zipfPick picks from a list ordered most usual first: the n-th with weight 1/n.
func zipfPick(g *gen, xs []nameEntry) nameEntry {
	total := 0.0
	for i := range xs {
		total += 1 / float64(i+1)
	}
	k := g.r.Float64() * total
	for i, x := range xs {
		if k < 1/float64(i+1) {
			return x
		}
		k -= 1 / float64(i+1)
	}
	return xs[len(xs)-1]
}

// recombine builds the long-tail names: the beginning of each name of heads with the end of
// each name of ends, when that makes a name not already listed.
func recombine(heads, ends []nameEntry) []nameEntry {
	listed := map[string]bool{}
	for _, e := range append(slices.Clone(heads), ends...) {
		for _, l := range e.latin {
			listed[strings.ToLower(l)] = true
		}
	}
	var out []nameEntry
	for _, h := range heads {
		head, _ := splitName(h.latin[0])
		if head == "" {
			continue
		}
		for _, e := range ends {
			_, end := splitName(e.latin[0])
			name := head + end
			if end == "" || utf8.RuneCountInString(name) < 4 || listed[strings.ToLower(name)] {
				continue
			}
			listed[strings.ToLower(name)] = true
			out = append(out, nameEntry{latin: spellings(name)})
		}
	}
	return out
}

// splitName cuts a one-word Latin name after its first vowels and the consonant that follows
// them (Jam|shid, Far|had, Mus|tafa); "" for names of several words or too short to cut.
func splitName(s string) (head, end string) {
	if strings.ContainsAny(s, " -'") {
		return "", ""
	}
	rs := []rune(s)
	i := 0
	for i < len(rs) && !isVowelRune(rs[i]) {
		i++
	}
	for i < len(rs) && isVowelRune(rs[i]) {
		i++
	}
	if i < len(rs) {
		i++
	}
	if i < 2 || len(rs)-i < 2 {
		return "", ""
	}
	return string(rs[:i]), string(rs[i:])
}

func isVowelRune(r rune) bool { return strings.ContainsRune("aeiouyAEIOUY", unicode.ToLower(r)) }

// spellings is a name and one other spelling of it, as officers vary them.
func spellings(name string) []string {
	for _, r := range [][2]string{{"ou", "u"}, {"oo", "u"}, {"ee", "i"}, {"u", "ou"}, {"i", "ee"}, {"e", "a"}, {"y", "i"}} {
		if i := strings.Index(name[1:], r[0]); i >= 0 {
			return []string{name, name[:1+i] + r[1] + name[1+i+len(r[0]):]}
		}
	}
	return []string{name}
}

// Parents' names (Population): every child gives their father's and mother's given names,
// drawn as a child's own given name is — the father's among the male names of the child's
// nationality, the mother's among the female ones, with the same Zipf frequencies and long
// tail — from a random stream of their own (gen.pr). A re-registration spells them again as
// it spells the child's names (gen.spelling, the script when the child writes their name in
// it).
func (g *gen) drawParents(p *Person) {
	pg := &gen{r: g.pr, realistic: true}
	f, m := pg.givenName(p.origin, "male"), pg.givenName(p.origin, "female")
	p.father, p.mother = &f, &m
	g.writeParents(p)
}

// writeParents writes the parents' names as this registration records them.
func (g *gen) writeParents(p *Person) {
	p.FatherName, p.MotherName = "", ""
	if p.father == nil || g.pr == nil {
		return
	}
	pg := &gen{r: g.pr}
	inScript := p.given.script != "" && p.GivenName == p.given.script
	write := func(e *nameEntry) string {
		if inScript && e.script != "" {
			return e.script
		}
		return pg.spelling(*e)
	}
	p.FatherName, p.MotherName = write(p.father), write(p.mother)
}

// The share of duplicate-check questions that carry both parents' names, and the father's
// only (the rest carry none): an assumption — an officer asks for them once the form has the
// fields, a child may not know or not say the mother's name, and older records or hurried
// checks have none. AskParents applies it.
const (
	ParentsBoth       = 0.70
	ParentsFatherOnly = 0.15
)

// AskParents is the people as duplicate-check questions ask about them: per ParentsBoth and
// ParentsFatherOnly, with both parents' names, the father's only, or none. Deterministic for
// a seed; the people given are not changed.
func AskParents(seed int64, people []Person) []Person {
	g := newGen(seed ^ 0xa5c)
	out := make([]Person, len(people))
	for i, p := range people {
		switch x := g.r.Float64(); {
		case x < ParentsBoth:
		case x < ParentsBoth+ParentsFatherOnly:
			p.MotherName = ""
		default:
			p.FatherName, p.MotherName = "", ""
		}
		out[i] = p
	}
	return out
}
