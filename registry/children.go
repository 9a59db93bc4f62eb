package registry

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// ChildView is a child's record as its reader may see it.
type ChildView struct {
	models.Child
	RegionCode     string `json:"region_code"`
	BorderPostCode string `json:"border_post_code,omitempty"`
	// ViaBreakGlass is true when the reader sees the child only through an emergency access.
	ViaBreakGlass bool `json:"via_break_glass"`

	// The full record (GetChild only).
	Aliases        []string               `json:"aliases,omitempty"`
	Arrivals       []ArrivalView          `json:"arrivals,omitempty"`
	AgeAssessments []models.AgeAssessment `json:"age_assessments,omitempty"`
	// TreatedAsChild applies the benefit of the doubt over the age assessments (GetChild only).
	TreatedAsChild *bool `json:"treated_as_child,omitempty"`
}

// ArrivalView is an arrival with its border post's code.
type ArrivalView struct {
	models.Arrival
	BorderPostCode string `json:"border_post_code,omitempty"`
}

// loadRecord fills the parts of the full record.
func (r *Registry) loadRecord(tx *gorm.DB, v *ChildView) error {
	var aliases []string
	if err := tx.Model(&models.ChildName{}).Where("child_id = ? AND kind = 'alias'", v.ID).Order("id").Pluck("original", &aliases).Error; err != nil {
		return err
	}
	v.Aliases = aliases
	var arrivals []models.Arrival
	if err := tx.Where("child_id = ?", v.ID).Order("arrived_at DESC, id DESC").Find(&arrivals).Error; err != nil {
		return err
	}
	posts, err := models.ListBorderPosts(tx.Statement.Context, tx)
	if err != nil {
		return err
	}
	code := map[int64]string{}
	for _, p := range posts {
		code[p.ID] = p.Code
	}
	v.Arrivals = make([]ArrivalView, len(arrivals))
	for i, a := range arrivals {
		v.Arrivals[i] = ArrivalView{Arrival: a}
		if a.BorderPostID != nil {
			v.Arrivals[i].BorderPostCode = code[*a.BorderPostID]
		}
	}
	if err := tx.Where("child_id = ?", v.ID).Order("requested_at DESC, id DESC").Find(&v.AgeAssessments).Error; err != nil {
		return err
	}
	treated := TreatedAsChild(v.AgeAssessments)
	v.TreatedAsChild = &treated
	return nil
}

// ChildPage is one page of a keyset-paginated list.
type ChildPage struct {
	Items []ChildView `json:"items"`
	// Next is the cursor of the following page, 0 when this is the last.
	Next int64 `json:"next,omitempty"`
}

// MaxPageSize bounds list requests.
const MaxPageSize = 200

// ListChildren returns the children the actor may see, by id, after the cursor.
func (r *Registry) ListChildren(ctx context.Context, a *models.Actor, after int64, limit int) (ChildPage, error) {
	if err := require(a, models.PermChildList); err != nil {
		return ChildPage{}, err
	}
	switch {
	case limit <= 0:
		limit = 50
	case limit > MaxPageSize:
		limit = MaxPageSize
	}
	var page ChildPage
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []models.Child
		if err := r.children(tx, a).Where("children.id > ?", after).Order("children.id").Limit(limit + 1).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) > limit {
			rows, page.Next = rows[:limit], rows[limit-1].ID
		}
		views, err := r.views(tx, a, rows)
		if err != nil {
			return err
		}
		page.Items = views
		return audit(ctx, tx, a, "child.list", "child", "", models.AuditChanges{
			"count": {After: len(rows)}, "after": {After: after},
		}, "")
	})
	return page, err
}

// GetChild reads one child's record and audits the read in the same transaction.
func (r *Registry) GetChild(ctx context.Context, a *models.Actor, id int64) (ChildView, error) {
	if err := require(a, models.PermChildRead); err != nil {
		return ChildView{}, err
	}
	var v ChildView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c models.Child
		if err := r.children(tx, a).Where("children.id = ?", id).Take(&c).Error; err != nil {
			return notFound(err)
		}
		views, err := r.views(tx, a, []models.Child{c})
		if err != nil {
			return err
		}
		v = views[0]
		if err := r.loadRecord(tx, &v); err != nil {
			return err
		}
		reason := ""
		if v.ViaBreakGlass {
			reason = "break-glass"
		}
		return audit(ctx, tx, a, "child.read", "child", strconv.FormatInt(id, 10), nil, reason)
	})
	return v, err
}

// ChildPatch is an edit of a child's record; nil fields stay as they are. Identity, when
// given, replaces every identity field (names, aliases, sex, birth, nationalities, languages,
// needs and indicators).
type ChildPatch struct {
	Status     *string        `json:"status,omitempty" input:"len=35"`
	RegionCode *string        `json:"region_code,omitempty" input:"len=35"`
	Identity   *IdentityInput `json:"identity,omitempty"`
}

// UpdateChild applies a patch when the caller's version is still current. The whole input is
// validated before anything is written; the change and its audit row commit together.
func (r *Registry) UpdateChild(ctx context.Context, a *models.Actor, id int64, version int, p ChildPatch) (ChildView, error) {
	if err := require(a, models.PermChildUpdate); err != nil {
		return ChildView{}, err
	}
	if err := CheckInput(p); err != nil {
		return ChildView{}, err
	}
	if version <= 0 {
		return ChildView{}, models.ErrPreconditionRequired
	}
	var out ChildView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c models.Child
		if err := r.children(tx, a).Clauses(clause.Locking{Strength: "UPDATE"}).Where("children.id = ?", id).Take(&c).Error; err != nil {
			return notFound(err)
		}
		var verr models.ValidationError
		changes := models.AuditChanges{}
		updates := map[string]any{}
		if p.Status != nil {
			if !slices.Contains(models.ChildStatuses, *p.Status) {
				verr.Add("status", "child_status_unknown", map[string]any{"Value": *p.Status})
			} else if *p.Status != c.Status {
				changes["status"] = models.FieldChange{Before: c.Status, After: *p.Status}
				updates["status"] = *p.Status
			}
		}
		if p.RegionCode != nil {
			var reg models.Region
			err := tx.Where("code = ?", *p.RegionCode).Take(&reg).Error
			switch {
			case errors.Is(err, gorm.ErrRecordNotFound):
				verr.Add("region_code", "region_unknown", map[string]any{"Value": *p.RegionCode})
			case err != nil:
				return err
			case reg.ID != c.RegionID:
				var before models.Region
				if err := tx.Take(&before, c.RegionID).Error; err != nil {
					return err
				}
				changes["region_code"] = models.FieldChange{Before: before.Code, After: reg.Code}
				updates["region_id"] = reg.ID
			}
		}
		var ident identity
		if p.Identity != nil {
			ident = validateIdentity(*p.Identity, c.RegisteredAt, r.now(), &verr)
		}
		if err := verr.Err(); err != nil {
			return err
		}
		if c.Version != version {
			return models.ErrConflict
		}
		if p.Identity != nil {
			if err := r.applyIdentity(tx, &c, ident, changes, updates); err != nil {
				return err
			}
		}
		if len(updates) > 0 {
			updates["version"] = gorm.Expr("version + 1")
			updates["updated_at"] = r.now()
			res := tx.Model(&models.Child{}).Where("id = ? AND version = ?", id, version).Updates(updates)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return models.ErrConflict
			}
			if err := audit(ctx, tx, a, "child.update", "child", strconv.FormatInt(id, 10), changes, ""); err != nil {
				return err
			}
		}
		if err := tx.Take(&c, id).Error; err != nil {
			return err
		}
		views, err := r.views(tx, a, []models.Child{c})
		if err != nil {
			return err
		}
		out = views[0]
		return nil
	})
	return out, err
}

// views adds codes and the break-glass flag to children rows.
func (r *Registry) views(tx *gorm.DB, a *models.Actor, rows []models.Child) ([]ChildView, error) {
	regions, err := models.ListRegions(tx.Statement.Context, tx)
	if err != nil {
		return nil, err
	}
	posts, err := models.ListBorderPosts(tx.Statement.Context, tx)
	if err != nil {
		return nil, err
	}
	regionCode := map[int64]string{}
	for _, x := range regions {
		regionCode[x.ID] = x.Code
	}
	postCode := map[int64]string{}
	for _, x := range posts {
		postCode[x.ID] = x.Code
	}
	out := make([]ChildView, len(rows))
	for i, c := range rows {
		out[i] = ChildView{Child: c, RegionCode: regionCode[c.RegionID]}
		if c.BorderPostID != nil {
			out[i].BorderPostCode = postCode[*c.BorderPostID]
		}
		if !r.inOrdinaryScope(tx, a, c) {
			var n int64
			now := r.now()
			if err := tx.Model(&models.BreakGlassGrant{}).Where("child_id = ? AND user_id = ? AND granted_at <= ? AND expires_at > ?", c.ID, a.UserID, now, now).Count(&n).Error; err != nil {
				return nil, err
			}
			out[i].ViaBreakGlass = n > 0
		}
	}
	return out, nil
}

// inOrdinaryScope mirrors scopeChildren without break-glass, to tell the reader why they see
// a child. It decides nothing about access: the query already did.
func (r *Registry) inOrdinaryScope(tx *gorm.DB, a *models.Actor, c models.Child) bool {
	if a.Has(models.RoleProtectionOfficer) && slices.Contains(a.RegionIDs, c.RegionID) {
		return true
	}
	if a.Has(models.RoleBorderOfficer) && len(a.BorderPostIDs) > 0 {
		if c.BorderPostID != nil && slices.Contains(a.BorderPostIDs, *c.BorderPostID) {
			return true
		}
		var n int64
		tx.Model(&models.Arrival{}).Where("child_id = ? AND border_post_id IN ?", c.ID, a.BorderPostIDs).Count(&n)
		if n > 0 {
			return true
		}
	}
	if a.Has(models.RoleGuardian) {
		var n int64
		now := r.now()
		tx.Model(&models.GuardianAppointment{}).Where("child_id = ? AND guardian_user_id = ? AND started_at <= ? AND (ended_at IS NULL OR ended_at > ?)", c.ID, a.UserID, now, now).Count(&n)
		return n > 0
	}
	return false
}

// AccessHistory lists who looked at or changed a child, newest first. Administrators see
// the history of any child (it holds no child data); others only within their scope.
func (r *Registry) AccessHistory(ctx context.Context, a *models.Actor, id int64, limit int) ([]models.AuditEvent, error) {
	if err := require(a, models.PermChildHistory); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []models.AuditEvent
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&models.Child{}).Where("children.id = ?", id)
		if !a.Has(models.RoleAdmin) {
			q = r.children(tx, a).Where("children.id = ?", id)
		}
		var n int64
		if err := q.Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return models.ErrNotFound
		}
		var err error
		if out, err = models.AuditHistory(ctx, tx, "child", strconv.FormatInt(id, 10), limit); err != nil {
			return err
		}
		return audit(ctx, tx, a, "child.history", "child", strconv.FormatInt(id, 10), nil, "")
	})
	return out, err
}

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.ErrNotFound
	}
	return err
}
