package models_test

import (
	"errors"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// TestPgxArgs: text and bigint arrays reach pgx as Go slices, never nil (their Value methods
// give '{}', not NULL, for an empty list); every other value is left as it is.
func TestPgxArgs(t *testing.T) {
	t.Parallel()
	got := models.PgxArgs([]any{models.Strings(nil), models.Strings{"AF", "SY"}, models.Int64s(nil), models.Int64s{7}, "x", int64(3)})
	want := []any{[]string{}, []string{"AF", "SY"}, []int64{}, []int64{7}, "x", int64(3)}
	// DeepEqual tells a nil slice (which pgx would send as NULL) from an empty one.
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("PgxArgs = %#v, want %#v", got, want)
	}
}

// TestRawArraysReachPgxAsSlices: a statement written with Raw (read with Scan, Row or Find)
// or Exec hands its arrays to the driver as slices (the callbacks models.Open registers), and
// PostgreSQL reads them as the arrays they were, an empty list as an empty array.
func TestRawArraysReachPgxAsSlices(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	names, ids := models.Strings{"Ana", "Bekim"}, models.Int64s(nil)
	want := []any{"x", []string{"Ana", "Bekim"}, []int64{}}

	// What reaches the driver: the statement's values after the callbacks, without running it.
	dry := db.Session(&gorm.Session{DryRun: true})
	var n int
	for what, tx := range map[string]*gorm.DB{
		"Raw+Scan": dry.Raw(`SELECT ?, ?, ?`, "x", names, ids).Scan(&n),
		"Raw+Find": dry.Raw(`SELECT ?, ?, ?`, "x", names, ids).Find(&n),
		"Exec":     dry.Exec(`SELECT ?, ?, ?`, "x", names, ids),
	} {
		// A dry run of Scan has no rows to read (ErrDryRunModeUnsupported); anything else is a fault.
		if tx.Error != nil && !errors.Is(tx.Error, gorm.ErrDryRunModeUnsupported) {
			t.Errorf("%s: %v", what, tx.Error)
		}
		if !reflect.DeepEqual(tx.Statement.Vars, want) {
			t.Errorf("%s: the driver gets %#v, want %#v", what, tx.Statement.Vars, want)
		}
	}
	rowTx := dry.Raw(`SELECT ?, ?, ?`, "x", names, ids)
	rowTx.Row() // the Row callbacks run on rowTx's statement (Raw's result is not a new session)
	if rowTx.Error != nil && !errors.Is(rowTx.Error, gorm.ErrDryRunModeUnsupported) {
		t.Errorf("Raw+Row: %v", rowTx.Error)
	}
	if !reflect.DeepEqual(rowTx.Statement.Vars, want) {
		t.Errorf("Raw+Row: the driver gets %#v, want %#v", rowTx.Statement.Vars, want)
	}

	// And PostgreSQL reads them as arrays, the empty list as an empty array (not NULL).
	var got struct {
		Names int
		IDs   *int
		Empty bool
	}
	if err := db.Raw(`SELECT cardinality(CAST(? AS text[])) AS names, cardinality(CAST(? AS bigint[])) AS ids, CAST(? AS bigint[]) = '{}' AS empty`,
		names, ids, ids).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if got.Names != 2 || got.IDs == nil || *got.IDs != 0 || !got.Empty {
		t.Fatalf("PostgreSQL read %d names, ids %v, empty %v; want 2, 0, true", got.Names, got.IDs, got.Empty)
	}
}
