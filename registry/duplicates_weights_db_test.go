package registry

import (
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// recountedFrequencies is the name counts computed afresh from child_names (recount) and as
// the triggers kept them (kept; rows at zero left out of both): first as name_counts reads
// them, with the changes still queued (migration 00046), then as name_frequencies holds them
// once FoldNameCounts has folded the queue. When the two readings differ, the test fails
// here; kept is the second.
func recountedFrequencies(t *testing.T, f *dupFixture) (kept, recount []string) {
	t.Helper()
	err := f.db.Raw(`SELECT kind || ' ' || skeleton || ' ' || n FROM (
		SELECT kind, skeleton, count(*) AS n FROM child_names WHERE kind IN ('given','family') AND skeleton <> '' GROUP BY kind, skeleton
		UNION ALL
		SELECT kind, '*', count(*) FROM child_names WHERE kind IN ('given','family') AND skeleton <> '' GROUP BY kind) x ORDER BY 1`).Scan(&recount).Error
	if err != nil {
		t.Fatal(err)
	}
	var pending []string
	if err := f.db.Raw(`SELECT kind || ' ' || skeleton || ' ' || n FROM name_counts WHERE n > 0 ORDER BY 1`).Scan(&pending).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := FoldNameCounts(t.Context(), f.db); err != nil {
		t.Fatal(err)
	}
	// A count is the sum of its stripe rows; the total of a kind is skeleton '*'.
	if err := f.db.Raw(`SELECT kind || ' ' || skeleton || ' ' || n FROM (
		SELECT kind, skeleton, sum(n) AS n FROM name_frequencies GROUP BY 1, 2) x
		WHERE n > 0 ORDER BY 1`).Scan(&kept).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pending, kept) {
		t.Errorf("name_counts before the fold\n%v\nname_frequencies after\n%v", pending, kept)
	}
	return kept, recount
}

// TestNameFrequenciesFollowChildNames: the triggers of migration 00019 (queueing since 00046)
// keep name_counts, and name_frequencies once folded, equal to a recount of child_names through registration, an identity edit (names deleted and
// written again), a merge (names moved to another child) and a deletion.
func TestNameFrequenciesFollowChildNames(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	check := func(step string) {
		t.Helper()
		kept, recount := recountedFrequencies(t, f)
		if !slices.Equal(kept, recount) {
			t.Errorf("%s: name_frequencies\n%v\nrecount\n%v", step, kept, recount)
		}
	}
	a := f.add(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male", nats: []string{"AF"}})
	b := f.add(t, testChild{given: "Muhammad", family: "Ahmadi", sex: "male", nats: []string{"AF"}})
	f.add(t, testChild{given: "محمد", family: "رحیمی", sex: "male", nats: []string{"AF"}, aliases: []string{"Abu Bakr"}})
	check("registered")
	var n int64
	if err := f.db.Raw(`SELECT sum(n) FROM name_frequencies WHERE kind = 'given' AND skeleton = ?`, matching.Skeleton("Mohammad")).Scan(&n).Error; err != nil || n != 3 {
		t.Errorf("Mohammad in three spellings and scripts: n = %d (%v), want 3", n, err)
	}
	// An identity edit writes the names again (identity.go).
	if err := f.db.Where("child_id = ?", b).Delete(&models.ChildName{}).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Create(NameRows(b, "Yusuf", "Karimi", "", "", nil)).Error; err != nil {
		t.Fatal(err)
	}
	check("names rewritten")
	// A merge moves the names to the survivor (merge.go): the counts stay.
	if err := f.db.Model(&models.ChildName{}).Where("child_id = ?", b).Update("child_id", a).Error; err != nil {
		t.Fatal(err)
	}
	check("names moved")
	if err := f.db.Exec(`DELETE FROM child_names WHERE child_id = ?`, a).Error; err != nil {
		t.Fatal(err)
	}
	check("names deleted")
}

// TestRankingIgnoresRegistrationOrder: the same children registered in the opposite order give
// the same candidates in the same order, with the same weights.
func TestRankingIgnoresRegistrationOrder(t *testing.T) {
	t.Parallel()
	children := []testChild{
		{given: "Mohammad", family: "Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}},
		{given: "Muhammad", family: "Ahmadi", sex: "male", from: "2009-06-01", to: "2010-05-31", nats: []string{"AF"}},
		{given: "Mohamad", family: "Ahmady", sex: "male", from: "2010-03-01", to: "2011-02-28", nats: []string{"AF"}},
		{given: "محمد", family: "احمدی", sex: "male", from: "2010-01-01", to: "2011-12-31", nats: []string{"AF"}},
		{given: "Ahmad", family: "Mohammadi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}},
		{given: "Mohammad", family: "Ahmadi", sex: "male", from: "2005-01-01", to: "2005-12-31", nats: []string{"AF"}},
		{given: "Mohammad", family: "Rahimi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}},
		{given: "Zabihullah", family: "Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}},
		{given: "Mohammed", family: "Al-Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"SY"}},
		{given: "Mohammad", family: "", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}},
	}
	queries := []testChild{
		{given: "Mohammad", family: "Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}},
		{given: "Muhamad", family: "Ahmadi", sex: "male"},
		{given: "Ahmadi", family: "Mohammad", sex: "male", from: "2010-06-01", to: "2010-06-01"},
	}
	rankings := func(order []testChild) []string {
		f := newDupFixture(t)
		key := map[int64]string{}
		for _, c := range order {
			key[f.add(t, c)] = fmt.Sprintf("%s %s %s", c.given, c.family, c.from)
		}
		var out []string
		for _, q := range queries {
			var r []string
			for _, c := range f.find(t, q.query(t), 10) {
				r = append(r, fmt.Sprintf("%s %.1f %s", key[c.ChildID], c.MatchWeight, c.Band))
			}
			out = append(out, fmt.Sprint(r))
		}
		return out
	}
	forward := rankings(children)
	reversed := slices.Clone(children)
	slices.Reverse(reversed)
	backward := rankings(reversed)
	if !slices.Equal(forward, backward) {
		t.Errorf("registered in order:\n%v\nin reverse:\n%v", forward, backward)
	}
	if len(forward[0]) < 10 {
		t.Errorf("the first query found too little: %v", forward[0])
	}
}

// TestNameFrequencyStripesStayExact: a name's count goes to its child's stripe (child_id % 64,
// migration 00038). Names written on one connection and removed on another, names moved from
// one child to another in a different stripe (as a merge and its undo do), and registrations
// sharing a family name on many connections at once leave exact counts.
func TestNameFrequencyStripesStayExact(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := t.Context()
	sqlDB, err := f.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	var conns []*sql.Conn
	for range 2 {
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	a := f.add(t, testChild{given: "Rahim", family: "Ahmadi", sex: "male", nats: []string{"AF"}})
	if _, err := conns[0].ExecContext(ctx, `DELETE FROM child_names WHERE child_id = $1`, a); err != nil {
		t.Fatal(err)
	}
	if _, err := conns[0].ExecContext(ctx, `INSERT INTO child_names (child_id, kind, original, latin, skeleton)
		VALUES ($1, 'given', 'Rahim', 'Rahim', $2), ($1, 'family', 'Ahmadi', 'Ahmadi', $3)`, a, matching.Skeleton("Rahim"), matching.Skeleton("Ahmadi")); err != nil {
		t.Fatal(err)
	}
	if _, err := conns[1].ExecContext(ctx, `DELETE FROM child_names WHERE child_id = $1 AND kind = 'given'`, a); err != nil {
		t.Fatal(err)
	}
	if kept, recount := recountedFrequencies(t, f); !slices.Equal(kept, recount) {
		t.Fatalf("after a removal through another connection: name_frequencies\n%v\nrecount\n%v", kept, recount)
	}
	// Names moved to a child in another stripe and back, as a merge and its undo move them.
	b := f.add(t, testChild{given: "Karim", family: "Sultani", sex: "male", nats: []string{"AF"}})
	if a%64 == b%64 {
		t.Fatalf("children %d and %d share a stripe; the move below would not cross stripes", a, b)
	}
	for _, move := range [][2]int64{{a, b}, {b, a}} {
		if _, err := conns[1].ExecContext(ctx, `UPDATE child_names SET child_id = $2 WHERE child_id = $1 AND kind = 'family'`, move[0], move[1]); err != nil {
			t.Fatal(err)
		}
		if kept, recount := recountedFrequencies(t, f); !slices.Equal(kept, recount) {
			t.Fatalf("after moving names from child %d to %d: name_frequencies\n%v\nrecount\n%v", move[0], move[1], kept, recount)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 24 {
		wg.Go(func() {
			errs <- f.db.Transaction(func(tx *gorm.DB) error {
				return tx.Create(NameRows(a, fmt.Sprintf("Given%c", 'A'+i), "Ahmadi", "", "", nil)).Error
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	kept, recount := recountedFrequencies(t, f)
	if !slices.Equal(kept, recount) {
		t.Fatalf("after concurrent writers: name_frequencies\n%v\nrecount\n%v", kept, recount)
	}
	var n int64
	if err := f.db.Raw(`SELECT sum(n) FROM name_frequencies WHERE kind = 'family' AND skeleton = ?`, matching.Skeleton("Ahmadi")).Scan(&n).Error; err != nil || n != 25 {
		t.Fatalf("Ahmadi: %d (%v), want 25", n, err)
	}
}

// TestRefreshNameSkeletons: rows written under older name rules get the current skeletons
// (and the frequencies follow), once; rows already current are left alone.
func TestRefreshNameSkeletons(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := t.Context()
	f.add(t, testChild{given: "Hajdar", family: "Krasniqi", sex: "male"})
	f.add(t, testChild{given: "Ahmed", family: "Ould Sidi", sex: "male"})
	f.add(t, testChild{given: "Yusuf", family: "Karimi", sex: "male"})
	f.add(t, testChild{given: "Cabdullahi", family: "Maxamed", sex: "male"})
	// As rules of version 1 left them: two rows with another skeleton, none with variants.
	if err := f.db.Exec(`UPDATE child_names SET skeleton = 'stale' WHERE latin IN ('Hajdar', 'Ould Sidi')`).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`UPDATE child_names SET variant_skeletons = '{}'`).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`UPDATE name_rules SET version = 1`).Error; err != nil {
		t.Fatal(err)
	}
	n, err := RefreshNameSkeletons(ctx, f.db)
	want := 2 // the stale skeletons, and every full name with other spellings
	for _, full := range []string{"Hajdar Krasniqi", "Ahmed Ould Sidi", "Yusuf Karimi", "Cabdullahi Maxamed"} {
		if len(matching.VariantSkeletons(full)) > 0 {
			want++
		}
	}
	if err != nil || n != want || want < 3 {
		t.Fatalf("refresh: %d rows, %v; want %d", n, err, want)
	}
	var rows []models.ChildName
	if err := f.db.Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Skeleton != matching.Skeleton(r.Latin) {
			t.Errorf("%s: skeleton %q, want %q", r.Latin, r.Skeleton, matching.Skeleton(r.Latin))
		}
		want := []string{}
		if r.Kind == "full" {
			want = matching.VariantSkeletons(r.Latin)
		}
		if !slices.Equal([]string(r.VariantSkeletons), want) {
			t.Errorf("%s (%s): variant skeletons %q, want %q", r.Latin, r.Kind, r.VariantSkeletons, want)
		}
	}
	if kept, recount := recountedFrequencies(t, f); !slices.Equal(kept, recount) {
		t.Errorf("name_frequencies\n%v\nrecount\n%v", kept, recount)
	}
	var version int
	if err := f.db.Raw(`SELECT version FROM name_rules`).Scan(&version).Error; err != nil || version != matching.RulesVersion {
		t.Errorf("version %d (%v), want %d", version, err, matching.RulesVersion)
	}
	if err := f.db.Exec(`UPDATE child_names SET skeleton = 'stale' WHERE latin = 'Yusuf'`).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := RefreshNameSkeletons(ctx, f.db); err != nil || n != 0 {
		t.Errorf("second refresh under current rules: %d rows, %v; want none", n, err)
	}
}
