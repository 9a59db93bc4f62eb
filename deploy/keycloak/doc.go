// Package keycloak holds the development Keycloak realm (kujdes-realm.json, imported by
// docker-compose.yml) and the tests that keep it, and the compose wiring, consistent with what
// Kujdes expects from an OpenID Connect provider. See docs/identity-providers.md.
package keycloak
