package registry

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// MinBreakGlassReason is the shortest written reason accepted (in characters).
const MinBreakGlassReason = 10

// BreakGlassInput names the child (by registration number, as written on papers or in a
// police report) and says why.
type BreakGlassInput struct {
	RegistrationNumber string `json:"registration_number" input:"len=35"`
	Reason             string `json:"reason" input:"len=2000,multiline"`
}

// BreakGlass opens one named child's record to the actor for a limited time, outside their
// ordinary scope. It is audited with the reason and listed to administrators; it ends by
// itself (the scope function compares expires_at with the clock).
func (r *Registry) BreakGlass(ctx context.Context, a *models.Actor, in BreakGlassInput) (models.BreakGlassGrant, error) {
	if err := require(a, models.PermChildBreakGlass); err != nil {
		return models.BreakGlassGrant{}, err
	}
	if err := CheckInput(in); err != nil {
		return models.BreakGlassGrant{}, err
	}
	in.RegistrationNumber = strings.TrimSpace(in.RegistrationNumber)
	in.Reason = strings.TrimSpace(in.Reason)
	var verr models.ValidationError
	if in.RegistrationNumber == "" {
		verr.Add("registration_number", "required", nil)
	}
	if utf8.RuneCountInString(in.Reason) < MinBreakGlassReason {
		verr.Add("reason", "reason_too_short", map[string]any{"Min": MinBreakGlassReason})
	}
	if err := verr.Err(); err != nil {
		return models.BreakGlassGrant{}, err
	}
	var g models.BreakGlassGrant
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c models.Child
		// Deliberately unscoped: reaching outside one's scope is the point. The child must exist.
		if err := tx.Where("registration_number = ?", in.RegistrationNumber).Take(&c).Error; err != nil {
			if err = notFound(err); err == models.ErrNotFound {
				var v models.ValidationError
				v.Add("registration_number", "child_unknown", map[string]any{"Value": in.RegistrationNumber})
				return &v
			}
			return err
		}
		now := r.now()
		g = models.BreakGlassGrant{UserID: a.UserID, ChildID: c.ID, Reason: in.Reason, GrantedAt: now, ExpiresAt: now.Add(r.BreakGlassFor)}
		if err := tx.Create(&g).Error; err != nil {
			return err
		}
		return audit(ctx, tx, a, "break_glass.grant", "child", strconv.FormatInt(c.ID, 10), models.AuditChanges{
			"expires_at": {After: g.ExpiresAt.Format(time.RFC3339)},
		}, in.Reason)
	})
	return g, err
}

// BreakGlassEntry is a grant with who and which child, for the administrators' list.
type BreakGlassEntry struct {
	models.BreakGlassGrant
	UserLabel          string `json:"user"`
	RegistrationNumber string `json:"registration_number"`
	Active             bool   `json:"active"`
}

// ListBreakGlass shows administrators every emergency access, newest first.
func (r *Registry) ListBreakGlass(ctx context.Context, a *models.Actor, limit int) ([]BreakGlassEntry, error) {
	if err := require(a, models.PermAdminBreakGlass); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	var rows []BreakGlassEntry
	err := r.DB.WithContext(ctx).Table("break_glass_grants bg").
		Select("bg.*, " + userLabelSQL + " AS user_label, c.registration_number").
		Joins("JOIN users u ON u.id = bg.user_id").
		Joins("JOIN children c ON c.id = bg.child_id").
		Order("bg.id DESC").Limit(limit).Scan(&rows).Error
	now := r.now()
	for i := range rows {
		rows[i].Active = rows[i].ExpiresAt.After(now)
	}
	return rows, err
}
