package server_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// The outbox key (issue 13, docs/offline.md): an officer who may register gets one 32-byte
// key, the same in every session (what waits on a device must still open after signing in
// again), never cached, each hand-out audited; another officer gets another key; a user who
// may not register gets none. The service worker and the manifest are public and hold no
// personal data.
func TestOutboxKey(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	type key struct {
		ID  string `json:"key_id"`
		Key string `json:"key"`
	}
	get := func(c *http.Client) key {
		t.Helper()
		res := app.Do(t, c, "GET", "/api/v1/me/outbox-key", "")
		body := apptest.Body(t, res)
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("outbox key: %d cache=%q %s", res.StatusCode, res.Header.Get("Cache-Control"), body)
		}
		var k key
		if err := json.Unmarshal([]byte(body), &k); err != nil {
			t.Fatal(err)
		}
		if raw, err := base64.StdEncoding.DecodeString(k.Key); err != nil || len(raw) != 32 || k.ID == "" {
			t.Fatalf("outbox key %+v: %d bytes, %v", k, len(raw), err)
		}
		return k
	}
	first := get(app.Login(t, "border1"))
	again := get(app.Login(t, "border1")) // another session
	if again != first {
		t.Errorf("another session of the same officer got another key")
	}
	if other := get(app.Login(t, "protection1")); other.Key == first.Key || other.ID == first.ID {
		t.Errorf("two officers share a key")
	}
	var handed int64
	app.Scan(t, &handed, `SELECT count(*) FROM audit_events e JOIN users u ON e.entity_id = u.id::text
		WHERE e.action = 'outbox.key' AND e.entity = 'user' AND u.username = 'border1'`)
	if handed != 2 {
		t.Errorf("%d audited hand-outs of border1's key, want 2", handed)
	}
	if res := app.Do(t, app.Login(t, "guardian1"), "GET", "/api/v1/me/outbox-key", ""); res.StatusCode != 403 {
		t.Errorf("a guardian's outbox key: %d, want 403", res.StatusCode)
	}
	if res := app.Do(t, nil, "GET", "/api/v1/me/outbox-key", ""); res.StatusCode != 401 {
		t.Errorf("an anonymous outbox key: %d, want 401", res.StatusCode)
	}

	sw := app.Get(t, "/sw.js")
	body := apptest.Body(t, sw)
	if sw.StatusCode != 200 || sw.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || sw.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("service worker: %d %q %q", sw.StatusCode, sw.Header.Get("Content-Type"), sw.Header.Get("Cache-Control"))
	}
	for _, want := range []string{`"/static/offline.`, `"/static/app.`, `url.pathname === "/register"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the service worker lacks %s", want)
		}
	}
	m := app.Get(t, "/manifest.webmanifest?lang=sq")
	var man struct {
		Name, StartURL, Lang string
	}
	mb := apptest.Body(t, m)
	if err := json.Unmarshal([]byte(mb), &man); err != nil || m.Header.Get("Content-Type") != "application/manifest+json; charset=utf-8" {
		t.Fatalf("manifest %q: %v %s", m.Header.Get("Content-Type"), err, mb)
	}
	if man.Name != "Kujdes — regjistro një mbërritje" || man.Lang != "sq" {
		t.Errorf("Albanian manifest: %s", mb)
	}
	csp := m.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "manifest-src 'self'") || !strings.Contains(csp, "worker-src 'self'") {
		t.Errorf("CSP does not allow the manifest and the worker: %s", csp)
	}
}
