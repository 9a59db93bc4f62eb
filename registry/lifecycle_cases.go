package registry

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// The transitions of issue 10 that do more than set a status (the rows of lifecycle.go with
// UseCase set): turning 18 (AgeOut, run by the daily sweep AgeOutDue), reunification with
// family (Reunify) and transfer to another country or authority (Transfer). Each ends the
// child's guardianship in the same transaction — the guardian loses access at once, because
// scope.go's appointmentIsCurrent no longer holds — records its details in
// child_lifecycle_events and is audited.

// ReunifyInput records a reunification with family.
type ReunifyInput struct {
	ReunifiedOn string `json:"reunified_on" input:"len=35"` // YYYY-MM-DD
	Where       string `json:"where" input:"len=200"`
	With        string `json:"with" input:"len=200"`
	Note        string `json:"note" input:"len=2000,multiline"`
}

// TransferInput records a transfer to another country or authority.
type TransferInput struct {
	TransferredOn        string `json:"transferred_on" input:"len=35"` // YYYY-MM-DD
	DestinationCountry   string `json:"destination_country" input:"len=35"`
	DestinationAuthority string `json:"destination_authority" input:"len=200"`
	Reference            string `json:"reference" input:"len=200"`
	Note                 string `json:"note" input:"len=2000,multiline"`
}

// Reunify records that the child was reunified with family: status reunified, the
// guardianship ends ("reunified"), the record becomes read-only.
func (r *Registry) Reunify(ctx context.Context, a *models.Actor, childID int64, version int, in ReunifyInput) (ChildView, error) {
	in.Where, in.With, in.Note = strings.TrimSpace(in.Where), strings.TrimSpace(in.With), strings.TrimSpace(in.Note)
	return r.endCase(ctx, a, childID, version, in, "reunify", "reunified", func(c ChildView, now time.Time, verr *models.ValidationError) models.LifecycleEvent {
		on := caseDate(verr, "reunified_on", in.ReunifiedOn, c.RegisteredAt, now)
		if in.Where == "" {
			verr.Add("where", "required", nil)
		}
		if in.With == "" {
			verr.Add("with", "required", nil)
		}
		return models.LifecycleEvent{OccurredOn: on, ReunifiedWhere: in.Where, ReunifiedWith: in.With, Note: in.Note}
	})
}

// Transfer records that the child was transferred to another country or authority: status
// transferred, the guardianship ends ("transferred"), the record becomes read-only.
func (r *Registry) Transfer(ctx context.Context, a *models.Actor, childID int64, version int, in TransferInput) (ChildView, error) {
	in.DestinationCountry = strings.ToUpper(strings.TrimSpace(in.DestinationCountry))
	in.DestinationAuthority, in.Reference, in.Note = strings.TrimSpace(in.DestinationAuthority), strings.TrimSpace(in.Reference), strings.TrimSpace(in.Note)
	return r.endCase(ctx, a, childID, version, in, "transfer", "transferred", func(c ChildView, now time.Time, verr *models.ValidationError) models.LifecycleEvent {
		on := caseDate(verr, "transferred_on", in.TransferredOn, c.RegisteredAt, now)
		switch {
		case in.DestinationCountry == "" && in.DestinationAuthority == "":
			verr.Add("destination_authority", "transfer_destination_required", nil)
		case in.DestinationCountry != "" && !validNationality(in.DestinationCountry):
			verr.Add("destination_country", "code_unknown", map[string]any{"Value": in.DestinationCountry})
		}
		if in.Reference == "" {
			verr.Add("reference", "required", nil)
		}
		return models.LifecycleEvent{OccurredOn: on, DestinationCountry: in.DestinationCountry,
			DestinationAuthority: in.DestinationAuthority, Reference: in.Reference, Note: in.Note}
	})
}

// caseDate reads the date of a transition: required, a date, not in the future, not before
// the registration.
func caseDate(verr *models.ValidationError, field, s string, registered, now time.Time) time.Time {
	s = strings.TrimSpace(s)
	d, err := time.Parse(time.DateOnly, s)
	switch {
	case s == "":
		verr.Add(field, "required", nil)
	case err != nil:
		verr.Add(field, "date_invalid", nil)
	case d.After(now.Add(dateSlack)):
		verr.Add(field, "date_in_future", nil)
	case dayBefore(d, registered):
		verr.Add(field, "date_before_registration", nil)
	}
	return d
}

// endCase is Reunify and Transfer: the input rules, the caller's version, the child in scope
// and locked, the transition table, then in one transaction the status, the end of every
// current or future appointment with the transition's reason, the event and the audit row.
func (r *Registry) endCase(ctx context.Context, a *models.Actor, childID int64, version int, in any, name, endReason string,
	validate func(c ChildView, now time.Time, verr *models.ValidationError) models.LifecycleEvent) (ChildView, error) {
	if err := require(a, models.PermChildTransition); err != nil {
		return ChildView{}, err
	}
	if err := CheckInput(in); err != nil {
		return ChildView{}, err
	}
	if version <= 0 {
		return ChildView{}, models.ErrPreconditionRequired
	}
	var out ChildView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := r.scopedChild(tx, a, childID, true)
		if err != nil {
			return err
		}
		t, err := checkTransition(a, name, c.Status)
		if err != nil {
			return err
		}
		now := r.now()
		var verr models.ValidationError
		ev := validate(c, now, &verr)
		if err := verr.Err(); err != nil {
			return err
		}
		if c.Version != version {
			return models.ErrConflict
		}
		ev.Transition, ev.FromStatus, ev.ToStatus = t.Name, c.Status, t.To
		changes, err := r.closeCase(tx, a, c.Child, ev, endReason, now)
		if err != nil {
			return err
		}
		if ev.ReunifiedWhere != "" {
			changes["reunified_where"], changes["reunified_with"] = models.FieldChange{}, models.FieldChange{}
		}
		if ev.DestinationCountry != "" || ev.DestinationAuthority != "" {
			changes["destination_country"] = models.FieldChange{After: ev.DestinationCountry}
			changes["destination_authority"] = models.FieldChange{After: ev.DestinationAuthority}
			changes["reference"] = models.FieldChange{After: ev.Reference}
		}
		if err := audit(ctx, tx, a, "child.transition", "child", strconv.FormatInt(childID, 10), changes, ev.Note); err != nil {
			return err
		}
		var row childRow
		if err := tx.Model(&models.Child{}).Scopes(viewColumns(a, now)).Where("children.id = ?", childID).Take(&row).Error; err != nil {
			return err
		}
		out = row.view()
		return nil
	})
	return out, r.denied(ctx, a, err)
}

// closeCase writes a closing transition inside tx (the child row already locked): the new
// status (version + 1), the end of every appointment not yet ended (current ones and any set
// to start later) with endReason, and the event. It returns the audit changes.
func (r *Registry) closeCase(tx *gorm.DB, a *models.Actor, c models.Child, ev models.LifecycleEvent, endReason string, now time.Time) (models.AuditChanges, error) {
	res := tx.Model(&models.Child{}).Where("id = ? AND version = ?", c.ID, c.Version).Updates(map[string]any{
		"status": ev.ToStatus, "version": gorm.Expr("version + 1"), "updated_at": now,
	})
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected != 1 {
		return nil, models.ErrConflict
	}
	var ended []int64
	if err := tx.Model(&models.GuardianAppointment{}).Where("child_id = ? AND (ended_at IS NULL OR ended_at > ?)", c.ID, now).
		Order("id").Pluck("id", &ended).Error; err != nil {
		return nil, err
	}
	if len(ended) > 0 {
		upd := map[string]any{"ended_at": now, "end_reason": endReason, "version": gorm.Expr("version + 1")}
		if a.UserID != 0 {
			upd["ended_by"] = a.UserID
		}
		if err := tx.Model(&models.GuardianAppointment{}).Where("id IN ?", ended).Updates(upd).Error; err != nil {
			return nil, err
		}
	}
	ev.ChildID = c.ID
	if a.UserID != 0 {
		uid := a.UserID
		ev.RecordedBy = &uid
	}
	if err := tx.Create(&ev).Error; err != nil {
		return nil, err
	}
	return models.AuditChanges{
		"status": {Before: c.Status, After: ev.ToStatus}, "transition": {After: ev.Transition},
		"occurred_on": {After: ev.OccurredOn.Format(time.DateOnly)}, "ended_appointments": {After: ended},
		"lifecycle_event_id": {After: ev.ID},
	}, nil
}

// AgeOut moves a child who has turned 18 (models.TurnsAdultOn at now) to "aged out" and ends
// their guardianship with the reason "aged_out", as the system (SystemActor), in one
// transaction. It reports false, changing nothing, when the child is not (or no longer) due:
// not yet 18, already aged out or closed. The row lock is FOR NO KEY UPDATE, and it waits:
// a transaction that writes a row referring to the child (a visit, an alert, a placement: its
// foreign key holds FOR KEY SHARE on the child) does not conflict with it, and one that edits
// the child is waited for, after which the child is checked again (another instance's sweep
// that aged the child out meanwhile leaves it not due). It used to be FOR UPDATE SKIP LOCKED,
// which skipped — silently, for the whole day — a child anything else had just touched.
// Running it twice is harmless.
func (r *Registry) AgeOut(ctx context.Context, childID int64, now time.Time) (bool, error) {
	sys := SystemActor("age_out")
	done := false
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		due := ageOutDue(now)
		var c models.Child
		err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).
			Where("children.id = ?", childID).Where(due.sql, due.args...).Take(&c).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		adultOn, reached := adultReached(c, now)
		if !reached { // the SQL and Go rules agree (tested); never age out a child on one alone
			return nil
		}
		t, err := checkTransition(sys, "age_out", c.Status)
		if err != nil {
			return err
		}
		ev := models.LifecycleEvent{Transition: t.Name, FromStatus: c.Status, ToStatus: t.To, OccurredOn: adultOn}
		changes, err := r.closeCase(tx, sys, c, ev, "aged_out", now.UTC())
		if err != nil {
			return err
		}
		changes["adult_on"] = models.FieldChange{After: adultOn.Format(time.DateOnly)}
		if err := audit(ctx, tx, sys, "child.transition", "child", strconv.FormatInt(childID, 10), changes, "turned 18"); err != nil {
			return err
		}
		done = true
		return nil
	})
	return done, err
}

// AgeOutArgs is the daily River job that runs AgeOutDue (package notify works it); Day
// (YYYY-MM-DD, UTC) makes it unique per day, so several instances run it once.
type AgeOutArgs struct {
	Day string `json:"day"`
}

// Kind names the job in river_job.
func (AgeOutArgs) Kind() string { return "age_out" }

// AgeOutDue is the daily sweep: every child whose 18th birthday is today or earlier and whose
// case is still open (active or missing) is aged out (AgeOut), each in its own transaction so
// one failure does not hold back the others. It returns how many it aged out. Several
// instances may run it at once: a child locked by one is skipped by the other, and a child
// already aged out no longer matches.
func (r *Registry) AgeOutDue(ctx context.Context, now time.Time) (int, error) {
	n := 0
	var after int64
	due := ageOutDue(now)
	for {
		var ids []int64
		if err := r.DB.WithContext(ctx).Model(&models.Child{}).Where(due.sql, due.args...).Where("children.id > ?", after).
			Order("children.id").Limit(200).Pluck("children.id", &ids).Error; err != nil {
			return n, err
		}
		if len(ids) == 0 {
			return n, nil
		}
		for _, id := range ids {
			done, err := r.AgeOut(ctx, id, now)
			if err != nil {
				return n, err
			}
			if done {
				n++
			}
		}
		after = ids[len(ids)-1]
	}
}
