package registry

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// ListUsers returns every user with their scopes, for administrators.
func (r *Registry) ListUsers(ctx context.Context, a *models.Actor) ([]models.User, error) {
	if err := require(a, models.PermAdminUsers); err != nil {
		return nil, err
	}
	var users []models.User
	if err := r.DB.WithContext(ctx).Order("display_name, username, id").Find(&users).Error; err != nil {
		return nil, err
	}
	for i := range users {
		u, err := models.UserByID(ctx, r.DB, users[i].ID)
		if err != nil {
			return nil, err
		}
		users[i] = *u
	}
	return users, nil
}

// GetUser returns one user, for administrators.
func (r *Registry) GetUser(ctx context.Context, a *models.Actor, id int64) (*models.User, error) {
	if err := require(a, models.PermAdminUsers); err != nil {
		return nil, err
	}
	return models.UserByID(ctx, r.DB, id)
}

// UserUpdate sets a user's Kujdes-assigned roles, scopes and whether they may sign in.
type UserUpdate struct {
	Roles           []string `json:"roles" input:"items=20,len=35"`
	RegionCodes     []string `json:"region_codes" input:"items=100,len=35"`
	BorderPostCodes []string `json:"border_post_codes" input:"items=100,len=35"`
	Active          bool     `json:"active"`
}

// UpdateUser applies an administrator's change. A change of roles, scopes or activity ends
// the user's sessions at once (sessions_valid_after), so nobody keeps powers they lost.
func (r *Registry) UpdateUser(ctx context.Context, a *models.Actor, id int64, version int, in UserUpdate) (*models.User, error) {
	if err := require(a, models.PermAdminUsers); err != nil {
		return nil, err
	}
	if err := CheckInput(in); err != nil {
		return nil, err
	}
	if version <= 0 {
		return nil, models.ErrPreconditionRequired
	}
	var verr models.ValidationError
	roles := models.Strings{}
	for _, s := range in.Roles {
		if !models.Role(s).Valid() {
			verr.Add("roles", "role_unknown", map[string]any{"Value": s})
		} else if !slices.Contains(roles, s) {
			roles = append(roles, s)
		}
	}
	slices.Sort(roles)
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		regionIDs, err := idsByCode(tx, "regions", in.RegionCodes, "region_codes", "region_unknown", &verr)
		if err != nil {
			return err
		}
		postIDs, err := idsByCode(tx, "border_posts", in.BorderPostCodes, "border_post_codes", "border_post_unknown", &verr)
		if err != nil {
			return err
		}
		if err := verr.Err(); err != nil {
			return err
		}
		var u models.User
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&u, id).Error; err != nil {
			return notFound(err)
		}
		// An administrator cannot lock themselves out: not by deactivating their own account,
		// nor by removing the admin role that only Kujdes (not their provider) gives them.
		if id == a.UserID && (!in.Active || (!slices.Contains(roles, string(models.RoleAdmin)) && !slices.Contains(u.TokenRoles, string(models.RoleAdmin)))) {
			verr.Add("active", "cannot_lock_out_self", nil)
			return &verr
		}
		before, err := models.UserByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Version != version {
			return models.ErrConflict
		}
		changes := models.AuditChanges{}
		oldRoles := slices.Sorted(slices.Values(u.Roles))
		if !slices.Equal(oldRoles, roles) {
			changes["roles"] = models.FieldChange{Before: oldRoles, After: []string(roles)}
		}
		if !slices.Equal(before.RegionIDs, regionIDs) {
			changes["region_ids"] = models.FieldChange{Before: before.RegionIDs, After: regionIDs}
		}
		if !slices.Equal(before.BorderPostIDs, postIDs) {
			changes["border_post_ids"] = models.FieldChange{Before: before.BorderPostIDs, After: postIDs}
		}
		if u.Active != in.Active {
			changes["active"] = models.FieldChange{Before: u.Active, After: in.Active}
		}
		if len(changes) == 0 {
			return nil
		}
		now := r.now()
		res := tx.Model(&models.User{}).Where("id = ? AND version = ?", id, version).Updates(map[string]any{
			"roles": roles, "active": in.Active, "version": gorm.Expr("version + 1"), "updated_at": now,
			"sessions_valid_after": now,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.ErrConflict
		}
		if err := replaceLinks(tx, "user_regions", "region_id", id, regionIDs); err != nil {
			return err
		}
		if err := replaceLinks(tx, "user_border_posts", "border_post_id", id, postIDs); err != nil {
			return err
		}
		return audit(ctx, tx, a, "admin.user.update", "user", strconv.FormatInt(id, 10), changes, "")
	})
	if err != nil {
		return nil, err
	}
	return models.UserByID(ctx, r.DB, id)
}

func idsByCode(tx *gorm.DB, table string, codes []string, field, code string, verr *models.ValidationError) ([]int64, error) {
	ids := []int64{}
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		var id int64
		err := tx.Table(table).Where("code = ?", c).Select("id").Take(&id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			verr.Add(field, code, map[string]any{"Value": c})
			continue
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

func replaceLinks(tx *gorm.DB, table, column string, userID int64, ids []int64) error {
	if err := tx.Table(table).Where("user_id = ?", userID).Delete(nil).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.Table(table).Create(map[string]any{"user_id": userID, column: id}).Error; err != nil {
			return err
		}
	}
	return nil
}

var codePattern = regexp.MustCompile(`^[A-Z0-9-]{2,16}$`)

// ReferenceInput creates a region (RegionCode empty) or a border post (in that region).
type ReferenceInput struct {
	Code       string `json:"code" input:"len=35"`
	Name       string `json:"name" input:"len=200"`
	RegionCode string `json:"region_code,omitempty" input:"len=35"`
}

func validateReference(in *ReferenceInput) models.ValidationError {
	var verr models.ValidationError
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	if !codePattern.MatchString(in.Code) {
		verr.Add("code", "code_format", nil)
	}
	if in.Name == "" {
		verr.Add("name", "required", nil)
	}
	return verr
}

// CreateRegion adds a region.
func (r *Registry) CreateRegion(ctx context.Context, a *models.Actor, in ReferenceInput) (models.Region, error) {
	if err := require(a, models.PermAdminReference); err != nil {
		return models.Region{}, err
	}
	if err := CheckInput(in); err != nil {
		return models.Region{}, err
	}
	verr := validateReference(&in)
	if err := verr.Err(); err != nil {
		return models.Region{}, err
	}
	reg := models.Region{Code: in.Code, Name: in.Name}
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := createUnique(tx, &reg, "code"); err != nil {
			return err
		}
		return audit(ctx, tx, a, "admin.region.create", "region", strconv.FormatInt(reg.ID, 10), models.AuditChanges{
			"code": {After: reg.Code}, "name": {After: reg.Name},
		}, "")
	})
	return reg, err
}

// CreateBorderPost adds a border post in an existing region.
func (r *Registry) CreateBorderPost(ctx context.Context, a *models.Actor, in ReferenceInput) (models.BorderPost, error) {
	if err := require(a, models.PermAdminReference); err != nil {
		return models.BorderPost{}, err
	}
	if err := CheckInput(in); err != nil {
		return models.BorderPost{}, err
	}
	verr := validateReference(&in)
	var post models.BorderPost
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var reg models.Region
		if err := tx.Where("code = ?", strings.TrimSpace(in.RegionCode)).Take(&reg).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			verr.Add("region_code", "region_unknown", map[string]any{"Value": in.RegionCode})
		}
		if err := verr.Err(); err != nil {
			return err
		}
		post = models.BorderPost{Code: in.Code, Name: in.Name, RegionID: reg.ID, Active: true}
		if err := createUnique(tx, &post, "code"); err != nil {
			return err
		}
		return audit(ctx, tx, a, "admin.border_post.create", "border_post", strconv.FormatInt(post.ID, 10), models.AuditChanges{
			"code": {After: post.Code}, "name": {After: post.Name}, "region_code": {After: reg.Code},
		}, "")
	})
	return post, err
}

// ReferenceData lists regions and border posts; any signed-in user may read them (they are
// not about children).
func (r *Registry) ReferenceData(ctx context.Context, a *models.Actor) ([]models.Region, []models.BorderPost, error) {
	if a == nil {
		return nil, nil, models.ErrUnauthenticated
	}
	regions, err := models.ListRegions(ctx, r.DB)
	if err != nil {
		return nil, nil, err
	}
	posts, err := models.ListBorderPosts(ctx, r.DB)
	return regions, posts, err
}

// createUnique inserts v, turning a unique violation into a validation error on field.
func createUnique(tx *gorm.DB, v any, field string) error {
	err := tx.Create(v).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		var verr models.ValidationError
		verr.Add(field, "code_taken", nil)
		return &verr
	}
	return err
}

// Me returns the signed-in user's own account (for "your access").
func (r *Registry) Me(ctx context.Context, a *models.Actor) (*models.User, error) {
	if a == nil {
		return nil, models.ErrUnauthenticated
	}
	return models.UserByID(ctx, r.DB, a.UserID)
}
