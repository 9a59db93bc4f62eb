package synth_test

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"
	"unicode"

	"github.com/kujdes/kujdes/internal/synth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

var now = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

func TestGenerateIsDeterministic(t *testing.T) {
	a := synth.Generate(7, 300, now)
	b := synth.Generate(7, 300, now)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave two populations")
	}
	if c := synth.Generate(8, 300, now); reflect.DeepEqual(a, c) {
		t.Fatal("two seeds gave the same population")
	}
}

func TestGenerateLooksLikeTheRoute(t *testing.T) {
	people := synth.Generate(1, 5000, now)
	if len(people) != 5000 {
		t.Fatalf("got %d people", len(people))
	}
	var male, dups, known, script, noFamily, multi int
	nats := map[string]int{}
	scripts := map[string]bool{}
	for i, p := range people {
		if p.Sex == "male" {
			male++
		}
		if p.DuplicateOf >= 0 {
			dups++
			o := people[p.DuplicateOf]
			if p.DuplicateOf >= i || o.DuplicateOf >= 0 || o.Sex != p.Sex {
				t.Fatalf("person %d duplicates %d badly", i, p.DuplicateOf)
			}
			if p.Arrivals[0].PostCode == o.Arrivals[0].PostCode {
				t.Errorf("person %d is re-registered at the same post", i)
			}
		}
		if p.BirthDateKnown {
			known++
			if !p.BirthDateFrom.Equal(p.BirthDateTo) {
				t.Fatalf("person %d: a known date is a range", i)
			}
		}
		if p.BirthDateFrom.After(p.BirthDateTo) {
			t.Fatalf("person %d: birth range inverted", i)
		}
		age := p.RegisteredAt.Sub(p.BirthDateTo).Hours() / 24 / 365.25
		if age < 8 || age > 19 {
			t.Errorf("person %d: %.1f years old at registration", i, age)
		}
		if p.GivenName == "" || p.GivenNameLatin == "" && p.DuplicateOf < 0 {
			t.Fatalf("person %d has no given name: %+v", i, p)
		}
		if p.FamilyName == "" {
			noFamily++
		}
		for _, r := range p.GivenName {
			if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
				script++
				for _, tab := range []*unicode.RangeTable{unicode.Arabic, unicode.Bengali, unicode.Cyrillic, unicode.Ethiopic} {
					if unicode.Is(tab, r) {
						scripts[map[*unicode.RangeTable]string{unicode.Arabic: "Arabic", unicode.Bengali: "Bengali", unicode.Cyrillic: "Cyrillic", unicode.Ethiopic: "Ethiopic"}[tab]] = true
					}
				}
				break
			}
		}
		for _, n := range p.Nationalities {
			nats[n]++
		}
		if len(p.Arrivals) > 1 {
			multi++
		}
		for j, a := range p.Arrivals {
			if !slices.Contains(synth.PostCodes, a.PostCode) || !slices.Contains(models.HowFound, a.HowFound) {
				t.Fatalf("person %d arrival %d: %+v", i, j, a)
			}
			if a.ArrivedAt.After(now) || (j > 0 && !a.ArrivedAt.After(p.Arrivals[j-1].ArrivedAt)) {
				t.Fatalf("person %d arrival %d at %v", i, j, a.ArrivedAt)
			}
			for _, d := range a.Documents {
				if !slices.Contains(models.DocumentTypes, d.Type) {
					t.Fatalf("document type %q", d.Type)
				}
			}
		}
		for _, v := range p.Vulnerabilities {
			if !slices.Contains(models.Vulnerabilities, v) {
				t.Fatalf("vulnerability %q", v)
			}
		}
		for _, v := range p.TraffickingIndicators {
			if !slices.Contains(models.TraffickingIndicators, v) {
				t.Fatalf("trafficking indicator %q", v)
			}
		}
		if !slices.Contains(models.ChildStatuses, p.Status) || !slices.Contains(models.ProtectionStatuses, p.ProtectionStatus) {
			t.Fatalf("person %d: status %q / %q", i, p.Status, p.ProtectionStatus)
		}
		if len(p.Languages) == 0 {
			t.Fatalf("person %d speaks no language", i)
		}
	}
	share := func(k int) float64 { return float64(k) / float64(len(people)) }
	checks := []struct {
		what     string
		got      float64
		min, max float64
	}{
		{"boys", share(male), 0.8, 0.95},
		{"near-duplicates", share(dups), 0.03, 0.07},
		{"known birth dates", share(known), 0.12, 0.3},
		{"names written in their script", share(script), 0.15, 0.5},
		{"no family name", share(noFamily), 0.03, 0.2},
		{"several arrivals", share(multi), 0.15, 0.35},
		{"Afghans", share(nats["AF"]), 0.2, 0.35},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s: %.3f, want %.2f–%.2f", c.what, c.got, c.min, c.max)
		}
	}
	for _, s := range []string{"Arabic", "Bengali", "Cyrillic", "Ethiopic"} {
		if !scripts[s] {
			t.Errorf("no name in the %s script", s)
		}
	}
	for _, n := range []string{"AF", "SY", "PK", "BD", "IQ", "MA", "DZ", "EG", "TR", "UA", "ER", "SO"} {
		if nats[n] == 0 {
			t.Errorf("nobody from %s", n)
		}
	}
}

func TestVariants(t *testing.T) {
	people := synth.Generate(3, 200, now)
	vs := synth.Variants(3, people, 50, now)
	if len(vs) != 50 {
		t.Fatalf("got %d", len(vs))
	}
	for _, v := range vs {
		o := people[v.DuplicateOf]
		if v.Sex != o.Sex || v.GivenName == "" {
			t.Fatalf("variant %+v of %+v", v, o)
		}
	}
	if !reflect.DeepEqual(vs, synth.Variants(3, people, 50, now)) {
		t.Fatal("variants are not deterministic")
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	regionByPost, postIDs := map[string]int64{}, map[string]int64{}
	var region int64
	if err := db.Raw(`INSERT INTO regions (code, name) VALUES ('SYN', 'Synthetic') RETURNING id`).Scan(&region).Error; err != nil {
		t.Fatal(err)
	}
	for _, code := range synth.PostCodes {
		var id int64
		if err := db.Raw(`INSERT INTO border_posts (code, name, region_id) VALUES (?, ?, ?) RETURNING id`, code, code, region).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		postIDs[code], regionByPost[code] = id, region
	}
	people := synth.Generate(5, 1000, now)
	if err := synth.Load(ctx, db, people, regionByPost, postIDs); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int64 {
		var n int64
		if err := db.Raw(q).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	arrivals := 0
	for _, p := range people {
		arrivals += len(p.Arrivals)
	}
	if got := count(`SELECT count(*) FROM children`); got != 1000 {
		t.Errorf("children: %d", got)
	}
	if got := count(`SELECT count(*) FROM arrivals`); got != int64(arrivals) {
		t.Errorf("arrivals: %d, want %d", got, arrivals)
	}
	if got := count(`SELECT count(DISTINCT child_id) FROM child_names WHERE kind = 'full'`); got != 1000 {
		t.Errorf("children with a full name: %d", got)
	}
	// Every name is searchable; only all-vowel names (Aya) have no consonant skeleton.
	if got := count(`SELECT count(*) FROM child_names WHERE norm = '' OR (skeleton = '' AND norm !~ '^[aeiouy ]+$')`); got != 0 {
		t.Errorf("%d names without a search form", got)
	}
	var numbers []string
	if err := db.Raw(`SELECT registration_number FROM children ORDER BY id LIMIT 5`).Scan(&numbers).Error; err != nil || len(numbers) != 5 {
		t.Fatalf("registration numbers %v: %v", numbers, err)
	}
	for _, n := range numbers {
		if !regexp.MustCompile(`^AL-20\d\d-\d{6}$`).MatchString(n) {
			t.Errorf("registration number %q", n)
		}
	}
	// The sequences continue after the loaded rows: a registration gets fresh numbers.
	if got := count(`SELECT nextval('child_registration_seq')`); got <= 1000 {
		t.Errorf("registration sequence at %d", got)
	}
	var child models.Child
	if err := db.Where("id = (SELECT min(id) FROM children)").First(&child).Error; err != nil {
		t.Fatal(err)
	}
	if child.GivenName != people[0].GivenName || child.BirthDateFrom == nil || child.BorderPostID == nil || len(child.Nationalities) == 0 {
		t.Errorf("first child %+v, want %+v", child, people[0])
	}
}
