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
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			nonce := newNonce()
			h := w.Header()
			h.Set("Content-Security-Policy", policy(nonce, formActions))
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
			if tls {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, nonce)))
		})
	}
}

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
