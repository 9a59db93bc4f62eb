package registry_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/registry"
)

// TestComplianceThresholdOverrides: a deployment's S5 and S7 thresholds
// (KUJDES_COMPLIANCE_THRESHOLDS → Registry.ComplianceThresholds) move the deadlines the
// same way everywhere they are used — the needs-action queue, the child's placement section
// and the compliance evaluation — because each reads the one threshold in force.
func TestComplianceThresholdOverrides(t *testing.T) {
	ctx := context.Background()
	f := newPlacementFixture(t) // the child was registered two months ago and has no placement
	registered := f.now.AddDate(0, -2, 0)
	s5 := func() (queueDue string, sectionDue time.Time, overdue bool, violations int) {
		t.Helper()
		rows, err := f.reg.NeedsActionQueue(ctx, f.officer, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.ID == f.child {
				queueDue = dueOn(r, registry.RuleS5)
			}
		}
		sec, err := f.reg.ChildPlacements(ctx, f.officer, f.child)
		if err != nil || sec.PlacementDue == nil {
			t.Fatalf("placement section: %+v %v", sec, err)
		}
		if err := f.reg.RefreshCompliance(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := f.reg.ComplianceViolations(ctx, f.officer, compliance.Filter{Rule: compliance.S5}, compliance.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return queueDue, *sec.PlacementDue, sec.Overdue, page.Total
	}
	// The default, 7 days: long past.
	q, due, overdue, n := s5()
	if want := registered.AddDate(0, 0, 7); q != want.Format(time.DateOnly) || !due.Equal(want) || !overdue || n != 1 {
		t.Fatalf("default S5: queue %s, section %s overdue %v, %d violations", q, due, overdue, n)
	}
	// 70 days: not yet due anywhere.
	f.reg.ComplianceThresholds = map[compliance.Code]int{compliance.S5: 70, compliance.S7: 6}
	q, due, overdue, n = s5()
	if want := registered.AddDate(0, 0, 70); q != want.Format(time.DateOnly) || !due.Equal(want) || overdue || n != 0 {
		t.Fatalf("S5 = 70 days: queue %s, section %s overdue %v, %d violations", q, due, overdue, n)
	}
	// S7 at 6 months: a placement started 3 months and a day ago is not due for review.
	if err := f.db.Exec(`INSERT INTO placements (child_id, facility_id, started_at, reason, decided_by) VALUES (?, ?, ?, 'x', 'y')`,
		f.child, f.centre, f.now.AddDate(0, -3, -1)).Error; err != nil {
		t.Fatal(err)
	}
	rows, err := f.reg.NeedsActionQueue(ctx, f.officer, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ID == f.child && slices.Contains(r.Reasons, registry.ReasonPlacementReviewDue) {
			t.Errorf("S7 = 6 months, placed 3 months ago: review due in the queue %v", r.Deadlines)
		}
	}
	sec, err := f.reg.ChildPlacements(ctx, f.officer, f.child)
	if err != nil || sec.ReviewDue == nil || sec.ReviewDue.Format(time.DateOnly) != f.now.AddDate(0, 3, -1).Format(time.DateOnly) || sec.Overdue {
		t.Fatalf("S7 = 6 months: section review %+v overdue %v, %v", sec.ReviewDue, sec.Overdue, err)
	}
}
