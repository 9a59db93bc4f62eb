package registry

import (
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// scopeChildren is THE record-scope rule: it restricts a query over "children" to the
// children the actor may see. Every list, search, export and single read of a child's data
// goes through it, so an out-of-scope child is indistinguishable from a missing one.
//
//   - border officer: children registered at, or arrived through, their border post(s) — an
//     arrival recorded on a child outside their scope is a sighting and does not count;
//   - protection officer: children in their region(s);
//   - guardian: children with an appointment to them that is current now — data, not claims;
//     access ends the moment the appointment ends;
//   - anyone: a child named in their own unexpired break-glass grant;
//   - monitors and administrators: nothing else (aggregates only; no child data by default).
func scopeChildren(a *models.Actor, now time.Time) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if a == nil {
			return db.Where("FALSE")
		}
		var conds []string
		var args []any
		if a.Has(models.RoleBorderOfficer) && len(a.BorderPostIDs) > 0 {
			conds = append(conds, `(children.border_post_id IN ? OR EXISTS (SELECT 1 FROM arrivals ar
				WHERE ar.child_id = children.id AND ar.border_post_id IN ? AND ar.grants_scope))`)
			args = append(args, a.BorderPostIDs, a.BorderPostIDs)
		}
		if a.Has(models.RoleProtectionOfficer) && len(a.RegionIDs) > 0 {
			conds = append(conds, "children.region_id IN ?")
			args = append(args, a.RegionIDs)
		}
		if a.Has(models.RoleGuardian) {
			conds = append(conds, `EXISTS (SELECT 1 FROM guardian_appointments ga
				WHERE ga.child_id = children.id AND ga.guardian_user_id = ?
				AND ga.started_at <= ? AND (ga.ended_at IS NULL OR ga.ended_at > ?))`)
			args = append(args, a.UserID, now, now)
		}
		conds = append(conds, `EXISTS (SELECT 1 FROM break_glass_grants bg
			WHERE bg.child_id = children.id AND bg.user_id = ? AND bg.granted_at <= ? AND bg.expires_at > ?)`)
		args = append(args, a.UserID, now, now)
		return db.Where("("+strings.Join(conds, " OR ")+")", args...)
	}
}

// children starts a scoped query over the children table.
func (r *Registry) children(db *gorm.DB, a *models.Actor) *gorm.DB {
	return db.Model(&models.Child{}).Scopes(scopeChildren(a, r.now()))
}
