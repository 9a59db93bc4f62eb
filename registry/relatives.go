package registry

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// Family links between children (issue 9, "siblings separated"): two children in the registry
// are siblings, cousins or other relatives travelling together. A link is a pair stored once
// (migration 00026: canonical order, one live link per pair); it is recorded by border and
// protection officers (auth/roles.go relativeGrants) when BOTH children are in their scope,
// and a link recorded in error is voided with a reason — never deleted. Both changes are
// audited on both children.
//
// What a link does:
//   - it is shown on each child's page, to everyone who may read that child. The other child
//     is shown in full (name, current placement) only when the reader may read it too
//     (scopeCondition); otherwise only its registration number — the number the responsible
//     office can be asked about — and every relative shown is written into that relative's
//     access history (as the duplicate check does, disclosure.go);
//   - a sibling link makes placing the child in another facility than a sibling's current one
//     a warning (placements.go, siblings_separated), acknowledged with a justification. Cousins
//     and other relatives do not: the presumption against separation in the UN Guidelines for
//     Alternative Care (¶17) is about siblings; other relatives are information on the page;
//   - it gives no access: scope.go does not read it.

// RelativeInput links a child to another child of the registry.
type RelativeInput struct {
	// RelativeID or RegistrationNumber names the other child (one of them; the number is what
	// is written on the child's papers, the page's form uses it).
	RelativeID         int64  `json:"relative_id"`
	RegistrationNumber string `json:"registration_number" input:"len=35"`
	// Kind is sibling, cousin or other_relative.
	Kind string `json:"kind" input:"len=35"`
	// Note says how the link is known (the children's words, a document, an adult with them).
	Note string `json:"note" input:"len=2000,multiline"`
}

// VoidRelativeInput ends a link recorded in error.
type VoidRelativeInput struct {
	Reason string `json:"reason" input:"len=2000,multiline"`
}

// RelativeView is a link as the reader of one of its children sees it: the link and the
// child at its other end.
type RelativeView struct {
	models.ChildRelative
	RelativeID         int64  `json:"relative_id"`
	RegistrationNumber string `json:"registration_number"`
	// InScope: the reader may open the relative's record. Only then are the name and the
	// placement filled in.
	InScope         bool   `json:"in_scope"`
	GivenName       string `json:"given_name,omitempty"`
	FamilyName      string `json:"family_name,omitempty"`
	GivenNameLatin  string `json:"given_name_latin,omitempty"`
	FamilyNameLatin string `json:"family_name_latin,omitempty"`
	// FacilityName is the relative's current placement; PlacedTogether says whether it is
	// this child's current facility.
	FacilityID     *int64 `json:"facility_id,omitempty"`
	FacilityName   string `json:"facility_name,omitempty"`
	PlacedTogether bool   `json:"placed_together"`
	// RecordedByName names who recorded the link.
	RecordedByName string `json:"recorded_by_name"`
}

// Live reports whether the link stands (not voided).
func (v RelativeView) Live() bool { return v.VoidedAt == nil }

// Relatives is a child's links: live ones first, then voided ones (history).
type Relatives struct {
	Items []RelativeView `json:"items"`
}

// relativeLinks: the link rows cr of the child, as a condition over child_relatives cr.
func relativeLinks(childID int64) sqlCond {
	return sqlCond{sql: "(cr.child_a_id = ? OR cr.child_b_id = ?)", args: []any{childID, childID}}
}

// liveLink: the link cr stands (it was not voided). THE definition; every query asking
// "are these two children linked" uses it.
const liveLink = "cr.voided_at IS NULL"

// relativeOf is the SQL for the child at the other end of link cr from childID.
func relativeOf(childID int64) sqlCond {
	return sqlCond{sql: "(CASE WHEN cr.child_a_id = ? THEN cr.child_b_id ELSE cr.child_a_id END)", args: []any{childID}}
}

// siblingFacilities returns the facilities where the child's linked siblings are placed at t
// (their placements current at t), for the siblings_separated rule. Siblings out of the
// actor's scope count too: the rule protects the child, and its answer names no sibling.
func siblingFacilities(tx *gorm.DB, childID int64, t time.Time) ([]int64, error) {
	other, links, cur := relativeOf(childID), relativeLinks(childID), placementCurrent("sp", t)
	args := append(append(append([]any{}, other.args...), links.args...), cur.args...)
	var ids []int64
	err := tx.Raw(`SELECT DISTINCT sp.facility_id FROM child_relatives cr
		JOIN placements sp ON sp.child_id = `+other.sql+`
		WHERE `+links.sql+` AND cr.kind = '`+models.RelativeSibling+`' AND `+liveLink+` AND `+cur.sql+`
		ORDER BY sp.facility_id`, args...).Scan(&ids).Error
	return ids, err
}

// ChildRelatives reads a child's links and audits the read, on the child and on every
// relative shown.
func (r *Registry) ChildRelatives(ctx context.Context, a *models.Actor, childID int64) (Relatives, error) {
	if err := require(a, models.PermChildRead); err != nil {
		return Relatives{}, err
	}
	var out Relatives
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.scopedChild(tx, a, childID, false)
		if err != nil {
			return err
		}
		if out, err = r.relatives(tx, a, childID); err != nil {
			return err
		}
		reason := ""
		if c.ViaBreakGlass {
			reason = "break-glass"
		}
		if err := audit(ctx, tx, a, "relative.list", "child", strconv.FormatInt(childID, 10), nil, reason); err != nil {
			return err
		}
		for _, v := range out.Items {
			if err := audit(ctx, tx, a, "child.relative_shown", "child", strconv.FormatInt(v.RelativeID, 10), models.AuditChanges{
				"of": {After: childID}, "kind": {After: v.Kind}, "in_scope": {After: v.InScope},
			}, ""); err != nil {
				return err
			}
		}
		return nil
	})
	return out, r.denied(ctx, a, err)
}

// relatives loads the child's links with the other child and its current placement (one
// statement), then which relatives the actor may read (one more), and blanks the others.
func (r *Registry) relatives(tx *gorm.DB, a *models.Actor, childID int64) (Relatives, error) {
	now := r.now()
	other, links := relativeOf(childID), relativeLinks(childID)
	rcur, ccur := placementCurrent("rp", now), placementCurrent("cp", now)
	args := append([]any{}, other.args...)
	args = append(args, other.args...)
	args = append(args, rcur.args...)
	args = append(args, childID)
	args = append(args, ccur.args...)
	args = append(args, links.args...)
	out := Relatives{Items: []RelativeView{}}
	err := tx.Raw(`SELECT cr.*, `+other.sql+` AS relative_id, o.registration_number, o.given_name, o.family_name,
			o.given_name_latin, o.family_name_latin, rp.facility_id, rf.name AS facility_name,
			coalesce(rp.facility_id = cp.facility_id, false) AS placed_together,
			coalesce(NULLIF(u.display_name, ''), u.username, '') AS recorded_by_name
		FROM child_relatives cr
		JOIN children o ON o.id = `+other.sql+`
		LEFT JOIN placements rp ON rp.child_id = o.id AND `+rcur.sql+`
		LEFT JOIN facilities rf ON rf.id = rp.facility_id
		LEFT JOIN placements cp ON cp.child_id = ? AND `+ccur.sql+`
		LEFT JOIN users u ON u.id = cr.recorded_by
		WHERE `+links.sql+`
		ORDER BY cr.voided_at IS NOT NULL, cr.recorded_at, cr.id`, args...).Scan(&out.Items).Error
	if err != nil || len(out.Items) == 0 {
		return out, err
	}
	ids := make([]int64, len(out.Items))
	for i, v := range out.Items {
		ids[i] = v.RelativeID
	}
	var visible []int64
	if err := r.children(tx, a).Where("children.id IN ?", ids).Pluck("children.id", &visible).Error; err != nil {
		return out, err
	}
	for i := range out.Items {
		v := &out.Items[i]
		v.InScope = slices.Contains(visible, v.RelativeID)
		if !v.InScope {
			v.GivenName, v.FamilyName, v.GivenNameLatin, v.FamilyNameLatin = "", "", "", ""
			v.FacilityID, v.FacilityName, v.PlacedTogether = nil, "", false
		}
	}
	return out, nil
}

// lockPair reads both children in the actor's scope, locked, in id order (two officers
// linking the same pair from both pages cannot deadlock). A relative out of scope is a
// validation error on field: the caller names it, the answer says no more.
func (r *Registry) lockPair(tx *gorm.DB, a *models.Actor, childID, relativeID int64, field, code string) (map[int64]ChildView, error) {
	out := map[int64]ChildView{}
	for _, id := range []int64{min(childID, relativeID), max(childID, relativeID)} {
		v, err := r.scopedChild(tx, a, id, true)
		var d *deniedRead
		if id == relativeID && errors.As(err, &d) {
			var verr models.ValidationError
			verr.Add(field, code, nil)
			return nil, &verr
		}
		if err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, nil
}

// LinkRelative records that two children are family. Both must be in the actor's scope; the
// link is audited on both.
func (r *Registry) LinkRelative(ctx context.Context, a *models.Actor, childID int64, in RelativeInput) (RelativeView, error) {
	if err := require(a, models.PermChildRelatives); err != nil {
		return RelativeView{}, err
	}
	if err := CheckInput(in); err != nil {
		return RelativeView{}, err
	}
	var verr models.ValidationError
	in.RegistrationNumber, in.Note = strings.TrimSpace(in.RegistrationNumber), strings.TrimSpace(in.Note)
	relField := "registration_number"
	if in.RegistrationNumber == "" {
		relField = "relative_id"
	}
	if in.RelativeID == 0 && in.RegistrationNumber == "" {
		verr.Add("registration_number", "required", nil)
	}
	switch {
	case in.Kind == "":
		verr.Add("kind", "required", nil)
	case !slices.Contains(models.RelativeKinds, in.Kind):
		verr.Add("kind", "code_unknown", map[string]any{"Value": in.Kind})
	}
	if err := verr.Err(); err != nil {
		return RelativeView{}, err
	}
	var out RelativeView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := r.scopedChild(tx, a, childID, false); err != nil {
			return err
		}
		// The other child, named by number or id, in the actor's scope: an unknown child and
		// one out of scope are the same answer.
		q := r.children(tx, a)
		if in.RegistrationNumber != "" {
			q = q.Where("children.registration_number = ?", in.RegistrationNumber)
		} else {
			q = q.Where("children.id = ?", in.RelativeID)
		}
		var ids []int64
		if err := q.Pluck("children.id", &ids).Error; err != nil {
			return err
		}
		if len(ids) != 1 {
			value := in.RegistrationNumber
			if value == "" {
				value = strconv.FormatInt(in.RelativeID, 10)
			}
			var v models.ValidationError
			v.Add(relField, "child_unknown", map[string]any{"Value": value})
			return &v
		}
		relID := ids[0]
		if relID == childID {
			var v models.ValidationError
			v.Add(relField, "relative_same_child", nil)
			return &v
		}
		kids, err := r.lockPair(tx, a, childID, relID, relField, "child_unknown")
		if err != nil {
			return err
		}
		if kids[childID].Status == "duplicate" || kids[relID].Status == "duplicate" {
			var v models.ValidationError
			v.Add(relField, "relative_is_duplicate", nil)
			return &v
		}
		lo, hi := min(childID, relID), max(childID, relID)
		var existing int64
		if err := tx.Table("child_relatives cr").Where("cr.child_a_id = ? AND cr.child_b_id = ? AND "+liveLink, lo, hi).
			Count(&existing).Error; err != nil {
			return err
		}
		if existing > 0 {
			var v models.ValidationError
			v.Add(relField, "relative_already_linked", nil)
			return &v
		}
		link := models.ChildRelative{ChildAID: lo, ChildBID: hi, Kind: in.Kind, Note: in.Note, RecordedAt: r.now(), Version: 1}
		if a.UserID != 0 {
			link.RecordedBy = &a.UserID
		}
		if err := tx.Create(&link).Error; err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23505" { // linked meanwhile (the row locks make it rare)
				return models.ErrConflict
			}
			return err
		}
		for _, side := range [][2]int64{{childID, relID}, {relID, childID}} {
			if err := audit(ctx, tx, a, "relative.link", "child", strconv.FormatInt(side[0], 10), models.AuditChanges{
				"link_id": {After: link.ID}, "relative_id": {After: side[1]}, "kind": {After: in.Kind}, "note": {},
			}, ""); err != nil {
				return err
			}
		}
		rel, err := r.relatives(tx, a, childID)
		if err != nil {
			return err
		}
		for _, v := range rel.Items {
			if v.ID == link.ID {
				out = v
			}
		}
		return nil
	})
	return out, r.denied(ctx, a, err)
}

// VoidRelative voids a link recorded in error, with a reason, on the caller's version of it
// (a stale version is a conflict). Both children must be in the actor's scope; the void is
// audited on both.
func (r *Registry) VoidRelative(ctx context.Context, a *models.Actor, childID, linkID int64, version int, in VoidRelativeInput) (RelativeView, error) {
	if err := require(a, models.PermChildRelatives); err != nil {
		return RelativeView{}, err
	}
	if err := CheckInput(in); err != nil {
		return RelativeView{}, err
	}
	if version <= 0 {
		return RelativeView{}, models.ErrPreconditionRequired
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		var verr models.ValidationError
		verr.Add("reason", "required", nil)
		return RelativeView{}, &verr
	}
	var out RelativeView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := r.scopedChild(tx, a, childID, false); err != nil {
			return err
		}
		links := relativeLinks(childID)
		var link models.ChildRelative
		if err := tx.Table("child_relatives cr").Where("cr.id = ?", linkID).Where(links.sql, links.args...).Take(&link).Error; err != nil {
			return notFound(err)
		}
		relID := link.Other(childID)
		if _, err := r.lockPair(tx, a, childID, relID, "relative_id", "relative_out_of_scope"); err != nil {
			return err
		}
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", linkID).Take(&link).Error; err != nil {
			return err
		}
		if link.Version != version {
			return models.ErrConflict
		}
		if link.VoidedAt != nil {
			var v models.ValidationError
			v.Add("reason", "relative_already_voided", nil)
			return &v
		}
		upd := map[string]any{"voided_at": r.now(), "void_reason": reason, "version": link.Version + 1}
		if a.UserID != 0 {
			upd["voided_by"] = a.UserID
		}
		res := tx.Model(&models.ChildRelative{}).Where("id = ? AND version = ?", link.ID, link.Version).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.ErrConflict
		}
		for _, side := range [][2]int64{{childID, relID}, {relID, childID}} {
			if err := audit(ctx, tx, a, "relative.void", "child", strconv.FormatInt(side[0], 10), models.AuditChanges{
				"link_id": {After: link.ID}, "relative_id": {After: side[1]}, "kind": {After: link.Kind}, "void_reason": {},
			}, ""); err != nil {
				return err
			}
		}
		rel, err := r.relatives(tx, a, childID)
		if err != nil {
			return err
		}
		for _, v := range rel.Items {
			if v.ID == link.ID {
				out = v
			}
		}
		return nil
	})
	return out, r.denied(ctx, a, err)
}
