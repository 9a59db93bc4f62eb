package registry

import (
	"cmp"
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

// ListUsers returns every user with their scopes, for administrators, in three queries
// however many users there are.
func (r *Registry) ListUsers(ctx context.Context, a *models.Actor) ([]models.User, error) {
	if err := require(a, models.PermAdminUsers); err != nil {
		return nil, err
	}
	var users []models.User
	if err := r.DB.WithContext(ctx).Order("display_name, username, id").Find(&users).Error; err != nil {
		return nil, err
	}
	ptrs := make([]*models.User, len(users))
	for i := range users {
		ptrs[i] = &users[i]
	}
	if err := models.LoadScopes(ctx, r.DB, ptrs...); err != nil {
		return nil, err
	}
	return users, nil
}

// GetUser returns one user with the grants pending for them, for administrators.
func (r *Registry) GetUser(ctx context.Context, a *models.Actor, id int64) (*models.User, error) {
	if err := require(a, models.PermAdminUsers); err != nil {
		return nil, err
	}
	return r.userWithGrants(ctx, id)
}

// UserUpdate sets a user's Kujdes-assigned roles, scopes and whether they may sign in.
type UserUpdate struct {
	Roles           []string `json:"roles" input:"items=20,len=35"`
	RegionCodes     []string `json:"region_codes" input:"items=100,len=35"`
	BorderPostCodes []string `json:"border_post_codes" input:"items=100,len=35"`
	Active          bool     `json:"active"`
}

// UpdateUser applies an administrator's change, under separation of duties:
//
//   - nobody changes their own roles, scopes or active flag (refused with 403, audited);
//   - what takes access away (a role, region or border post removed, deactivation) applies at
//     once and ends the user's sessions (sessions_valid_after), so nobody keeps powers they lost;
//   - what gives access (a role, region or border post added, reactivation) becomes a pending
//     grant (grants.go) that takes effect only when another administrator approves it.
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
	var refused error
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
		before, err := models.UserByID(ctx, tx, id)
		if err != nil {
			return err
		}
		oldRoles := slices.Sorted(slices.Values(u.Roles))
		var own []string
		if !slices.Equal(oldRoles, []string(roles)) {
			own = append(own, "roles")
		}
		if !slices.Equal(before.RegionIDs, regionIDs) {
			own = append(own, "region_codes")
		}
		if !slices.Equal(before.BorderPostIDs, postIDs) {
			own = append(own, "border_post_codes")
		}
		if u.Active != in.Active {
			own = append(own, "active")
		}
		if id == a.UserID && len(own) > 0 {
			refused = models.ForbiddenFields("own_account", own...)
			return refused
		}
		if u.Version != version {
			return models.ErrConflict
		}
		// What stays is what the user had and still should have; what is new waits.
		keepRoles, addRoles := split(oldRoles, roles)
		keepRegions, addRegions := split(before.RegionIDs, regionIDs)
		keepPosts, addPosts := split(before.BorderPostIDs, postIDs)
		activate := !u.Active && in.Active
		changes := models.AuditChanges{}
		if !slices.Equal(oldRoles, keepRoles) {
			changes["roles"] = models.FieldChange{Before: oldRoles, After: keepRoles}
		}
		if !slices.Equal(before.RegionIDs, keepRegions) {
			changes["region_ids"] = models.FieldChange{Before: before.RegionIDs, After: keepRegions}
		}
		if !slices.Equal(before.BorderPostIDs, keepPosts) {
			changes["border_post_ids"] = models.FieldChange{Before: before.BorderPostIDs, After: keepPosts}
		}
		if u.Active && !in.Active {
			changes["active"] = models.FieldChange{Before: true, After: false}
		}
		grant := models.UserGrant{UserID: id, Roles: addRoles, RegionIDs: addRegions, BorderPostIDs: addPosts, Activate: activate}
		asks := len(addRoles) > 0 || len(addRegions) > 0 || len(addPosts) > 0 || activate
		if len(changes) == 0 && !asks {
			return nil
		}
		// Either bumps the version: a pending grant is part of the user as the API shows them.
		now := r.now()
		updates := map[string]any{"version": gorm.Expr("version + 1"), "updated_at": now}
		if len(changes) > 0 {
			updates["roles"], updates["active"], updates["sessions_valid_after"] = models.Strings(keepRoles), u.Active && in.Active, now
		}
		res := tx.Model(&models.User{}).Where("id = ? AND version = ?", id, version).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.ErrConflict
		}
		if len(changes) > 0 {
			if err := replaceLinks(tx, "user_regions", "region_id", id, keepRegions); err != nil {
				return err
			}
			if err := replaceLinks(tx, "user_border_posts", "border_post_id", id, keepPosts); err != nil {
				return err
			}
			if err := audit(ctx, tx, a, "admin.user.update", "user", strconv.FormatInt(id, 10), changes, ""); err != nil {
				return err
			}
		}
		if !asks {
			return nil
		}
		return r.requestGrant(ctx, tx, a, grant)
	})
	if refused != nil {
		if aerr := r.auditRefusal(ctx, a, "admin.user.update", "user", strconv.FormatInt(id, 10), "own account"); aerr != nil {
			return nil, aerr
		}
	}
	if err != nil {
		return nil, err
	}
	return r.userWithGrants(ctx, id)
}

// split returns what of old is still in want (kept, sorted) and what of want is new (added).
func split[T cmp.Ordered](old, want []T) (kept, added []T) {
	kept, added = []T{}, []T{}
	for _, x := range old {
		if slices.Contains(want, x) {
			kept = append(kept, x)
		}
	}
	for _, x := range want {
		if !slices.Contains(old, x) {
			added = append(added, x)
		}
	}
	slices.Sort(kept)
	slices.Sort(added)
	return kept, added
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
