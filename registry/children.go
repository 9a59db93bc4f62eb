package registry

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// ChildView is a child's record as its reader may see it.
type ChildView struct {
	models.Child
	RegionCode     string `json:"region_code"`
	BorderPostCode string `json:"border_post_code,omitempty"`
	// ViaBreakGlass is true when the reader sees the child only through an emergency access.
	ViaBreakGlass bool `json:"via_break_glass"`

	// The full record (GetChild only).
	Aliases        []string               `json:"aliases,omitempty"`
	Arrivals       []ArrivalView          `json:"arrivals,omitempty"`
	AgeAssessments []models.AgeAssessment `json:"age_assessments,omitempty"`
	// TreatedAsChild applies the benefit of the doubt over the age assessments (GetChild only).
	TreatedAsChild *bool `json:"treated_as_child,omitempty"`

	// noAgeAssessments is set by scopedRecord when the child has none: loadRecord then skips
	// their query.
	noAgeAssessments bool
}

// ArrivalView is an arrival with its border post's code.
type ArrivalView struct {
	models.Arrival
	BorderPostCode string `json:"border_post_code,omitempty"`
}

// arrivalViews starts a query of arrivals with their border post's code, in one statement
// (GetChild reads a child's arrivals with the child: recordColumns).
func arrivalViews(tx *gorm.DB) *gorm.DB {
	return tx.Table("arrivals").Select("arrivals.*, coalesce(border_posts.code, '') AS border_post_code").
		Joins("LEFT JOIN border_posts ON border_posts.id = arrivals.border_post_id")
}

// recordColumns selects, in the statement that reads the child (GetChild): its aliases,
// whether it has any age assessment, and its arrivals (newest first, each with its border
// post's code, as arrivalViews joins it) as one JSON array of their rows — a statement and
// a round trip less per read than a query of their own.
var recordColumns = sqlCond{sql: `ARRAY(SELECT original FROM child_names WHERE child_id = children.id AND kind = 'alias' ORDER BY id) AS record_aliases, ` +
	`EXISTS (SELECT 1 FROM age_assessments WHERE child_id = children.id) AS record_age_assessed, ` +
	`(SELECT coalesce(jsonb_agg(to_jsonb(ar) || jsonb_build_object('border_post_code', coalesce(bp.code, '')) ORDER BY ar.arrived_at DESC, ar.id DESC), '[]')
		FROM arrivals ar LEFT JOIN border_posts bp ON bp.id = ar.border_post_id WHERE ar.child_id = children.id) AS record_arrivals`}

// recordRow is a scoped child row with the columns of recordColumns.
type recordRow struct {
	childRow
	RecordAliases     models.Strings
	RecordAgeAssessed bool
	RecordArrivals    models.JSONList[recordArrival]
}

// recordArrival is an arrival row as recordColumns encodes it (to_jsonb: its columns by name,
// which are models.Arrival's JSON names) with registered_by, which Arrival's JSON hides.
type recordArrival struct {
	models.Arrival
	RegisteredBy   *int64 `json:"registered_by"`
	BorderPostCode string `json:"border_post_code"`
}

// view is the arrival as arrivalViews scans it: times in the local zone, as the driver
// gives them.
func (ra recordArrival) view() ArrivalView {
	v := ArrivalView{Arrival: ra.Arrival, BorderPostCode: ra.BorderPostCode}
	v.RegisteredBy = ra.RegisteredBy
	v.ArrivedAt, v.CreatedAt = v.ArrivedAt.Local(), v.CreatedAt.Local()
	return v
}

// scopedRecord is scopedChild with the child's aliases and arrivals, in one statement
// (scopedRowRaw: GORM neither builds nor scans it); loadRecord adds the rest of the full
// record.
func (r *Registry) scopedRecord(tx *gorm.DB, a *models.Actor, id int64) (ChildView, error) {
	var row recordRow
	if err := r.scopedRowRaw(tx, a, id, &row.childRow, recordColumns, &row.RecordAliases, &row.RecordAgeAssessed, &row.RecordArrivals); err != nil {
		return ChildView{}, err
	}
	c := row.view()
	if len(row.RecordAliases) > 0 {
		c.Aliases = row.RecordAliases
	}
	c.Arrivals = make([]ArrivalView, len(row.RecordArrivals))
	for i, ra := range row.RecordArrivals {
		c.Arrivals[i] = ra.view()
	}
	c.noAgeAssessments = !row.RecordAgeAssessed
	return c, nil
}

// loadRecord fills the parts of the full record; v.Aliases and v.Arrivals are already read
// (scopedRecord).
func (r *Registry) loadRecord(tx *gorm.DB, v *ChildView) error {
	if v.noAgeAssessments {
		v.AgeAssessments = []models.AgeAssessment{}
	} else if err := tx.Where("child_id = ?", v.ID).Order("requested_at DESC, id DESC").Find(&v.AgeAssessments).Error; err != nil {
		return err
	}
	treated := TreatedAsChild(v.AgeAssessments)
	v.TreatedAsChild = &treated
	return nil
}

// ChildPage is one page of a keyset-paginated list.
type ChildPage struct {
	Items []ChildView `json:"items"`
	// Next is the cursor of the following page, 0 when this is the last.
	Next int64 `json:"next,omitempty"`
}

// MaxPageSize bounds list requests.
const MaxPageSize = 200

// ListChildren returns the children the actor may see, by id, after the cursor.
func (r *Registry) ListChildren(ctx context.Context, a *models.Actor, after int64, limit int) (ChildPage, error) {
	if err := require(a, models.PermChildList); err != nil {
		return ChildPage{}, err
	}
	var verr models.ValidationError
	limit = checkPage(after, limit, &verr)
	if err := verr.Err(); err != nil {
		return ChildPage{}, err
	}
	var page ChildPage
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []childRow
		if err := r.childViews(tx, a).Where("children.id > ?", after).Order("children.id").Limit(limit + 1).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) > limit {
			rows, page.Next = rows[:limit], rows[limit-1].ID
		}
		page.Items = views(rows)
		return audit(ctx, tx, a, "child.list", "child", "", models.AuditChanges{
			"count": {After: len(rows)}, "after": {After: after},
		}, "")
	})
	return page, err
}

// GetChild reads one child's record and audits the read in the same transaction. A child out
// of scope, or missing, is not found — and that refusal is audited too (see denied).
func (r *Registry) GetChild(ctx context.Context, a *models.Actor, id int64) (ChildView, error) {
	if err := require(a, models.PermChildRead); err != nil {
		return ChildView{}, err
	}
	var v ChildView
	err := r.readScoped(ctx, a, id, "child.read", func(db *gorm.DB) (ChildView, error) {
		return r.scopedRecord(db, a, id)
	}, func(db *gorm.DB, c ChildView) error {
		v = c
		return r.loadRecord(db, &v)
	})
	if err != nil {
		return ChildView{}, err // nothing of the record without its committed audit event
	}
	return v, nil
}

// ChildPatch is an edit of a child's record; nil fields stay as they are. Identity, when
// given, replaces every identity field (names, aliases, sex, birth, nationalities, languages,
// needs and indicators) that the actor may change; a needs field they may not change is kept
// when left empty (keepUneditable). Which fields an actor may change is auth's field table
// (Actor.ChildFields); a change of any other field refuses the whole edit.
type ChildPatch struct {
	// Status is read-only here: a status changes only by a named transition (TransitionChild).
	// It is accepted so that a client sending it back unchanged is not refused, and so that a
	// change is refused by name (403) rather than as an unknown field.
	Status     *string        `json:"status,omitempty" input:"len=35"`
	RegionCode *string        `json:"region_code,omitempty" input:"len=35"`
	Identity   *IdentityInput `json:"identity,omitempty"`
}

// UpdateChild applies a patch when the caller's version is still current. The whole input is
// validated, and every changed field checked against the actor's field permissions, before
// anything is written; the change and its audit row commit together.
func (r *Registry) UpdateChild(ctx context.Context, a *models.Actor, id int64, version int, p ChildPatch) (ChildView, error) {
	if err := require(a, models.PermChildUpdate); err != nil {
		return ChildView{}, err
	}
	if err := CheckInput(p); err != nil {
		return ChildView{}, err
	}
	if version <= 0 {
		return ChildView{}, models.ErrPreconditionRequired
	}
	var out ChildView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cv, err := r.writableChild(tx, a, id, true)
		if err != nil {
			return err
		}
		c := cv.Child
		var verr models.ValidationError
		changes := models.AuditChanges{}
		updates := map[string]any{}
		if p.Status != nil && *p.Status != c.Status {
			changes["status"] = models.FieldChange{Before: c.Status, After: *p.Status}
		}
		if p.RegionCode != nil {
			var before models.Region
			if err := tx.Take(&before, c.RegionID).Error; err != nil {
				return err
			}
			if *p.RegionCode != before.Code {
				var reg models.Region
				err := tx.Where("code = ?", *p.RegionCode).Take(&reg).Error
				switch {
				case errors.Is(err, gorm.ErrRecordNotFound):
					if a.MayEdit("region_code") {
						verr.Add("region_code", "region_unknown", map[string]any{"Value": *p.RegionCode})
					}
				case err != nil:
					return err
				default:
					updates["region_id"] = reg.ID
				}
				changes["region_code"] = models.FieldChange{Before: before.Code, After: *p.RegionCode}
			}
		}
		var ident identity
		if p.Identity != nil {
			in := *p.Identity
			keepUneditable(a, &c, &in)
			ident = validateIdentity(in, c.RegisteredAt, r.now(), &verr)
		}
		if verr.Err() == nil && p.Identity != nil {
			identityChanges(&c, ident, r.now(), changes, updates)
			if err := aliasChanges(tx, &c, ident, changes); err != nil {
				return err
			}
		}
		if err := forbiddenChanges(a, changes); err != nil {
			return err
		}
		if err := verr.Err(); err != nil {
			return err
		}
		if c.Version != version {
			return models.ErrConflict
		}
		if p.Identity != nil {
			if err := rewriteNames(tx, &c, ident, changes); err != nil {
				return err
			}
		}
		if len(changes) > 0 {
			updates["version"] = gorm.Expr("version + 1")
			updates["updated_at"] = r.now()
			res := tx.Model(&models.Child{}).Where("id = ? AND version = ?", id, version).Updates(updates)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return models.ErrConflict
			}
			if err := audit(ctx, tx, a, "child.update", "child", strconv.FormatInt(id, 10), changes, ""); err != nil {
				return err
			}
		}
		// Read back unscoped: an edit may take the child out of the editor's scope (a new
		// region), and the answer still shows what was saved.
		var row childRow
		if err := tx.Model(&models.Child{}).Scopes(viewColumns(a, r.now())).Where("children.id = ?", id).Take(&row).Error; err != nil {
			return err
		}
		out = row.view()
		return nil
	})
	return out, r.denied(ctx, a, err)
}

// AccessHistory lists who looked at or changed a child, newest first. Administrators see
// the history of any child (it holds no child data); others only within their scope.
func (r *Registry) AccessHistory(ctx context.Context, a *models.Actor, id int64, limit int) ([]models.AuditEvent, error) {
	if err := require(a, models.PermChildHistory); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []models.AuditEvent
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if a.Has(models.RoleAdmin) {
			// The history holds no child data: administrators may read any child's.
			var n int64
			if err := tx.Model(&models.Child{}).Where("children.id = ?", id).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return &deniedRead{childID: id}
			}
		} else if _, err := r.scopedChild(tx, a, id, false); err != nil {
			return err
		}
		var err error
		if out, err = models.AuditHistory(ctx, tx, "child", strconv.FormatInt(id, 10), limit); err != nil {
			return err
		}
		return audit(ctx, tx, a, "child.history", "child", strconv.FormatInt(id, 10), nil, "")
	})
	return out, r.denied(ctx, a, err)
}

// forbiddenChanges refuses, naming them, the changed fields the actor may not change.
func forbiddenChanges(a *models.Actor, changes models.AuditChanges) error {
	var refused []string
	for f := range changes {
		if !a.MayEdit(f) {
			refused = append(refused, f)
		}
	}
	slices.Sort(refused)
	return models.ForbiddenFields("field_not_editable", refused...)
}

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.ErrNotFound
	}
	return err
}
