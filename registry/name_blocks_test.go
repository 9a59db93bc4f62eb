package registry

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kujdes/kujdes/migrations"
	"github.com/kujdes/kujdes/models"
)

// TestNameBlocksFollowBirth: every child_names row carries the middle of its child's birth
// range (migration 00034), through registration, a change of the birth range (an identity
// edit or an age decision), a merge (names moved to another child) and an unknown birth.
func TestNameBlocksFollowBirth(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	mids := func(child int64) []string {
		t.Helper()
		var out []string
		if err := f.db.Raw(`SELECT coalesce(to_char(birth_mid, 'YYYY-MM-DD'), '-') FROM child_names WHERE child_id = ? ORDER BY id`, child).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		if len(out) == 0 {
			t.Fatalf("child %d has no names", child)
		}
		return out
	}
	all := func(step string, child int64, want string) {
		t.Helper()
		for _, m := range mids(child) {
			if m != want {
				t.Errorf("%s: birth_mid %v, want all %s", step, mids(child), want)
				return
			}
		}
	}
	a := f.add(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}})
	b := f.add(t, testChild{given: "Yusuf", family: "Karimi", aliases: []string{"Yusuf Jan"}, sex: "male", from: "2008-03-04", to: "2008-03-04"})
	c := f.add(t, testChild{given: "Ali", family: "Rezaei", sex: "male"})
	all("registered", a, "2010-07-02")
	all("known birth date", b, "2008-03-04")
	all("unknown birth", c, "-")
	// Go computes the same middle as kujdes_birth_mid (the query's side of the look-up).
	from, to := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2010, 12, 31, 0, 0, 0, 0, time.UTC)
	if m := birthMid(&from, &to); m.Format(time.DateOnly) != "2010-07-02" {
		t.Errorf("birthMid %s", m.Format(time.DateOnly))
	}
	if err := f.db.Model(&models.Child{}).Where("id = ?", a).Updates(map[string]any{"birth_date_from": "2011-01-01", "birth_date_to": "2011-01-31"}).Error; err != nil {
		t.Fatal(err)
	}
	all("birth range changed", a, "2011-01-16")
	all("another child untouched", b, "2008-03-04")
	if err := f.db.Model(&models.Child{}).Where("id = ?", c).Update("birth_date_from", "2009-06-01").Error; err != nil {
		t.Fatal(err)
	}
	all("half a range", c, "2009-06-01")
	// A merge moves names to the survivor: they take its birth.
	if err := f.db.Model(&models.ChildName{}).Where("child_id = ?", b).Update("child_id", a).Error; err != nil {
		t.Fatal(err)
	}
	all("names moved", a, "2011-01-16")
	kept, recount := recountedFrequencies(t, f)
	if !slices.Equal(kept, recount) {
		t.Errorf("name frequencies after the birth updates: %v, recount %v", kept, recount)
	}
}

// TestBlockingFindsTheNearestNamesake: a key shared by more namesakes than one look-up yields
// (perKey on each side of the birth asked) still yields the child born closest.
func TestBlockingFindsTheNearestNamesake(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	// 3·perKey namesakes registered before and after the child, born years before or after.
	for i := range 3 * perKey {
		year := 2003 + i%5
		if i%2 == 1 {
			year = 2013 + i%3
		}
		f.add(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male", from: fmt.Sprintf("%d-01-01", year), to: fmt.Sprintf("%d-12-31", year), nats: []string{"AF"}})
		if i == perKey {
			f.add(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}})
		}
	}
	var want int64
	if err := f.db.Raw(`SELECT id FROM children WHERE birth_date_from = '2010-01-01'`).Scan(&want).Error; err != nil || want == 0 {
		t.Fatalf("child: %v", err)
	}
	got := f.find(t, testChild{given: "Muhammad", family: "Ahmadi", sex: "male", from: "2010-03-01", to: "2011-02-28", nats: []string{"AF"}}.query(t), 10)
	if len(got) == 0 || got[0].ChildID != want {
		t.Fatalf("want child %d first, got %v", want, candidateIDs(got))
	}
}

// TestMigrationFillsBirthMid: migration 00034 gives the names already registered the middle
// of their child's birth range.
func TestMigrationFillsBirthMid(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	sqlDB, err := f.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	p, err := migrations.NewProvider(sqlDB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 33); err != nil {
		t.Fatalf("down to 33: %v", err)
	}
	a := f.add(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31"})
	b := f.add(t, testChild{given: "Ali", family: "Rezaei", sex: "male"})
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	var got []string
	if err := f.db.Raw(`SELECT child_id || ' ' || coalesce(to_char(birth_mid, 'YYYY-MM-DD'), '-') FROM child_names
		WHERE child_id IN (?, ?) ORDER BY id`, a, b).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	want := []string{}
	for _, c := range []struct {
		id  int64
		mid string
	}{{a, "2010-07-02"}, {b, "-"}} {
		for range 3 { // given, family, full
			want = append(want, fmt.Sprintf("%d %s", c.id, c.mid))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("birth_mid after the migration %v, want %v", got, want)
	}
}
