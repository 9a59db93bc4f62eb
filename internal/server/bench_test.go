package server_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// BenchmarkLoginRoundTrip: one full browser-less sign-in — Kujdes /login, the provider's
// login page, choosing the user, the code exchange with PKCE, ID-token verification, user
// upsert, audit row and new session.
func BenchmarkLoginRoundTrip(b *testing.B) {
	app := apptest.Start(b)
	b.ResetTimer()
	for b.Loop() {
		app.Login(b, "guardian1")
	}
}

func get(b *testing.B, c *http.Client, url string, headers ...string) {
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("%s: %d", url, res.StatusCode)
	}
}

// BenchmarkRequest compares the cost of the same server answering: an anonymous probe
// (no session, no audit), a signed-in request that needs the session and the user but writes
// no audit row (/api/v1/me), and a child read (session, scope query, audit row chained in
// the same transaction). The differences are the per-request overhead of session and audit.
func BenchmarkRequest(b *testing.B) {
	app := apptest.Start(b)
	c := app.Login(b, "protection1")
	child := fmt.Sprintf("%s/api/v1/children/%d", app.URL, app.ChildID(b, "AL-2026-000001"))
	tok := "Bearer " + app.Token(b, "protection1")
	b.Run("anonymous_livez", func(b *testing.B) {
		for b.Loop() {
			get(b, c, app.URL+"/livez")
		}
	})
	b.Run("session_me", func(b *testing.B) {
		for b.Loop() {
			get(b, c, app.URL+"/api/v1/me")
		}
	})
	b.Run("session_child_read_audited", func(b *testing.B) {
		for b.Loop() {
			get(b, c, child)
		}
	})
	b.Run("bearer_child_read_audited", func(b *testing.B) {
		for b.Loop() {
			get(b, http.DefaultClient, child, "Authorization", tok)
		}
	})
}
