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

// The guardian registry: vetted guardians, each linked to the Kujdes account they sign in
// with. It holds no child data (a guardian's caseload is a count), so protection officers and
// administrators see every guardian; which children a guardian sees is the scope rule's
// business (scope.go currentAppointment).

// Guardian kinds.
const (
	GuardianPerson       = "person"
	GuardianOrganisation = "organisation"
)

// GuardianView is a guardian as lists and pages show them: the registry row, who they are
// (the account's name; for an organisation, the natural person acting), their region, their
// current caseload and effective cap.
type GuardianView struct {
	models.Guardian
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	RegionCode  string `json:"region_code"`
	// ActiveWards counts the guardian's current appointments (S3).
	ActiveWards int `json:"active_wards"`
	// Cap is the effective caseload cap: their own, or the configured default.
	Cap int `json:"cap"`
}

// GuardianInput creates or edits a guardian. On an edit, nil fields stay as they are.
type GuardianInput struct {
	// Username names the Kujdes account the guardian signs in with (creation only).
	Username         string   `json:"username,omitempty" input:"len=100"`
	Kind             string   `json:"kind,omitempty" input:"len=35"`
	OrganisationName *string  `json:"organisation_name,omitempty" input:"len=200"`
	Languages        []string `json:"languages,omitempty" input:"items=20,len=35"`
	RegionCode       string   `json:"region_code,omitempty" input:"len=35"`
	// Dates as YYYY-MM-DD; "" clears.
	TrainedOn       *string `json:"trained_on,omitempty" input:"len=35"`
	RecordCheckedOn *string `json:"record_checked_on,omitempty" input:"len=35"`
	Active          *bool   `json:"active,omitempty"`
	// CaseloadCap is the guardian's own cap; 0 returns to the default.
	CaseloadCap *int `json:"caseload_cap,omitempty"`
}

// guardianViews selects guardians with their account, region and caseload, in one query.
func (r *Registry) guardianViews(tx *gorm.DB) *gorm.DB {
	load := guardianLoad(r.now())
	return tx.Table("guardians").
		Select(`guardians.*, u.username, u.display_name, rg.code AS region_code, `+load.sql+` AS active_wards`, load.args...).
		Joins("JOIN users u ON u.id = guardians.user_id").
		Joins("JOIN regions rg ON rg.id = guardians.region_id")
}

func (r *Registry) finishViews(vs []GuardianView) {
	g := r.guardianRules()
	for i := range vs {
		vs[i].Cap = g.EffectiveCap(vs[i].CaseloadCap)
		if vs[i].Languages == nil {
			vs[i].Languages = models.Strings{}
		}
	}
}

// ListGuardians lists the registry, by name.
func (r *Registry) ListGuardians(ctx context.Context, a *models.Actor) ([]GuardianView, error) {
	if err := require(a, models.PermGuardianManage); err != nil {
		return nil, err
	}
	out := []GuardianView{}
	if err := r.guardianViews(r.DB.WithContext(ctx)).Order("guardians.active DESC, u.display_name, guardians.id").Find(&out).Error; err != nil {
		return nil, err
	}
	r.finishViews(out)
	return out, nil
}

// GetGuardian reads one guardian of the registry.
func (r *Registry) GetGuardian(ctx context.Context, a *models.Actor, id int64) (GuardianView, error) {
	if err := require(a, models.PermGuardianManage); err != nil {
		return GuardianView{}, err
	}
	return r.guardianView(r.DB.WithContext(ctx), id)
}

func (r *Registry) guardianView(tx *gorm.DB, id int64) (GuardianView, error) {
	var v GuardianView
	if err := r.guardianViews(tx).Where("guardians.id = ?", id).Take(&v).Error; err != nil {
		return GuardianView{}, notFound(err)
	}
	vs := []GuardianView{v}
	r.finishViews(vs)
	return vs[0], nil
}

// guardianFields validates the fields an input sets on g (a new guardian or a copy of the
// current one) and returns the changes for the audit trail.
func (r *Registry) guardianFields(tx *gorm.DB, g *models.Guardian, in GuardianInput, verr *models.ValidationError) (models.AuditChanges, error) {
	ch := models.AuditChanges{}
	if in.Kind != "" && in.Kind != g.Kind {
		if in.Kind != GuardianPerson && in.Kind != GuardianOrganisation {
			verr.Add("kind", "code_unknown", map[string]any{"Value": in.Kind})
		}
		ch["kind"] = models.FieldChange{Before: g.Kind, After: in.Kind}
		g.Kind = in.Kind
	}
	if in.OrganisationName != nil {
		name := strings.TrimSpace(*in.OrganisationName)
		if name != g.OrganisationName {
			ch["organisation_name"] = models.FieldChange{Before: g.OrganisationName, After: name}
			g.OrganisationName = name
		}
	}
	if g.Kind == GuardianOrganisation && g.OrganisationName == "" {
		verr.Add("organisation_name", "guardian_organisation_name_required", nil)
	}
	if g.Kind == GuardianPerson && g.OrganisationName != "" {
		g.OrganisationName = "" // a person acts in their own name
	}
	if in.Languages != nil {
		langs := languageTags(in.Languages, "languages", verr)
		if langs == nil {
			langs = models.Strings{}
		}
		if strings.Join(langs, " ") != strings.Join(g.Languages, " ") {
			ch["languages"] = models.FieldChange{Before: []string(g.Languages), After: []string(langs)}
			g.Languages = langs
		}
	}
	if in.RegionCode != "" {
		var reg models.Region
		err := tx.Where("code = ?", strings.ToUpper(strings.TrimSpace(in.RegionCode))).Take(&reg).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			verr.Add("region_code", "region_unknown", map[string]any{"Value": in.RegionCode})
		case err != nil:
			return nil, err
		case reg.ID != g.RegionID:
			ch["region_id"] = models.FieldChange{Before: g.RegionID, After: reg.ID}
			g.RegionID = reg.ID
		}
	}
	if g.RegionID == 0 && in.RegionCode == "" {
		verr.Add("region_code", "required", nil)
	}
	for _, d := range []struct {
		field string
		in    *string
		to    **time.Time
	}{{"trained_on", in.TrainedOn, &g.TrainedOn}, {"record_checked_on", in.RecordCheckedOn, &g.RecordCheckedOn}} {
		if d.in == nil {
			continue
		}
		var next *time.Time
		if s := strings.TrimSpace(*d.in); s != "" {
			t, err := time.Parse(time.DateOnly, s)
			switch {
			case err != nil:
				verr.Add(d.field, "date_invalid", nil)
				continue
			case t.After(r.now().Add(dateSlack)):
				verr.Add(d.field, "date_in_future", nil)
				continue
			}
			next = &t
		}
		if !sameTime(next, *d.to) {
			ch[d.field] = models.FieldChange{Before: formatTime(*d.to), After: formatTime(next)}
			*d.to = next
		}
	}
	if in.Active != nil && *in.Active != g.Active {
		ch["active"] = models.FieldChange{Before: g.Active, After: *in.Active}
		g.Active = *in.Active
	}
	if in.CaseloadCap != nil {
		var next *int
		switch n := *in.CaseloadCap; {
		case n < 0 || n > 1000:
			verr.Add("caseload_cap", "guardian_cap_out_of_range", map[string]any{"Min": 1, "Max": 1000})
		case n > 0:
			next = &n
		}
		if !sameInt(next, g.CaseloadCap) {
			ch["caseload_cap"] = models.FieldChange{Before: g.CaseloadCap, After: next}
			g.CaseloadCap = next
		}
	}
	return ch, nil
}

// CreateGuardian adds a guardian to the registry, linked to an existing Kujdes account.
func (r *Registry) CreateGuardian(ctx context.Context, a *models.Actor, in GuardianInput) (GuardianView, error) {
	if err := require(a, models.PermGuardianManage); err != nil {
		return GuardianView{}, err
	}
	if err := CheckInput(in); err != nil {
		return GuardianView{}, err
	}
	var out GuardianView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var verr models.ValidationError
		g := models.Guardian{Kind: GuardianPerson, Active: true, Languages: models.Strings{}, Version: 1}
		if in.Kind == "" {
			verr.Add("kind", "required", nil)
		}
		username := strings.TrimSpace(in.Username)
		if username == "" {
			verr.Add("username", "required", nil)
		} else {
			var u models.User
			err := tx.Where("username = ?", username).Order("id").Take(&u).Error
			switch {
			case errors.Is(err, gorm.ErrRecordNotFound):
				verr.Add("username", "guardian_user_unknown", map[string]any{"Value": username})
			case err != nil:
				return err
			default:
				g.UserID = u.ID
				var n int64
				if err := tx.Model(&models.Guardian{}).Where("user_id = ?", u.ID).Count(&n).Error; err != nil {
					return err
				}
				if n > 0 {
					verr.Add("username", "guardian_user_taken", nil)
				}
			}
		}
		if _, err := r.guardianFields(tx, &g, in, &verr); err != nil {
			return err
		}
		if err := verr.Err(); err != nil {
			return err
		}
		if err := tx.Create(&g).Error; err != nil {
			return err
		}
		var err error
		if out, err = r.guardianView(tx, g.ID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "guardian.create", "guardian", strconv.FormatInt(g.ID, 10), models.AuditChanges{
			"user_id": {After: g.UserID}, "kind": {After: g.Kind}, "region_id": {After: g.RegionID},
			"languages": {After: []string(g.Languages)}, "active": {After: g.Active}, "caseload_cap": {After: g.CaseloadCap},
		}, "")
	})
	return out, err
}

// UpdateGuardian edits a guardian when the caller's version is still current. Deactivating a
// guardian does not end their appointments: each is ended, with its reason, on the child's page.
func (r *Registry) UpdateGuardian(ctx context.Context, a *models.Actor, id int64, version int, in GuardianInput) (GuardianView, error) {
	if err := require(a, models.PermGuardianManage); err != nil {
		return GuardianView{}, err
	}
	if err := CheckInput(in); err != nil {
		return GuardianView{}, err
	}
	if version <= 0 {
		return GuardianView{}, models.ErrPreconditionRequired
	}
	var out GuardianView
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur models.Guardian
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&cur).Error; err != nil {
			return notFound(err)
		}
		if cur.Version != version {
			return models.ErrConflict
		}
		var verr models.ValidationError
		if in.Username != "" {
			verr.Add("username", "guardian_user_fixed", nil)
		}
		next := cur
		ch, err := r.guardianFields(tx, &next, in, &verr)
		if err != nil {
			return err
		}
		if err := verr.Err(); err != nil {
			return err
		}
		if len(ch) > 0 {
			next.Version = cur.Version + 1
			res := tx.Model(&models.Guardian{}).Where("id = ? AND version = ?", id, version).Updates(map[string]any{
				"kind": next.Kind, "organisation_name": next.OrganisationName, "languages": next.Languages,
				"region_id": next.RegionID, "trained_on": next.TrainedOn, "record_checked_on": next.RecordCheckedOn,
				"active": next.Active, "caseload_cap": next.CaseloadCap, "version": next.Version, "updated_at": r.now(),
			})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return models.ErrConflict
			}
			if err := audit(ctx, tx, a, "guardian.update", "guardian", strconv.FormatInt(id, 10), ch, ""); err != nil {
				return err
			}
		}
		out, err = r.guardianView(tx, id)
		return err
	})
	return out, err
}
