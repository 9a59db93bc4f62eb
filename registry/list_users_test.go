package registry_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// TestListUsersQueries: the administrators' user list costs the same three queries for 3 users
// as for 30, and every user carries their own regions and border posts.
func TestListUsersQueries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	reg := registry.New(db)
	insert := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.Raw(q+" RETURNING id", args...).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	regions := []int64{insert(`INSERT INTO regions (code, name) VALUES ('LUA', 'A')`), insert(`INSERT INTO regions (code, name) VALUES ('LUB', 'B')`)}
	posts := []int64{insert(`INSERT INTO border_posts (code, name, region_id) VALUES ('LPA', 'A', ?)`, regions[0]), insert(`INSERT INTO border_posts (code, name, region_id) VALUES ('LPB', 'B', ?)`, regions[1])}
	admin := insert(`INSERT INTO users (issuer, subject, username) VALUES ('test', 'admin', 'admin')`)
	roles := []models.Role{models.RoleAdmin}
	a := &models.Actor{UserID: admin, Issuer: "test", Subject: "admin", Roles: roles, Permissions: auth.PermissionsFor(roles)}
	queries := testdb.CountStatements(t, db)
	n := 1
	for _, more := range []int{2, 27} {
		for range more {
			id := insert(`INSERT INTO users (issuer, subject, username) VALUES ('test', ?, ?)`, fmt.Sprint("u", n), fmt.Sprint("u", n))
			// User n: regions and posts by n's bits, some with none.
			for i := range 2 {
				if n&(1<<i) != 0 {
					if err := db.Exec(`INSERT INTO user_regions (user_id, region_id) VALUES (?, ?)`, id, regions[i]).Error; err != nil {
						t.Fatal(err)
					}
				}
				if n&(4<<i) != 0 {
					if err := db.Exec(`INSERT INTO user_border_posts (user_id, border_post_id) VALUES (?, ?)`, id, posts[i]).Error; err != nil {
						t.Fatal(err)
					}
				}
			}
			n++
		}
		before := queries.Load()
		users, err := reg.ListUsers(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if q := queries.Load() - before; q != 3 {
			t.Errorf("%d users listed in %d queries, want 3", len(users), q)
		}
		if len(users) != n {
			t.Fatalf("%d users listed, want %d", len(users), n)
		}
		for _, u := range users {
			one, err := models.UserByID(ctx, db, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(u.RegionIDs, one.RegionIDs) || !slices.Equal(u.BorderPostIDs, one.BorderPostIDs) || u.RegionIDs == nil || u.BorderPostIDs == nil {
				t.Errorf("user %s: listed with regions %v posts %v, alone %v %v", u.Username, u.RegionIDs, u.BorderPostIDs, one.RegionIDs, one.BorderPostIDs)
			}
		}
	}
	var withBoth int64
	if err := db.Raw(`SELECT count(DISTINCT r.user_id) FROM user_regions r JOIN user_border_posts p USING (user_id)`).Scan(&withBoth).Error; err != nil || withBoth == 0 {
		t.Fatalf("fixture has %d users with regions and posts: %v", withBoth, err)
	}
}
