// Package auth is who the caller is and what they may do: OIDC login, server-side sessions,
// bearer tokens for the API, roles → permissions, and the one policy table that every route
// (HTML and API) must appear in. Anything not in the table is denied.
package auth
