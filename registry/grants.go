package registry

import (
	"context"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/internal/requestid"
	"github.com/kujdes/kujdes/models"
)

// Separation of duties for access grants (issue 7). One administrator alone cannot give anyone
// — themselves through an accomplice account included — access to children: every role, region
// or border post added to a user, and every reactivation, is stored as a pending grant that
// all administrators see, and takes effect only when another administrator approves it. The
// requester cannot decide on their own request, and nobody decides on a grant to themselves.
// Requests, approvals, refusals and refused attempts are audited on the user.
//
// The admin role is held to the same rule as the roles that see children: a second
// administrator created at will would make the rule void.

// GrantView is a grant as the administration pages and the API show it.
type GrantView struct {
	models.UserGrant
	UserLabel        string   `json:"user_label"`
	RequestedByLabel string   `json:"requested_by_label"`
	RegionCodes      []string `json:"region_codes"`
	BorderPostCodes  []string `json:"border_post_codes"`
}

// requestGrant stores g as pending (inside the caller's transaction) and audits the request.
func (r *Registry) requestGrant(ctx context.Context, tx *gorm.DB, a *models.Actor, g models.UserGrant) error {
	g.RequestedBy, g.RequestedAt, g.State = a.UserID, r.now(), "pending"
	if g.Roles == nil {
		g.Roles = models.Strings{}
	}
	if g.RegionIDs == nil {
		g.RegionIDs = models.Int64s{}
	}
	if g.BorderPostIDs == nil {
		g.BorderPostIDs = models.Int64s{}
	}
	if err := tx.Create(&g).Error; err != nil {
		return err
	}
	return audit(ctx, tx, a, "admin.grant.request", "user", strconv.FormatInt(g.UserID, 10), grantChanges(g), "")
}

func grantChanges(g models.UserGrant) models.AuditChanges {
	ch := models.AuditChanges{"grant_id": {After: g.ID}}
	if len(g.Roles) > 0 {
		ch["roles"] = models.FieldChange{After: []string(g.Roles)}
	}
	if len(g.RegionIDs) > 0 {
		ch["region_ids"] = models.FieldChange{After: []int64(g.RegionIDs)}
	}
	if len(g.BorderPostIDs) > 0 {
		ch["border_post_ids"] = models.FieldChange{After: []int64(g.BorderPostIDs)}
	}
	if g.Activate {
		ch["active"] = models.FieldChange{Before: false, After: true}
	}
	return ch
}

// ListGrants lists the pending grants, oldest first, for administrators.
func (r *Registry) ListGrants(ctx context.Context, a *models.Actor) ([]GrantView, error) {
	if err := require(a, models.PermAdminUsers); err != nil {
		return nil, err
	}
	return r.grants(ctx, r.DB.WithContext(ctx).Where("user_grants.state = 'pending'"))
}

// grants reads grants chosen by q with the labels and codes a reader needs, in one query.
func (r *Registry) grants(ctx context.Context, q *gorm.DB) ([]GrantView, error) {
	var rows []struct {
		models.UserGrant
		UserLabel, RequestedByLabel  string
		RegionCodes, BorderPostCodes models.Strings
	}
	err := q.Table("user_grants").Select(`user_grants.*,
		COALESCE(NULLIF(u.display_name, ''), NULLIF(u.username, ''), u.subject) AS user_label,
		COALESCE(NULLIF(rb.display_name, ''), NULLIF(rb.username, ''), rb.subject) AS requested_by_label,
		ARRAY(SELECT code FROM regions WHERE id = ANY(user_grants.region_ids) ORDER BY code) AS region_codes,
		ARRAY(SELECT code FROM border_posts WHERE id = ANY(user_grants.border_post_ids) ORDER BY code) AS border_post_codes`).
		Joins("JOIN users u ON u.id = user_grants.user_id").
		Joins("JOIN users rb ON rb.id = user_grants.requested_by").
		Order("user_grants.requested_at, user_grants.id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]GrantView, len(rows))
	for i, x := range rows {
		out[i] = GrantView{UserGrant: x.UserGrant, UserLabel: x.UserLabel, RequestedByLabel: x.RequestedByLabel,
			RegionCodes: orEmpty(x.RegionCodes), BorderPostCodes: orEmpty(x.BorderPostCodes)}
	}
	return out, nil
}

// DecideGrant approves or refuses a pending grant. Approval adds what the grant names to the
// user as they are now, and ends their sessions so the new access starts from a fresh sign-in.
func (r *Registry) DecideGrant(ctx context.Context, a *models.Actor, grantID int64, approve bool) (GrantView, error) {
	if err := require(a, models.PermAdminUsers); err != nil {
		return GrantView{}, err
	}
	var (
		g       models.UserGrant
		refused error
	)
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&g, grantID).Error; err != nil {
			return notFound(err)
		}
		switch {
		case g.RequestedBy == a.UserID:
			refused = models.ForbiddenFields("own_request", "grant")
			return refused
		case g.UserID == a.UserID:
			refused = models.ForbiddenFields("own_account", "grant")
			return refused
		case g.State != "pending":
			var v models.ValidationError
			v.Add("grant", "grant_decided", nil)
			return &v
		}
		now := r.now()
		g.State, g.DecidedBy, g.DecidedAt = "refused", &a.UserID, &now
		action := "admin.grant.refuse"
		if approve {
			g.State, action = "approved", "admin.grant.approve"
			if err := applyGrant(tx, g, now); err != nil {
				return err
			}
		} else if err := tx.Model(&models.User{}).Where("id = ?", g.UserID).Updates(map[string]any{
			"version": gorm.Expr("version + 1"), "updated_at": now, // its pending grants changed
		}).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.UserGrant{}).Where("id = ?", g.ID).Updates(map[string]any{
			"state": g.State, "decided_by": a.UserID, "decided_at": now,
		}).Error; err != nil {
			return err
		}
		return audit(ctx, tx, a, action, "user", strconv.FormatInt(g.UserID, 10), grantChanges(g), "")
	})
	if refused != nil {
		action := "admin.grant.refuse"
		if approve {
			action = "admin.grant.approve"
		}
		if aerr := r.auditRefusal(ctx, a, action, "user", strconv.FormatInt(g.UserID, 10), "own request or own account"); aerr != nil {
			return GrantView{}, aerr
		}
	}
	if err != nil {
		return GrantView{}, err
	}
	views, err := r.grants(ctx, r.DB.WithContext(ctx).Where("user_grants.id = ?", g.ID))
	if err != nil || len(views) != 1 {
		return GrantView{}, notFoundOr(err)
	}
	return views[0], nil
}

// applyGrant adds the grant's roles and scopes to the user and reactivates them if asked.
func applyGrant(tx *gorm.DB, g models.UserGrant, now time.Time) error {
	var u models.User
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&u, g.UserID).Error; err != nil {
		return notFound(err)
	}
	roles := slices.Clone(u.Roles)
	for _, x := range g.Roles {
		if !slices.Contains(roles, x) {
			roles = append(roles, x)
		}
	}
	slices.Sort(roles)
	updates := map[string]any{"roles": models.Strings(roles), "version": gorm.Expr("version + 1"), "updated_at": now, "sessions_valid_after": now}
	if g.Activate {
		updates["active"] = true
	}
	if err := tx.Model(&models.User{}).Where("id = ?", u.ID).Updates(updates).Error; err != nil {
		return err
	}
	for _, id := range g.RegionIDs {
		if err := tx.Exec(`INSERT INTO user_regions (user_id, region_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, u.ID, id).Error; err != nil {
			return err
		}
	}
	for _, id := range g.BorderPostIDs {
		if err := tx.Exec(`INSERT INTO user_border_posts (user_id, border_post_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, u.ID, id).Error; err != nil {
			return err
		}
	}
	return nil
}

// userWithGrants loads a user with the grants pending for them.
func (r *Registry) userWithGrants(ctx context.Context, id int64) (*models.User, error) {
	u, err := models.UserByID(ctx, r.DB, id)
	if err != nil {
		return nil, err
	}
	if err := r.DB.WithContext(ctx).Where("user_id = ? AND state = 'pending'", id).Order("requested_at, id").Find(&u.PendingGrants).Error; err != nil {
		return nil, err
	}
	return u, nil
}

// auditRefusal records a refused attempt in its own short transaction (the attempt's own
// transaction was rolled back).
func (r *Registry) auditRefusal(ctx context.Context, a *models.Actor, action, entity, entityID, reason string) error {
	return r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ev := &models.AuditEvent{Action: action, Entity: entity, EntityID: entityID, Reason: reason, Outcome: "denied",
			RequestID: requestid.From(ctx), ClientIP: requestid.ClientIP(ctx)}
		ev.SetActor(a)
		return models.AppendAudit(ctx, tx, ev)
	})
}

func notFoundOr(err error) error {
	if err != nil {
		return err
	}
	return models.ErrNotFound
}
