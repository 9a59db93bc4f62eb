package registry

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// A child's status changes only by a named transition of this table; no edit sets it
// (UpdateChild refuses the field for everyone, auth/fields.go).
//
// Each row says from which statuses a transition starts, the status it ends in, the permission
// it needs and whether a reason is required. TransitionChild runs the public rows; a row with
// UseCase set belongs to its own use case (merge and unmerge move records too), which still
// asks this table whether it may start. "duplicate" is reachable only through merge.
//
// Adding a transition (missing, aged out, reunified, transferred…) is one row here; give it
// its own use case (UseCase) only when it changes more than the status, otherwise
// TransitionChild, the API route and the page form already carry it. Add its name to the
// i18n files as "transition.<name>".
var transitions = []Transition{
	{Name: "close", From: []string{"active"}, To: "closed", Permission: models.PermChildTransition, ReasonRequired: true},
	// Issue 10: reopen also starts from reunified and transferred (a reunification that broke
	// down, a transfer that did not happen); an aged-out record stays closed.
	{Name: "reopen", From: []string{"closed", "reunified", "transferred"}, To: "active", Permission: models.PermChildTransition, ReasonRequired: true},
	{Name: "merge", From: []string{"active", "missing", "reunified", "transferred", "aged_out", "closed"}, To: "duplicate",
		Permission: models.PermChildMerge, ReasonRequired: true, UseCase: "MergeChildren"},
	// Unmerge returns the record to the status it had before the merge (ToPrevious).
	{Name: "unmerge", From: []string{"duplicate"}, ToPrevious: true, Permission: models.PermChildMerge,
		ReasonRequired: true, UseCase: "UnmergeChild"},
	// Missing children (issue 10, registry/missing.go): reporting records the episode, finding
	// closes it (and may place the child).
	{Name: "report_missing", From: []string{"active"}, To: "missing", Permission: models.PermMissingReport, UseCase: "ReportMissing"},
	{Name: "found", From: []string{"missing"}, To: "active", Permission: models.PermMissingReport, UseCase: "RecordFound"},
	// --- lifecycle (issue 10): each its own use case (lifecycle_cases.go) — they end the
	// guardianship in the same transaction and record their details.
	{Name: "age_out", From: []string{"active", "missing"}, To: "aged_out", Permission: models.PermChildTransition, UseCase: "AgeOut"},
	{Name: "reunify", From: []string{"active"}, To: "reunified", Permission: models.PermChildTransition, UseCase: "Reunify"},
	{Name: "transfer", From: []string{"active"}, To: "transferred", Permission: models.PermChildTransition, UseCase: "Transfer"},
	// --- end lifecycle (issue 10)
}

// Transition is one allowed change of a child's status.
type Transition struct {
	Name       string            `json:"name"`
	From       []string          `json:"from"`
	To         string            `json:"to,omitempty"`
	ToPrevious bool              `json:"-"` // back to the status before (unmerge)
	Permission models.Permission `json:"-"`
	// ReasonRequired: the reason is kept in the audit trail.
	ReasonRequired bool `json:"reason_required"`
	// UseCase names the use case that owns the transition when it does more than set the
	// status; TransitionChild refuses it.
	UseCase string `json:"-"`
}

// Transitions lists the table (for tests and documentation).
func Transitions() []Transition { return slices.Clone(transitions) }

// transitionNamed returns the row called name.
func transitionNamed(name string) (Transition, bool) {
	for _, t := range transitions {
		if t.Name == name {
			return t, true
		}
	}
	return Transition{}, false
}

// allows reports whether t may start from status for actor a.
func (t Transition) allows(a *models.Actor, status string) bool {
	return a.Can(t.Permission) && slices.Contains(t.From, status)
}

// checkTransition is the one test every status change passes: the named row exists, the
// actor holds its permission (ErrForbidden) and the record's status is one it starts from
// (a validation error on "transition").
func checkTransition(a *models.Actor, name, status string) (Transition, error) {
	t, ok := transitionNamed(name)
	if !ok {
		var v models.ValidationError
		v.Add("transition", "transition_unknown", map[string]any{"Value": name})
		return t, &v
	}
	if !a.Can(t.Permission) {
		return t, models.ErrForbidden
	}
	if !slices.Contains(t.From, status) {
		var v models.ValidationError
		v.Add("transition", "transition_not_allowed", nil)
		return t, &v
	}
	return t, nil
}

// AvailableTransitions lists the transitions actor a may run through TransitionChild on a
// child whose status is status (for the page's form and the API).
func AvailableTransitions(a *models.Actor, status string) []Transition {
	var out []Transition
	for _, t := range transitions {
		if t.UseCase == "" && t.allows(a, status) {
			out = append(out, t)
		}
	}
	return out
}

// TransitionInput names a transition and why it is made.
type TransitionInput struct {
	Transition string `json:"transition" input:"len=35"`
	Reason     string `json:"reason" input:"len=2000,multiline"`
}

// TransitionChild changes a child's status by the named transition when the caller's version
// is still current: checked against the table, in the actor's scope, audited with the reason,
// in one transaction.
func (r *Registry) TransitionChild(ctx context.Context, a *models.Actor, id int64, version int, in TransitionInput) (ChildView, error) {
	if err := require(a, models.PermChildTransition); err != nil {
		return ChildView{}, err
	}
	if err := CheckInput(in); err != nil {
		return ChildView{}, err
	}
	in.Transition, in.Reason = strings.TrimSpace(in.Transition), strings.TrimSpace(in.Reason)
	var verr models.ValidationError
	t, ok := transitionNamed(in.Transition)
	switch {
	case !ok || t.UseCase != "":
		// Merge and unmerge have their own use cases: they move arrivals and names too.
		verr.Add("transition", "transition_unknown", map[string]any{"Value": in.Transition})
	case !a.Can(t.Permission):
		return ChildView{}, models.ErrForbidden
	case t.ReasonRequired && in.Reason == "":
		verr.Add("reason", "required", nil)
	}
	if err := verr.Err(); err != nil {
		return ChildView{}, err
	}
	if version <= 0 {
		return ChildView{}, models.ErrPreconditionRequired
	}
	var out ChildView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cv, err := r.scopedChild(tx, a, id, true)
		if err != nil {
			return err
		}
		c := cv.Child
		if c.Version != version {
			return models.ErrConflict
		}
		if _, err := checkTransition(a, t.Name, c.Status); err != nil {
			return err
		}
		now := r.now()
		res := tx.Model(&models.Child{}).Where("id = ? AND version = ?", id, version).Updates(map[string]any{
			"status": t.To, "version": gorm.Expr("version + 1"), "updated_at": now,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return models.ErrConflict
		}
		if err := audit(ctx, tx, a, "child.transition", "child", strconv.FormatInt(id, 10), models.AuditChanges{
			"status": {Before: c.Status, After: t.To}, "transition": {After: t.Name},
		}, in.Reason); err != nil {
			return err
		}
		// Read back unscoped, as UpdateChild does: closing may take a child out of a reader's list.
		var row childRow
		if err := tx.Model(&models.Child{}).Scopes(viewColumns(a, now)).Where("children.id = ?", id).Take(&row).Error; err != nil {
			return err
		}
		out = row.view()
		return nil
	})
	return out, r.denied(ctx, a, err)
}
