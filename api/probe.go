package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// DecodeProbe decodes a JSON body through the same decoder as every API handler and echoes
// it; tests mount it to prove that body errors answer with problems. It is not routed in
// the product.
func DecodeProbe(c *gin.Context) {
	var v map[string]any
	if err := decodeJSON(c, &v); err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
