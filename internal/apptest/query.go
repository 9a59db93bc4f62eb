package apptest

import "testing"

// Scan runs a query for a test's own check and fails the test when the query fails: a query
// that cannot run must never pass for "no rows" or a zero count.
func (a *App) Scan(t testing.TB, dest any, query string, args ...any) {
	t.Helper()
	if err := a.DB.Raw(query, args...).Scan(dest).Error; err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
}
