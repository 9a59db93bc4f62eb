package registry

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// MergeInput names the record that duplicates the survivor, and why.
type MergeInput struct {
	DuplicateID int64  `json:"duplicate_id"`
	Reason      string `json:"reason" input:"len=2000,multiline"`
}

// MergeChildren marks duplicate as a duplicate of survivor (the "merge" transition of
// lifecycle.go, the only way to the status "duplicate"): its arrivals and names move to the
// survivor, its status becomes "duplicate", and what moved is remembered so the merge can be
// undone. Both records must be in the actor's scope; both change in one transaction, audited
// on both.
func (r *Registry) MergeChildren(ctx context.Context, a *models.Actor, survivorID int64, in MergeInput) (models.ChildMerge, error) {
	if err := require(a, models.PermChildMerge); err != nil {
		return models.ChildMerge{}, err
	}
	if err := CheckInput(in); err != nil {
		return models.ChildMerge{}, err
	}
	var verr models.ValidationError
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		verr.Add("reason", "required", nil)
	}
	if in.DuplicateID == survivorID || in.DuplicateID <= 0 {
		verr.Add("duplicate_id", "merge_same_child", nil)
	}
	if err := verr.Err(); err != nil {
		return models.ChildMerge{}, err
	}
	var m models.ChildMerge
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Both records in scope, locked in id order (two merges of the same pair cannot
		// deadlock).
		kids := map[int64]models.Child{}
		for _, id := range []int64{min(survivorID, in.DuplicateID), max(survivorID, in.DuplicateID)} {
			v, err := r.scopedChild(tx, a, id, true)
			if err != nil {
				return err
			}
			kids[id] = v.Child
		}
		dup := kids[in.DuplicateID]
		if dup.Status == "duplicate" {
			var v models.ValidationError
			v.Add("duplicate_id", "already_merged", nil)
			return &v
		}
		var survivorStatus string
		if err := tx.Model(&models.Child{}).Where("id = ?", survivorID).Pluck("status", &survivorStatus).Error; err != nil {
			return err
		}
		if survivorStatus == "duplicate" {
			var v models.ValidationError
			v.Add("duplicate_id", "survivor_is_duplicate", nil)
			return &v
		}
		// The lifecycle table says from which statuses a record may become a duplicate.
		merge, err := checkTransition(a, "merge", dup.Status)
		if err != nil {
			return err
		}
		now := r.now()
		m = models.ChildMerge{SurvivorID: survivorID, DuplicateID: dup.ID, PreviousStatus: dup.Status, Reason: in.Reason,
			MergedBy: &a.UserID, MergedAt: now, MovedArrivalIDs: models.Int64s{}, MovedNameIDs: models.Int64s{}, ParentsTaken: models.Strings{}}
		if err := tx.Model(&models.Arrival{}).Where("child_id = ?", dup.ID).Pluck("id", (*[]int64)(&m.MovedArrivalIDs)).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.ChildName{}).Where("child_id = ?", dup.ID).Pluck("id", (*[]int64)(&m.MovedNameIDs)).Error; err != nil {
			return err
		}
		// The duplicate's names move too, so searches by them still find the child.
		if err := tx.Model(&models.ChildName{}).Where("child_id = ?", dup.ID).Update("child_id", survivorID).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Arrival{}).Where("child_id = ?", dup.ID).Update("child_id", survivorID).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Child{}).Where("id = ?", dup.ID).Updates(map[string]any{
			"status": merge.To, "duplicate_of": survivorID, "version": gorm.Expr("version + 1"), "updated_at": now,
		}).Error; err != nil {
			return err
		}
		// Nothing is lost: the survivor takes the parents' names it lacks from the duplicate.
		survivorUpdates := map[string]any{"version": gorm.Expr("version + 1"), "updated_at": now}
		survivor := kids[survivorID]
		for _, p := range []struct{ field, mine, theirs string }{
			{"father_name", survivor.FatherName, dup.FatherName}, {"mother_name", survivor.MotherName, dup.MotherName},
		} {
			if p.mine == "" && p.theirs != "" {
				survivorUpdates[p.field] = p.theirs
				m.ParentsTaken = append(m.ParentsTaken, p.field)
			}
		}
		if err := tx.Model(&models.Child{}).Where("id = ?", survivorID).Updates(survivorUpdates).Error; err != nil {
			return err
		}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		ch := models.AuditChanges{"merge_id": {After: m.ID}, "arrivals_moved": {After: len(m.MovedArrivalIDs)}}
		for _, f := range m.ParentsTaken {
			ch[f] = models.FieldChange{} // field names only: identity values stay out of the trail
		}
		if err := audit(ctx, tx, a, "child.merge", "child", strconv.FormatInt(survivorID, 10), ch, in.Reason); err != nil {
			return err
		}
		return audit(ctx, tx, a, "child.merge", "child", strconv.FormatInt(dup.ID, 10), models.AuditChanges{
			"status": {Before: dup.Status, After: merge.To}, "duplicate_of": {After: survivorID}, "merge_id": {After: m.ID},
		}, in.Reason)
	})
	return m, r.denied(ctx, a, err)
}

// UnmergeChild undoes the active merge of the duplicate record duplicateID: what moved goes
// back, the status returns.
func (r *Registry) UnmergeChild(ctx context.Context, a *models.Actor, duplicateID int64, reason string) (models.ChildMerge, error) {
	if err := require(a, models.PermChildMerge); err != nil {
		return models.ChildMerge{}, err
	}
	if err := CheckInput(MergeInput{Reason: reason}); err != nil {
		return models.ChildMerge{}, err
	}
	if strings.TrimSpace(reason) == "" {
		var v models.ValidationError
		v.Add("reason", "required", nil)
		return models.ChildMerge{}, &v
	}
	var m models.ChildMerge
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("duplicate_id = ? AND undone_at IS NULL", duplicateID).Take(&m).Error; err != nil {
			return notFound(err)
		}
		// The actor must see the survivor (the duplicate's own record is hidden by its status only
		// from lists, not from scope).
		for _, id := range []int64{m.SurvivorID, m.DuplicateID} {
			if _, err := r.scopedChild(tx, a, id, false); err != nil {
				return err
			}
		}
		var status string
		if err := tx.Model(&models.Child{}).Where("id = ?", m.DuplicateID).Pluck("status", &status).Error; err != nil {
			return err
		}
		if _, err := checkTransition(a, "unmerge", status); err != nil {
			return err
		}
		now := r.now()
		if len(m.MovedArrivalIDs) > 0 {
			if err := tx.Model(&models.Arrival{}).Where("id IN ?", []int64(m.MovedArrivalIDs)).Update("child_id", m.DuplicateID).Error; err != nil {
				return err
			}
		}
		if len(m.MovedNameIDs) > 0 {
			if err := tx.Model(&models.ChildName{}).Where("id IN ?", []int64(m.MovedNameIDs)).Update("child_id", m.DuplicateID).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(&models.Child{}).Where("id = ?", m.DuplicateID).Updates(map[string]any{
			"status": m.PreviousStatus, "duplicate_of": nil, "version": gorm.Expr("version + 1"), "updated_at": now,
		}).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Child{}).Where("id = ?", m.SurvivorID).Updates(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
			return err
		}
		// The parents' names the survivor took go back to empty, unless edited since.
		for _, f := range m.ParentsTaken {
			if f != "father_name" && f != "mother_name" {
				return fmt.Errorf("merge %d: unknown parent field %q", m.ID, f)
			}
			if err := tx.Exec(`UPDATE children s SET `+f+` = '' FROM children d WHERE s.id = ? AND d.id = ? AND s.`+f+` = d.`+f,
				m.SurvivorID, m.DuplicateID).Error; err != nil {
				return err
			}
		}
		m.UndoneAt, m.UndoneBy = &now, &a.UserID
		if err := tx.Model(&models.ChildMerge{}).Where("id = ?", m.ID).Updates(map[string]any{"undone_at": now, "undone_by": a.UserID}).Error; err != nil {
			return err
		}
		for _, id := range []int64{m.SurvivorID, m.DuplicateID} {
			ch := models.AuditChanges{"merge_id": {After: m.ID}, "undone_at": {After: now.Format(time.RFC3339)}}
			if id == m.SurvivorID {
				for _, f := range m.ParentsTaken {
					ch[f] = models.FieldChange{}
				}
			}
			if err := audit(ctx, tx, a, "child.unmerge", "child", strconv.FormatInt(id, 10), ch, reason); err != nil {
				return err
			}
		}
		return nil
	})
	return m, r.denied(ctx, a, err)
}

// ChildIDByNumber finds a child in the actor's scope by registration number (for forms that
// name a child by the number on its papers).
func (r *Registry) ChildIDByNumber(ctx context.Context, a *models.Actor, number string) (int64, error) {
	if err := require(a, models.PermChildRead); err != nil {
		return 0, err
	}
	number = strings.TrimSpace(number)
	var ids []int64
	if err := r.children(r.DB.WithContext(ctx), a).Where("children.registration_number = ?", number).Pluck("children.id", &ids).Error; err != nil {
		return 0, err
	}
	if len(ids) != 1 {
		var v models.ValidationError
		v.Add("duplicate_id", "child_unknown", map[string]any{"Value": number})
		return 0, &v
	}
	return ids[0], nil
}
