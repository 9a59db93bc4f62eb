package registry

import (
	"testing"
	"time"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// protectionOfficer signs up the user "po", a protection officer of the fixture's region.
func (f *dupFixture) protectionOfficer(t *testing.T) *models.Actor {
	t.Helper()
	user := f.insert(t, `INSERT INTO users (issuer, subject, username) VALUES ('test', 'po', 'po')`)
	roles := []models.Role{models.RoleProtectionOfficer}
	return &models.Actor{UserID: user, Issuer: "test", Subject: "po", Roles: roles, RegionIDs: []int64{f.region},
		Permissions: auth.PermissionsFor(roles), ChildFields: auth.ChildFieldsFor(roles)}
}

// arriveAtKakavije records the child's arrival at the fixture's border post an hour ago,
// found alone (notes "tired"), granting scope.
func (f *dupFixture) arriveAtKakavije(t *testing.T, child int64) {
	t.Helper()
	if err := f.db.Exec(`INSERT INTO arrivals (child_id, arrived_at, border_post_id, location, how_found, notes, grants_scope)
		VALUES (?, ?, ?, 'Kakavijë', 'found_alone', 'tired', true)`, child, f.now.Add(-time.Hour), f.post).Error; err != nil {
		t.Fatal(err)
	}
}
