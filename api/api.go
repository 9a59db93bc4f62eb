// Package api is the JSON face of Kujdes under /api/v1: thin handlers over the use cases in
// registry/, one routes.go, one errors.go (RFC 9457 problems), and an OpenAPI 3.1 document
// that a test keeps equal to the registered routes.
package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/registry"
)

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument is the API description served at /api/v1/openapi.json.
func OpenAPIDocument() []byte { return openAPIDocument }

// API holds the dependencies of the JSON handlers.
type API struct {
	Registry *registry.Registry
}

func (a *API) openAPI(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/json", openAPIDocument)
}
