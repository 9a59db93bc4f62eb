package server_test

import (
	"encoding/json"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/testdb"
)

// TestSignedInRequestIsOneQuery: resolving who a signed-in request is (session row, user,
// regions, border posts — or, for a bearer token, user and scopes) costs ONE statement. It was
// four (issue 8); this fails if it creeps back up.
func TestSignedInRequestIsOneQuery(t *testing.T) {
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
