package registry

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// TestGetChildStatements: the full record of a child is read in three statements (the scoped
// child with its aliases and whether it has age assessments, its arrivals, its age
// assessments), two when it has none; the aliases come in their order; a child out of scope
// is still not found.
func TestGetChildStatements(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	with := f.add(t, testChild{given: "Yusuf", family: "Karimi", aliases: []string{"Abu Bakr", "Jusuf"}, sex: "male", nats: []string{"AF"}})
	without := f.add(t, testChild{given: "Amina", family: "Haidari", sex: "female", nats: []string{"AF"}})
	user := f.insert(t, `INSERT INTO users (issuer, subject, username) VALUES ('test', 'po', 'po')`)
	roles := []models.Role{models.RoleProtectionOfficer}
	po := &models.Actor{UserID: user, Issuer: "test", Subject: "po", Roles: roles, RegionIDs: []int64{f.region},
		Permissions: auth.PermissionsFor(roles), ChildFields: auth.ChildFieldsFor(roles)}

	var queries atomic.Int64
	if err := f.db.Callback().Query().After("gorm:query").Register("test:count", func(*gorm.DB) { queries.Add(1) }); err != nil {
		t.Fatal(err)
	}
	v, err := f.reg.GetChild(ctx, po, with)
	if err != nil || v.ID != with || !slices.Equal(v.Aliases, []string{"Abu Bakr", "Jusuf"}) || v.RegionCode != "DUP" || v.TreatedAsChild == nil {
		t.Fatalf("record with aliases: %+v %v", v, err)
	}
	if n := queries.Load(); n != 2 || len(v.AgeAssessments) != 0 || !*v.TreatedAsChild {
		t.Errorf("statements of one read without age assessments: %d, want 2 (%+v)", n, v.AgeAssessments)
	}
	ages := []models.AgeAssessment{
		{ChildID: with, RequestedAt: f.now.Add(-48 * time.Hour), Reason: "doubt", Methods: models.Strings{"interview"}, Professionals: "panel", ResultMin: ptr(19), ResultMax: ptr(21), Outcome: "adult", DecidedAt: ptr(f.now.Add(-24 * time.Hour)), Version: 1},
		{ChildID: with, RequestedAt: f.now.Add(-time.Hour), Reason: "appeal", Methods: models.Strings{"interview"}, Outcome: "pending", Version: 1},
	}
	if err := f.db.Create(&ages).Error; err != nil {
		t.Fatal(err)
	}
	queries.Store(0)
	v, err = f.reg.GetChild(ctx, po, with)
	if n := queries.Load(); err != nil || n != 3 || len(v.AgeAssessments) != 2 || v.AgeAssessments[0].Reason != "appeal" || *v.TreatedAsChild {
		t.Errorf("with age assessments: %d statements, want 3; %+v %v", n, v.AgeAssessments, err)
	}
	if v, err := f.reg.GetChild(ctx, po, without); err != nil || v.ID != without || v.Aliases != nil {
		t.Errorf("record without aliases: %+v %v", v.Aliases, err)
	}
	elsewhere := *po
	elsewhere.RegionIDs = []int64{f.region + 1000}
	if _, err := f.reg.GetChild(ctx, &elsewhere, with); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("out of scope: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
