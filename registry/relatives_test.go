package registry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// addChild adds a child in the fixture's region (registered at its post) and returns its id.
func (f placementFixture) addChild(t *testing.T, number, sex string) int64 {
	t.Helper()
	var id int64
	mustScan(t, f.db, &id, `INSERT INTO children (registration_number, region_id, border_post_id, sex, registered_at)
		VALUES (?, ?, (SELECT id FROM border_posts WHERE code = 'PLP'), ?, ?) RETURNING id`, number, f.here, sex, f.now.AddDate(0, -1, 0))
	return id
}

func TestLinkAndVoidRelatives(t *testing.T) {
	f := newPlacementFixture(t)
	ctx := context.Background()
	sister := f.addChild(t, "P-3", "female")
	link := func(a *models.Actor, child int64, in registry.RelativeInput) (registry.RelativeView, error) {
		return f.reg.LinkRelative(ctx, a, child, in)
	}
	links := func() int64 {
		var n int64
		mustScan(t, f.db, &n, `SELECT count(*) FROM child_relatives`)
		return n
	}

	// Refusals change nothing.
	for _, tc := range []struct {
		name string
		a    *models.Actor
		in   registry.RelativeInput
		want []string
	}{
		{"no relative named", f.officer, registry.RelativeInput{Kind: "sibling"}, []string{"registration_number:required"}},
		{"no kind", f.officer, registry.RelativeInput{RegistrationNumber: "P-3"}, []string{"kind:required"}},
		{"unknown kind", f.officer, registry.RelativeInput{RegistrationNumber: "P-3", Kind: "uncle"}, []string{"kind:code_unknown"}},
		{"unknown number", f.officer, registry.RelativeInput{RegistrationNumber: "P-99", Kind: "sibling"}, []string{"registration_number:child_unknown"}},
		{"out of scope, by number", f.officer, registry.RelativeInput{RegistrationNumber: "P-2", Kind: "sibling"}, []string{"registration_number:child_unknown"}},
		{"out of scope, by id", f.officer, registry.RelativeInput{RelativeID: f.otherChild, Kind: "cousin"}, []string{"relative_id:child_unknown"}},
		{"itself", f.officer, registry.RelativeInput{RegistrationNumber: "P-1", Kind: "sibling"}, []string{"registration_number:relative_same_child"}},
		{"note too long", f.officer, registry.RelativeInput{RegistrationNumber: "P-3", Kind: "sibling", Note: strings.Repeat("ë", 2001)}, []string{"note:too_long"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := link(tc.a, f.child, tc.in)
			if got := problems(t, err); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if n := links(); n != 0 {
				t.Fatalf("%d links after a refusal", n)
			}
		})
	}
	if _, err := link(f.guardian, f.child, registry.RelativeInput{RegistrationNumber: "P-3", Kind: "sibling"}); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("a guardian records a link: %v", err)
	}
	if _, err := link(f.officer, f.otherChild, registry.RelativeInput{RegistrationNumber: "P-1", Kind: "sibling"}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("linking from a child out of scope: %v, want not found", err)
	}

	// The border officer of the post links the two children who arrived together.
	v, err := link(f.border, f.child, registry.RelativeInput{RegistrationNumber: " P-3 ", Kind: "sibling", Note: "Arrived holding hands; same mother's name."})
	if err != nil {
		t.Fatal(err)
	}
	if v.RelativeID != sister || !v.InScope || v.Kind != "sibling" || v.Version != 1 || v.RecordedByName != "bo" {
		t.Fatalf("link: %+v", v)
	}
	var pair struct{ A, B int64 }
	mustScan(t, f.db, &pair, `SELECT child_a_id AS a, child_b_id AS b FROM child_relatives`)
	if pair.A != min(f.child, sister) || pair.B != max(f.child, sister) {
		t.Fatalf("stored %+v, not in canonical order", pair)
	}
	for _, id := range []int64{f.child, sister} {
		var n int64
		mustScan(t, f.db, &n, `SELECT count(*) FROM audit_events WHERE action = 'relative.link' AND entity_id = ?`, strconv.FormatInt(id, 10))
		if n != 1 {
			t.Errorf("child %d: %d link audit rows, want 1", id, n)
		}
	}
	// The pair exists once, from either side.
	if _, err := link(f.officer, sister, registry.RelativeInput{RelativeID: f.child, Kind: "cousin"}); !slices.Equal(problems(t, err), []string{"relative_id:relative_already_linked"}) {
		t.Fatalf("second link of the pair: %v", err)
	}
	if err := f.db.Exec(`INSERT INTO child_relatives (child_a_id, child_b_id, kind, recorded_at) VALUES (?, ?, 'sibling', now())`, max(f.child, sister), min(f.child, sister)).Error; err == nil {
		t.Fatal("the database accepts a pair in the wrong order")
	}

	// Both sides read it; the read is audited on the child and on each relative shown.
	for _, id := range []int64{f.child, sister} {
		rel, err := f.reg.ChildRelatives(ctx, f.officer, id)
		if err != nil || len(rel.Items) != 1 || !rel.Items[0].Live() {
			t.Fatalf("relatives of %d: %+v %v", id, rel, err)
		}
	}
	var shown int64
	mustScan(t, f.db, &shown, `SELECT count(*) FROM audit_events WHERE action = 'child.relative_shown' AND entity_id = ?`, strconv.FormatInt(sister, 10))
	if shown != 1 {
		t.Fatalf("the sister was shown once, %d access-history rows", shown)
	}

	// Void: version required, current version only, reason required; audited on both.
	if _, err := f.reg.VoidRelative(ctx, f.officer, f.child, v.ID, 0, registry.VoidRelativeInput{Reason: "wrong child"}); !errors.Is(err, models.ErrPreconditionRequired) {
		t.Fatalf("void without a version: %v", err)
	}
	if _, err := f.reg.VoidRelative(ctx, f.officer, f.child, v.ID, 2, registry.VoidRelativeInput{Reason: "wrong child"}); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("void on a stale version: %v", err)
	}
	if _, err := f.reg.VoidRelative(ctx, f.officer, f.child, v.ID, 1, registry.VoidRelativeInput{Reason: "  "}); !slices.Equal(problems(t, err), []string{"reason:required"}) {
		t.Fatalf("void without a reason: %v", err)
	}
	if _, err := f.reg.VoidRelative(ctx, f.guardian, f.child, v.ID, 1, registry.VoidRelativeInput{Reason: "no"}); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("a guardian voids: %v", err)
	}
	voided, err := f.reg.VoidRelative(ctx, f.officer, sister, v.ID, 1, registry.VoidRelativeInput{Reason: "Cousins, not siblings: the aunt told us."})
	if err != nil {
		t.Fatal(err)
	}
	if voided.Live() || voided.Version != 2 || voided.VoidReason == "" {
		t.Fatalf("voided: %+v", voided)
	}
	if _, err := f.reg.VoidRelative(ctx, f.officer, f.child, v.ID, 2, registry.VoidRelativeInput{Reason: "again"}); !slices.Equal(problems(t, err), []string{"reason:relative_already_voided"}) {
		t.Fatalf("second void: %v", err)
	}
	var voids int64
	mustScan(t, f.db, &voids, `SELECT count(*) FROM audit_events WHERE action = 'relative.void' AND entity_id IN (?, ?)`,
		strconv.FormatInt(f.child, 10), strconv.FormatInt(sister, 10))
	if voids != 2 {
		t.Fatalf("%d void audit rows, want one on each child", voids)
	}
	// After the void the pair may be linked again, with the right kind; the void stays as history.
	if _, err := link(f.officer, f.child, registry.RelativeInput{RegistrationNumber: "P-3", Kind: "cousin"}); err != nil {
		t.Fatalf("relink after void: %v", err)
	}
	rel, err := f.reg.ChildRelatives(ctx, f.officer, f.child)
	if err != nil || len(rel.Items) != 2 || !rel.Items[0].Live() || rel.Items[0].Kind != "cousin" || rel.Items[1].Live() {
		t.Fatalf("live link first, voided after: %+v %v", rel.Items, err)
	}
}

// A relative outside the reader's scope is shown by registration number only, and a link
// with such a child cannot be voided by that reader.
func TestRelativeOutOfScopeIsMinimal(t *testing.T) {
	f := newPlacementFixture(t)
	ctx := context.Background()
	wide := *f.officer
	var there int64
	mustScan(t, f.db, &there, `SELECT id FROM regions WHERE code = 'PLB'`)
	wide.RegionIDs = []int64{f.here, there}
	v, err := f.reg.LinkRelative(ctx, &wide, f.child, registry.RelativeInput{RelativeID: f.otherChild, Kind: "sibling"})
	if err != nil {
		t.Fatal(err)
	}
	// The guardian of P-1 reads P-1's links: P-2 is not theirs.
	rel, err := f.reg.ChildRelatives(ctx, f.guardian, f.child)
	if err != nil || len(rel.Items) != 1 {
		t.Fatalf("%+v %v", rel, err)
	}
	if got := rel.Items[0]; got.InScope || got.RegistrationNumber != "P-2" || got.GivenName != "" || got.FacilityID != nil {
		t.Fatalf("out-of-scope relative shown as %+v", got)
	}
	var in string
	mustScan(t, f.db, &in, `SELECT changes->'in_scope'->>'after' FROM audit_events WHERE action = 'child.relative_shown' AND entity_id = ? AND actor_user_id = ?`,
		strconv.FormatInt(f.otherChild, 10), f.guardian.UserID)
	if in != "false" {
		t.Fatalf("the disclosure is not in P-2's access history: %q", in)
	}
	if _, err := f.reg.VoidRelative(ctx, f.officer, f.child, v.ID, 1, registry.VoidRelativeInput{Reason: "wrong"}); !slices.Equal(problems(t, err), []string{"relative_id:relative_out_of_scope"}) {
		t.Fatalf("void with the relative out of scope: %v", err)
	}
}

// Two officers link the same pair at the same moment, from both sides: exactly one link.
func TestConcurrentLinksOfOnePair(t *testing.T) {
	f := newPlacementFixture(t)
	ctx := context.Background()
	b := f.addChild(t, "P-3", "male")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := f.child, "P-3"
			if i%2 == 1 {
				from, to = b, "P-1"
			}
			_, errs[i] = f.reg.LinkRelative(ctx, f.officer, from, registry.RelativeInput{RegistrationNumber: to, Kind: "sibling"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case fmt.Sprint(problems(t, err)) == "[registration_number:relative_already_linked]":
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	var n int64
	mustScan(t, f.db, &n, `SELECT count(*) FROM child_relatives`)
	if ok != 1 || n != 1 {
		t.Fatalf("%d successes, %d links; want exactly one", ok, n)
	}
}

// RecordPlacement warns when a linked sibling lives in another facility, and records the
// placement once the warning is acknowledged and justified; cousins are not warned about, nor
// are voided links.
func TestPlacementWarnsSiblingsSeparated(t *testing.T) {
	f := newPlacementFixture(t)
	ctx := context.Background()
	brother := f.addChild(t, "P-3", "male")
	cousin := f.addChild(t, "P-4", "male")
	day := 0 // each decision a day after the one before (periods may not overlap)
	place := func(child, facility int64, mod func(*registry.PlacementInput)) (registry.PlacementView, error) {
		day++
		in := registry.PlacementInput{FacilityID: facility, Reason: "First placement", DecidedBy: "Child protection unit",
			StartedAt: fmt.Sprintf("2026-06-%02dT10:00", day)}
		if mod != nil {
			mod(&in)
		}
		return f.reg.RecordPlacement(ctx, f.officer, child, in)
	}
	if _, err := place(brother, f.centre, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := place(cousin, f.centre, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.LinkRelative(ctx, f.officer, f.child, registry.RelativeInput{RegistrationNumber: "P-4", Kind: "cousin"}); err != nil {
		t.Fatal(err)
	}
	// A cousin elsewhere is no warning.
	p, err := place(f.child, f.small, nil)
	if err != nil || len(p.Warnings) != 0 {
		t.Fatalf("cousin elsewhere: %+v %v", p.Warnings, err)
	}
	link, err := f.reg.LinkRelative(ctx, f.officer, f.child, registry.RelativeInput{RegistrationNumber: "P-3", Kind: "sibling"})
	if err != nil {
		t.Fatal(err)
	}
	// The brother lives at the centre: a move to "old" separates them, a move to the centre
	// does not.
	if _, err := place(f.child, f.old, func(in *registry.PlacementInput) { in.CurrentPlacementID = p.ID }); !slices.Equal(problems(t, err),
		[]string{"acknowledged_warnings:placement_warning_licence_expired", "acknowledged_warnings:placement_warning_siblings_separated",
			"warning_justification:placement_warning_justification"}) {
		t.Fatalf("separating siblings: %v", err)
	}
	together, err := place(f.child, f.centre, func(in *registry.PlacementInput) { in.CurrentPlacementID = p.ID })
	if err != nil || len(together.Warnings) != 0 {
		t.Fatalf("placed with the brother: %+v %v", together.Warnings, err)
	}
	const why = "Her brother's centre has no room for girls; they meet every weekend."
	apart, err := place(f.child, f.small, func(in *registry.PlacementInput) {
		in.CurrentPlacementID, in.AcknowledgedWarnings, in.WarningJustification = together.ID, []string{"siblings_separated"}, why
	})
	if err != nil || !slices.Equal([]string(apart.Warnings), []string{"siblings_separated"}) || apart.WarningJustification != why {
		t.Fatalf("justified separation: %+v %v", apart, err)
	}
	// Once the link is voided (recorded in error), moving on warns no more about it.
	if _, err := f.reg.VoidRelative(ctx, f.officer, f.child, link.ID, 1, registry.VoidRelativeInput{Reason: "Not brothers after all."}); err != nil {
		t.Fatal(err)
	}
	if _, err := place(f.child, f.old, func(in *registry.PlacementInput) { in.CurrentPlacementID = apart.ID }); !slices.Equal(problems(t, err),
		[]string{"acknowledged_warnings:placement_warning_licence_expired", "warning_justification:placement_warning_justification"}) {
		t.Fatalf("after the void, only the licence warns: %v", err)
	}
	// The relatives section shows where each relative lives and whether they are together.
	rel, err := f.reg.ChildRelatives(ctx, f.officer, f.child)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rel.Items {
		if v.Live() && (v.FacilityName != "Centre" || v.PlacedTogether) {
			t.Errorf("cousin at the centre, child at the small home: %+v", v)
		}
	}
}
