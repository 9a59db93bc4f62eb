// Package requestid carries the id (and client address) of the current request through its
// context, so logs,
// error responses and audit rows name the same request.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
)

// Header is the HTTP header that carries the id in and out.
const Header = "X-Request-ID"

type ctxKey struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the request id in ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// New makes a random id.
func New() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// pattern is the only shape of client-supplied id that is kept: 8–64 letters, digits, '.',
// '_' or '-' (a UUID, a hex trace id, "trace-abc.123"). Anything else — too short to be
// unique, too long, spaces, colons, quotes, markup, non-ASCII — could forge or blur the audit
// trail and the logs, so it is replaced.
var pattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// Valid reports whether a client-supplied id matches the strict pattern.
func Valid(id string) bool { return pattern.MatchString(id) }

// FromClient returns the client's id when it is Valid, otherwise a new one.
func FromClient(id string) string {
	if Valid(id) {
		return id
	}
	return New()
}

type ipKey struct{}

// WithClientIP returns ctx carrying the client's address, for audit rows.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipKey{}, ip)
}

// ClientIP returns the client's address in ctx, or "".
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(ipKey{}).(string)
	return ip
}
