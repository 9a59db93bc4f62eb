// Package synth generates a synthetic population of unaccompanied children on the Western
// Balkans route, for demos, tests and load measurements: names from each nationality in its
// own script with the Latin spellings officers type, sex and age as on the route, languages,
// vulnerabilities and trafficking indicators, arrivals at Albanian border posts, and a share of
// near-duplicates (the same child registered again elsewhere under another spelling). Nothing
// here is real data. The same seed always gives the same population.
package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/kujdes/kujdes/models"
)

// Person is one synthetic child as a registration records them.
type Person struct {
	// Names as the child gives them (in their script when they write it), and the Latin
	// spelling the officer typed.
	GivenName, FamilyName           string
	GivenNameLatin, FamilyNameLatin string
	Aliases                         []string
	// FatherName and MotherName are the parents' names as the child gives them (Population
	// only; in the child's script when they write their own name in it).
	FatherName, MotherName string
	Sex                    string
	// A known birth date has BirthDateFrom = BirthDateTo; an estimated age is a range.
	BirthDateKnown             bool
	BirthDateFrom, BirthDateTo time.Time
	Nationalities, Languages   []string
	ProtectionStatus           string
	Vulnerabilities            []string
	SpecialNeeds               string
	TraffickingIndicators      []string
	Status                     string
	RegisteredAt               time.Time
	Arrivals                   []Arrival
	// DuplicateOf is the index of the child this record registers a second time (a
	// near-duplicate the registry should detect), or -1.
	DuplicateOf int

	trueBirth time.Time
	origin    int
	given     nameEntry
	family    *nameEntry
	father    *nameEntry
	mother    *nameEntry
}

// Arrival is one arrival of a Person.
type Arrival struct {
	ArrivedAt          time.Time
	PostCode           string
	HowFound           string
	AccompanyingAdults []models.AccompanyingAdult
	Documents          []models.Document
	Notes              string
}

// PostCodes are the border posts arrivals happen at (they match the demo reference data).
var PostCodes = []string{"KAK", "KAP", "HAN", "MUR", "QAF", "TIA"}

// DuplicateShare is the share of records that re-register a child already in the population.
const DuplicateShare = 0.05

// Generate returns n children registered before now. Deterministic for a seed.
func Generate(seed int64, n int, now time.Time) []Person {
	return generate(newGen(seed), n, now, false)
}

// generate is Generate, or Population when realistic.
func generate(g *gen, n int, now time.Time, realistic bool) []Person {
	g.realistic = realistic
	now = now.UTC()
	people := make([]Person, 0, n)
	for len(people) < n {
		if len(people) > 20 && g.r.Float64() < DuplicateShare {
			j := g.r.IntN(len(people))
			if people[j].DuplicateOf < 0 && people[j].RegisteredAt.Before(now.Add(-48*time.Hour)) {
				people = append(people, g.reregister(people[j], j, now))
				continue
			}
		}
		people = append(people, g.person(now))
	}
	return people
}

// Variants returns n re-registrations of randomly chosen people (another spelling, script,
// order or age estimate), as queries for the duplicate check. DuplicateOf is the index of the
// person each one is a variant of.
func Variants(seed int64, people []Person, n int, now time.Time) []Person {
	if len(people) == 0 {
		return nil
	}
	g := newGen(seed ^ 0x5eed)
	out := make([]Person, n)
	for i := range out {
		j := g.r.IntN(len(people))
		out[i] = g.reregister(people[j], j, now.UTC())
	}
	return out
}

type gen struct {
	r *rand.Rand
	// pr draws the parents' names (Population), a stream of its own so that the children
	// and the questions about them stay those of the seed without parents.
	pr *rand.Rand
	// realistic: names with the frequencies of a large registry (Population).
	realistic bool
}

func newGen(seed int64) *gen {
	return &gen{r: rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)),
		pr: rand.New(rand.NewPCG(uint64(seed)^0x9a7e, uint64(seed)^0x3c6ef372fe94f82b))}
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

func pickWeighted[T any](g *gen, xs []weighted[T]) T {
	total := 0
	for _, x := range xs {
		total += x.w
	}
	k := g.r.IntN(total)
	for _, x := range xs {
		if k < x.w {
			return x.v
		}
		k -= x.w
	}
	return xs[len(xs)-1].v
}

// spelling picks a Latin spelling, the first (most usual) one most often.
func (g *gen) spelling(e nameEntry) string {
	if len(e.latin) == 1 || g.chance(0.55) {
		return e.latin[0]
	}
	return e.latin[1+g.r.IntN(len(e.latin)-1)]
}

var ageWeights = []weighted[int]{{10, 3}, {11, 3}, {12, 5}, {13, 7}, {14, 10}, {15, 17}, {16, 25}, {17, 30}}

func (g *gen) person(now time.Time) Person {
	return g.personArriving(now, func() time.Time {
		// First arrival within the last three years.
		return now.Add(-time.Duration(g.r.Int64N(int64(3*365*24*time.Hour)) + int64(time.Hour)))
	})
}

// personArriving is person with the first arrival drawn by firstArrival (called at the same
// point of the random stream as before, so a seed keeps giving the same population).
func (g *gen) personArriving(now time.Time, firstArrival func() time.Time) Person {
	ow := make([]weighted[int], len(origins))
	for i, o := range origins {
		ow[i] = weighted[int]{i, o.weight}
	}
	oi := pickWeighted(g, ow)
	o := origins[oi]
	p := Person{origin: oi, DuplicateOf: -1, Nationalities: []string{o.nationality}}

	switch x := g.r.Float64(); {
	case x < 0.87:
		p.Sex = "male"
	case x < 0.99:
		p.Sex = "female"
	default:
		p.Sex = "unknown"
	}
	p.given = g.givenName(oi, p.Sex)
	if !g.chance(o.noFamily) {
		f := g.familyName(oi)
		p.family = &f
	}

	// The age is the age at the first arrival.
	first := firstArrival().Truncate(time.Minute)
	age := pickWeighted(g, ageWeights)
	p.trueBirth = first.AddDate(-age, 0, -g.r.IntN(365)).Truncate(24 * time.Hour)
	g.estimateBirth(&p, first)

	g.writeNames(&p, o)
	if g.realistic {
		g.drawParents(&p)
	}
	for _, l := range o.languages {
		if g.chance(float64(l.w) / 100) {
			p.Languages = append(p.Languages, l.v)
		}
	}
	if len(p.Languages) == 0 {
		p.Languages = []string{o.languages[0].v}
	}
	p.ProtectionStatus = "unaccompanied"
	if g.chance(0.12) {
		p.ProtectionStatus = "separated"
	}

	p.RegisteredAt = first
	arrivals := 1
	switch x := g.r.Float64(); {
	case x < 0.07:
		arrivals = 3
	case x < 0.25:
		arrivals = 2
	}
	at := first
	for i := 0; i < arrivals && at.Before(now); i++ {
		p.Arrivals = append(p.Arrivals, g.arrival(o, at))
		at = at.Add(time.Duration(2+g.r.IntN(120)) * 24 * time.Hour)
	}
	g.vulnerabilities(&p, age)
	p.Status = g.status(p, now)
	return p
}

// givenName draws a given name of an origin for a sex: uniformly from the list, or with the
// frequencies of a large registry (Population).
func (g *gen) givenName(oi int, sex string) nameEntry {
	o, t := origins[oi], tailsOf(oi)
	list, tail := o.male, t.male
	if sex == "female" {
		list, tail = o.female, t.female
	}
	switch {
	case !g.realistic:
		return pick(g, list)
	case len(tail) > 0 && g.chance(tailGiven):
		return pick(g, tail)
	}
	return zipfPick(g, list)
}

// familyName draws a family name of an origin, as givenName does.
func (g *gen) familyName(oi int) nameEntry {
	switch t := tailsOf(oi); {
	case !g.realistic:
		return pick(g, origins[oi].family)
	case len(t.family) > 0 && g.chance(tailFamily):
		return pick(g, t.family)
	}
	return zipfPick(g, origins[oi].family)
}

// estimateBirth records a known birth date (a fifth of children carry a document with it) or
// an estimated age range around the true age, as an officer would judge it.
func (g *gen) estimateBirth(p *Person, at time.Time) {
	if g.chance(0.2) {
		p.BirthDateKnown = true
		p.BirthDateFrom, p.BirthDateTo = p.trueBirth, p.trueBirth
		return
	}
	age := models.AgeAt(p.trueBirth, at)
	lo := age - g.r.IntN(2)
	hi := lo + 1 + g.r.IntN(2)
	if g.chance(0.15) { // estimates are sometimes off by a year
		lo, hi = lo+1, hi+1
	}
	p.BirthDateKnown = false
	p.BirthDateFrom, p.BirthDateTo = models.BirthDatesForAges(lo, hi, at)
}

// writeNames fills the written and Latin names: the script when the child writes it, else the
// Latin the officer typed in both fields.
func (g *gen) writeNames(p *Person, o origin) {
	p.GivenNameLatin = g.spelling(p.given)
	p.GivenName = p.GivenNameLatin
	if p.given.script != "" && g.chance(o.scriptShare) {
		p.GivenName = p.given.script
	}
	p.FamilyName, p.FamilyNameLatin = "", ""
	if p.family != nil {
		p.FamilyNameLatin = g.spelling(*p.family)
		p.FamilyName = p.FamilyNameLatin
		if p.family.script != "" && p.GivenName == p.given.script {
			p.FamilyName = p.family.script
		}
	}
	// Bangladeshi boys are often registered as "Md <name>".
	if o.nationality == "BD" && p.Sex == "male" && p.given.latin[0] != "Mohammad" && g.chance(0.35) {
		p.GivenNameLatin = pick(g, []string{"Md", "Md.", "Mohammad", "Muhammad"}) + " " + p.GivenNameLatin
		if p.GivenName != p.given.script {
			p.GivenName = p.GivenNameLatin
		} else {
			p.GivenName = "মোঃ " + p.GivenName
		}
	}
	p.Aliases = nil
	if g.chance(0.04) && p.family != nil {
		// A nickname or the name used on the journey.
		p.Aliases = []string{g.spelling(pick(g, origins[p.origin].male)) + " " + p.FamilyNameLatin}
	}
}

// relations are what accompanying adults say they are; "unrelated" ones say nothing of the kind.
var relations = []weighted[string]{{"uncle", 30}, {"cousin", 20}, {"brother", 15}, {"aunt", 5},
	{"family friend", 10}, {"unrelated", 15}, {"neighbour", 5}}

var howFound = []weighted[string]{{"presented_at_border", 30}, {"border_check", 30}, {"police_operation", 15},
	{"ngo_referral", 10}, {"found_alone", 10}, {"other", 5}}

var overland = []weighted[string]{{"KAK", 40}, {"KAP", 22}, {"HAN", 15}, {"MUR", 10}, {"QAF", 13}}

func (g *gen) arrival(o origin, at time.Time) Arrival {
	a := Arrival{ArrivedAt: at, HowFound: pickWeighted(g, howFound), PostCode: pickWeighted(g, overland)}
	if g.chance(o.airport) {
		a.PostCode, a.HowFound = "TIA", pick(g, []string{"presented_at_border", "border_check"})
	}
	if g.chance(0.45) {
		rel := pickWeighted(g, relations)
		a.AccompanyingAdults = append(a.AccompanyingAdults, models.AccompanyingAdult{Relation: rel, Verified: rel != "unrelated" && g.chance(0.25)})
		if g.chance(0.15) {
			a.AccompanyingAdults = append(a.AccompanyingAdults, models.AccompanyingAdult{Relation: pickWeighted(g, relations)})
		}
	}
	if g.chance(0.45) {
		t := pick(g, o.documentTypes)
		a.Documents = append(a.Documents, models.Document{Type: t, Number: fmt.Sprintf("%c%07d", 'A'+rune(g.r.IntN(26)), g.r.IntN(1e7)), Country: o.nationality})
	}
	if a.HowFound == "found_alone" && g.chance(0.5) {
		a.Notes = "Found walking alone near the road; did not want to talk at first."
	}
	return a
}

func (g *gen) vulnerabilities(p *Person, age int) {
	add := func(list *[]string, code string, prob float64) {
		if g.chance(prob) && !slices.Contains(*list, code) {
			*list = append(*list, code)
		}
	}
	if age < 14 {
		p.Vulnerabilities = append(p.Vulnerabilities, "under_14")
	}
	add(&p.Vulnerabilities, "trauma_signs", 0.15)
	add(&p.Vulnerabilities, "victim_of_violence", 0.08)
	add(&p.Vulnerabilities, "injury", 0.05)
	add(&p.Vulnerabilities, "mental_health", 0.04)
	add(&p.Vulnerabilities, "chronic_illness", 0.03)
	add(&p.Vulnerabilities, "disability", 0.02)
	add(&p.Vulnerabilities, "substance_use", 0.02)
	add(&p.Vulnerabilities, "no_shared_language", 0.06)
	if p.Sex == "female" && age >= 14 {
		add(&p.Vulnerabilities, "pregnancy", 0.03)
	}
	if slices.Contains(p.Vulnerabilities, "chronic_illness") {
		p.SpecialNeeds = "Needs regular medication; ask the child which."
	}
	first := p.Arrivals[0]
	for _, a := range first.AccompanyingAdults {
		switch {
		case a.Relation == "unrelated" || a.Relation == "family friend" || a.Relation == "neighbour":
			add(&p.TraffickingIndicators, "unrelated_adult", 1)
		case !a.Verified:
			add(&p.TraffickingIndicators, "relation_unverified", 1)
		}
	}
	if len(first.Documents) == 0 {
		add(&p.TraffickingIndicators, "no_documents", 0.7)
	}
	add(&p.TraffickingIndicators, "debt_mentioned", 0.05)
	add(&p.TraffickingIndicators, "work_promised", 0.06)
	add(&p.TraffickingIndicators, "fearful_or_coached", 0.05)
	add(&p.TraffickingIndicators, "scripted_story", 0.03)
	add(&p.TraffickingIndicators, "unknown_destination_contact", 0.04)
}

func (g *gen) status(p Person, now time.Time) string {
	if models.AgeAt(p.trueBirth, now) >= 18 && g.chance(0.8) {
		return "aged_out"
	}
	return pickWeighted(g, []weighted[string]{{"active", 70}, {"missing", 10}, {"transferred", 9}, {"reunified", 4}, {"closed", 7}})
}

// reregister is the same child registered again at another post, some days or weeks later,
// under another spelling, in another script, with given and family names swapped, without a
// family name, or with another age estimate.
func (g *gen) reregister(orig Person, index int, now time.Time) Person {
	o := origins[orig.origin]
	p := orig
	p.DuplicateOf = index
	p.Nationalities = slices.Clone(orig.Nationalities)
	p.Languages = slices.Clone(orig.Languages)
	last := orig.Arrivals[len(orig.Arrivals)-1].ArrivedAt
	at := last.Add(time.Duration(1+g.r.IntN(60)) * 24 * time.Hour)
	if at.After(now) {
		at = now.Add(-time.Hour)
	}
	at = at.Truncate(time.Minute)
	p.RegisteredAt = at
	g.estimateBirth(&p, at)
	g.writeNames(&p, o)
	g.writeParents(&p)
	switch x := g.r.Float64(); {
	case x < 0.15 && p.FamilyNameLatin != "":
		p.GivenName, p.FamilyName = p.FamilyName, p.GivenName
		p.GivenNameLatin, p.FamilyNameLatin = p.FamilyNameLatin, p.GivenNameLatin
	case x < 0.3:
		p.FamilyName, p.FamilyNameLatin = "", ""
	case x < 0.45 && p.given.script != "":
		// Written in the script only; the Latin is left to the suggestion.
		p.GivenName, p.GivenNameLatin = p.given.script, ""
		if p.family != nil && p.family.script != "" {
			p.FamilyName, p.FamilyNameLatin = p.family.script, ""
		}
	}
	if g.chance(0.1) {
		p.Nationalities = []string{pick(g, []string{"SY", "AF", "IQ", "XX"})} // a claimed nationality
	}
	arr := g.arrival(o, at)
	for arr.PostCode == orig.Arrivals[0].PostCode {
		arr.PostCode = pick(g, PostCodes)
	}
	p.Arrivals = []Arrival{arr}
	p.Vulnerabilities = slices.Clone(orig.Vulnerabilities)
	p.TraffickingIndicators = slices.Clone(orig.TraffickingIndicators)
	p.Status = "active"
	return p
}
