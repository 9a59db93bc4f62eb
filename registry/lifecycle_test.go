package registry_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// lifecycleFixture is a child (and a second one, to merge) that one user of every role can
// reach: the border officer by its post, the protection officer by its region, the guardian
// by a current appointment. Monitors and administrators see no child data.
type lifecycleFixture struct {
	db     *gorm.DB
	reg    *registry.Registry
	actors map[models.Role]*models.Actor
	child  int64
	other  int64
	// newChild adds another active child that every role above reaches.
	newChild func(t *testing.T) int64
}

func newLifecycleFixture(t *testing.T) lifecycleFixture {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	f := lifecycleFixture{db: db, reg: registry.New(db), actors: map[models.Role]*models.Actor{}}
	f.reg.Now = func() time.Time { return now }
	exec := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	region := exec(`INSERT INTO regions (code, name) VALUES ('LCA', 'Here')`)
	exec(`INSERT INTO regions (code, name) VALUES ('LCB', 'There')`)
	post := exec(`INSERT INTO border_posts (code, name, region_id) VALUES ('LCP', 'Post', ?)`, region)
	guardian := exec(`INSERT INTO users (issuer, subject, username) VALUES ('test', 'guardian', 'guardian')`)
	n := 0
	f.newChild = func(t *testing.T) int64 {
		t.Helper()
		n++
		id := exec(`INSERT INTO children (registration_number, region_id, border_post_id, status, given_name, family_name, sex,
			birth_date_known, birth_date_from, birth_date_to, nationalities, languages, protection_status, registered_at)
			VALUES (?, ?, ?, 'active', 'Ana', 'Test', 'female', true, '2012-01-01', '2012-01-01', '{AL}', '{sq}', 'unaccompanied', ?)`,
			"LC-"+strconv.Itoa(n), region, post, now.Add(-72*time.Hour))
		exec(`INSERT INTO guardian_appointments (child_id, guardian_user_id, kind, started_at) VALUES (?, ?, 'full', ?)`, id, guardian, now.Add(-24*time.Hour))
		return id
	}
	f.child, f.other = f.newChild(t), f.newChild(t)
	for _, role := range models.Roles {
		id := guardian
		if role != models.RoleGuardian {
			id = exec(`INSERT INTO users (issuer, subject, username) VALUES ('test', ?, ?)`, string(role), string(role))
		}
		roles := []models.Role{role}
		a := &models.Actor{UserID: id, Issuer: "test", Subject: string(role), Roles: roles,
			Permissions: auth.PermissionsFor(roles), ChildFields: auth.ChildFieldsFor(roles)}
		switch role {
		case models.RoleBorderOfficer:
			a.BorderPostIDs = []int64{post}
		case models.RoleProtectionOfficer, models.RoleMonitor:
			a.RegionIDs = []int64{region}
		}
		f.actors[role] = a
	}
	return f
}

func (f lifecycleFixture) set(t *testing.T, id int64, status string) {
	t.Helper()
	if err := f.db.Exec(`UPDATE children SET status = ?, version = 1 WHERE id = ?`, status, id).Error; err != nil {
		t.Fatal(err)
	}
}

func (f lifecycleFixture) state(t *testing.T, id int64) (string, int) {
	t.Helper()
	var row struct {
		Status  string
		Version int
	}
	if err := f.db.Raw(`SELECT status, version FROM children WHERE id = ?`, id).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	return row.Status, row.Version
}

func (f lifecycleFixture) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.db.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// The transition table, written here by hand (not read from lifecycle.go): from every status,
// every transition name, as every role. Only the listed moves succeed, only for protection
// officers; every other one is refused and changes nothing; "duplicate" is never reached.
func TestTransitionTable(t *testing.T) {
	f := newLifecycleFixture(t)
	allowed := map[[2]string]string{ // {from, transition} → to
		{"active", "close"}:  "closed",
		{"closed", "reopen"}: "active",
		// Issue 10: a reunification or transfer can be undone by reopening the case.
		{"reunified", "reopen"}:   "active",
		{"transferred", "reopen"}: "active",
	}
	names := []string{"close", "reopen", "merge", "unmerge", "mark_missing", "duplicate", "", "age_out", "reunify", "transfer"}
	ctx := context.Background()
	for _, from := range models.ChildStatuses {
		for _, name := range names {
			for _, role := range models.Roles {
				a := f.actors[role]
				f.set(t, f.child, from)
				before := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'child.transition'`)
				v, err := f.reg.TransitionChild(ctx, a, f.child, 1, registry.TransitionInput{Transition: name, Reason: "case review 2026/7"})
				status, version := f.state(t, f.child)
				to, ok := allowed[[2]string{from, name}]
				if ok && role == models.RoleProtectionOfficer {
					if err != nil || v.Status != to || status != to || version != 2 {
						t.Errorf("%s %s→%s as %s: %v (status %s v%d)", name, from, to, role, err, status, version)
					}
					if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'child.transition' AND reason = 'case review 2026/7'
						AND changes->'status'->>'before' = ? AND changes->'status'->>'after' = ?`, from, to); n != 1 {
						t.Errorf("%s from %s: %d audit rows", name, from, n)
					}
					continue
				}
				if err == nil {
					t.Errorf("%s from %s as %s: allowed (→ %s)", name, from, role, v.Status)
					continue
				}
				var verr *models.ValidationError
				if !errors.Is(err, models.ErrForbidden) && !errors.As(err, &verr) {
					t.Errorf("%s from %s as %s: %v, want 403 or 422", name, from, role, err)
				}
				if role != models.RoleProtectionOfficer && !errors.Is(err, models.ErrForbidden) {
					t.Errorf("%s from %s as %s: %v, want forbidden", name, from, role, err)
				}
				if status != from || version != 1 {
					t.Errorf("%s from %s as %s: refused but the record is now %s v%d", name, from, role, status, version)
				}
				if after := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'child.transition'`); after != before {
					t.Errorf("%s from %s as %s: refused but audited as done", name, from, role)
				}
			}
		}
	}
	// The table itself: only merge leads to duplicate, and it is not a TransitionChild row.
	for _, tr := range registry.Transitions() {
		if tr.To == "duplicate" && tr.Name != "merge" {
			t.Errorf("transition %s leads to duplicate", tr.Name)
		}
	}
	for _, from := range models.ChildStatuses {
		for _, tr := range registry.AvailableTransitions(f.actors[models.RoleProtectionOfficer], from) {
			if want := allowed[[2]string{from, tr.Name}]; want != tr.To {
				t.Errorf("offered %s from %s → %s, want %q", tr.Name, from, tr.To, want)
			}
		}
	}
}

// A transition is version-checked, needs a reason, and only in the actor's scope.
func TestTransitionChildChecks(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	po := f.actors[models.RoleProtectionOfficer]
	if _, err := f.reg.TransitionChild(ctx, po, f.child, 0, registry.TransitionInput{Transition: "close", Reason: "x"}); !errors.Is(err, models.ErrPreconditionRequired) {
		t.Errorf("no version: %v", err)
	}
	if _, err := f.reg.TransitionChild(ctx, po, f.child, 7, registry.TransitionInput{Transition: "close", Reason: "x"}); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
	if got := problems(t, func() error {
		_, err := f.reg.TransitionChild(ctx, po, f.child, 1, registry.TransitionInput{Transition: "close", Reason: "  "})
		return err
	}()); !slices.Equal(got, []string{"reason:required"}) {
		t.Errorf("no reason: %v", got)
	}
	elsewhere := *po
	elsewhere.RegionIDs = []int64{0}
	if _, err := f.reg.TransitionChild(ctx, &elsewhere, f.child, 1, registry.TransitionInput{Transition: "close", Reason: "x"}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("out of scope: %v", err)
	}
	if status, version := f.state(t, f.child); status != "active" || version != 1 {
		t.Errorf("refused transitions changed the record: %s v%d", status, version)
	}
}

// Merge is the only way to "duplicate", and goes through the same table: a record is merged
// from the statuses the table names, and unmerge returns it to the status it had.
func TestDuplicateOnlyThroughMerge(t *testing.T) {
	f := newLifecycleFixture(t)
	ctx := context.Background()
	po := f.actors[models.RoleProtectionOfficer]
	// Not by an edit, for anyone.
	for _, role := range models.Roles {
		dup := "duplicate"
		_, err := f.reg.UpdateChild(ctx, f.actors[role], f.other, 1, registry.ChildPatch{Status: &dup})
		if !errors.Is(err, models.ErrForbidden) {
			t.Errorf("PATCH status=duplicate as %s: %v", role, err)
		}
	}
	f.set(t, f.other, "closed")
	if _, err := f.reg.MergeChildren(ctx, po, f.child, registry.MergeInput{DuplicateID: f.other, Reason: "same person"}); err != nil {
		t.Fatal(err)
	}
	if status, _ := f.state(t, f.other); status != "duplicate" {
		t.Fatalf("after merge: %s", status)
	}
	if _, err := f.reg.UnmergeChild(ctx, po, f.other, "not the same person"); err != nil {
		t.Fatal(err)
	}
	if status, _ := f.state(t, f.other); status != "closed" {
		t.Fatalf("unmerge must return to the status before the merge: %s", status)
	}
}

// The field table (auth/fields.go) enforced by the edit use case, written here by hand: who
// may change which fields. A refusal names every refused field and changes nothing.
func TestChildFieldPermissions(t *testing.T) {
	ctx := context.Background()
	base := registry.IdentityInput{GivenName: "Ana", FamilyName: "Test", Sex: "female", BirthDate: "2012-01-01",
		Nationalities: []string{"AL"}, Languages: []string{"sq"}, ProtectionStatus: "unaccompanied"}
	renamed := base
	renamed.GivenName = "Anna"
	needs := base
	needs.SpecialNeeds = "Needs glasses"
	region, closed, active := "LCB", "closed", "active"
	patches := []struct {
		name  string
		patch registry.ChildPatch
	}{
		{"region", registry.ChildPatch{RegionCode: &region}},
		{"status", registry.ChildPatch{Status: &closed}},
		{"region and status", registry.ChildPatch{RegionCode: &region, Status: &closed}},
		{"status unchanged", registry.ChildPatch{Status: &active}},
		{"identity", registry.ChildPatch{Identity: &renamed}},
		{"needs", registry.ChildPatch{Identity: &needs}},
	}
	// role → patch → refused fields ("" = saved; "-" = not even an edit: 403 without fields).
	want := map[models.Role]map[string]string{
		models.RoleBorderOfficer: {"region": "region_code", "status": "status", "region and status": "region_code,status",
			"status unchanged": "", "identity": "", "needs": "special_needs,vulnerabilities_assessed_at"},
		models.RoleProtectionOfficer: {"region": "", "status": "status", "region and status": "status",
			"status unchanged": "", "identity": "", "needs": ""},
		models.RoleGuardian: {"region": "region_code", "status": "status", "region and status": "region_code,status",
			"status unchanged": "", "identity": "", "needs": ""},
		models.RoleMonitor: {"region": "-", "status": "-", "region and status": "-", "status unchanged": "-", "identity": "-", "needs": "-"},
		models.RoleAdmin:   {"region": "-", "status": "-", "region and status": "-", "status unchanged": "-", "identity": "-", "needs": "-"},
	}
	f := newLifecycleFixture(t)
	for _, role := range models.Roles {
		for _, p := range patches {
			t.Run(string(role)+"/"+p.name, func(t *testing.T) {
				child := f.newChild(t)
				_, err := f.reg.UpdateChild(ctx, f.actors[role], child, 1, p.patch)
				var ferr *models.ForbiddenFieldsError
				got := ""
				switch {
				case err == nil:
				case errors.As(err, &ferr):
					var names []string
					for _, fe := range ferr.Fields {
						names = append(names, fe.Field)
						if fe.Code != "field_not_editable" {
							t.Errorf("code %s", fe.Code)
						}
					}
					got = strings.Join(names, ",")
				case errors.Is(err, models.ErrForbidden):
					got = "-"
				default:
					t.Fatalf("unexpected error: %v", err)
				}
				if w := want[role][p.name]; got != w {
					t.Fatalf("refused %q, want %q", got, w)
				}
				status, version := f.state(t, child)
				var regionCode string
				if err := f.db.Raw(`SELECT r.code FROM children c JOIN regions r ON r.id = c.region_id WHERE c.id = ?`, child).Scan(&regionCode).Error; err != nil {
					t.Fatal(err)
				}
				if got != "" && (status != "active" || regionCode != "LCA" || version != 1) {
					t.Fatalf("a refused edit changed the record: %s %s v%d", status, regionCode, version)
				}
				if status != "active" {
					t.Fatalf("an edit changed the status to %s", status)
				}
			})
		}
	}
}
