package registry

import (
	"context"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// A sighting is an arrival recorded on a child outside the recording officer's scope (the
// duplicate check showed the child): arrivals.grants_scope is false, so the scope rule does
// not count it. The child's record is not changed beyond the new arrival (no version bump, no
// field), the officer gets the arrival and the summary they were shown, and the responsible
// protection officers see it on the record and in the needs-action queue ("seen_elsewhere"):
// a child moving on is protection information.

// SightingRecent is how long a sighting keeps the child in the needs-action queue.
const SightingRecent = 30 * 24 * time.Hour

// ReasonSeenElsewhere is the needs-action reason for a recent sighting.
const ReasonSeenElsewhere = "seen_elsewhere"

// seenElsewhere is THE predicate "sighted recently" over "children": an arrival that did not
// grant scope, less than SightingRecent before now.
func seenElsewhere(now time.Time) sqlCond {
	return sqlCond{
		sql:  `EXISTS (SELECT 1 FROM arrivals sa WHERE sa.child_id = children.id AND NOT sa.grants_scope AND sa.arrived_at > ?)`,
		args: []any{now.Add(-SightingRecent)},
	}
}

// addSighting records a sighting of the child summarized (as the duplicate check showed it),
// inside tx.
func (r *Registry) addSighting(ctx context.Context, tx *gorm.DB, a *models.Actor, summary Candidate, arr arrival, out *Registration) error {
	ar, err := r.createArrival(tx, a, summary.ChildID, arr, false)
	if err != nil {
		return err
	}
	view, err := arrivalView(tx, ar)
	if err != nil {
		return err
	}
	*out = Registration{ChildID: summary.ChildID, RegistrationNumber: summary.RegistrationNumber, ArrivalID: ar.ID,
		Sighting: true, Arrival: &view, Child: &summary}
	return audit(ctx, tx, a, "child.sighting", "child", strconv.FormatInt(summary.ChildID, 10), models.AuditChanges{
		"arrival_id": {After: ar.ID}, "arrived_at": {After: ar.ArrivedAt.Format(time.RFC3339)}, "border_post": {After: view.BorderPostCode},
	}, "")
}

func arrivalView(tx *gorm.DB, ar models.Arrival) (ArrivalView, error) {
	var v ArrivalView
	err := arrivalViews(tx).Where("arrivals.id = ?", ar.ID).Take(&v).Error
	return v, err
}

// SightingReceipt shows the officer who recorded a sighting what they recorded: the arrival
// and the child's minimal summary (the "registered" page after the redirect). Only the
// officer who recorded it may read it; the read is audited.
func (r *Registry) SightingReceipt(ctx context.Context, a *models.Actor, arrivalID int64) (Registration, error) {
	if err := require(a, models.PermChildRegister); err != nil {
		return Registration{}, err
	}
	var out Registration
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ar models.Arrival
		if err := tx.Where("id = ? AND registered_by = ? AND NOT grants_scope", arrivalID, a.UserID).Take(&ar).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.ErrNotFound
			}
			return err
		}
		var row candidateRow
		if err := tx.Raw(`SELECT c.id, c.registration_number, c.given_name, c.family_name, c.given_name_latin, c.family_name_latin,
			c.sex, c.birth_date_from, c.birth_date_to, c.nationalities, c.registered_at FROM children c WHERE c.id = ?`, ar.ChildID).Scan(&row).Error; err != nil {
			return err
		}
		if row.ID == 0 {
			return models.ErrNotFound
		}
		summary := row.candidate(0, 0, nil, r.now()).minimal()
		summary.Band = ""
		view, err := arrivalView(tx, ar)
		if err != nil {
			return err
		}
		out = Registration{ChildID: row.ID, RegistrationNumber: row.RegistrationNumber, ArrivalID: ar.ID,
			Sighting: true, Arrival: &view, Child: &summary}
		return audit(ctx, tx, a, "child.sighting_receipt", "child", strconv.FormatInt(row.ID, 10), models.AuditChanges{"arrival_id": {After: ar.ID}}, "")
	})
	return out, err
}
