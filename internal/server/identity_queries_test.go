package server_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/internal/testdb"
)

// TestSignedInRequestIsOneQuery: resolving who a signed-in request is (session row, user,
// regions, border posts — or, for a bearer token, user and scopes) costs ONE statement. It was
// four (issue 8); this fails if it creeps back up.
func TestSignedInRequestIsOneQuery(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	c := app.Login(t, "protection1")
	tok := "Bearer " + app.Token(t, "protection1")
	n := testdb.CountStatements(t, app.DB)

	me := func(name string, want int64, headers ...string) {
		t.Helper()
		cl := c
		if len(headers) > 0 {
			cl = nil
		}
		before := n.Load()
		res := app.Do(t, cl, "GET", "/api/v1/me", "", headers...)
		body := apptest.Body(t, res)
		got := n.Load() - before
		if res.StatusCode != 200 {
			t.Fatalf("%s: /api/v1/me %d: %s", name, res.StatusCode, body)
		}
		var out struct {
			Subject   string  `json:"subject"`
			RegionIDs []int64 `json:"region_ids"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		if out.Subject == "" || len(out.RegionIDs) == 0 {
			t.Fatalf("%s: the actor lost its identity or scope: %s", name, body)
		}
		if got != want {
			t.Errorf("%s: %d statements to resolve the request's identity, want %d", name, got, want)
		}
	}
	me("session", 1)
	me("session again", 1)
	me("bearer", 1, "Authorization", tok)

	// Nothing is cached between requests: a change made through another connection (another
	// instance, an administrator) counts on the very next request read through the join.
	for user, change := range map[string]string{
		"border1":   `UPDATE users SET sessions_valid_after = now() WHERE username = 'border1'`,
		"guardian1": `UPDATE users SET active = false WHERE username = 'guardian1'`,
	} {
		other := app.Login(t, user)
		if res := app.Do(t, other, "GET", "/api/v1/me", ""); res.StatusCode != 200 {
			t.Fatalf("%s before the change: %d", user, res.StatusCode)
		}
		if err := app.DB.Exec(change).Error; err != nil {
			t.Fatal(err)
		}
		if res := app.Do(t, other, "GET", "/api/v1/me", ""); res.StatusCode != 401 {
			t.Errorf("%s after %q: %d, want 401", user, change, res.StatusCode)
		}
	}

	// A session row written before sessions.user_id existed still works (user loaded apart).
	if err := app.DB.Exec(`UPDATE sessions SET user_id = NULL`).Error; err != nil {
		t.Fatal(err)
	}
	me("session without user_id", 3)
}

// TestBearerUserCache: with the user cache that `kujdes serve` runs, a bearer request's user
// is read once and then kept (no statement to resolve who the request is); an administrator's
// change made through another connection (as another instance would) reaches the cache
// through its notification within a second, although entries live for seconds. Not parallel:
// it measures a delay, and runs before the package's parallel tests start.
func TestBearerUserCache(t *testing.T) {
	var users *auth.UserCache
	app := apptest.Start(t, func(d *server.Deps) {
		users = auth.NewUserCache(d.DB, d.Log)
		t.Cleanup(users.Start(context.Background()))
		d.Users = users
	})
	for deadline := time.Now().Add(5 * time.Second); !users.Listening(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the user cache does not listen")
		}
	}
	tok := "Bearer " + app.Token(t, "protection1")
	n := testdb.CountStatements(t, app.DB)
	identity := func() int64 {
		t.Helper()
		before := n.Load()
		res := app.Do(t, nil, "GET", "/api/v1/me", "", "Authorization", tok)
		if body := apptest.Body(t, res); res.StatusCode != 200 {
			t.Fatalf("/api/v1/me %d: %s", res.StatusCode, body)
		}
		return n.Load() - before
	}
	if got := identity(); got != 1 {
		t.Errorf("first bearer request: %d statements to resolve its identity, want 1", got)
	}
	// Then it is kept. The statements counted are all of the app's (a background job's count
	// too), and a notification of the first request's own sign-in may still be on its way and
	// empty the cache once: so the cache must answer a request without any statement within a
	// few tries, and it never does when nothing is kept.
	kept := false
	for try := 0; try < 20 && !kept; try++ {
		if kept = identity() == 0; !kept {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !kept {
		t.Errorf("later bearer requests: each took a statement to resolve its identity, want 0 (kept)")
	}
	other := app.DB.Session(&gorm.Session{NewDB: true})
	if err := other.Exec(`UPDATE users SET active = false WHERE username = 'protection1'`).Error; err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for {
		res := app.Do(t, nil, "GET", "/api/v1/me", "", "Authorization", tok)
		apptest.Body(t, res)
		if res.StatusCode == 401 {
			break
		}
		if time.Since(start) > time.Second {
			t.Fatalf("deactivated user still answered %d after %v", res.StatusCode, time.Since(start))
		}
		time.Sleep(time.Millisecond)
	}
}
