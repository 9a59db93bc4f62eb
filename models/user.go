package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// User is a person who signs in. The identity is issuer + subject, never the e-mail.
type User struct {
	ID                 int64      `json:"id" gorm:"primaryKey"`
	Issuer             string     `json:"issuer"`
	Subject            string     `json:"subject"`
	Username           string     `json:"username"`
	DisplayName        string     `json:"display_name"`
	Email              string     `json:"email"`
	Active             bool       `json:"active"`
	Roles              Strings    `json:"roles" gorm:"type:text[]"`
	TokenRoles         Strings    `json:"token_roles" gorm:"type:text[]"`
	SessionsValidAfter time.Time  `json:"-"`
	LastLoginAt        *time.Time `json:"last_login_at"`
	Version            int        `json:"version"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"-"`

	RegionIDs     []int64 `json:"region_ids" gorm:"-"`
	BorderPostIDs []int64 `json:"border_post_ids" gorm:"-"`
	// PendingGrants are the access grants waiting for a second administrator (one user only).
	PendingGrants []UserGrant `json:"pending_grants,omitempty" gorm:"-"`
}

// UserGrant is access requested for a user by one administrator: roles, regions and border
// posts to add, or reactivation. It takes effect only when another administrator approves.
type UserGrant struct {
	ID            int64      `json:"id" gorm:"primaryKey"`
	UserID        int64      `json:"user_id"`
	Roles         Strings    `json:"roles" gorm:"type:text[]"`
	RegionIDs     Int64s     `json:"region_ids" gorm:"type:bigint[]"`
	BorderPostIDs Int64s     `json:"border_post_ids" gorm:"type:bigint[]"`
	Activate      bool       `json:"activate"`
	RequestedBy   int64      `json:"requested_by"`
	RequestedAt   time.Time  `json:"requested_at"`
	State         string     `json:"state"` // pending, approved, refused
	DecidedBy     *int64     `json:"decided_by"`
	DecidedAt     *time.Time `json:"decided_at"`
}

// EffectiveRoles are the roles assigned in Kujdes plus those the identity provider asserted,
// known roles only, in the canonical order.
func (u *User) EffectiveRoles() []Role {
	var out []Role
	for _, r := range Roles {
		if slices.Contains(u.Roles, string(r)) || slices.Contains(u.TokenRoles, string(r)) {
			out = append(out, r)
		}
	}
	return out
}

// Label is how the user is shown: display name, else username, else subject.
func (u *User) Label() string {
	switch {
	case u.DisplayName != "":
		return u.DisplayName
	case u.Username != "":
		return u.Username
	}
	return u.Subject
}

// Identity is what an identity provider says about a user at login or in a bearer token.
type Identity struct {
	Issuer, Subject, Username, Name, Email string
	Roles                                  []Role // already through the allow-list
}

// UpsertUserAtLogin creates the user on first sight, or refreshes their profile and the
// roles the provider asserts. It never reactivates a user an administrator deactivated.
func UpsertUserAtLogin(ctx context.Context, db *gorm.DB, id Identity, now time.Time) (*User, error) {
	roles := make(Strings, 0, len(id.Roles))
	for _, r := range id.Roles {
		roles = append(roles, string(r))
	}
	u := User{
		Issuer: id.Issuer, Subject: id.Subject, Username: id.Username, DisplayName: id.Name,
		Email: id.Email, Active: true, Roles: Strings{}, TokenRoles: roles, LastLoginAt: &now,
		Version: 1, CreatedAt: now, UpdatedAt: now, SessionsValidAfter: time.Unix(0, 0).UTC(),
	}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "issuer"}, {Name: "subject"}},
		DoUpdates: clause.Assignments(map[string]any{
			"username": id.Username, "display_name": id.Name, "email": id.Email,
			"token_roles": roles, "last_login_at": now, "updated_at": now,
		}),
	}).Create(&u).Error
	if err != nil {
		return nil, fmt.Errorf("upsert user: %w", err)
	}
	return UserByIdentity(ctx, db, id.Issuer, id.Subject)
}

// UserByIdentity loads a user and their scopes by issuer and subject, in one query.
func UserByIdentity(ctx context.Context, db *gorm.DB, issuer, subject string) (*User, error) {
	return userWhere(ctx, db, "users.issuer = ? AND users.subject = ?", issuer, subject)
}

// UserByID loads a user and their scopes, in one query.
func UserByID(ctx context.Context, db *gorm.DB, id int64) (*User, error) {
	return userWhere(ctx, db, "users.id = ?", id)
}

// UserWithScopesColumns selects a user row with its regions and border posts as arrays, so
// that resolving who a request is costs one statement (see auth's session store).
const UserWithScopesColumns = `users.*,
	ARRAY(SELECT region_id FROM user_regions WHERE user_id = users.id ORDER BY region_id) AS scope_region_ids,
	ARRAY(SELECT border_post_id FROM user_border_posts WHERE user_id = users.id ORDER BY border_post_id) AS scope_border_post_ids`

// UserWithScopes is a user row scanned with UserWithScopesColumns.
type UserWithScopes struct {
	User               `gorm:"embedded"`
	ScopeRegionIDs     Int64s `gorm:"column:scope_region_ids"`
	ScopeBorderPostIDs Int64s `gorm:"column:scope_border_post_ids"`
}

// Get returns the user with their scopes filled in (never nil slices).
func (r *UserWithScopes) Get() *User {
	u := r.User
	u.RegionIDs = append([]int64{}, r.ScopeRegionIDs...)
	u.BorderPostIDs = append([]int64{}, r.ScopeBorderPostIDs...)
	return &u
}

func userWhere(ctx context.Context, db *gorm.DB, where string, args ...any) (*User, error) {
	var row UserWithScopes
	err := db.WithContext(ctx).Table("users").Select(UserWithScopesColumns).Where(where, args...).Take(&row).Error
	if err != nil {
		return nil, notFound(err)
	}
	return row.Get(), nil
}

// LoadScopes fills the regions and border posts of users in two queries, however many users
// there are.
func LoadScopes(ctx context.Context, db *gorm.DB, users ...*User) error {
	byID := map[int64][]*User{}
	ids := []int64{}
	for _, u := range users {
		u.RegionIDs, u.BorderPostIDs = []int64{}, []int64{}
		if _, ok := byID[u.ID]; !ok {
			ids = append(ids, u.ID)
		}
		byID[u.ID] = append(byID[u.ID], u)
	}
	if len(ids) == 0 {
		return nil
	}
	type link struct{ UserID, ID int64 }
	var regions, posts []link
	if err := db.WithContext(ctx).Table("user_regions").Select("user_id, region_id AS id").Where("user_id IN ?", ids).Order("user_id, region_id").Scan(&regions).Error; err != nil {
		return err
	}
	if err := db.WithContext(ctx).Table("user_border_posts").Select("user_id, border_post_id AS id").Where("user_id IN ?", ids).Order("user_id, border_post_id").Scan(&posts).Error; err != nil {
		return err
	}
	for _, l := range regions {
		for _, u := range byID[l.UserID] {
			u.RegionIDs = append(u.RegionIDs, l.ID)
		}
	}
	for _, l := range posts {
		for _, u := range byID[l.UserID] {
			u.BorderPostIDs = append(u.BorderPostIDs, l.ID)
		}
	}
	return nil
}

// notFound maps GORM's not-found to the sentinel.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
