package api

import "github.com/gin-gonic/gin"

// Prefix is where the JSON API lives.
const Prefix = "/api/v1"

// Routes registers every /api/v1 route. Each also needs an entry in the policy table
// (auth/policy.go) and in openapi.json; tests fail otherwise.
func (a *API) Routes(r gin.IRouter) {
	v1 := r.Group(Prefix)
	v1.GET("/openapi.json", a.openAPI)
}
