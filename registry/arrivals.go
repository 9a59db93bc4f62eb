package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// MaxChildAge is the oldest age a registration as a child accepts; older is an input error
// (an age assessment settles real doubts).
const MaxChildAge = 25

// IdentityInput is who the child is, as registered or edited.
type IdentityInput struct {
	GivenName       string   `json:"given_name" input:"len=100,name"`
	FamilyName      string   `json:"family_name" input:"len=100,name"`
	GivenNameLatin  string   `json:"given_name_latin" input:"len=100,name"`
	FamilyNameLatin string   `json:"family_name_latin" input:"len=100,name"`
	Aliases         []string `json:"aliases" input:"items=20,len=100,name"`
	// The parents' names as the child gives them, any script (issue 12: they tell namesakes
	// apart in the duplicate check).
	FatherName string `json:"father_name" input:"len=100,name"`
	MotherName string `json:"mother_name" input:"len=100,name"`
	Sex        string `json:"sex" input:"len=35"`
	// Either a known birth date (YYYY-MM-DD)…
	BirthDate string `json:"birth_date,omitempty" input:"len=35"`
	// …or an estimated age range in years, as of the arrival.
	AgeMin                  *int     `json:"age_min,omitempty"`
	AgeMax                  *int     `json:"age_max,omitempty"`
	Nationalities           []string `json:"nationalities" input:"items=20,len=35"`
	Languages               []string `json:"languages" input:"items=20,len=35"`
	ProtectionStatus        string   `json:"protection_status" input:"len=35"`
	Vulnerabilities         []string `json:"vulnerabilities" input:"items=20,len=35"`
	SpecialNeeds            string   `json:"special_needs" input:"len=2000,multiline"`
	TraffickingIndicators   []string `json:"trafficking_indicators" input:"items=20,len=35"`
	TraffickingNotes        string   `json:"trafficking_notes" input:"len=2000,multiline"`
	VulnerabilitiesAssessed bool     `json:"vulnerabilities_assessed"`
}

// ArrivalInput is one arrival.
type ArrivalInput struct {
	// ArrivedAt is RFC 3339, or "2006-01-02T15:04" in UTC as an HTML datetime-local field sends.
	ArrivedAt          string                     `json:"arrived_at" input:"len=35"`
	BorderPostCode     string                     `json:"border_post_code" input:"len=35"`
	RegionCode         string                     `json:"region_code,omitempty" input:"len=35"`
	Location           string                     `json:"location" input:"len=200"`
	HowFound           string                     `json:"how_found" input:"len=35"`
	AccompanyingAdults []models.AccompanyingAdult `json:"accompanying_adults" input:"items=20"`
	Documents          []models.Document          `json:"documents" input:"items=20"`
	Notes              string                     `json:"notes" input:"len=2000,multiline"`
}

// RegistrationInput registers an arrival: of a new child, or — ExistingChildID — of a child
// already known. Unless ConfirmNew, a new child is refused while possible duplicates exist.
type RegistrationInput struct {
	IdentityInput
	Arrival         ArrivalInput `json:"arrival"`
	ExistingChildID int64        `json:"existing_child_id,omitempty"`
	ConfirmNew      bool         `json:"confirm_new,omitempty"`
}

// DuplicatesFoundError refuses a new registration because it may be a child already known.
type DuplicatesFoundError struct{ Candidates []Candidate }

func (e *DuplicatesFoundError) Error() string {
	return fmt.Sprintf("%d possible duplicate(s): record the arrival on one, or confirm a new child", len(e.Candidates))
}

// Registration is what RegisterArrival did.
type Registration struct {
	ChildID            int64  `json:"child_id"`
	RegistrationNumber string `json:"registration_number"`
	ArrivalID          int64  `json:"arrival_id"`
	NewChild           bool   `json:"new_child"`
	// Sighting is true for an arrival on a child outside the officer's scope: it is recorded
	// on the child's record, but the record stays closed to the officer, who gets only the
	// arrival they recorded and the summary the duplicate check showed.
	Sighting bool         `json:"sighting,omitempty"`
	Arrival  *ArrivalView `json:"arrival,omitempty"`
	Child    *Candidate   `json:"child,omitempty"`
	// Replayed is true when this is the remembered answer to an earlier request with the same
	// idempotency key (nothing was written this time).
	Replayed bool `json:"-"`
}

// identity is a validated IdentityInput.
type identity struct {
	in            IdentityInput
	birthFrom     *time.Time
	birthTo       *time.Time
	birthKnown    bool
	nationalities models.Strings
	languages     models.Strings
}

// arrival is a validated ArrivalInput.
type arrival struct {
	in       ArrivalInput
	at       time.Time
	postID   *int64
	regionID int64
}

func trimmed(ss []string) []string {
	out := []string{}
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// languageTags reads a list of BCP 47 language tags (blanks and repeats dropped), reporting
// each one that is not a tag under field.
func languageTags(in []string, field string, verr *models.ValidationError) models.Strings {
	var out models.Strings
	for _, l := range trimmed(in) {
		tag, err := language.Parse(l)
		if err != nil {
			verr.Add(field, "code_unknown", map[string]any{"Value": l})
			continue
		}
		out = append(out, tag.String())
	}
	return out
}

// validateIdentity checks every identity field; asOf is the arrival (age estimates refer to it).
func validateIdentity(in IdentityInput, asOf time.Time, now time.Time, verr *models.ValidationError) identity {
	in.GivenName, in.FamilyName = strings.TrimSpace(in.GivenName), strings.TrimSpace(in.FamilyName)
	in.GivenNameLatin, in.FamilyNameLatin = strings.TrimSpace(in.GivenNameLatin), strings.TrimSpace(in.FamilyNameLatin)
	in.Aliases = trimmed(in.Aliases)
	in.FatherName, in.MotherName = strings.TrimSpace(in.FatherName), strings.TrimSpace(in.MotherName)
	if in.GivenNameLatin == "" && in.GivenName != "" {
		in.GivenNameLatin = matching.LatinName(in.GivenName)
	}
	if in.FamilyNameLatin == "" && in.FamilyName != "" {
		in.FamilyNameLatin = matching.LatinName(in.FamilyName)
	}
	if in.GivenName == "" && in.FamilyName == "" && len(in.Aliases) == 0 {
		verr.Add("given_name", "name_required", nil)
	}
	for field, v := range map[string]string{"given_name": in.GivenName, "family_name": in.FamilyName,
		"given_name_latin": in.GivenNameLatin, "family_name_latin": in.FamilyNameLatin,
		"father_name": in.FatherName, "mother_name": in.MotherName} {
		if utf8.RuneCountInString(v) > 100 {
			verr.Add(field, "too_long", map[string]any{"Max": 100})
		}
	}
	if len(in.Aliases) > 20 {
		verr.Add("aliases", "too_many", map[string]any{"Max": 20})
	}
	if !slices.Contains(models.Sexes, in.Sex) {
		verr.Add("sex", "code_unknown", map[string]any{"Value": in.Sex})
	}
	if in.ProtectionStatus == "" {
		in.ProtectionStatus = "unaccompanied"
	}
	if !slices.Contains(models.ProtectionStatuses, in.ProtectionStatus) {
		verr.Add("protection_status", "code_unknown", map[string]any{"Value": in.ProtectionStatus})
	}
	id := identity{in: in}

	id.birthFrom, id.birthTo, id.birthKnown = birthRange(in, asOf, now, verr)

	for _, n := range trimmed(in.Nationalities) {
		n = strings.ToUpper(n)
		if !validNationality(n) {
			verr.Add("nationalities", "code_unknown", map[string]any{"Value": n})
			continue
		}
		id.nationalities = append(id.nationalities, n)
	}
	if len(id.nationalities) == 0 && len(trimmed(in.Nationalities)) == 0 {
		verr.Add("nationalities", "nationality_required", nil)
	}
	id.languages = languageTags(in.Languages, "languages", verr)
	for _, v := range in.Vulnerabilities {
		if !slices.Contains(models.Vulnerabilities, v) {
			verr.Add("vulnerabilities", "code_unknown", map[string]any{"Value": v})
		}
	}
	for _, v := range in.TraffickingIndicators {
		if !slices.Contains(models.TraffickingIndicators, v) {
			verr.Add("trafficking_indicators", "code_unknown", map[string]any{"Value": v})
		}
	}
	if utf8.RuneCountInString(in.SpecialNeeds) > 2000 {
		verr.Add("special_needs", "too_long", map[string]any{"Max": 2000})
	}
	if utf8.RuneCountInString(in.TraffickingNotes) > 2000 {
		verr.Add("trafficking_notes", "too_long", map[string]any{"Max": 2000})
	}
	return id
}

// birthRange reads a known birth date, or an estimated age range as of asOf (the arrival),
// into the range of possible birth dates; problems go into verr.
func birthRange(in IdentityInput, asOf, now time.Time, verr *models.ValidationError) (from, to *time.Time, known bool) {
	switch {
	case strings.TrimSpace(in.BirthDate) != "":
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(in.BirthDate))
		switch {
		case err != nil:
			verr.Add("birth_date", "date_invalid", nil)
		case d.After(now):
			verr.Add("birth_date", "date_in_future", nil)
		case models.AgeAt(d, asOf) > MaxChildAge:
			verr.Add("birth_date", "age_too_high", map[string]any{"Max": MaxChildAge})
		default:
			return &d, &d, true
		}
	case in.AgeMin != nil || in.AgeMax != nil:
		lo, hi := in.AgeMin, in.AgeMax
		if lo == nil {
			lo = hi
		}
		if hi == nil {
			hi = lo
		}
		switch {
		case *lo < 0 || *hi < 0:
			verr.Add("age_min", "age_invalid", nil)
		case *lo > *hi:
			verr.Add("age_max", "age_range_inverted", nil)
		case *hi > MaxChildAge:
			verr.Add("age_max", "age_too_high", map[string]any{"Max": MaxChildAge})
		default:
			f, t := models.BirthDatesForAges(*lo, *hi, asOf)
			return &f, &t, false
		}
	default:
		verr.Add("birth_date", "birth_or_age_required", nil)
	}
	return nil, nil, false
}

// parseArrivalTime accepts RFC 3339 or an HTML datetime-local value (taken as UTC).
func parseArrivalTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02T15:04", s)
}

// validateArrival checks the arrival and resolves its post and region. A border officer
// registers at their own post(s); when they have one, it is the default.
func (r *Registry) validateArrival(ctx context.Context, tx *gorm.DB, a *models.Actor, in ArrivalInput, now time.Time, verr *models.ValidationError) arrival {
	out := arrival{in: in}
	if strings.TrimSpace(in.ArrivedAt) == "" {
		out.at = now
	} else if t, err := parseArrivalTime(in.ArrivedAt); err != nil {
		verr.Add("arrived_at", "date_invalid", nil)
	} else if t.After(now.Add(5 * time.Minute)) {
		verr.Add("arrived_at", "date_in_future", nil)
	} else if t.Before(now.AddDate(-5, 0, 0)) {
		verr.Add("arrived_at", "date_too_old", nil)
	} else {
		out.at = t
	}
	if !slices.Contains(models.HowFound, in.HowFound) {
		verr.Add("how_found", "code_unknown", map[string]any{"Value": in.HowFound})
	}
	code := strings.ToUpper(strings.TrimSpace(in.BorderPostCode))
	if code == "" && a.Has(models.RoleBorderOfficer) && len(a.BorderPostIDs) == 1 {
		if p, err := r.regState().borderPosts.get(ctx, tx, "", a.BorderPostIDs[0]); err == nil {
			code = p.Code
		}
	}
	if code != "" {
		if p, err := r.regState().borderPosts.get(ctx, tx, code, 0); err != nil {
			verr.Add("border_post_code", "border_post_unknown", map[string]any{"Value": code})
		} else if a.Has(models.RoleBorderOfficer) && !a.Has(models.RoleProtectionOfficer) && !slices.Contains(a.BorderPostIDs, p.ID) {
			verr.Add("border_post_code", "border_post_not_yours", map[string]any{"Value": code})
		} else {
			out.postID, out.regionID = &p.ID, p.RegionID
		}
	}
	if out.postID == nil {
		// Found inland: the region is named, or the officer's only region.
		rc := strings.ToUpper(strings.TrimSpace(in.RegionCode))
		var reg models.Region
		switch {
		case rc != "":
			if err := tx.Where("code = ?", rc).Take(&reg).Error; err != nil {
				verr.Add("region_code", "region_unknown", map[string]any{"Value": rc})
			}
		case len(a.RegionIDs) == 1:
			tx.Take(&reg, a.RegionIDs[0])
		}
		if reg.ID == 0 && code == "" && rc == "" {
			verr.Add("border_post_code", "post_or_region_required", nil)
		}
		if a.Has(models.RoleProtectionOfficer) && reg.ID != 0 && !slices.Contains(a.RegionIDs, reg.ID) && !a.Has(models.RoleBorderOfficer) {
			verr.Add("region_code", "region_not_yours", map[string]any{"Value": reg.Code})
		}
		out.regionID = reg.ID
		if strings.TrimSpace(in.Location) == "" && code == "" {
			verr.Add("location", "location_required", nil)
		}
	}
	for i, ad := range in.AccompanyingAdults {
		if strings.TrimSpace(ad.Relation) == "" {
			verr.Add(fmt.Sprintf("accompanying_adults.%d.relation", i), "required", nil)
		}
	}
	for i, d := range in.Documents {
		if !slices.Contains(models.DocumentTypes, d.Type) {
			verr.Add(fmt.Sprintf("documents.%d.type", i), "code_unknown", map[string]any{"Value": d.Type})
		}
	}
	return out
}

// duplicateQuery turns a validated identity into the duplicate search's question.
func (id identity) duplicateQuery() DuplicateQuery {
	return DuplicateQuery{
		GivenName: id.in.GivenName, FamilyName: id.in.FamilyName,
		GivenNameLatin: id.in.GivenNameLatin, FamilyNameLatin: id.in.FamilyNameLatin,
		Aliases: id.in.Aliases, Sex: id.in.Sex, BirthDateFrom: id.birthFrom, BirthDateTo: id.birthTo,
		Nationalities: id.nationalities, FatherName: id.in.FatherName, MotherName: id.in.MotherName,
	}
}

// RegisterArrival registers a child who arrived: a new child (with a new registration number,
// after the duplicate check) or another arrival of a known child. Everything is validated
// before anything is written; the child, names, arrival and audit row commit together.
func (r *Registry) RegisterArrival(ctx context.Context, a *models.Actor, in RegistrationInput) (Registration, error) {
	return r.RegisterArrivalOnce(ctx, a, "", in)
}

// RegisterArrivalOnce is RegisterArrival under the client's idempotency key (the
// Idempotency-Key header, the registration form's hidden key; "" for none): the same request
// sent again with the same key — a retry after a lost response, an outbox sending twice, a
// double click — answers the first result (Replayed) and writes nothing but an audit row; the
// same key with another request is refused. Only a committed write is remembered: an answer
// that wrote nothing (possible duplicates, invalid input) is computed afresh on a retry.
func (r *Registry) RegisterArrivalOnce(ctx context.Context, a *models.Actor, key string, in RegistrationInput) (Registration, error) {
	if err := require(a, models.PermChildRegister); err != nil {
		return Registration{}, err
	}
	if err := CheckInput(in); err != nil {
		return Registration{}, err
	}
	idem, err := newIdempotencyKey(key, "registration", in)
	if err != nil {
		return Registration{}, err
	}
	now := r.now()
	var out Registration
	var found []Candidate // shown to the actor; the registration is refused after commit
	if idem == nil && in.ConfirmNew && in.ExistingChildID == 0 {
		// A new child confirmed as new, without a key: its reads are validation only (the
		// border post, the region) and its write is one statement (insertRegistration), a
		// transaction of its own — no BEGIN or COMMIT round trip (issue 8).
		err = r.registerArrival(ctx, r.DB.WithContext(ctx), a, in, now, &out, &found)
	} else {
		err = r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return r.registerArrivalIn(ctx, tx, a, idem, in, now, &out, &found)
		})
	}
	if errors.Is(err, errIdempotentRace) {
		// A concurrent request with this key committed first: answer what it answered.
		return r.RegisterArrivalOnce(ctx, a, key, in)
	}
	if err != nil {
		// A refused arrival on a child neither in scope nor offered is audited like a refused read.
		return Registration{}, r.denied(ctx, a, r.auditCheckRefused(ctx, a, err, viaRegistration))
	}
	if found != nil {
		return Registration{}, &DuplicatesFoundError{Candidates: found}
	}
	return out, nil
}

// registerArrivalIn is RegisterArrivalOnce's transaction: the replay of a known key, or the
// registration, remembered under its key.
func (r *Registry) registerArrivalIn(ctx context.Context, tx *gorm.DB, a *models.Actor, idem *idempotencyKey, in RegistrationInput, now time.Time, out *Registration, found *[]Candidate) error {
	if idem == nil {
		return r.registerArrival(ctx, tx, a, in, now, out, found)
	}
	if ok, err := idem.replay(tx, a.UserID, now, out); ok || err != nil {
		if err != nil {
			return err
		}
		out.Replayed = true
		return audit(ctx, tx, a, "child.registration_replayed", "child", strconv.FormatInt(out.ChildID, 10), models.AuditChanges{}, "")
	}
	if err := r.registerArrival(ctx, tx, a, in, now, out, found); err != nil || *found != nil {
		return err
	}
	return idem.remember(tx, a.UserID, now, *out)
}

// registerArrival is RegisterArrival's write, inside tx — or, for a new child confirmed as
// new without an idempotency key, on the plain handle, where its one write statement is its
// own transaction (RegisterArrivalOnce): out is what it registered, or found
// the possible duplicates that refuse a new child (their disclosure commits with tx).
func (r *Registry) registerArrival(ctx context.Context, tx *gorm.DB, a *models.Actor, in RegistrationInput, now time.Time, out *Registration, found *[]Candidate) error {
	var verr models.ValidationError
	arr := r.validateArrival(ctx, tx, a, in.Arrival, now, &verr)
	asOf := arr.at
	if asOf.IsZero() {
		asOf = now
	}
	if in.ExistingChildID != 0 {
		if err := verr.Err(); err != nil {
			return err
		}
		// An arrival may only be recorded on a child already in scope, or on one the duplicate
		// check offers for this very identity. On the latter it is a sighting: it does not
		// bring the child into the officer's scope (see addArrival).
		var n int64
		if err := r.children(tx, a).Where("children.id = ?", in.ExistingChildID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			id := validateIdentity(in.IdentityInput, asOf, now, &verr)
			q := id.duplicateQuery()
			q.checkMinimum(&verr)
			if verr.Err() != nil {
				return &deniedRead{childID: in.ExistingChildID} // neither in scope nor described
			}
			if err := r.allowCheck(a); err != nil {
				return err
			}
			cands, err := r.findDuplicates(tx, q, 10)
			if err != nil {
				return err
			}
			i := slices.IndexFunc(cands, func(c Candidate) bool { return c.ChildID == in.ExistingChildID })
			if i < 0 {
				return &deniedRead{childID: in.ExistingChildID} // not the child described
			}
			return r.addSighting(ctx, tx, a, cands[i].minimal(), arr, out)
		}
		return r.addArrival(ctx, tx, a, in.ExistingChildID, arr, now, out)
	}
	id := validateIdentity(in.IdentityInput, asOf, now, &verr)
	if err := verr.Err(); err != nil {
		return err
	}
	// The name locks are taken before the duplicate check, or — confirmed new, no check to
	// come — by the registration's one statement, before its number (insertRegistration).
	var lockKeys models.Int64s
	if in.ConfirmNew {
		lockKeys = nameLockKeys(id.duplicateQuery())
	} else if err := lockNames(tx, id.duplicateQuery()); err != nil { // check and insert as one step
		return err
	}
	if !in.ConfirmNew {
		q := id.duplicateQuery()
		q.checkMinimum(&verr)
		if err := verr.Err(); err != nil {
			return err
		}
		if err := r.allowCheck(a); err != nil {
			return err
		}
		cands, err := r.findDuplicates(tx, q, 10)
		if err != nil {
			return err
		}
		if len(cands) > 0 {
			// Commit the candidates' access-history rows; the refusal follows the commit.
			*found, err = r.discloseCandidates(ctx, tx, a, cands, viaRegistration)
			return err
		}
	}
	c := models.Child{
		RegionID: arr.regionID, BorderPostID: arr.postID, Status: "active",
		GivenName: id.in.GivenName, FamilyName: id.in.FamilyName,
		GivenNameLatin: id.in.GivenNameLatin, FamilyNameLatin: id.in.FamilyNameLatin,
		FatherName: id.in.FatherName, MotherName: id.in.MotherName,
		Sex: id.in.Sex, BirthDateKnown: id.birthKnown, BirthDateFrom: id.birthFrom, BirthDateTo: id.birthTo,
		Nationalities: orEmpty(id.nationalities), Languages: orEmpty(id.languages),
		ProtectionStatus: id.in.ProtectionStatus, Vulnerabilities: orEmpty(id.in.Vulnerabilities),
		SpecialNeeds: id.in.SpecialNeeds, TraffickingIndicators: orEmpty(id.in.TraffickingIndicators),
		TraffickingNotes: id.in.TraffickingNotes, RegisteredAt: now, RegisteredBy: &a.UserID,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if id.in.VulnerabilitiesAssessed || len(id.in.Vulnerabilities) > 0 || strings.TrimSpace(id.in.SpecialNeeds) != "" {
		c.VulnerabilitiesAt = &now
	}
	var err error
	if c.ID, err = r.regState().childIDs.next(ctx, tx); err != nil {
		return err
	}
	rows := NameRows(c.ID, c.GivenName, c.FamilyName, c.GivenNameLatin, c.FamilyNameLatin, id.in.Aliases)
	rows = append(rows, ParentageRows(c.ID, c.GivenName, c.FamilyName, c.GivenNameLatin, c.FamilyNameLatin, c.FatherName)...)
	ar := r.newArrival(a, c.ID, arr, true)
	ev := auditEvent(ctx, a, "child.register", "child", strconv.FormatInt(c.ID, 10), registrationChanges(c, in.ConfirmNew), "")
	if err := insertRegistration(ctx, tx, &c, rows, &ar, ev, r.prefix(), lockKeys); err != nil {
		c.ID = 0
		return err
	}
	*out = Registration{ChildID: c.ID, RegistrationNumber: c.RegistrationNumber, ArrivalID: ar.ID, NewChild: true}
	return nil
}

// registrationChanges names the recorded fields; identity values are withheld from the trail.
func registrationChanges(c models.Child, confirmedNew bool) models.AuditChanges {
	ch := models.AuditChanges{"status": {After: c.Status}, "protection_status": {After: c.ProtectionStatus}}
	for _, f := range []string{"given_name", "family_name", "sex", "birth_date", "nationalities", "languages", "vulnerabilities", "trafficking_indicators"} {
		ch[f] = models.FieldChange{}
	}
	for f, v := range map[string]string{"father_name": c.FatherName, "mother_name": c.MotherName} {
		if v != "" {
			ch[f] = models.FieldChange{}
		}
	}
	if confirmedNew {
		ch["confirmed_new_despite_candidates"] = models.FieldChange{After: true}
	}
	return ch
}

func orEmpty[T ~[]string](s T) models.Strings {
	if s == nil {
		return models.Strings{}
	}
	return models.Strings(s)
}

func (r *Registry) prefix() string {
	if r.RegistrationPrefix == "" {
		return "AL"
	}
	return r.RegistrationPrefix
}

func (r *Registry) insertArrival(tx *gorm.DB, a *models.Actor, childID int64, arr arrival) (models.Arrival, error) {
	return r.createArrival(tx, a, childID, arr, true)
}

// createArrival inserts an arrival; grantsScope false makes it a sighting.
func (r *Registry) createArrival(tx *gorm.DB, a *models.Actor, childID int64, arr arrival, grantsScope bool) (models.Arrival, error) {
	ar := r.newArrival(a, childID, arr, grantsScope)
	return ar, tx.Create(&ar).Error
}

// newArrival is the arrival row of arr, recorded by a on the child childID.
func (r *Registry) newArrival(a *models.Actor, childID int64, arr arrival, grantsScope bool) models.Arrival {
	return models.Arrival{
		ChildID: childID, ArrivedAt: arr.at, BorderPostID: arr.postID, Location: strings.TrimSpace(arr.in.Location),
		HowFound: arr.in.HowFound, AccompanyingAdults: arr.in.AccompanyingAdults, Documents: arr.in.Documents,
		Notes: strings.TrimSpace(arr.in.Notes), GrantsScope: grantsScope, RegisteredBy: &a.UserID, CreatedAt: r.now(),
	}
}

// addArrival records another arrival of a known child in the officer's scope.
func (r *Registry) addArrival(ctx context.Context, tx *gorm.DB, a *models.Actor, childID int64, arr arrival, now time.Time, out *Registration) error {
	var c models.Child
	if err := tx.Where("id = ? AND status <> 'duplicate'", childID).Take(&c).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			var verr models.ValidationError
			verr.Add("existing_child_id", "child_unknown", map[string]any{"Value": childID})
			return &verr
		}
		return err
	}
	ar, err := r.insertArrival(tx, a, c.ID, arr)
	if err != nil {
		return err
	}
	if err := tx.Model(&models.Child{}).Where("id = ?", c.ID).Updates(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
		return err
	}
	*out = Registration{ChildID: c.ID, RegistrationNumber: c.RegistrationNumber, ArrivalID: ar.ID}
	return audit(ctx, tx, a, "child.arrival", "child", strconv.FormatInt(c.ID, 10), models.AuditChanges{
		"arrival_id": {After: ar.ID}, "arrived_at": {After: ar.ArrivedAt.Format(time.RFC3339)},
	}, "")
}

// RecordArrival records another arrival of the child childID (from the child's page): the
// child must be in the actor's scope.
func (r *Registry) RecordArrival(ctx context.Context, a *models.Actor, childID int64, in ArrivalInput) (Registration, error) {
	return r.RecordArrivalOnce(ctx, a, "", childID, in)
}

// RecordArrivalOnce is RecordArrival under an idempotency key (see RegisterArrivalOnce).
func (r *Registry) RecordArrivalOnce(ctx context.Context, a *models.Actor, key string, childID int64, in ArrivalInput) (Registration, error) {
	return r.RegisterArrivalOnce(ctx, a, key, RegistrationInput{Arrival: in, ExistingChildID: childID})
}

// validNationality accepts ISO 3166-1 alpha-2 country codes, plus XK (Kosovo), XS (stateless)
// and XX (unknown).
func validNationality(code string) bool {
	switch code {
	case "XK", "XS", "XX":
		return true
	}
	r, err := language.ParseRegion(code)
	return err == nil && len(code) == 2 && r.IsCountry() && r.String() == code
}
