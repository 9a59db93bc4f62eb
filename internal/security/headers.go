// Package security sets the HTTP security headers of every response, including a
// Content-Security-Policy with a fresh nonce per response (no inline script runs without it).
package security

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
)

type ctxKey struct{}

// Nonce returns the CSP nonce of the current response, for <script nonce="…">.
func Nonce(ctx context.Context) string {
	n, _ := ctx.Value(ctxKey{}).(string)
	return n
}

// Headers returns a middleware that sets the security headers. formActions lists origins
// besides 'self' that forms may submit (or redirect) to, such as the identity provider's
// logout endpoint; tls adds HSTS.
func Headers(formActions []string, tls bool) func(http.Handler) http.Handler {
	// Everything but the nonce is the same for every response: the policy around it and the
	// other headers are made once here, and each response only joins the nonce in and shares
	// the constant values (one allocation where there were a dozen).
	before, after, _ := strings.Cut(policy(nonceMark, formActions), nonceMark)
	fixed := [][2]string{
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "no-referrer"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
		{"Cross-Origin-Resource-Policy", "same-origin"},
		{"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"},
	}
	if tls {
		fixed = append(fixed, [2]string{"Strict-Transport-Security", "max-age=63072000; includeSubDomains"})
	}
	type header struct {
		key   string
		value []string
	}
	headers := make([]header, len(fixed))
	for i, f := range fixed {
		// A full slice (len = cap): a handler that adds a value to one of these headers
		// gets a new slice, never writes into the shared one.
		headers[i] = header{http.CanonicalHeaderKey(f[0]), []string{f[1]}[:1:1]}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			nonce := newNonce()
			h := w.Header()
			h.Set("Content-Security-Policy", before+nonce+after)
			for _, f := range headers {
				h[f.key] = f.value
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, nonce)))
		})
	}
}

// nonceMark stands for the nonce in the policy that Headers cuts in two; it is not base64url,
// so no nonce and no other part of the policy contains it.
const nonceMark = "<nonce>"

func policy(nonce string, formActions []string) string {
	form := append([]string{"'self'"}, formActions...)
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' 'nonce-" + nonce + "'",
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src 'self'",
		"manifest-src 'self'", // the registration page's web app manifest (issue 13)
		"worker-src 'self'",   // its service worker
		"form-action " + strings.Join(form, " "),
		"frame-ancestors 'none'",
		"base-uri 'none'",
	}, "; ")
}

func newNonce() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
