package registry

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// totalSkeleton is the row key of a kind's total in name_frequencies; skeletons never start
// with '*'.
const totalSkeleton = "*"

// loadNameFreqs reads the frequencies of these skeletons and the totals, in one indexed query.
// Each count is the sum of its stripes (migrations/00028: one row per backend stripe, so that
// concurrent writers of a common name do not queue on one row).
func loadNameFreqs(tx *gorm.DB, skels []string) (matching.Freqs, error) {
	var f matching.Freqs
	var rows []struct {
		Kind, Skeleton string
		N              int64
	}
	err := tx.Raw(`SELECT kind, skeleton, sum(n) AS n FROM name_frequencies
		WHERE kind IN ('given', 'family') AND skeleton = ANY (CAST(? AS text[]))
		GROUP BY kind, skeleton`,
		models.Strings(append([]string{totalSkeleton}, skels...))).Scan(&rows).Error
	if err != nil {
		return f, fmt.Errorf("name frequencies: %w", err)
	}
	for _, r := range rows {
		if r.Skeleton == totalSkeleton {
			f.AddTotal(r.Kind, r.N)
		} else {
			f.Add(r.Kind, r.Skeleton, r.N)
		}
	}
	return f, nil
}
