package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// DuplicateQuery is what a registration knows about a child, to look for the same child
// among existing records.
type DuplicateQuery struct {
	GivenName       string     `json:"given_name"`
	FamilyName      string     `json:"family_name"`
	GivenNameLatin  string     `json:"given_name_latin"`
	FamilyNameLatin string     `json:"family_name_latin"`
	Aliases         []string   `json:"aliases"`
	Sex             string     `json:"sex"`
	BirthDateFrom   *time.Time `json:"-"`
	BirthDateTo     *time.Time `json:"-"`
	Nationalities   []string   `json:"nationalities"`
	// FatherName and MotherName (any script) tell namesakes apart; empty when not known.
	FatherName string `json:"father_name"`
	MotherName string `json:"mother_name"`
}

// Candidate is an existing child who may be the same person, with why.
type Candidate struct {
	ChildID            int64   `json:"child_id"`
	RegistrationNumber string  `json:"registration_number"`
	Score              float64 `json:"score"`
	Band               string  `json:"band"` // likely or possible
	// MatchWeight is the sum of the reasons' weights (bits of evidence, Fellegi–Sunter).
	MatchWeight float64  `json:"match_weight"`
	Reasons     []Reason `json:"reasons"`
	// A minimal summary to decide with; the full record stays behind the scope rule.
	Name string `json:"name"`
	Sex  string `json:"sex"`
	// AgeMin–AgeMax is the age range today (from the birth range), shown for every candidate.
	AgeMin        *int     `json:"age_min,omitempty"`
	AgeMax        *int     `json:"age_max,omitempty"`
	Nationalities []string `json:"nationalities"`
	// RegisteredMonth is "YYYY-MM".
	RegisteredMonth string `json:"registered_month"`
	// InScope tells whether the asker may read the child's record. Only then does the summary
	// also carry the exact birth range, the registration time and the border post.
	InScope       bool   `json:"in_scope"`
	BirthDateFrom string `json:"birth_date_from,omitempty"`
	BirthDateTo   string `json:"birth_date_to,omitempty"`
	RegisteredAt  string `json:"registered_at,omitempty"`
	BorderPost    string `json:"border_post,omitempty"`
}

// Reason is one explanation of a match (matching.Explain).
type Reason = matching.Reason

// Bands of the duplicate check, and the reason codes of the matching engine.
const (
	BandLikely   = "likely"
	BandPossible = "possible"

	ReasonNameSimilar        = matching.ReasonNameSimilar
	ReasonNameSameSkeleton   = matching.ReasonNameSameSkeleton
	ReasonAliasMatch         = matching.ReasonAliasMatch
	ReasonNamesSwapped       = matching.ReasonNamesSwapped
	ReasonBirthOverlap       = matching.ReasonBirthOverlap
	ReasonBirthFar           = matching.ReasonBirthFar
	ReasonSexSame            = matching.ReasonSexSame
	ReasonSexDiffers         = matching.ReasonSexDiffers
	ReasonNationalitySame    = matching.ReasonNationalitySame
	ReasonNationalityDiffers = matching.ReasonNationalityDiffers
	ReasonNameCommon         = matching.ReasonNameCommon
	ReasonNameRare           = matching.ReasonNameRare
	ReasonFatherName         = matching.ReasonFatherName
	ReasonMotherName         = matching.ReasonMotherName
	ReasonParentsUnresolved  = matching.ReasonParentsUnresolved
)

// namesakeGap is how close (in bits) to the first candidate's match weight another candidate
// must be to be indistinguishable from it: less than double odds either way.
const namesakeGap = 1.0

// Namesakes is how many of the candidates (ranked, best first) cannot be told apart from the
// first — those within namesakeGap bits of its weight, the first included — or 0 when the
// first stands out or there is none. Among 100 000 children many share a common name, the
// sex, the nationality and the age; their order is then no answer, and the check says so
// (and asks for the parents' names) instead of pretending a ranking. It counts among the
// candidates given (at most the ten a check lists).
func Namesakes(cands []Candidate) int {
	if len(cands) < 2 {
		return 0
	}
	n := 0
	for _, c := range cands {
		if c.MatchWeight >= cands[0].MatchWeight-namesakeGap {
			n++
		}
	}
	if n < 2 {
		return 0
	}
	return n
}

// The score of a candidate is its match weight (matching.Comparison) as a probability; the
// bands are thresholds on the weight (matching.Likely, matching.PossibleWeight). Retrieval:
const (
	// perKey is how many children one full-name key yields on each side of the birth middle
	// asked; perField how many a one-name key yields (see duplicateSearchSQL).
	perKey   = 30
	perField = 10
	// perParent is how many children the parentage key (the child's given name with the
	// father's) yields on each side of the birth middle asked, and parentSlots how many of
	// the children it found keep a place in the pool whatever their name similarity or age
	// (the ones the child's names found too first, then the closest born): more when the
	// question names the child by one name only, whose own keys are weak.
	perParent          = 10
	parentSlots        = 10
	parentSlotsOneName = 20
	// With the mother's name asked, the parentage keys yield perParentMother children on each
	// side of the birth middle, parentCheckMother of them (closest born first) are read, and
	// those whose mother's name is alike take the reserved places first: a trigram similarity
	// of at least motherSim to the name asked or its Latin reading, or the same consonants
	// (kujdes_consonants, migration 00048: vowels and h left out, w as v, q and c as k, y and
	// j as i: Parwin / Parveen, Fatima / Fatemeh). Only the order of who is read changes; the engine weighs the names.
	perParentMother   = 20
	parentCheckMother = 40
	motherSim         = 0.3
	// candidatePool is how many retrieved children are scored in Go.
	candidatePool = 30
	// maxBirthGap is the widest gap between birth ranges that can still give a candidate.
	maxBirthGap = 3 * 366 * 24 * time.Hour
)

// DuplicateQueryFrom reads the identity fields of a registration for a duplicate check. It is
// lenient — a check may be made with what is known so far — but refuses what cannot be read:
// no name at all, over-long names or too many aliases, a malformed or future birth date, an
// impossible age range. An estimated age
// is as of today: born between today − (age_max + 1) years + 1 day and today − age_min years.
func (r *Registry) DuplicateQueryFrom(in IdentityInput) (DuplicateQuery, error) {
	var verr models.ValidationError
	q := DuplicateQuery{
		GivenName: strings.TrimSpace(in.GivenName), FamilyName: strings.TrimSpace(in.FamilyName),
		GivenNameLatin: strings.TrimSpace(in.GivenNameLatin), FamilyNameLatin: strings.TrimSpace(in.FamilyNameLatin),
		Aliases: trimmed(in.Aliases), Sex: in.Sex,
		FatherName: strings.TrimSpace(in.FatherName), MotherName: strings.TrimSpace(in.MotherName),
	}
	if !q.hasName() {
		verr.Add("given_name", "name_required", nil)
	}
	// The same bounds as a registration; each alias is one more index scan.
	for field, v := range map[string]string{"given_name": q.GivenName, "family_name": q.FamilyName,
		"given_name_latin": q.GivenNameLatin, "family_name_latin": q.FamilyNameLatin,
		"father_name": q.FatherName, "mother_name": q.MotherName} {
		if utf8.RuneCountInString(v) > 100 {
			verr.Add(field, "too_long", map[string]any{"Max": 100})
		}
	}
	if len(q.Aliases) > 20 {
		verr.Add("aliases", "too_many", map[string]any{"Max": 20})
	}
	// Without a birth date or age the search still runs (on names, sex and nationality).
	if strings.TrimSpace(in.BirthDate) != "" || in.AgeMin != nil || in.AgeMax != nil {
		now := r.now()
		q.BirthDateFrom, q.BirthDateTo, _ = birthRange(in, now, now, &verr)
	}
	for _, n := range trimmed(in.Nationalities) {
		q.Nationalities = append(q.Nationalities, strings.ToUpper(n))
	}
	if err := verr.Err(); err != nil {
		return DuplicateQuery{}, err
	}
	return q, nil
}

// birthMid is the middle of a birth range (nil when unknown), as kujdes_birth_mid computes
// child_names.birth_mid.
func birthMid(from, to *time.Time) *time.Time {
	switch {
	case from == nil:
		return to
	case to == nil:
		return from
	}
	// Calendar days, whatever the clock time or zone of the two dates.
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	f := day(*from)
	m := f.AddDate(0, 0, int(day(*to).Sub(f).Hours()/24)/2)
	return &m
}

// identity is what the query knows, for the matching engine.
func (q DuplicateQuery) identity() matching.Identity {
	return matching.Identity{GivenName: q.GivenName, FamilyName: q.FamilyName, GivenNameLatin: q.GivenNameLatin,
		FamilyNameLatin: q.FamilyNameLatin, Aliases: q.Aliases, Sex: q.Sex, BirthDateFrom: q.BirthDateFrom,
		BirthDateTo: q.BirthDateTo, Nationalities: q.Nationalities, FatherName: q.FatherName, MotherName: q.MotherName}
}

// hasName reports whether the query names the child at all (a name or an alias).
func (q DuplicateQuery) hasName() bool {
	for _, s := range append([]string{q.GivenName, q.FamilyName, q.GivenNameLatin, q.FamilyNameLatin}, q.Aliases...) {
		if strings.TrimSpace(s) != "" {
			return true
		}
	}
	return false
}

// FindDuplicates ranks existing children who may be the one described: a question that
// describes one child (checkMinimum), within the actor's rate limit; every candidate shown is
// recorded in its access history and, outside the actor's scope, reduced to the minimum.
func (r *Registry) FindDuplicates(ctx context.Context, a *models.Actor, q DuplicateQuery) ([]Candidate, error) {
	return r.findDuplicatesAsked(ctx, a, q, false)
}

// FindDuplicateHints is FindDuplicates asked while the registration form is being typed: the
// same answer, disclosure and audit, but within a smaller share of the user's limit
// (allowHint), so that hints never leave the save itself without a check.
func (r *Registry) FindDuplicateHints(ctx context.Context, a *models.Actor, q DuplicateQuery) ([]Candidate, error) {
	return r.findDuplicatesAsked(ctx, a, q, true)
}

func (r *Registry) findDuplicatesAsked(ctx context.Context, a *models.Actor, q DuplicateQuery, hint bool) ([]Candidate, error) {
	if err := require(a, models.PermChildRegister); err != nil {
		return nil, err
	}
	var verr models.ValidationError
	q.checkMinimum(&verr)
	if err := verr.Err(); err != nil {
		return nil, err
	}
	allow, via := r.allowCheck, viaDuplicateCheck
	if hint {
		allow, via = r.allowHint, viaDuplicateHint
	}
	if err := allow(a); err != nil {
		return nil, r.auditCheckRefused(ctx, a, err, via)
	}
	var out []Candidate
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cands, err := r.findDuplicates(tx, q, 10)
		if err != nil {
			return err
		}
		if out, err = r.discloseCandidates(ctx, tx, a, cands, via); err != nil {
			return err
		}
		return audit(ctx, tx, a, "child.duplicate_check", "child", "", models.AuditChanges{"candidates": {After: len(out)}}, "")
	})
	return out, err
}

// findDuplicates is the search itself, inside the caller's transaction. It is deliberately not
// scoped: the same child may have been registered at any post. It returns only a summary.
//
// Retrieval is one SQL statement over child_names by blocking keys (duplicateSearchSQL): exact
// skeletons of the full name in both orders, of its other spellings, of a name given alone and
// of each name alone, each looked up in the index (skeleton, kind, birth_mid) nearest birth
// first. The best candidatePool children, pre-ranked by name similarity, birth-date distance and
// nationality, come back with their names and the frequencies of the query's names
// (name_counts; agreement is adjusted by the frequency of a name both sides share, so the
// candidates' other names need none), and are scored in Go by the matching engine (matching.Compare).
func (r *Registry) findDuplicates(tx *gorm.DB, q DuplicateQuery, limit int) ([]Candidate, error) {
	if limit <= 0 {
		return []Candidate{}, nil
	}
	qp := matching.NewPerson(q.identity())
	args, ok := duplicateSearchArgs(q, qp)
	if !ok {
		return []Candidate{}, nil
	}
	// The statement has one good plan whatever the question (short index range scans, one
	// pool); planning it for each question cost more CPU than running it at a million
	// children. Its generic plan is made once per connection (the statement is prepared and
	// kept by the driver) and kept for this statement only.
	if err := tx.Exec(`SET LOCAL plan_cache_mode = force_generic_plan`).Error; err != nil {
		return nil, fmt.Errorf("duplicate search: %w", err)
	}
	var rows []candidateRow
	if err := tx.Raw(duplicateSearchSQL, args).Find(&rows).Error; err != nil { // Find, not Scan (models.Open says why)
		return nil, fmt.Errorf("duplicate search: %w", err)
	}
	if err := tx.Exec(`RESET plan_cache_mode`).Error; err != nil {
		return nil, fmt.Errorf("duplicate search: %w", err)
	}
	if len(rows) == 0 {
		return []Candidate{}, nil
	}
	// The candidates' names and the name frequencies came with the rows (one round trip).
	var freqRows []struct {
		Kind, Skeleton string
		N              int64
	}
	if err := json.Unmarshal(rows[0].Freqs, &freqRows); err != nil {
		return nil, fmt.Errorf("duplicate search frequencies: %w", err)
	}
	var freqs matching.Freqs
	for _, f := range freqRows {
		if f.Skeleton == totalSkeleton {
			freqs.AddTotal(f.Kind, f.N)
		} else {
			freqs.Add(f.Kind, f.Skeleton, f.N)
		}
	}
	out := []Candidate{}
	type rank struct {
		weight float64
		birth  time.Duration
	}
	ranks := map[int64]rank{}
	for _, row := range rows {
		id, err := row.identity()
		if err != nil {
			return nil, err
		}
		cp := matching.NewPerson(id)
		cmp, ok := matching.Compare(qp, cp, freqs)
		if !ok {
			continue
		}
		w := cmp.Weight()
		if w < matching.PossibleWeight {
			continue
		}
		ranks[row.ID] = rank{w, matching.BirthDistance(qp, cp)}
		out = append(out, row.candidate(w, freqs.Children(), cmp.Explain(), r.now()))
	}
	// By weight, then (namesakes) by how close the birth estimates are, then by name and birth
	// range: the same ranking whatever order the children came in (only children alike in
	// all of these fall back on the id).
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := ranks[out[i].ChildID], ranks[out[j].ChildID]
		switch {
		case ri.weight != rj.weight:
			return ri.weight > rj.weight
		case ri.birth != rj.birth:
			return ri.birth < rj.birth
		case out[i].Name != out[j].Name:
			return out[i].Name < out[j].Name
		case out[i].BirthDateFrom != out[j].BirthDateFrom:
			return out[i].BirthDateFrom < out[j].BirthDateFrom
		case out[i].BirthDateTo != out[j].BirthDateTo:
			return out[i].BirthDateTo < out[j].BirthDateTo
		}
		return out[i].ChildID < out[j].ChildID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// duplicateSearchArgs are the arguments of duplicateSearchSQL for a query (qp: the query
// folded); ok false when it has nothing to look up.
func duplicateSearchArgs(q DuplicateQuery, qp matching.Person) (args map[string]any, ok bool) {
	terms, fullSkels, singleSkels := qp.SearchTerms()
	if len(terms) == 0 {
		return nil, false
	}
	parentShort, parentLong := qp.ParentageSkeletons()
	// The long key with the names swapped too (the family name asked as the given name).
	for _, k := range qp.SwappedParentageSkeletons() {
		if !slices.Contains(parentLong, k) {
			parentLong = append(parentLong, k)
		}
	}
	slots := parentSlots
	if len(fullSkels) == 0 {
		slots = parentSlotsOneName
	}
	// The question's names in their other and looser spellings (Shakib / Sakib, Ridha /
	// Rida), looked up as the names asked are; nothing is stored for them.
	looseField, looseFull, looseParent := qp.LooseKeys()
	fieldSkels := append(qp.FieldSkeletons(), looseField...)
	fullSkels = append(fullSkels, looseFull...)
	parentShort = append(parentShort, looseParent...)
	// With the mother's name, more of the parentage key's children are read and those whose
	// mother's name is alike keep the reserved places first.
	perPar, parCheck, motherTerms := perParent, slots, []string{}
	if m := strings.TrimSpace(q.MotherName); m != "" && len(parentShort)+len(parentLong) > 0 {
		perPar, parCheck = perParentMother, parentCheckMother
		motherTerms = append(motherTerms, m)
		if l := matching.Latin(m, ""); l != m {
			motherTerms = append(motherTerms, l)
		}
	}
	nats := models.Strings(q.Nationalities)
	if nats == nil {
		nats = models.Strings{}
	}
	return map[string]any{
		"terms": models.Strings(terms), "full_skels": models.Strings(fullSkels), "single_skels": models.Strings(singleSkels),
		"birth_from": q.BirthDateFrom, "birth_to": q.BirthDateTo, "sex": q.Sex, "nats": nats,
		"max_gap": int(maxBirthGap.Hours() / 24), "pool": candidatePool,
		"field_skels": models.Strings(fieldSkels), "birth_mid": birthMid(q.BirthDateFrom, q.BirthDateTo),
		"per_key": perKey, "per_field": perField,
		"parent_skels": models.Strings(parentShort), "parent_long_skels": models.Strings(parentLong), "per_parent": perPar, "parent_slots": slots,
		"mother_terms": models.Strings(motherTerms), "mother_sim": motherSim, "par_check": parCheck,
		// The parents' names are given names: their frequencies are the given names'.
		"freq_skels": models.Strings(append([]string{totalSkeleton}, qp.FrequencySkeletons()...)),
	}, true
}

// duplicateSearchSQL retrieves the candidate pool (see findDuplicates) by blocking keys, each
// an exact look-up in the index child_names (skeleton, birth_mid) — never a scan whose cost
// grows with the registry (migrations/00034):
//
//   - the skeletons of the full name (both orders, other spellings, with and without Muhammad)
//     and of aliases, against full names and aliases;
//   - the skeleton of a name given alone, against given names and aliases;
//   - the skeleton of each of the given and family names, against given and family names (in
//     either field: swapped names), so that one name spelled beyond its skeleton (Aslan /
//     Arslan, Momand / Mohmand) still finds the child through the other;
//   - the skeletons of the other spellings of stored names (variant_skeletons, GIN);
//   - when the question carries the father's name, the parentage keys (matching.ParentageSkeletons:
//     given name + father's name, and + family name when asked, also with the two names
//     swapped: matching.SwappedParentageSkeletons) against the parentage rows
//     (ParentageRows), perParent on each side of the birth middle. The children they find
//     keep parentSlots places in the pool (the ones the child's names or the long key found
//     first, then the closest born), so a namesake with that father comes back whatever the
//     age estimate; a long-key hit counts as a full-name hit, a short-key hit as 0.5.
//     When the mother's name is asked too, the keys yield perParentMother on each side,
//     parentCheckMother of their children (closest born first) are read, and those whose
//     mother's name is alike (trigram similarity, or the same consonants) take the reserved
//     places first: among thousands of "Mohammad son of Ahmad" only the mother tells a child
//     asked by one name apart, and the age estimate may be a year or two off;
//   - the question's names in their other and looser spellings (matching.LooseKeys: the
//     readings of each name alone, an h after a consonant dropped or added) as given and
//     family names, full names and short parentage keys — keys
//     of the question only, nothing stored.
//
// Within one key the children born closest to the child asked about come first: perKey on
// each side of the birth middle asked, perField for the one-name keys (a common given name is
// shared by tens of thousands). A hit counts 0.5 plus half its name's trigram similarity to
// the names asked (one-name hits: half), so Ammar comes before Omar. Children of the other sex
// or born more than maxBirthGap apart are not candidates, so they take no place in the pool.
// Only the twice pool best hits by name and birth middle are read from children.
const duplicateSearchSQL = `WITH t AS (SELECT DISTINCT lower(kujdes_unaccent(x)) AS term FROM unnest(CAST(@terms AS text[])) AS x),
	keys AS (
		SELECT k, kind, max(lim) AS lim, max(base) AS base FROM (
			SELECT k, kind, CAST(@per_key AS bigint) AS lim, 0.5 AS base
			FROM unnest(CAST(@full_skels AS text[])) AS k, unnest(ARRAY['full', 'alias']) AS kind
			UNION ALL
			SELECT k, kind, CAST(@per_key AS bigint), 0.5
			FROM unnest(CAST(@single_skels AS text[])) AS k, unnest(ARRAY['given', 'alias']) AS kind
			UNION ALL
			SELECT k, kind, CAST(@per_field AS bigint), 0.0
			FROM unnest(CAST(@field_skels AS text[])) AS k, unnest(ARRAY['given', 'family']) AS kind
			UNION ALL
			SELECT k, 'parentage', CAST(@per_parent AS bigint), 0.5
			FROM unnest(CAST(@parent_skels AS text[])) AS k
			UNION ALL
			SELECT k, 'parentage', CAST(@per_parent AS bigint), 1.0
			FROM unnest(CAST(@parent_long_skels AS text[])) AS k
		) x WHERE k <> '' GROUP BY k, kind
	),
	hits AS (
		SELECT b.child_id, b.birth_mid, keys.kind = 'parentage' AS par,
			keys.base + CASE WHEN keys.kind = 'parentage' THEN 0 ELSE 0.5 * (SELECT max(similarity(b.norm, t.term)) FROM t) END AS sim
		FROM keys, LATERAL (
			(SELECT cn.child_id, cn.norm, cn.birth_mid FROM child_names cn
				WHERE cn.skeleton = keys.k AND cn.skeleton <> '' AND cn.kind = keys.kind AND cn.birth_mid >= CAST(@birth_mid AS date)
				ORDER BY cn.birth_mid LIMIT keys.lim)
			UNION ALL
			(SELECT cn.child_id, cn.norm, cn.birth_mid FROM child_names cn
				WHERE cn.skeleton = keys.k AND cn.skeleton <> '' AND cn.kind = keys.kind AND cn.birth_mid < CAST(@birth_mid AS date)
				ORDER BY cn.birth_mid DESC LIMIT keys.lim)
			UNION ALL
			(SELECT cn.child_id, cn.norm, cn.birth_mid FROM child_names cn
				WHERE cn.skeleton = keys.k AND cn.skeleton <> '' AND cn.kind = keys.kind AND cn.birth_mid IS NULL
				LIMIT keys.lim)
			UNION ALL
			(SELECT cn.child_id, cn.norm, cn.birth_mid FROM child_names cn
				WHERE CAST(@birth_mid AS date) IS NULL AND cn.skeleton = keys.k AND cn.skeleton <> '' AND cn.kind = keys.kind
				LIMIT keys.lim)
		) b
		UNION ALL
		SELECT v.child_id, v.birth_mid, false, 0.5 + 0.5 * (SELECT max(similarity(v.norm, t.term)) FROM t)
		FROM (SELECT cn.child_id, cn.norm, cn.birth_mid FROM child_names cn
			WHERE cn.variant_skeletons && CAST(@full_skels AS text[]) AND cn.variant_skeletons <> '{}'
				AND cn.kind IN ('full', 'alias')
			LIMIT CAST(@per_key AS bigint) * 4) v
	),
	by_child AS (
		SELECT child_id, sim, par, sim - 0.1 * coalesce(abs(birth_mid - CAST(@birth_mid AS date)), 0) / 365.25 AS r
		FROM (SELECT child_id, max(sim) AS sim, bool_or(par) AS par, min(birth_mid) AS birth_mid
			FROM hits GROUP BY child_id) x
	),
	mother AS (SELECT DISTINCT lower(kujdes_unaccent(x)) AS term,
			kujdes_consonants(x) AS cons
		FROM unnest(CAST(@mother_terms AS text[])) AS x WHERE x <> ''),
	par_checked AS (
		SELECT p.child_id, p.r,
			EXISTS (SELECT 1 FROM mother WHERE c.mother_name <> ''
				AND (similarity(lower(kujdes_unaccent(c.mother_name)), mother.term) >= @mother_sim
					OR kujdes_consonants(c.mother_name) = mother.cons)) AS mother_agrees
		FROM (SELECT child_id, r FROM by_child WHERE par ORDER BY r DESC, child_id LIMIT @par_check) p
		JOIN children c ON c.id = p.child_id
	),
	par_slots AS (SELECT child_id FROM par_checked ORDER BY mother_agrees DESC, r DESC, child_id LIMIT @parent_slots),
	best AS (
		SELECT child_id, sim, child_id IN (SELECT child_id FROM par_slots) AS par_slot
		FROM by_child
		ORDER BY par_slot DESC, r DESC, child_id
		LIMIT 2 * @pool
	),
	near AS (
		SELECT c.*, best.sim, best.par_slot,
			coalesce(GREATEST(c.birth_date_from - CAST(@birth_to AS date), CAST(@birth_from AS date) - c.birth_date_to, 0), 0) AS gap
		FROM best JOIN children c ON c.id = best.child_id
		WHERE c.status <> 'duplicate'
			AND NOT (c.sex IN ('male', 'female') AND CAST(@sex AS text) IN ('male', 'female') AND c.sex <> CAST(@sex AS text))
	),
	pool AS (
		SELECT near.id, near.registration_number, near.given_name, near.family_name, near.given_name_latin,
			near.family_name_latin, near.sex, near.birth_date_from, near.birth_date_to, near.nationalities,
			near.father_name, near.mother_name, near.registered_at, bp.code AS border_post,
			near.sim - 0.1 * near.gap / 365.25 + CASE WHEN near.nationalities && CAST(@nats AS text[]) THEN 0.05 ELSE 0 END AS pre_rank
		FROM near
		LEFT JOIN border_posts bp ON bp.id = near.border_post_id
		WHERE near.gap <= @max_gap
		ORDER BY near.par_slot DESC, pre_rank DESC, near.id
		LIMIT @pool
	),
	names AS (SELECT cn.id, cn.child_id, cn.kind, cn.latin, cn.skeleton FROM pool JOIN child_names cn ON cn.child_id = pool.id),
	freqs AS (
		SELECT coalesce(json_agg(json_build_object('kind', kind, 'skeleton', skeleton, 'n', n)), '[]') AS j
		FROM name_counts
		WHERE kind IN ('given', 'family') AND skeleton = ANY (CAST(@freq_skels AS text[]))
	)
	SELECT pool.id, pool.registration_number, pool.given_name, pool.family_name, pool.given_name_latin,
		pool.family_name_latin, pool.sex, pool.birth_date_from, pool.birth_date_to, pool.nationalities,
		pool.father_name, pool.mother_name, pool.registered_at, pool.border_post,
		(SELECT coalesce(json_agg(json_build_object('kind', n.kind, 'latin', n.latin) ORDER BY n.id), '[]') FROM names n WHERE n.child_id = pool.id) AS names,
		(SELECT j FROM freqs) AS freqs
	FROM pool
	ORDER BY pool.pre_rank DESC, pool.id`

// totalSkeleton is the row key of a kind's total in name_frequencies and name_counts;
// skeletons never start with '*'. The search reads name_counts (migration 00046): the folded
// counts, each the sum of its stripes (00028, 00038), plus the changes not yet folded
// (name_counts.go).
const totalSkeleton = "*"

// candidateRow is a retrieved child.
type candidateRow struct {
	ID                 int64
	RegistrationNumber string
	GivenName          string
	FamilyName         string
	GivenNameLatin     string
	FamilyNameLatin    string
	Sex                string
	BirthDateFrom      *time.Time
	BirthDateTo        *time.Time
	Nationalities      models.Strings
	FatherName         string
	MotherName         string
	RegisteredAt       time.Time
	BorderPost         string
	// Names are the child's child_names rows (kind and Latin, in order), Freqs the name
	// frequencies of the query's names (the same on every row): JSON.
	Names []byte
	Freqs []byte
}

// identity is a retrieved child with its child_names rows, for the matching engine.
func (row candidateRow) identity() (matching.Identity, error) {
	id := matching.Identity{GivenName: row.GivenName, FamilyName: row.FamilyName, GivenNameLatin: row.GivenNameLatin,
		FamilyNameLatin: row.FamilyNameLatin, Sex: row.Sex, BirthDateFrom: row.BirthDateFrom, BirthDateTo: row.BirthDateTo,
		Nationalities: row.Nationalities, FatherName: row.FatherName, MotherName: row.MotherName}
	var names []struct{ Kind, Latin string }
	if err := json.Unmarshal(row.Names, &names); err != nil {
		return id, fmt.Errorf("duplicate search names: %w", err)
	}
	for _, n := range names {
		switch n.Kind {
		case "given":
			id.OtherGivenNames = append(id.OtherGivenNames, n.Latin)
		case "family":
			id.OtherFamilyNames = append(id.OtherFamilyNames, n.Latin)
		case "alias":
			id.Aliases = append(id.Aliases, n.Latin)
		}
	}
	return id, nil
}

func (row candidateRow) candidate(weight float64, children int64, reasons []Reason, now time.Time) Candidate {
	c := Candidate{
		ChildID: row.ID, RegistrationNumber: row.RegistrationNumber,
		Score: math.Round(matching.Probability(weight, children)*100) / 100, MatchWeight: matching.RoundWeight(weight), Band: BandPossible, Reasons: reasons,
		Name: matching.JoinName(row.GivenNameLatin, row.FamilyNameLatin), Sex: row.Sex,
		Nationalities:   append([]string{}, row.Nationalities...),
		RegisteredMonth: row.RegisteredAt.UTC().Format("2006-01"),
		RegisteredAt:    row.RegisteredAt.UTC().Format(time.RFC3339), BorderPost: row.BorderPost,
	}
	if row.BirthDateFrom != nil && row.BirthDateTo != nil {
		lo, hi := models.AgeRangeAt(*row.BirthDateFrom, *row.BirthDateTo, now)
		c.AgeMin, c.AgeMax = &lo, &hi
	}
	if matching.Likely(weight, children) {
		c.Band = BandLikely
	}
	if row.BirthDateFrom != nil {
		c.BirthDateFrom = row.BirthDateFrom.Format(time.DateOnly)
	}
	if row.BirthDateTo != nil {
		c.BirthDateTo = row.BirthDateTo.Format(time.DateOnly)
	}
	return c
}
