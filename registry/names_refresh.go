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
// current, so it can run at every start. Under rules older than parentsKeysFrom it first
// writes the parents' keys of the children that lack them (addParentsKeys). It returns how
// many rows changed.
func RefreshNameSkeletons(ctx context.Context, db *gorm.DB) (int, error) {
	var version int
	if err := db.WithContext(ctx).Raw(`SELECT version FROM name_rules`).Scan(&version).Error; err != nil {
		return 0, fmt.Errorf("name rules: %w", err)
	}
	if version >= matching.RulesVersion {
		return 0, nil
	}
	changed := 0
	if version < parentsKeysFrom {
		n, err := addParentsKeys(ctx, db)
		changed += n
		if err != nil {
			return changed, err
		}
	}
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

// parentsKeysFrom is the RulesVersion from which every child with both parents' names has a
// parents' key row (matching.ParentsLatin; written by ParentageRows with the child's names).
const parentsKeysFrom = 8

// addParentsKeys writes the parents' key row of every child with a father's and a mother's
// name that does not have it (records written before parentsKeysFrom), batch by batch, and
// returns how many it wrote (ParentsRow, as a registration writes it). The key is computed in
// Go (matching.Skeleton), so a migration cannot write it. A survivor of a merge that took the
// mother's or father's name from its duplicate gets the key too, and keeps it if the merge is
// undone (until its names are next edited): one more candidate for the engine to weigh, not a
// match.
func addParentsKeys(ctx context.Context, db *gorm.DB) (int, error) {
	added := 0
	var after int64
	for {
		var kids []struct {
			ID                     int64
			FatherName, MotherName string
		}
		if err := db.WithContext(ctx).Raw(`SELECT id, father_name, mother_name FROM children
			WHERE id > ? AND father_name <> '' AND mother_name <> '' ORDER BY id LIMIT ?`, after, refreshBatch).Scan(&kids).Error; err != nil {
			return added, fmt.Errorf("parents' keys: %w", err)
		}
		if len(kids) == 0 {
			return added, nil
		}
		after = kids[len(kids)-1].ID
		var ids []int64
		var originals, latins, skels []string
		for _, k := range kids {
			if r, ok := ParentsRow(k.ID, k.FatherName, k.MotherName); ok {
				ids, originals = append(ids, r.ChildID), append(originals, r.Original)
				latins, skels = append(latins, r.Latin), append(skels, r.Skeleton)
			}
		}
		if len(ids) == 0 {
			continue
		}
		res := db.WithContext(ctx).Exec(`INSERT INTO child_names (child_id, kind, original, latin, skeleton, variant_skeletons)
			SELECT x.id, 'parentage', x.original, x.latin, x.skeleton, '{}'
			FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[])) AS x(id, original, latin, skeleton)
			WHERE NOT EXISTS (SELECT 1 FROM child_names cn WHERE cn.child_id = x.id AND cn.kind = 'parentage' AND cn.skeleton = x.skeleton)`,
			models.Int64s(ids), models.Strings(originals), models.Strings(latins), models.Strings(skels))
		if res.Error != nil {
			return added, fmt.Errorf("parents' keys: %w", res.Error)
		}
		added += int(res.RowsAffected)
	}
}
