package registry

import (
	"encoding/json"
	"testing"

	"gorm.io/gorm"
)

// TestVariantIndexPendingListStaysShort: the GIN index on child_names.variant_skeletons keeps
// at most a few pending pages (migration 00047), however many names are written before a
// vacuum. Every duplicate check reads the whole pending list: with the default 4 MB limit a
// registry whose skeletons had just been rewritten made the variant look-up 33 ms at 1 M.
// After 6,000 names with three spellings each, a look-up that matches nothing reads the
// index's pending pages and a handful of others; under the default limit (migration 00046)
// it reads 47 pages, and this test fails (8 with it).
func TestVariantIndexPendingListStaysShort(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	child := f.add(t, testChild{given: "Arben", family: "Hoxha", sex: "male", from: "2011-01-01", to: "2011-12-31", nats: []string{"AL"}})
	if err := f.db.Exec(`INSERT INTO child_names (child_id, kind, original, latin, skeleton, variant_skeletons)
		SELECT ?, 'alias', 'Name ' || i, 'Name ' || i, 'nm' || i, ARRAY['nma' || i, 'nmb' || i, 'nmc' || i]
		FROM generate_series(1, 6000) AS i`, child).Error; err != nil {
		t.Fatal(err)
	}
	var plan string
	err := f.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`SET LOCAL enable_seqscan = off`).Error; err != nil {
			return err
		}
		return tx.Raw(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT id FROM child_names
			WHERE variant_skeletons && ARRAY['nothing-like-it'] AND variant_skeletons <> '{}'`).Row().Scan(&plan)
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []struct {
		Plan struct {
			NodeType string `json:"Node Type"`
			Hit      int    `json:"Shared Hit Blocks"`
			Read     int    `json:"Shared Read Blocks"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &out); err != nil || len(out) != 1 {
		t.Fatalf("plan %q: %v", plan, err)
	}
	pages := out[0].Plan.Hit + out[0].Plan.Read
	t.Logf("%s for no match after 6,000 names: %d pages", out[0].Plan.NodeType, pages)
	if out[0].Plan.NodeType != "Bitmap Heap Scan" {
		t.Fatalf("the look-up does not use the variant index: %s", plan)
	}
	if pages > 16 {
		t.Errorf("a look-up that matches nothing reads %d pages of the variant index; its pending list is read by every duplicate check (want at most 16)", pages)
	}
}
