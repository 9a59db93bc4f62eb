package registry_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestCheckPlacement(t *testing.T) {
	start := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	centre := models.Facility{Kind: models.FacilityChildrensCentre, Capacity: 10, AgeMin: 0, AgeMax: 17,
		SexesAccepted: models.Strings{"female", "male", "other", "unknown"}, LicenceExpiresOn: day("2027-01-01")}
	with := func(f func(*models.Facility)) models.Facility {
		c := centre
		c.SexesAccepted = slices.Clone(centre.SexesAccepted)
		f(&c)
		return c
	}
	adult := with(func(f *models.Facility) { f.Kind = models.FacilityAdultReception; f.AgeMin, f.AgeMax = 16, 99 })
	police := with(func(f *models.Facility) { f.Kind = models.FacilityPoliceDetention })
	numbered := with(func(f *models.Facility) { f.ID = 7 })
	// Birth ranges giving ages at start.
	born := func(lo, hi int) (*time.Time, *time.Time) {
		from, to := models.BirthDatesForAges(lo, hi, start)
		return &from, &to
	}
	const justified = "She asked to stay with her cousin's family friends; the centre has a separate wing."
	type want struct {
		refused  []string
		warnings []string
	}
	tests := []struct {
		name string
		in   registry.PlacementRules
		want want
	}{
		{"children's centre, room, licensed", registry.PlacementRules{Facility: centre, Occupancy: 3, ChildSex: "male"}, want{}},
		// Refused (S6).
		{"police station, any age", registry.PlacementRules{Facility: police, ChildSex: "male"}, want{refused: []string{"facility_id:placement_detention_refused"}}},
		{"adult centre, age unknown", registry.PlacementRules{Facility: adult, ChildSex: "male", BestInterests: justified}, want{refused: []string{"facility_id:placement_adult_centre_under_16"}}},
		{"adult centre, 15", registry.PlacementRules{Facility: adult, ChildSex: "male", BestInterests: justified}, want{refused: []string{"facility_id:placement_adult_centre_under_16"}}},
		{"adult centre, range 15–17 reaches below 16", registry.PlacementRules{Facility: adult, ChildSex: "male", BestInterests: justified}, want{refused: []string{"facility_id:placement_adult_centre_under_16"}}},
		{"adult centre, 16–17 without justification", registry.PlacementRules{Facility: adult, ChildSex: "male"}, want{refused: []string{"best_interests:placement_adult_centre_needs_best_interests"}}},
		{"adult centre, 17 with a token justification", registry.PlacementRules{Facility: adult, ChildSex: "male", BestInterests: "best interests"}, want{refused: []string{"best_interests:placement_adult_centre_needs_best_interests"}}},
		{"adult centre, 16–17 justified", registry.PlacementRules{Facility: adult, ChildSex: "male", BestInterests: justified}, want{}},
		{"overlapping period", registry.PlacementRules{Facility: centre, ChildSex: "male", Overlaps: true}, want{refused: []string{"started_at:placement_overlaps"}}},
		// Warned.
		{"full: this child makes 11 of 10", registry.PlacementRules{Facility: centre, Occupancy: 10, ChildSex: "male"}, want{warnings: []string{"over_capacity"}}},
		{"exactly full is not over", registry.PlacementRules{Facility: centre, Occupancy: 9, ChildSex: "male"}, want{}},
		{"licence expired the day before", registry.PlacementRules{Facility: with(func(f *models.Facility) { f.LicenceExpiresOn = day("2026-05-31") }), ChildSex: "male"}, want{warnings: []string{"licence_expired"}}},
		{"licence expiring on the start day is valid", registry.PlacementRules{Facility: with(func(f *models.Facility) { f.LicenceExpiresOn = day("2026-06-01") }), ChildSex: "male"}, want{}},
		{"sex not accepted", registry.PlacementRules{Facility: with(func(f *models.Facility) { f.SexesAccepted = models.Strings{"female"} }), ChildSex: "male"}, want{warnings: []string{"sex_not_accepted"}}},
		{"age range reaches above the facility's", registry.PlacementRules{Facility: with(func(f *models.Facility) { f.AgeMax = 15 }), ChildSex: "female"}, want{warnings: []string{"age_not_accepted"}}},
		{"every warning at once", registry.PlacementRules{Facility: with(func(f *models.Facility) {
			f.Capacity, f.LicenceExpiresOn, f.SexesAccepted, f.AgeMin = 0, day("2020-01-01"), models.Strings{"male"}, 17
		}), ChildSex: "female"}, want{warnings: []string{"over_capacity", "licence_expired", "sex_not_accepted", "age_not_accepted"}}},
		{"a refused facility is not warned about", registry.PlacementRules{Facility: with(func(f *models.Facility) {
			f.Kind, f.Capacity = models.FacilityPoliceDetention, 0
		}), ChildSex: "male"}, want{refused: []string{"facility_id:placement_detention_refused"}}},
		// Siblings separated (relatives.go): the facilities where linked siblings live now.
		{"no sibling placed", registry.PlacementRules{Facility: numbered, ChildSex: "male", SiblingFacilityIDs: nil}, want{}},
		{"with the sibling", registry.PlacementRules{Facility: numbered, ChildSex: "male", SiblingFacilityIDs: []int64{7}}, want{}},
		{"sibling placed elsewhere", registry.PlacementRules{Facility: numbered, ChildSex: "male", SiblingFacilityIDs: []int64{8}}, want{warnings: []string{"siblings_separated"}}},
		{"with one sibling, apart from another", registry.PlacementRules{Facility: numbered, ChildSex: "male", SiblingFacilityIDs: []int64{7, 9}}, want{warnings: []string{"siblings_separated"}}},
		{"siblings separated and full", registry.PlacementRules{Facility: numbered, Occupancy: 10, ChildSex: "male", SiblingFacilityIDs: []int64{8}},
			want{warnings: []string{"over_capacity", "siblings_separated"}}},
		{"detention is refused, not warned, even beside a sibling elsewhere", registry.PlacementRules{Facility: with(func(f *models.Facility) {
			f.ID, f.Kind = 7, models.FacilityPoliceDetention
		}), ChildSex: "male", SiblingFacilityIDs: []int64{8}}, want{refused: []string{"facility_id:placement_detention_refused"}}},
	}
	ages := map[string][2]int{
		"adult centre, 15": {15, 15}, "adult centre, range 15–17 reaches below 16": {15, 17},
		"adult centre, 16–17 without justification": {16, 17}, "adult centre, 17 with a token justification": {17, 17},
		"adult centre, 16–17 justified": {16, 17}, "age range reaches above the facility's": {15, 16},
		"every warning at once": {15, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Start = start
			if r, ok := ages[tt.name]; ok {
				in.BirthFrom, in.BirthTo = born(r[0], r[1])
			}
			verr, warnings := registry.CheckPlacement(in)
			var err error
			if verr != nil {
				err = verr
			}
			if got := problems(t, err); !slices.Equal(got, tt.want.refused) {
				t.Errorf("refused %v, want %v", got, tt.want.refused)
			}
			if !slices.Equal(warnings, tt.want.warnings) {
				t.Errorf("warnings %v, want %v", warnings, tt.want.warnings)
			}
		})
	}
}

type placementFixture struct {
	db                 *gorm.DB
	reg                *registry.Registry
	now                time.Time
	child, otherChild  int64
	officer, guardian  *models.Actor
	border, admin      *models.Actor
	centre, small, old int64
	police, adultHome  int64
	here               int64
}

func newPlacementFixture(t *testing.T) placementFixture {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	f := placementFixture{db: db, reg: registry.New(db), now: now}
	f.reg.Now = func() time.Time { return now }
	exec := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	f.here = exec(`INSERT INTO regions (code, name) VALUES ('PLA', 'Here')`)
	there := exec(`INSERT INTO regions (code, name) VALUES ('PLB', 'There')`)
	post := exec(`INSERT INTO border_posts (code, name, region_id) VALUES ('PLP', 'Post', ?)`, f.here)
	po := exec(`INSERT INTO users (issuer, subject, username) VALUES ('test', 'po', 'po')`)
	g := exec(`INSERT INTO users (issuer, subject, username) VALUES ('test', 'g', 'g')`)
	bo := exec(`INSERT INTO users (issuer, subject, username) VALUES ('test', 'bo', 'bo')`)
	ad := exec(`INSERT INTO users (issuer, subject, username) VALUES ('test', 'ad', 'ad')`)
	from, to := models.BirthDatesForAges(14, 15, now)
	f.child = exec(`INSERT INTO children (registration_number, region_id, border_post_id, sex, birth_date_from, birth_date_to, registered_at)
		VALUES ('P-1', ?, ?, 'male', ?, ?, ?)`, f.here, post, from, to, now.AddDate(0, -2, 0))
	f.otherChild = exec(`INSERT INTO children (registration_number, region_id, sex, registered_at) VALUES ('P-2', ?, 'female', ?)`, there, now.AddDate(0, -1, 0))
	exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at) VALUES (?, ?, 'full', ?)`, f.child, g, now.AddDate(0, -1, 0))
	actor := func(id int64, sub string, role models.Role) *models.Actor {
		roles := []models.Role{role}
		return &models.Actor{UserID: id, Issuer: "test", Subject: sub, Roles: roles, Permissions: auth.PermissionsFor(roles)}
	}
	f.officer = actor(po, "po", models.RoleProtectionOfficer)
	f.officer.RegionIDs = []int64{f.here}
	f.guardian = actor(g, "g", models.RoleGuardian)
	f.border = actor(bo, "bo", models.RoleBorderOfficer)
	f.border.BorderPostIDs = []int64{post}
	f.admin = actor(ad, "ad", models.RoleAdmin)
	fac := func(name, kind string, capacity int, licence string) int64 {
		v, err := f.reg.CreateFacility(context.Background(), f.admin, registry.FacilityInput{Name: name, Kind: kind, RegionCode: "PLA",
			Address: "Rruga e Shkollës 4, " + name, Capacity: &capacity, LicenceExpiresOn: licence, AgeMax: intp(99)})
		if err != nil {
			t.Fatalf("facility %s: %v", name, err)
		}
		return v.ID
	}
	f.centre = fac("Centre", models.FacilityChildrensCentre, 20, "2027-12-31")
	f.small = fac("Small home", models.FacilityFosterFamily, 1, "2027-12-31")
	f.old = fac("Old licence", models.FacilityChildrensCentre, 20, "2026-01-31")
	f.police = fac("Police station", models.FacilityPoliceDetention, 10, "")
	f.adultHome = fac("Adult centre", models.FacilityAdultReception, 100, "2027-12-31")
	return f
}

func TestRecordPlacement(t *testing.T) {
	f := newPlacementFixture(t)
	ctx := context.Background()
	base := registry.PlacementInput{Reason: "First placement after registration", DecidedBy: "Child protection unit, Gjirokastër"}
	place := func(a *models.Actor, child int64, mod func(*registry.PlacementInput)) (registry.PlacementView, error) {
		in := base
		mod(&in)
		return f.reg.RecordPlacement(ctx, a, child, in)
	}
	count := func() int64 {
		var n int64
		mustScan(t, f.db, &n, `SELECT count(*) FROM placements`)
		return n
	}

	// Refusals change nothing.
	for _, tc := range []struct {
		name string
		mod  func(*registry.PlacementInput)
		want []string
	}{
		{"police station", func(in *registry.PlacementInput) { in.FacilityID = f.police }, []string{"facility_id:placement_detention_refused"}},
		{"adult centre at 14–15", func(in *registry.PlacementInput) {
			in.FacilityID, in.BestInterests = f.adultHome, "Long enough justification, but the age rule wins."
		}, []string{"facility_id:placement_adult_centre_under_16"}},
		{"unknown facility", func(in *registry.PlacementInput) { in.FacilityID = 999999 }, []string{"facility_id:placement_facility_unknown"}},
		{"no reason, no decider", func(in *registry.PlacementInput) { in.FacilityID, in.Reason, in.DecidedBy = f.centre, " ", "" }, []string{"decided_by:required", "reason:required"}},
		{"in the future", func(in *registry.PlacementInput) { in.FacilityID, in.StartedAt = f.centre, "2026-07-01T10:00" }, []string{"started_at:date_in_future"}},
		{"over capacity, not acknowledged", func(in *registry.PlacementInput) { in.FacilityID, in.StartedAt = f.old, "2026-06-01T10:00" },
			[]string{"acknowledged_warnings:placement_warning_licence_expired", "warning_justification:placement_warning_justification"}},
		{"acknowledged without a justification", func(in *registry.PlacementInput) {
			in.FacilityID, in.AcknowledgedWarnings = f.old, []string{"licence_expired"}
		}, []string{"warning_justification:placement_warning_justification"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := place(f.officer, f.child, tc.mod)
			if got := problems(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if n := count(); n != 0 {
				t.Errorf("%d placements written by a refused request", n)
			}
		})
	}

	// A warned placement, acknowledged and justified, is recorded with its warnings.
	first, err := place(f.officer, f.child, func(in *registry.PlacementInput) {
		in.FacilityID, in.StartedAt = f.old, "2026-06-01T10:00"
		in.AcknowledgedWarnings = []string{"licence_expired"}
		in.WarningJustification = "The only centre with an Arabic-speaking carer; renewal is filed."
	})
	if err != nil {
		t.Fatalf("justified placement: %v", err)
	}
	if !first.Current || !slices.Equal(first.Warnings, []string{"licence_expired"}) || first.WarningJustification == "" {
		t.Fatalf("first placement: %+v", first)
	}
	if want := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC); !first.ReviewDue.Equal(want) {
		t.Errorf("S7 review due %v, want %v", first.ReviewDue, want)
	}

	// A stale view (no current placement seen) is a conflict.
	if _, err := place(f.guardian, f.child, func(in *registry.PlacementInput) { in.FacilityID = f.centre }); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("stale change: %v, want conflict", err)
	}
	// A change starting before the current placement overlaps it.
	_, err = place(f.guardian, f.child, func(in *registry.PlacementInput) {
		in.FacilityID, in.CurrentPlacementID, in.StartedAt = f.centre, first.ID, "2026-05-30T10:00"
	})
	if got := problems(t, err); !slices.Equal(got, []string{"started_at:placement_overlaps"}) {
		t.Fatalf("overlap: %v", got)
	}
	// The guardian records the change: the previous placement is closed at the new start.
	second, err := place(f.guardian, f.child, func(in *registry.PlacementInput) {
		in.FacilityID, in.CurrentPlacementID, in.StartedAt, in.Reason = f.centre, first.ID, "2026-06-05T12:00", "Licensed centre has room"
	})
	if err != nil {
		t.Fatalf("change: %v", err)
	}
	sec, err := f.reg.ChildPlacements(ctx, f.officer, f.child)
	if err != nil {
		t.Fatal(err)
	}
	if sec.Current == nil || sec.Current.ID != second.ID || len(sec.History) != 2 {
		t.Fatalf("derived current: %+v", sec)
	}
	if h := sec.History[1]; h.ID != first.ID || h.Current || h.EndedAt == nil || !h.EndedAt.Equal(second.StartedAt) {
		t.Errorf("previous placement not closed at the change: %+v", h)
	}
	// Retroactive history inside a closed period overlaps too.
	_, err = place(f.officer, f.child, func(in *registry.PlacementInput) {
		in.FacilityID, in.CurrentPlacementID, in.StartedAt = f.centre, second.ID, "2026-06-03T10:00"
	})
	if got := problems(t, err); !slices.Equal(got, []string{"started_at:placement_overlaps"}) {
		t.Errorf("retroactive overlap: %v", got)
	}

	// Over capacity: the small home holds one child.
	if err := f.db.Exec(`INSERT INTO placements (child_id, facility_id, started_at, reason, decided_by) VALUES (?, ?, ?, 'x', 'y')`,
		f.otherChild, f.small, f.now.AddDate(0, 0, -3)).Error; err != nil {
		t.Fatal(err)
	}
	_, err = place(f.officer, f.child, func(in *registry.PlacementInput) { in.FacilityID, in.CurrentPlacementID = f.small, second.ID })
	if got := problems(t, err); !slices.Contains(got, "acknowledged_warnings:placement_warning_over_capacity") {
		t.Errorf("over capacity not warned: %v", got)
	}

	// Scope: a guardian records for wards only; border officers never record.
	if _, err := place(f.guardian, f.otherChild, func(in *registry.PlacementInput) { in.FacilityID = f.centre }); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("guardian on another child: %v", err)
	}
	if _, err := place(f.border, f.child, func(in *registry.PlacementInput) { in.FacilityID = f.centre }); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("border officer: %v", err)
	}

	// Border officers see the placement but never the address; guardians see it.
	bsec, err := f.reg.ChildPlacements(ctx, f.border, f.child)
	if err != nil || bsec.Current == nil || bsec.Current.FacilityAddress != "" {
		t.Errorf("border officer's view: %+v %v", bsec.Current, err)
	}
	gsec, err := f.reg.ChildPlacements(ctx, f.guardian, f.child)
	if err != nil || gsec.Current == nil || gsec.Current.FacilityAddress == "" {
		t.Errorf("guardian's view: %+v %v", gsec.Current, err)
	}

	// A condition check resets the S7 clock.
	if _, err := f.reg.RecordPlacementCheck(ctx, f.guardian, f.child, second.ID, registry.PlacementCheckInput{CheckedOn: "2026-06-09",
		SeparatedFromAdults: "yes", SameSexSleeping: "yes", SchoolAccess: "no", HealthCare: "yes", Interpreter: "na", PsychosocialSupport: "yes",
		ChildView: "Likes the football pitch"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.reg.RecordPlacementCheck(ctx, f.guardian, f.child, second.ID, registry.PlacementCheckInput{CheckedOn: "2026-06-01", SeparatedFromAdults: "maybe"})
	if got := problems(t, err); !slices.Contains(got, "checked_on:placement_check_before_start") || !slices.Contains(got, "separated_from_adults:code_unknown") || !slices.Contains(got, "school_access:required") {
		t.Errorf("bad check: %v", got)
	}
	sum, err := f.reg.PlacementSummaries(f.db, f.guardian, []int64{f.child, f.otherChild})
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := sum[f.child]; !ok || s.PlacementID != second.ID || s.ReviewDue.Format(time.DateOnly) != "2026-09-09" {
		t.Errorf("summary: %+v", sum)
	}
	if _, ok := sum[f.otherChild]; ok {
		t.Error("the summary shows a child outside the guardian's scope")
	}

	// Every write was audited on the child.
	var audits int64
	mustScan(t, f.db, &audits, `SELECT count(*) FROM audit_events WHERE action IN ('placement.record', 'placement.check') AND entity_id = ?`, strconv.FormatInt(f.child, 10))
	if audits != 3 {
		t.Errorf("%d placement audit rows, want 3", audits)
	}
}

// Two decisions recorded at the same moment for one child: exactly one wins, the others are
// conflicts, and the child never has two overlapping placements.
func TestConcurrentPlacements(t *testing.T) {
	f := newPlacementFixture(t)
	ctx := context.Background()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := f.officer
			if i%2 == 1 {
				a = f.guardian
			}
			_, errs[i] = f.reg.RecordPlacement(ctx, a, f.child, registry.PlacementInput{FacilityID: f.centre,
				Reason: "Placement decided at the same time", DecidedBy: "Unit"})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, models.ErrConflict):
			t.Errorf("unexpected error: %v", err)
		}
	}
	var rows int64
	mustScan(t, f.db, &rows, `SELECT count(*) FROM placements WHERE child_id = ?`, f.child)
	if won != 1 || rows != 1 {
		t.Fatalf("%d succeeded, %d rows; want exactly one", won, rows)
	}
	// The database refuses an overlap even from outside the use case.
	err := f.db.Exec(`INSERT INTO placements (child_id, facility_id, started_at, reason, decided_by) VALUES (?, ?, ?, 'x', 'y')`,
		f.child, f.small, f.now.AddDate(0, 0, -1)).Error
	if err == nil {
		t.Fatal("an overlapping placement was stored")
	}
}

func TestFacilities(t *testing.T) {
	f := newPlacementFixture(t)
	ctx := context.Background()
	// Occupancy is live: counted from current placements.
	if _, err := f.reg.RecordPlacement(ctx, f.officer, f.child, registry.PlacementInput{FacilityID: f.small, Reason: "r", DecidedBy: "d"}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec(`INSERT INTO placements (child_id, facility_id, started_at, ended_at, reason, decided_by) VALUES (?, ?, ?, ?, 'x', 'y')`,
		f.otherChild, f.small, f.now.AddDate(0, -1, 0), f.now.AddDate(0, 0, -1)).Error; err != nil {
		t.Fatal(err)
	}
	page, err := f.reg.ListFacilities(ctx, f.border, registry.FacilityFilter{})
	if err != nil || len(page.Items) != 5 {
		t.Fatalf("list: %d %v", len(page.Items), err)
	}
	for _, v := range page.Items {
		if v.Address != "" {
			t.Errorf("border officer sees the address of %s", v.Name)
		}
		if v.CanManage {
			t.Errorf("border officer may manage %s", v.Name)
		}
		switch v.ID {
		case f.small:
			if v.Occupancy != 1 || v.OverCapacity {
				t.Errorf("small home: occupancy %d over %v", v.Occupancy, v.OverCapacity)
			}
		case f.old:
			if !v.LicenceExpired {
				t.Error("expired licence not flagged")
			}
		}
	}
	got, err := f.reg.GetFacility(ctx, f.officer, f.small)
	if err != nil || got.Address == "" || !got.CanManage {
		t.Errorf("officer's view: %+v %v", got, err)
	}
	if g, err := f.reg.GetFacility(ctx, f.border, f.small); err != nil || g.Address != "" {
		t.Errorf("border officer's single view shows the address: %v", err)
	}
	// Validation, scope and optimistic concurrency.
	_, err = f.reg.CreateFacility(ctx, f.officer, registry.FacilityInput{Name: " ", Kind: "hotel", RegionCode: "PLB", Capacity: intp(-1), AgeMin: intp(12), AgeMax: intp(10), LicenceExpiresOn: "31/12/2026"})
	want := []string{"age_max:age_range_inverted", "capacity:facility_capacity_range", "kind:code_unknown", "licence_expires_on:date_invalid", "name:required", "region_code:region_not_yours"}
	if got := problems(t, err); !slices.Equal(got, want) {
		t.Errorf("invalid facility: %v", got)
	}
	if _, err := f.reg.CreateFacility(ctx, f.guardian, registry.FacilityInput{}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("guardian creates a facility: %v", err)
	}
	in := registry.FacilityInput{Name: "Small home", Kind: models.FacilityFosterFamily, RegionCode: "PLA", Capacity: intp(2), Address: "New address"}
	upd, err := f.reg.UpdateFacility(ctx, f.officer, f.small, 1, in)
	if err != nil || upd.Capacity != 2 || upd.Version != 2 {
		t.Fatalf("update: %+v %v", upd, err)
	}
	if _, err := f.reg.UpdateFacility(ctx, f.officer, f.small, 1, in); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale update: %v", err)
	}
	// Inspections.
	_, err = f.reg.RecordInspection(ctx, f.officer, f.small, registry.InspectionInput{InspectedOn: "2026-06-08", Inspector: "A. Inspector",
		Checklist: []string{"hygiene", "fire_safety"}, Findings: "Fire extinguisher expired", FollowUpDue: "2026-06-01"})
	if got := problems(t, err); !slices.Equal(got, []string{"follow_up_due:placement_follow_up_before_inspection"}) {
		t.Errorf("inspection: %v", got)
	}
	if _, err := f.reg.RecordInspection(ctx, f.officer, f.small, registry.InspectionInput{InspectedOn: "2026-06-08", Inspector: "A. Inspector",
		Checklist: []string{"hygiene", "fire_safety"}, FollowUpDue: "2026-07-08"}); err != nil {
		t.Fatal(err)
	}
	if g, _ := f.reg.GetFacility(ctx, f.officer, f.small); len(g.Inspections) != 1 || !slices.Equal(g.Inspections[0].Checklist, []string{"fire_safety", "hygiene"}) {
		t.Errorf("inspections: %+v", g.Inspections)
	}
	if _, err := f.reg.RecordInspection(ctx, f.guardian, f.small, registry.InspectionInput{}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("guardian inspects: %v", err)
	}
}

// The needs-action queue names the placement deadlines with their rule's date: no
// placement yet (S5, 7 days after registration) and placement review due (S7, 3 months after
// the start or the last check).
func TestNeedsActionPlacements(t *testing.T) {
	f := newPlacementFixture(t)
	ctx := context.Background()
	find := func() registry.NeedsAction {
		t.Helper()
		rows, err := f.reg.NeedsActionQueue(ctx, f.officer, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.ID == f.child {
				return r
			}
		}
		return registry.NeedsAction{}
	}
	got := find()
	registered := f.now.AddDate(0, -2, 0)
	if !slices.Contains(got.Reasons, "no_placement") || dueOn(got, registry.RuleS5) != registered.AddDate(0, 0, 7).Format(time.DateOnly) {
		t.Fatalf("no placement: %v %v", got.Reasons, got.Deadlines)
	}
	// Placed 3 months and a day ago, never checked: the review is due.
	if err := f.db.Exec(`INSERT INTO placements (child_id, facility_id, started_at, reason, decided_by) VALUES (?, ?, ?, 'x', 'y')`,
		f.child, f.centre, f.now.AddDate(0, -3, -1)).Error; err != nil {
		t.Fatal(err)
	}
	got = find()
	if slices.Contains(got.Reasons, "no_placement") || !slices.Contains(got.Reasons, "placement_review_due") ||
		dueOn(got, registry.RuleS7) != f.now.AddDate(0, 0, -1).Format(time.DateOnly) {
		t.Fatalf("review due: %v %v", got.Reasons, got.Deadlines)
	}
	// A check yesterday moves the review 3 months on: nothing placement-related is due.
	var pid int64
	mustScan(t, f.db, &pid, `SELECT id FROM placements WHERE child_id = ?`, f.child)
	if _, err := f.reg.RecordPlacementCheck(ctx, f.officer, f.child, pid, registry.PlacementCheckInput{CheckedOn: f.now.AddDate(0, 0, -1).Format(time.DateOnly),
		SeparatedFromAdults: "yes", SameSexSleeping: "yes", SchoolAccess: "yes", HealthCare: "yes", Interpreter: "yes", PsychosocialSupport: "yes"}); err != nil {
		t.Fatal(err)
	}
	got = find()
	if slices.Contains(got.Reasons, "placement_review_due") || slices.Contains(got.Reasons, "no_placement") {
		t.Fatalf("after the check: %v", got.Reasons)
	}
	sec, err := f.reg.ChildPlacements(ctx, f.officer, f.child)
	if err != nil || sec.ReviewDue == nil || sec.ReviewDue.Format(time.DateOnly) != f.now.AddDate(0, 3, -1).Format(time.DateOnly) || sec.Overdue {
		t.Fatalf("section review: %+v %v", sec.ReviewDue, err)
	}
}

// dueOn is the day the queue row's deadline of rule falls due ("" when it has none).
func dueOn(n registry.NeedsAction, rule string) string {
	for _, d := range n.Deadlines {
		if d.Rule == rule {
			return d.Due.UTC().Format(time.DateOnly)
		}
	}
	return ""
}
