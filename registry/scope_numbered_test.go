package registry

import (
	"reflect"
	"testing"
	"time"

	"github.com/kujdes/kujdes/models"
)

// TestNumbered: scopedRowRaw's placeholders become PostgreSQL's in order, a list argument
// becomes one parameter per element as GORM expands "IN ?" (an empty one matches nothing), and
// a value with its own encoding stays one parameter.
func TestNumbered(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		q        string
		args     []any
		wantQ    string
		wantArgs []any
	}{
		{"scalars", "a = ? AND b <= ?", []any{int64(1), now}, "a = $1 AND b <= $2", []any{int64(1), now}},
		{"list", "x IN ? AND y = ? OR z IN ?", []any{[]int64{4, 5}, "s", []int64{6}}, "x IN ($1,$2) AND y = $3 OR z IN ($4)", []any{int64(4), int64(5), "s", int64(6)}},
		{"empty list", "x IN ?", []any{[]int64{}}, "x IN (NULL)", []any{}},
		{"own encoding and bytes", "a = ? AND b = ?", []any{models.Strings{"p", "q"}, []byte{1, 2}}, "a = $1 AND b = $2", []any{models.Strings{"p", "q"}, []byte{1, 2}}},
		{"no placeholder", "TRUE", nil, "TRUE", []any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, args := numbered(tc.q, tc.args)
			if q != tc.wantQ || !reflect.DeepEqual(args, tc.wantArgs) {
				t.Errorf("numbered(%q, %v) = %q, %v; want %q, %v", tc.q, tc.args, q, args, tc.wantQ, tc.wantArgs)
			}
		})
	}
}
