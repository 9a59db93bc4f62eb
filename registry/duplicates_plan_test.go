package registry

import (
	"slices"
	"testing"

	"gorm.io/gorm"
)

// TestDuplicateSearchGenericPlan (issue 12): the candidate statement is planned once per
// connection — its prepared statement runs the generic plan, never a custom one — and the
// transaction it runs in (a registration's) goes on with the server's plan_cache_mode. The
// generic plan finds the same children as the question asked with and without a birth range
// (a question without one must not turn the birth-range branches into a scan).
func TestDuplicateSearchGenericPlan(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	child := f.add(t, testChild{given: "Sohrab", family: "Rahimi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}})
	undated := f.add(t, testChild{given: "Sohrab", family: "Rahimi", sex: "male", nats: []string{"AF"}})
	asked := testChild{given: "Suhrab", family: "Rahimi", sex: "male", from: "2010-06-01", to: "2011-05-31", nats: []string{"AF"}}
	noBirth := asked
	noBirth.from, noBirth.to = "", ""
	err := f.db.Transaction(func(tx *gorm.DB) error {
		for range 7 { // more than the 5 custom plans a prepared statement starts with
			for _, q := range []testChild{asked, noBirth} {
				got, err := f.reg.findDuplicates(tx, q.query(t), 10)
				if err != nil {
					return err
				}
				if ids := candidateIDs(got); !slices.Contains(ids, child) || !slices.Contains(ids, undated) {
					t.Fatalf("question %+v: want children %d and %d, got %v", q, child, undated, ids)
				}
			}
		}
		var plans []struct{ GenericPlans, CustomPlans int64 }
		if err := tx.Raw(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'WITH t AS%'`).Scan(&plans).Error; err != nil {
			return err
		}
		if len(plans) != 1 || plans[0].CustomPlans != 0 || plans[0].GenericPlans != 14 {
			t.Errorf("prepared candidate statements (generic, custom plans): %+v, want one with 14 generic plans and no custom one", plans)
		}
		var mode string
		if err := tx.Raw(`SHOW plan_cache_mode`).Scan(&mode).Error; err != nil {
			return err
		}
		if mode != "auto" {
			t.Errorf("plan_cache_mode after the check: %q, want the server's auto", mode)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
