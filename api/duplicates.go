package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/registry"
)

// duplicateCheck answers POST /api/v1/duplicate-check: the existing children who may be the
// one described, ranked, each with a score, a band (likely / possible) and the reasons. The
// body is a registration (only its identity fields are read: names, aliases, sex, birth date
// or estimated age range, nationalities), so a client can send the same body before
// registering. The answer is 200 {"candidates": [...], "namesakes": n}, an empty list when
// nobody matches; namesakes (registry.Namesakes) is how many candidates cannot be told apart
// from the first (0 when it stands out): ask for the parents' names.
//
// With ?hint=true the check is a hint asked while the form is typed: the same answer, but
// refused (429) when it would leave the user fewer checks than are kept for saving
// (registry.FindDuplicateHints).
func (a *API) duplicateCheck(c *gin.Context) {
	lq, ok := listQueryOf(c, "hint")
	if !ok {
		return
	}
	var in registry.RegistrationInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, err)
		return
	}
	ctx := c.Request.Context()
	q, err := a.Registry.DuplicateQueryFrom(in.IdentityInput)
	if err != nil {
		WriteError(c, err)
		return
	}
	find := a.Registry.FindDuplicates
	if lq.Hint {
		find = a.Registry.FindDuplicateHints
	}
	cands, err := find(ctx, auth.ActorFrom(ctx), q)
	if err != nil {
		WriteError(c, err)
		return
	}
	if cands == nil {
		cands = []registry.Candidate{}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"candidates": cands, "namesakes": registry.Namesakes(cands)})
}
