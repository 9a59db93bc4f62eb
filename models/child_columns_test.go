package models_test

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"github.com/kujdes/kujdes/models"
)

// TestChildColumns: ChildColumns names every column of Child, and ScanDest gives, at each
// position, the very field GORM maps that column to — so a field added to Child, or two
// columns swapped, fails here rather than scanning a value into the wrong field.
func TestChildColumns(t *testing.T) {
	t.Parallel()
	s, err := schema.Parse(&models.Child{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	var c models.Child
	dest := c.ScanDest()
	if len(dest) != len(models.ChildColumns) {
		t.Fatalf("%d scan destinations for %d columns", len(dest), len(models.ChildColumns))
	}
	named := 0
	for _, f := range s.Fields {
		if f.DBName != "" {
			named++
		}
	}
	if named != len(models.ChildColumns) {
		t.Errorf("Child has %d columns, ChildColumns %d", named, len(models.ChildColumns))
	}
	v := reflect.ValueOf(&c).Elem()
	for i, col := range models.ChildColumns {
		f := s.LookUpField(col)
		if f == nil || f.DBName != col {
			t.Errorf("column %q is not a field of Child", col)
			continue
		}
		want := f.ReflectValueOf(context.Background(), v).Addr().Interface()
		if dest[i] != want {
			t.Errorf("column %d (%s) scans into %T at %p, want field %s at %p", i, col, dest[i], dest[i], f.Name, want)
		}
	}
}
