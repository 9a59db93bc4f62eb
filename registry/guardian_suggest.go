package registry

import (
	"context"
	"slices"
	"strconv"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// Suggestion is a guardian proposed for a child, with why: the reasons are message codes
// ("guardian.reason.<code>") with their data (the Reason type of the duplicate check).
// SuggestionReason is one reason a guardian is ranked where they are, with the values its
// message names (a duplicate-check Reason also carries a match weight; this does not).
type SuggestionReason struct {
	Code string         `json:"code"`
	Data map[string]any `json:"data,omitempty"`
}

type Suggestion struct {
	Guardian GuardianView       `json:"guardian"`
	Score    int                `json:"score"`
	Reasons  []SuggestionReason `json:"reasons"`
	// NeedsOverride: the guardian is at their cap; appointing needs an override (S3).
	NeedsOverride bool `json:"needs_override"`
	// Blocked: a declared conflict of interest; the guardian cannot be appointed.
	Blocked bool `json:"blocked"`
}

// RankGuardian scores a guardian for a child — the one ranking rule of the suggestions:
//
//   - speaks one of the child's languages: +40 (else interpretation is needed);
//   - works in the child's region: +20;
//   - load: up to +20, less the fuller their caseload;
//   - availability: at or over their cap −50 (an override would be needed);
//   - a declared conflict of interest blocks (−1000, listed last).
func RankGuardian(g GuardianView, childLanguages []string, childRegion int64, conflict bool) Suggestion {
	s := Suggestion{Guardian: g, Reasons: []SuggestionReason{}}
	if SharesLanguage(g.Languages, childLanguages) {
		s.Score += 40
		var shared []string
		for _, l := range g.Languages {
			if SharesLanguage([]string{l}, childLanguages) {
				shared = append(shared, l)
			}
		}
		s.Reasons = append(s.Reasons, SuggestionReason{Code: "language_match", Data: map[string]any{"Languages": shared}})
	} else {
		s.Reasons = append(s.Reasons, SuggestionReason{Code: "no_shared_language"})
	}
	if g.RegionID == childRegion {
		s.Score += 20
		s.Reasons = append(s.Reasons, SuggestionReason{Code: "same_region", Data: map[string]any{"Region": g.RegionCode}})
	} else {
		s.Reasons = append(s.Reasons, SuggestionReason{Code: "other_region", Data: map[string]any{"Region": g.RegionCode}})
	}
	if g.Cap > 0 && g.ActiveWards < g.Cap {
		s.Score += 20 - 20*g.ActiveWards/g.Cap
		s.Reasons = append(s.Reasons, SuggestionReason{Code: "load", Data: map[string]any{"Count": g.ActiveWards, "Cap": g.Cap}})
	} else {
		s.Score -= 50
		s.NeedsOverride = true
		s.Reasons = append(s.Reasons, SuggestionReason{Code: "at_cap", Data: map[string]any{"Count": g.ActiveWards, "Cap": g.Cap}})
	}
	if conflict {
		s.Score -= 1000
		s.Blocked = true
		s.Reasons = append(s.Reasons, SuggestionReason{Code: "conflict"})
	}
	return s
}

// MaxSuggestions bounds the suggestions shown.
const MaxSuggestions = 10

// SuggestGuardians ranks the active guardians for a child in the officer's scope (RankGuardian),
// best first, excluding those already appointed to the child.
func (r *Registry) SuggestGuardians(ctx context.Context, a *models.Actor, childID int64) ([]Suggestion, error) {
	if err := require(a, models.PermGuardianAppoint); err != nil {
		return nil, err
	}
	out := []Suggestion{}
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.scopedChild(tx, a, childID, false)
		if err != nil {
			return err
		}
		type row struct {
			GuardianView
			Conflict bool
		}
		var rows []row
		cur := appointmentIsCurrent(r.now())
		err = r.guardianViews(tx).
			Select(`guardians.*, u.username, u.display_name, rg.code AS region_code, `+guardianLoad(r.now()).sql+` AS active_wards,
				EXISTS (SELECT 1 FROM guardian_conflicts gc WHERE gc.guardian_id = guardians.id AND gc.child_id = ?) AS conflict`,
				append(guardianLoad(r.now()).args, childID)...).
			Where("guardians.active").
			Where(`NOT EXISTS (SELECT 1 FROM guardian_appointments ga WHERE ga.guardian_user_id = guardians.user_id AND ga.child_id = ? AND `+cur.sql+`)`,
				append([]any{childID}, cur.args...)...).
			Find(&rows).Error
		if err != nil {
			return err
		}
		vs := make([]GuardianView, len(rows))
		for i := range rows {
			vs[i] = rows[i].GuardianView
		}
		r.finishViews(vs)
		for i, v := range vs {
			out = append(out, RankGuardian(v, c.Languages, c.RegionID, rows[i].Conflict))
		}
		slices.SortStableFunc(out, func(x, y Suggestion) int {
			if x.Score != y.Score {
				return y.Score - x.Score
			}
			return int(x.Guardian.ID - y.Guardian.ID)
		})
		if len(out) > MaxSuggestions {
			out = out[:MaxSuggestions]
		}
		return audit(ctx, tx, a, "guardian.suggest", "child", strconv.FormatInt(childID, 10), models.AuditChanges{"count": {After: len(out)}}, "")
	})
	return out, r.denied(ctx, a, err)
}
