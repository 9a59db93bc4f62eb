package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/registry"
)

// transliterate suggests the Latin spelling of names while they are typed (issue 13).
func (a *API) transliterate(c *gin.Context) {
	var in registry.TransliterationInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, err)
		return
	}
	ctx := c.Request.Context()
	out, err := a.Registry.Transliterate(ctx, auth.ActorFrom(ctx), in)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
