package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// duplicateCheck (being built).
func (a *API) duplicateCheck(c *gin.Context) { c.Status(http.StatusNotImplemented) }
