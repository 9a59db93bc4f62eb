package auth

// Permission is what a route requires. Roles grant permissions (roles.go); routes declare
// them here, in one table, so a reviewer sees every door of Kujdes in one place.
type Permission string

const (
	// Public routes need no sign-in: the home page, static files, health, the login flow.
	Public Permission = "public"
)

// Route is a method and a Gin route template ("/api/v1/children/:id").
type Route struct {
	Method string
	Path   string
}

// policy is the table. A route missing here is denied to everyone, and a test fails.
var policy = map[Route]Permission{
	{"GET", "/"}:                    Public,
	{"GET", "/static/*file"}:        Public,
	{"GET", "/livez"}:               Public,
	{"GET", "/readyz"}:              Public,
	{"GET", "/metrics"}:             Public, // loopback or KUJDES_METRICS_TOKEN only; see server/health.go
	{"GET", "/api/v1/openapi.json"}: Public,
}

// PermissionFor returns the permission a route requires and whether the route is declared.
func PermissionFor(method, path string) (Permission, bool) {
	p, ok := policy[Route{method, path}]
	return p, ok
}

// Routes lists every declared route (for tests).
func Routes() map[Route]Permission {
	out := make(map[Route]Permission, len(policy))
	for k, v := range policy {
		out[k] = v
	}
	return out
}
