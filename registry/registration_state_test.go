package registry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// TestRegistrationStateAcrossInstances: what a registry keeps between registrations (issue 8)
// is never stale across instances. Two registries on one database stand for two Kujdes
// processes: a border post unknown to the first, then created through the second, is found
// by the first at once (a code not found is not remembered); and children registered at the
// same time through both get distinct ids from their reserved blocks, every id a child of its
// own with its own number.
func TestRegistrationStateAcrossInstances(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	other := New(f.db)
	other.Now = f.reg.Now
	// A protection officer may register at any post (the border officer only at theirs).
	roles := []models.Role{models.RoleProtectionOfficer}
	prot := &models.Actor{UserID: f.borderOfficer.UserID, Issuer: "test", Subject: "bo", Roles: roles,
		RegionIDs: []int64{f.region}, Permissions: auth.PermissionsFor(roles)}
	in := func(given, post string) RegistrationInput {
		return RegistrationInput{
			IdentityInput: IdentityInput{GivenName: given, FamilyName: "Rahimi", Sex: "male", AgeMin: ptr(14), AgeMax: ptr(15),
				Nationalities: []string{"AF"}},
			Arrival: ArrivalInput{HowFound: "border_check", BorderPostCode: post}, ConfirmNew: true,
		}
	}
	_, err := f.reg.RegisterArrival(ctx, prot, in("Omid", "NEWP"))
	var verr *models.ValidationError
	if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Code != "border_post_unknown" {
		t.Fatalf("unknown post: %v, want a border_post_code error", err)
	}
	newPost := f.insert(t, `INSERT INTO border_posts (code, name, region_id) VALUES ('NEWP', 'New post', ?)`, f.region)
	out, err := f.reg.RegisterArrival(ctx, prot, in("Omid", "NEWP"))
	if err != nil {
		t.Fatalf("the post created since: %v", err)
	}
	var post int64
	if err := f.db.Raw(`SELECT border_post_id FROM children WHERE id = ?`, out.ChildID).Scan(&post).Error; err != nil || post != newPost {
		t.Fatalf("child at post %d, want %d (%v)", post, newPost, err)
	}

	const each = 40 // more than a block
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for i, reg := range []*Registry{f.reg, other} {
		for j := range each {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := reg.RegisterArrival(ctx, prot, in(fmt.Sprintf("Child%c%c", 'A'+i, 'A'+j), "KAK"))
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var got struct{ Children, IDs, Numbers, Events int64 }
	if err := f.db.Raw(`SELECT count(*) AS children, count(DISTINCT id) AS ids, count(DISTINCT registration_number) AS numbers,
		(SELECT count(DISTINCT entity_id) FROM audit_events WHERE action = 'child.register') AS events FROM children`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if want := int64(2*each + 1); got.Children != want || got.IDs != want || got.Numbers != want || got.Events != want {
		t.Errorf("%+v, want %d children with distinct ids, numbers and events", got, want)
	}
}

// TestChildIDsOnTheCallersConnection: a registration reserves its block of child ids on its
// own connection. On a pool of one connection, a registration with a duplicate check (its
// transaction holds that connection) must still finish: a block reserved through the pool would
// wait for a second connection for ever, as every registration would once all of a real pool's
// connections are held by registrations waiting for the block.
func TestChildIDsOnTheCallersConnection(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	sqlDB, err := f.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i, confirm := range []bool{false, true} {
		out, err := f.reg.RegisterArrival(ctx, f.borderOfficer, RegistrationInput{
			IdentityInput: IdentityInput{GivenName: fmt.Sprintf("Yama%c", 'A'+i), FamilyName: "Wardak", Sex: "male", AgeMin: ptr(15), AgeMax: ptr(16),
				Nationalities: []string{"AF"}},
			Arrival: ArrivalInput{HowFound: "border_check", BorderPostCode: "HAN"}, ConfirmNew: confirm,
		})
		if err != nil || out.ChildID == 0 {
			t.Fatalf("registration (confirmed new: %v) on one connection: %+v %v", confirm, out, err)
		}
	}
}
