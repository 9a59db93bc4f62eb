package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// FindDuplicatesInTx exposes the search without its audit row to the external benchmark.
func (r *Registry) FindDuplicatesInTx(tx *gorm.DB, q DuplicateQuery, limit int) ([]Candidate, error) {
	return r.findDuplicates(tx, q, limit)
}

// dupFixture is a database with one region and two border posts.
type dupFixture struct {
	db             *gorm.DB
	reg            *Registry
	region         int64
	post, postB    int64
	now            time.Time
	nextNumber     int
	borderOfficer  *models.Actor
	protectionUser int64
}

func newDupFixture(t *testing.T) *dupFixture {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	f := &dupFixture{db: db, reg: New(db), now: now}
	f.reg.Now = func() time.Time { return now }
	f.region = f.insert(t, `INSERT INTO regions (code, name) VALUES ('DUP', 'Duplicates')`)
	f.post = f.insert(t, `INSERT INTO border_posts (code, name, region_id) VALUES ('KAK', 'Kakavijë', ?)`, f.region)
	f.postB = f.insert(t, `INSERT INTO border_posts (code, name, region_id) VALUES ('HAN', 'Hani i Hotit', ?)`, f.region)
	user := f.insert(t, `INSERT INTO users (issuer, subject, username) VALUES ('test', 'bo', 'bo')`)
	roles := []models.Role{models.RoleBorderOfficer}
	f.borderOfficer = &models.Actor{UserID: user, Issuer: "test", Subject: "bo", Roles: roles,
		BorderPostIDs: []int64{f.postB}, Permissions: auth.PermissionsFor(roles)}
	return f
}

func (f *dupFixture) insert(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := f.db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

// testChild is what a test child looks like; names may be in any script.
type testChild struct {
	given, family string
	aliases       []string
	sex           string
	from, to      string // YYYY-MM-DD, empty when unknown
	nats          []string
	status        string
	// father, mother are the parents' names on the record (issue 12).
	father, mother string
}

func date(t *testing.T, s string) *time.Time {
	t.Helper()
	if s == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

// add registers a child the way RegisterArrival stores one, at the first border post.
func (f *dupFixture) add(t *testing.T, c testChild) int64 {
	t.Helper()
	f.nextNumber++
	status := c.status
	if status == "" {
		status = "active"
	}
	from, to := date(t, c.from), date(t, c.to)
	ch := models.Child{
		RegistrationNumber: fmt.Sprintf("AL-2026-%06d", f.nextNumber), RegionID: f.region, BorderPostID: &f.post,
		Status: status, GivenName: c.given, FamilyName: c.family, FatherName: c.father, MotherName: c.mother,
		GivenNameLatin: matching.Latin(c.given, ""), FamilyNameLatin: matching.Latin(c.family, ""), Sex: c.sex,
		BirthDateKnown: from != nil && to != nil && from.Equal(*to), BirthDateFrom: from, BirthDateTo: to,
		Nationalities: models.Strings(c.nats), Languages: models.Strings{}, ProtectionStatus: "unaccompanied",
		Vulnerabilities: models.Strings{}, TraffickingIndicators: models.Strings{},
		RegisteredAt: f.now.Add(-time.Duration(f.nextNumber) * time.Hour), Version: 1,
	}
	if ch.Nationalities == nil {
		ch.Nationalities = models.Strings{}
	}
	db := f.db
	if c.father == "" && c.mother == "" {
		// Also on a schema before migration 00040 (TestMigrationFillsBirthMid).
		db = db.Omit("FatherName", "MotherName")
	}
	if err := db.Create(&ch).Error; err != nil {
		t.Fatal(err)
	}
	rows := NameRows(ch.ID, ch.GivenName, ch.FamilyName, ch.GivenNameLatin, ch.FamilyNameLatin, c.aliases)
	if rows = append(rows, ParentageRows(ch.ID, ch.GivenName, ch.FamilyName, ch.GivenNameLatin, ch.FamilyNameLatin, ch.FatherName)...); len(rows) > 0 {
		if err := f.db.Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
	}
	return ch.ID
}

func (c testChild) query(t *testing.T) DuplicateQuery {
	return DuplicateQuery{GivenName: c.given, FamilyName: c.family, Aliases: c.aliases, Sex: c.sex,
		BirthDateFrom: date(t, c.from), BirthDateTo: date(t, c.to), Nationalities: c.nats}
}

func (f *dupFixture) find(t *testing.T, q DuplicateQuery, limit int) []Candidate {
	t.Helper()
	var out []Candidate
	err := f.db.Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = f.reg.findDuplicates(tx, q, limit)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func candidateIDs(cs []Candidate) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ChildID
	}
	return out
}

func reasonCodes(c Candidate) []string {
	var out []string
	for _, r := range c.Reasons {
		out = append(out, r.Code)
	}
	return out
}

// TestDuplicateDetectionQuality measures the duplicate check — retrieval in the database, then
// the matching engine — on the labelled pairs of the engine (matching/testdata; the engine
// alone is measured by matching's TestMatcherQuality): the tuning
// part name_pairs.csv and the frozen holdout name_pairs_holdout.csv, which is
// never tuned on (see its header) — so for it only the totals are reported, never a pair. Each
// part is registered in its own database: every pair's child A is registered in ONE database (so
// the search must also pick the right child among all the others); child B is then the query. A
// pair is flagged when its own A is returned (band likely or possible): a flagged positive pair
// is a true positive, a flagged negative pair a false positive. Other children returned for a
// query count neither way. Both parts must reach precision and recall 0.9.
func TestDuplicateDetectionQuality(t *testing.T) {
	t.Parallel()
	for _, part := range []struct {
		name, file string
		frozen     bool
	}{
		{"tuning", "../matching/testdata/name_pairs.csv", false},
		{"holdout", "../matching/testdata/name_pairs_holdout.csv", true},
	} {
		t.Run(part.name, func(t *testing.T) {
			t.Parallel()
			pairs := readLabelledPairs(t, part.file)
			positives := 0
			for _, p := range pairs {
				if p.same {
					positives++
				}
			}
			if positives < 40 || len(pairs)-positives < 30 {
				t.Fatalf("evaluation set too small: %d positive and %d negative pairs", positives, len(pairs)-positives)
			}
			f := newDupFixture(t)
			for i := range pairs {
				pairs[i].aID = f.add(t, pairs[i].a)
			}
			var tp, fp, fn, tn, likely int
			for _, p := range pairs {
				cands := f.find(t, p.b.query(t), 10)
				i := slices.IndexFunc(cands, func(c Candidate) bool { return c.ChildID == p.aID })
				flagged := i >= 0
				detail := "not returned"
				if flagged {
					detail = fmt.Sprintf("rank %d, %s %.2f %v", i+1, cands[i].Band, cands[i].Score, reasonCodes(cands[i]))
					if cands[i].Band == BandLikely {
						likely++
					}
				}
				switch {
				case p.same && flagged:
					tp++
				case p.same:
					fn++
					if !part.frozen {
						t.Logf("missed:  %s %s ~ %s %s (%s): %s", p.a.given, p.a.family, p.b.given, p.b.family, p.note, detail)
					}
				case flagged:
					fp++
					if !part.frozen {
						t.Logf("false +: %s %s ~ %s %s (%s): %s", p.a.given, p.a.family, p.b.given, p.b.family, p.note, detail)
					}
				default:
					tn++
				}
			}
			precision := float64(tp) / float64(max(tp+fp, 1))
			recall := float64(tp) / float64(max(tp+fn, 1))
			t.Logf("%s: %d pairs (%d same, %d different)", part.name, len(pairs), positives, len(pairs)-positives)
			t.Logf("%s: true positives %d (%d likely), false positives %d, false negatives %d, true negatives %d", part.name, tp, likely, fp, fn, tn)
			t.Logf("%s: precision %.3f, recall %.3f", part.name, precision, recall)
			if precision < 0.9 || recall < 0.9 {
				t.Errorf("%s: precision %.3f and recall %.3f must both be at least 0.9", part.name, precision, recall)
			}
		})
	}
}

// labelledPair is one pair of the evaluation set, as test children.
type labelledPair struct {
	a, b testChild
	same bool
	note string
	aID  int64
}

// readLabelledPairs reads a labelled-pairs file of the matching engine (matching.ReadPairs).
func readLabelledPairs(t testing.TB, file string) []labelledPair {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	read, err := matching.ReadPairs(fh)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	day := func(d *time.Time) string {
		if d == nil {
			return ""
		}
		return d.Format(time.DateOnly)
	}
	child := func(id matching.Identity) testChild {
		return testChild{given: id.GivenName, family: id.FamilyName, sex: id.Sex, from: day(id.BirthDateFrom),
			to: day(id.BirthDateTo), nats: id.Nationalities}
	}
	pairs := make([]labelledPair, len(read))
	for i, p := range read {
		pairs[i] = labelledPair{a: child(p.A), b: child(p.B), same: p.Same, note: p.Note}
	}
	return pairs
}

// TestFindDuplicates covers retrieval and the candidate summary against a real database.
func TestFindDuplicates(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	mohammad := f.add(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}})
	sardar := f.add(t, testChild{given: "Sardar", family: "Karimi", aliases: []string{"Sardar Jan"}, sex: "male", from: "2009-05-06", to: "2009-05-06", nats: []string{"AF"}})
	arabic := f.add(t, testChild{given: "محمد", family: "الحسن", sex: "male", from: "2011-01-01", to: "2011-12-31", nats: []string{"SY"}})
	merged := f.add(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male", from: "2010-01-01", to: "2010-12-31", nats: []string{"AF"}, status: "duplicate"})
	// Many namesakes of the wrong age: the right one must still rank first.
	for i := range 15 {
		f.add(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male", from: fmt.Sprintf("%d-01-01", 2000+i%5), to: fmt.Sprintf("%d-12-31", 2000+i%5), nats: []string{"AF"}})
	}

	t.Run("variant spelling ranks the right namesake first, merged records excluded", func(t *testing.T) {
		got := f.find(t, testChild{given: "Muhammad", family: "Ahmadi", sex: "male", from: "2010-06-01", to: "2011-05-31", nats: []string{"AF"}}.query(t), 10)
		if len(got) == 0 || got[0].ChildID != mohammad {
			t.Fatalf("want child %d first, got %v", mohammad, candidateIDs(got))
		}
		if slices.Contains(candidateIDs(got), merged) {
			t.Errorf("a record merged as a duplicate was returned")
		}
		c := got[0]
		// Sixteen Mohammad Ahmadis: agreeing on so common a name is weak evidence, so the
		// right one comes first but only as "possible", with the reason shown.
		if c.Band != BandPossible || c.MatchWeight < matching.PossibleWeight || c.Score <= 0 || c.Score > 1 ||
			!slices.Contains(reasonCodes(c), ReasonNameCommon) {
			t.Errorf("band %s score %v weight %v reasons %v", c.Band, c.Score, c.MatchWeight, reasonCodes(c))
		}
		want := Candidate{ChildID: mohammad, RegistrationNumber: c.RegistrationNumber, Score: c.Score, MatchWeight: c.MatchWeight, Band: c.Band, Reasons: c.Reasons,
			Name: "Mohammad Ahmadi", Sex: "male", BirthDateFrom: "2010-01-01", BirthDateTo: "2010-12-31",
			Nationalities: []string{"AF"}, RegisteredAt: c.RegisteredAt, BorderPost: "KAK", RegisteredMonth: "2026-05",
			AgeMin: c.AgeMin, AgeMax: c.AgeMax}
		if fmt.Sprint(c) != fmt.Sprint(want) {
			t.Errorf("summary\n got %+v\nwant %+v", c, want)
		}
		if c.AgeMin == nil || c.AgeMax == nil || *c.AgeMin != 15 || *c.AgeMax != 16 {
			t.Errorf("age range %v–%v, want 15–16", c.AgeMin, c.AgeMax)
		}
		if _, err := time.Parse(time.RFC3339, c.RegisteredAt); err != nil || !strings.HasPrefix(c.RegistrationNumber, "AL-2026-") {
			t.Errorf("registered_at %q, number %q", c.RegisteredAt, c.RegistrationNumber)
		}
		codes := reasonCodes(c)
		for _, code := range []string{ReasonNameSimilar, ReasonNameSameSkeleton, ReasonBirthOverlap, ReasonSexSame, ReasonNationalitySame} {
			if !slices.Contains(codes, code) {
				t.Errorf("reasons %v lack %s", codes, code)
			}
		}
		for _, other := range got[1:] {
			if other.Score > c.Score {
				t.Errorf("not ranked by score: %v", got)
			}
		}
	})
	t.Run("limit", func(t *testing.T) {
		got := f.find(t, testChild{given: "Mohammad", family: "Ahmadi", sex: "male"}.query(t), 3)
		if len(got) != 3 {
			t.Fatalf("want 3 candidates, got %d", len(got))
		}
	})
	t.Run("swapped names", func(t *testing.T) {
		got := f.find(t, testChild{given: "Karimi", family: "Sardar", sex: "male", from: "2009-05-06", to: "2009-05-06"}.query(t), 10)
		if len(got) == 0 || got[0].ChildID != sardar || !slices.Contains(reasonCodes(got[0]), ReasonNamesSwapped) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("alias", func(t *testing.T) {
		got := f.find(t, testChild{aliases: []string{"Sardar Jan"}, sex: "male", from: "2009-01-01", to: "2009-12-31"}.query(t), 10)
		if len(got) == 0 || got[0].ChildID != sardar || !slices.Contains(reasonCodes(got[0]), ReasonAliasMatch) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("Latin query finds an Arabic-script record", func(t *testing.T) {
		got := f.find(t, testChild{given: "Mohammed", family: "Al Hassan", sex: "male", from: "2011-03-01", to: "2012-02-28"}.query(t), 10)
		if len(got) == 0 || got[0].ChildID != arabic {
			t.Fatalf("got %+v", got)
		}
		if got[0].Name != "Mohammad Al-Hassan" {
			t.Errorf("summary name %q", got[0].Name)
		}
	})
	t.Run("different sex is not returned", func(t *testing.T) {
		got := f.find(t, testChild{given: "Sardar", family: "Karimi", sex: "female", from: "2009-05-06", to: "2009-05-06"}.query(t), 10)
		if slices.Contains(candidateIDs(got), sardar) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("nothing similar", func(t *testing.T) {
		got := f.find(t, testChild{given: "Olena", family: "Kravchenko", sex: "female"}.query(t), 10)
		if got == nil || len(got) != 0 {
			t.Fatalf("want an empty list, got %#v", got)
		}
	})
	t.Run("no name", func(t *testing.T) {
		got := f.find(t, DuplicateQuery{Sex: "male"}, 10)
		if got == nil || len(got) != 0 {
			t.Fatalf("want an empty list, got %#v", got)
		}
	})
}

// TestFindDuplicatesUseCase checks the permission, the validation and the audit row.
func TestFindDuplicatesUseCase(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	// Registered at another post than the officer's: the check is not scoped.
	id := f.add(t, testChild{given: "Yusuf", family: "Karimi", sex: "male", from: "2011-01-01", to: "2011-12-31", nats: []string{"AF"}})
	ctx := context.Background()

	got, err := f.reg.FindDuplicates(ctx, f.borderOfficer, DuplicateQuery{GivenName: "Youssef", FamilyName: "Karimi", Sex: "male", Nationalities: []string{"AF"}})
	if err != nil || len(got) != 1 || got[0].ChildID != id {
		t.Fatalf("got %+v, %v", got, err)
	}
	// Registered at another post: only the minimum is shown.
	if c := got[0]; c.InScope || c.BirthDateFrom != "" || c.BirthDateTo != "" || c.BorderPost != "" || c.RegisteredAt != "" ||
		c.RegistrationNumber == "" || c.AgeMin == nil || c.RegisteredMonth != "2026-05" {
		t.Errorf("out-of-scope summary %+v", c)
	}
	var audits int64
	if err := f.db.Model(&models.AuditEvent{}).Where("action = 'child.duplicate_check'").Count(&audits).Error; err != nil {
		t.Fatal(err)
	}
	if audits != 1 {
		t.Errorf("want one audit row, got %d", audits)
	}
	// The candidate's access history has the showing: who (actor), from where, which band.
	var shown []models.AuditEvent
	if err := f.db.Where("action = 'child.duplicate_candidate' AND entity = 'child' AND entity_id = ?", fmt.Sprint(id)).Find(&shown).Error; err != nil {
		t.Fatal(err)
	}
	if len(shown) != 1 || shown[0].ActorSubject != "bo" || fmt.Sprint(shown[0].Changes["asker_posts"].After) != "[HAN]" ||
		shown[0].Changes["band"].After != got[0].Band || shown[0].Changes["via"].After != "duplicate_check" {
		t.Errorf("access history rows %+v", shown)
	}

	problems := func(err error) string {
		var verr *models.ValidationError
		if !errors.As(err, &verr) {
			return fmt.Sprint(err)
		}
		var out []string
		for _, f := range verr.Fields {
			out = append(out, f.Field+":"+f.Code)
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		name string
		q    DuplicateQuery
		want string
	}{
		{"no name", DuplicateQuery{GivenName: "  ", Sex: "male", Nationalities: []string{"AF"}}, "given_name:name_required"},
		{"first name only", DuplicateQuery{GivenName: "Yusuf"}, "family_name:check_family_name_required birth_date:check_birth_or_nationality_required nationalities:check_birth_or_nationality_required"},
		{"first name and nationality", DuplicateQuery{GivenName: "Yusuf", Nationalities: []string{"AF"}}, "family_name:check_family_name_required"},
		{"full names without age or nationality", DuplicateQuery{GivenName: "Yusuf", FamilyNameLatin: "Karimi"}, "birth_date:check_birth_or_nationality_required nationalities:check_birth_or_nationality_required"},
		{"family name only", DuplicateQuery{FamilyName: "Karimi", Nationalities: []string{"AF"}}, "given_name:check_given_name_required"},
		{"one-word alias", DuplicateQuery{Aliases: []string{"Yusuf"}, Nationalities: []string{"AF"}}, "given_name:check_given_name_required family_name:check_family_name_required"},
		{"two-word alias", DuplicateQuery{Aliases: []string{"Yusuf Karimi"}, Nationalities: []string{"AF"}}, ""},
	} {
		_, err := f.reg.FindDuplicates(ctx, f.borderOfficer, tc.q)
		if got := problems(err); err == nil && tc.want != "" || err != nil && got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	monitor := &models.Actor{UserID: f.borderOfficer.UserID, Roles: []models.Role{models.RoleMonitor}, Permissions: auth.PermissionsFor([]models.Role{models.RoleMonitor})}
	if _, err := f.reg.FindDuplicates(ctx, monitor, DuplicateQuery{GivenName: "Yusuf"}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("monitor: got %v", err)
	}
	if _, err := f.reg.FindDuplicates(ctx, nil, DuplicateQuery{GivenName: "Yusuf"}); !errors.Is(err, models.ErrUnauthenticated) {
		t.Errorf("anonymous: got %v", err)
	}
}

func TestDuplicateQueryFrom(t *testing.T) {
	r := &Registry{Now: func() time.Time { return time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC) }}
	ip := func(v int) *int { return &v }
	tests := []struct {
		name     string
		in       IdentityInput
		from, to string // the birth range, "" for none
		problems []string
	}{
		{"known birth date", IdentityInput{GivenName: "محمد", BirthDate: "2010-03-12"}, "2010-03-12", "2010-03-12", nil},
		{"age range", IdentityInput{GivenName: "Ali", AgeMin: ip(15), AgeMax: ip(16)}, "2009-05-05", "2011-05-04", nil},
		{"one age", IdentityInput{GivenName: "Ali", AgeMax: ip(15)}, "2010-05-05", "2011-05-04", nil},
		{"nothing about age", IdentityInput{FamilyName: "Ahmadi"}, "", "", nil},
		{"alias only", IdentityInput{Aliases: []string{" Abu Bakr "}}, "", "", nil},
		{"no name", IdentityInput{GivenName: " ", Aliases: []string{""}, BirthDate: "2010-03-12"}, "", "", []string{"given_name:name_required"}},
		{"bad date", IdentityInput{GivenName: "Ali", BirthDate: "12.03.2010"}, "", "", []string{"birth_date:date_invalid"}},
		{"future date", IdentityInput{GivenName: "Ali", BirthDate: "2027-01-01"}, "", "", []string{"birth_date:date_in_future"}},
		{"inverted ages", IdentityInput{GivenName: "Ali", AgeMin: ip(16), AgeMax: ip(14)}, "", "", []string{"age_max:age_range_inverted"}},
		{"negative age", IdentityInput{GivenName: "Ali", AgeMin: ip(-1)}, "", "", []string{"age_min:age_invalid"}},
		{"too old", IdentityInput{GivenName: "Ali", AgeMin: ip(30)}, "", "", []string{"age_max:age_too_high"}},
		{"too long", IdentityInput{GivenName: strings.Repeat("ب", 101)}, "", "", []string{"given_name:too_long"}},
		{"too many aliases", IdentityInput{GivenName: "Ali", Aliases: strings.Split("a b c d e f g h i j k l m n o p q r s t u", " ")}, "", "", []string{"aliases:too_many"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := r.DuplicateQueryFrom(tc.in)
			var got []string
			var verr *models.ValidationError
			if errors.As(err, &verr) {
				for _, f := range verr.Fields {
					got = append(got, f.Field+":"+f.Code)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.problems) {
				t.Fatalf("problems %v, want %v", got, tc.problems)
			}
			if err != nil {
				return
			}
			f := func(d *time.Time) string {
				if d == nil {
					return ""
				}
				return d.Format(time.DateOnly)
			}
			if f(q.BirthDateFrom) != tc.from || f(q.BirthDateTo) != tc.to {
				t.Errorf("birth %s..%s, want %s..%s", f(q.BirthDateFrom), f(q.BirthDateTo), tc.from, tc.to)
			}
		})
	}
	q, _ := r.DuplicateQueryFrom(IdentityInput{GivenName: " Ali ", Nationalities: []string{"af", " ", "SY"}, Aliases: []string{"x", "x"}})
	if q.GivenName != "Ali" || fmt.Sprint(q.Nationalities) != "[AF SY]" || len(q.Aliases) != 1 {
		t.Errorf("query %+v", q)
	}
}
