package registry

import (
	"reflect"
	"testing"

	"github.com/kujdes/kujdes/models"
)

// TestPgxArgs: text and bigint arrays reach pgx as Go slices, never nil (their Value methods
// give '{}', not NULL, for an empty list); every other value is left as it is.
func TestPgxArgs(t *testing.T) {
	t.Parallel()
	got := pgxArgs([]any{models.Strings(nil), models.Strings{"AF", "SY"}, models.Int64s(nil), models.Int64s{7}, "x", int64(3)})
	want := []any{[]string{}, []string{"AF", "SY"}, []int64{}, []int64{7}, "x", int64(3)}
	// DeepEqual tells a nil slice (which pgx would send as NULL) from an empty one.
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pgxArgs = %#v, want %#v", got, want)
	}
}
