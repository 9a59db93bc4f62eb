package security

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHeaders: every response gets the policy with its own nonce (the one the page reads with
// Nonce) and the fixed headers, HSTS only over TLS; a handler that adds a value to a shared
// header does not change the next response's; and the middleware allocates at most six
// times per response (16 without TLS, 17 with, when each response built every header).
func TestHeaders(t *testing.T) {
	actions := []string{"https://idp.example/logout"}
	for _, tls := range []bool{false, true} {
		var nonce string
		addFrame := false
		h := Headers(actions, tls)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			nonce = Nonce(r.Context())
			if addFrame {
				w.Header().Add("X-Frame-Options", "SAMEORIGIN")
			}
		}))
		serve := func() http.Header {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			return w.Result().Header
		}
		want := map[string]string{
			"X-Content-Type-Options":       "nosniff",
			"X-Frame-Options":              "DENY",
			"Referrer-Policy":              "no-referrer",
			"Cross-Origin-Opener-Policy":   "same-origin",
			"Cross-Origin-Resource-Policy": "same-origin",
			"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
		}
		if tls {
			want["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
		}
		seen := map[string]bool{}
		for i := range 3 {
			addFrame = i == 1
			got := serve()
			if len(nonce) != 24 || seen[nonce] {
				t.Fatalf("tls %v: nonce %q (seen before: %v)", tls, nonce, seen[nonce])
			}
			seen[nonce] = true
			if csp := got.Values("Content-Security-Policy"); len(csp) != 1 || csp[0] != policy(nonce, actions) {
				t.Errorf("tls %v: policy %q, want %q", tls, csp, policy(nonce, actions))
			}
			for k, v := range want {
				vs := got.Values(k)
				if addFrame && k == "X-Frame-Options" {
					if len(vs) != 2 || vs[0] != v {
						t.Errorf("tls %v: with a value added, %s: %q", tls, k, vs)
					}
					continue
				}
				if len(vs) != 1 || vs[0] != v {
					t.Errorf("tls %v, response %d: %s: %q, want %q", tls, i, k, vs, v)
				}
			}
			if len(got) != len(want)+1 {
				t.Errorf("tls %v: headers %v", tls, got)
			}
		}
		req := httptest.NewRequest("GET", "/", nil)
		w := httptest.NewRecorder()
		addFrame = false
		if n := testing.AllocsPerRun(50, func() {
			clear(w.HeaderMap)
			h.ServeHTTP(w, req)
		}); n > maxHeaderAllocs {
			t.Errorf("tls %v: %.0f allocations per response, want at most %d", tls, n, maxHeaderAllocs)
		}
	}
}
