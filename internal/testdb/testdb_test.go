package testdb

import (
	"context"
	"fmt"
	"testing"
)

// Two tests write the same row in parallel; each must see only its own.
func TestDatabasesAreIsolated(t *testing.T) {
	for i := range 2 {
		t.Run(fmt.Sprintf("writer%d", i), func(t *testing.T) {
			t.Parallel()
			db := New(t)
			ctx := context.Background()
			if err := db.WithContext(ctx).Exec(`CREATE TABLE probe (id int PRIMARY KEY, who text)`).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.WithContext(ctx).Exec(`INSERT INTO probe VALUES (1, ?)`, t.Name()).Error; err != nil {
				t.Fatal(err)
			}
			var rows []string
			if err := db.WithContext(ctx).Raw(`SELECT who FROM probe`).Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0] != t.Name() {
				t.Fatalf("saw another test's rows: %v", rows)
			}
		})
	}
}

func TestTemplateIsMigrated(t *testing.T) {
	db := New(t)
	var exts []string
	if err := db.Raw(`SELECT extname FROM pg_extension WHERE extname IN ('pg_trgm','unaccent') ORDER BY 1`).Scan(&exts).Error; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(exts) != "[pg_trgm unaccent]" {
		t.Fatalf("extensions: %v", exts)
	}
	var folded string
	if err := db.Raw(`SELECT kujdes_unaccent('Çelësi Shqipërisë')`).Scan(&folded).Error; err != nil {
		t.Fatal(err)
	}
	if folded != "Celesi Shqiperise" {
		t.Fatalf("unaccent: %q", folded)
	}
}
