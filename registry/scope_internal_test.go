package registry

import (
	"testing"

	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// TestScopeAggregate: a monitor's aggregates cover exactly the children of their regions;
// anyone else, and a monitor without regions, aggregates over nothing.
func TestScopeAggregate(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	insert := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	north := insert(`INSERT INTO regions (code, name) VALUES ('AGN', 'North')`)
	south := insert(`INSERT INTO regions (code, name) VALUES ('AGS', 'South')`)
	east := insert(`INSERT INTO regions (code, name) VALUES ('AGE', 'East')`)
	for i, region := range []int64{north, north, north, south, south, east} {
		insert(`INSERT INTO children (registration_number, region_id, registered_at) VALUES (?, ?, now())`, "AG-"+string(rune('A'+i)), region)
	}
	count := func(a *models.Actor) int64 {
		t.Helper()
		var n int64
		if err := db.Model(&models.Child{}).Scopes(scopeAggregate(a)).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name string
		a    *models.Actor
		want int64
	}{
		{"monitor of north and south", &models.Actor{Roles: []models.Role{models.RoleMonitor}, RegionIDs: []int64{north, south}}, 5},
		{"monitor of east", &models.Actor{Roles: []models.Role{models.RoleMonitor}, RegionIDs: []int64{east}}, 1},
		{"monitor without regions", &models.Actor{Roles: []models.Role{models.RoleMonitor}}, 0},
		{"protection officer of north (not a monitor)", &models.Actor{Roles: []models.Role{models.RoleProtectionOfficer}, RegionIDs: []int64{north}}, 0},
		{"nobody", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := count(tc.a); got != tc.want {
				t.Errorf("%d children counted, want %d", got, tc.want)
			}
		})
	}
}
