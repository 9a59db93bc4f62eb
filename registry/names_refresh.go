package registry

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// refreshBatch is how many child_names rows one statement rewrites.
const refreshBatch = 5000

// RefreshNameSkeletons recomputes the skeletons (and variant skeletons) of child_names written
// under older name rules
// (the name_rules table records which), batch by batch, and records the current version; the
// name_frequencies triggers follow the rewritten rows. It does nothing when the rules are
// current, so it can run at every start. It returns how many rows changed.
func RefreshNameSkeletons(ctx context.Context, db *gorm.DB) (int, error) {
	var version int
	if err := db.WithContext(ctx).Raw(`SELECT version FROM name_rules`).Scan(&version).Error; err != nil {
		return 0, fmt.Errorf("name rules: %w", err)
	}
	if version >= matching.RulesVersion {
		return 0, nil
	}
	changed := 0
	var after int64
	for {
		var rows []struct {
			ID               int64
			Kind             string
			Latin            string
			Skeleton         string
			VariantSkeletons models.Strings
		}
		if err := db.WithContext(ctx).Raw(`SELECT id, kind, latin, skeleton, variant_skeletons FROM child_names WHERE id > ? ORDER BY id LIMIT ?`,
			after, refreshBatch).Scan(&rows).Error; err != nil {
			return changed, fmt.Errorf("name skeletons: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		after = rows[len(rows)-1].ID
		var ids []int64
		var skels, variants []string
		for _, r := range rows {
			s, v := matching.Skeleton(r.Latin), models.Strings{}
			if r.Kind == "full" || r.Kind == "alias" {
				v = matching.VariantSkeletons(r.Latin)
			}
			if s != r.Skeleton || !slices.Equal(v, r.VariantSkeletons) {
				// Each row's variants as one array literal (an array of arrays must be even).
				lit, err := v.Value()
				if err != nil {
					return changed, err
				}
				ids, skels, variants = append(ids, r.ID), append(skels, s), append(variants, lit.(string))
			}
		}
		if len(ids) == 0 {
			continue
		}
		// One statement per batch: the frequency triggers see it whole.
		res := db.WithContext(ctx).Exec(`UPDATE child_names cn SET skeleton = x.skeleton, variant_skeletons = CAST(x.variants AS text[])
			FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[])) AS x(id, skeleton, variants) WHERE cn.id = x.id`,
			models.Int64s(ids), models.Strings(skels), models.Strings(variants))
		if res.Error != nil {
			return changed, fmt.Errorf("name skeletons: %w", res.Error)
		}
		changed += int(res.RowsAffected)
	}
	if err := db.WithContext(ctx).Exec(`UPDATE name_rules SET version = ?`, matching.RulesVersion).Error; err != nil {
		return changed, fmt.Errorf("name rules: %w", err)
	}
	return changed, nil
}
