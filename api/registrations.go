package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/registry"
)

// register registers an arrival: 201 with the child's number, or 409 possible-duplicates
// listing the candidates (send again with existing_child_id, or confirm_new: true). An
// arrival on a candidate outside the officer's scope is a sighting: 201 with the arrival and
// the summary, without a Location (the record stays closed to the officer).
func (a *API) register(c *gin.Context) {
	var in registry.RegistrationInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, err)
		return
	}
	res, err := a.Registry.RegisterArrivalOnce(c.Request.Context(), auth.ActorFrom(c.Request.Context()), idempotencyKey(c), in)
	if err != nil {
		WriteError(c, err)
		return
	}
	markReplayed(c, res)
	if !res.Sighting { // a sighting does not open the child's record to the officer
		c.Header("Location", fmt.Sprintf("%s/children/%d", Prefix, res.ChildID))
	}
	c.JSON(http.StatusCreated, res)
}

// recordArrival records another arrival of a known child.
func (a *API) recordArrival(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.ArrivalInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, err)
		return
	}
	res, err := a.Registry.RecordArrivalOnce(c.Request.Context(), auth.ActorFrom(c.Request.Context()), idempotencyKey(c), id, in)
	if err != nil {
		WriteError(c, err)
		return
	}
	markReplayed(c, res)
	c.JSON(http.StatusCreated, res)
}

// searchChildren searches the children in scope; the name travels in the body.
func (a *API) searchChildren(c *gin.Context) {
	var in registry.SearchInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, err)
		return
	}
	page, err := a.Registry.SearchChildren(c.Request.Context(), auth.ActorFrom(c.Request.Context()), in)
	if err != nil {
		WriteError(c, err)
		return
	}
	if page.Items == nil {
		page.Items = []registry.ChildView{}
	}
	c.JSON(http.StatusOK, page)
}

// needsAction lists the children in scope waiting for a guardian, an assessment or a decision.
func (a *API) needsAction(c *gin.Context) {
	q, ok := listQueryOf(c, "limit")
	if !ok {
		return
	}
	rows, err := a.Registry.NeedsActionQueue(c.Request.Context(), auth.ActorFrom(c.Request.Context()), q.Limit)
	if err != nil {
		WriteError(c, err)
		return
	}
	if rows == nil {
		rows = []registry.NeedsAction{}
	}
	c.JSON(http.StatusOK, gin.H{"items": rows})
}

// mergeChild marks another record as a duplicate of this one.
func (a *API) mergeChild(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.MergeInput
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, err)
		return
	}
	m, err := a.Registry.MergeChildren(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id, in)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

// unmergeChild undoes the merge of this duplicate record.
func (a *API) unmergeChild(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in struct {
		Reason string `json:"reason" input:"len=2000,multiline"` // as MergeInput.Reason
	}
	if err := decodeJSON(c, &in); err != nil {
		WriteError(c, err)
		return
	}
	m, err := a.Registry.UnmergeChild(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id, in.Reason)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

// idempotencyKey is the request's Idempotency-Key header (IETF draft
// "The Idempotency-Key HTTP Header Field"), given as a structured-field string ("…") or bare;
// "" when absent. The registry validates it.
func idempotencyKey(c *gin.Context) string {
	k := c.GetHeader("Idempotency-Key")
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1]
	}
	return k
}

// markReplayed tells the client that the answer is the remembered one of an earlier request
// with the same key (nothing was written this time).
func markReplayed(c *gin.Context, res registry.Registration) {
	if res.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
}
