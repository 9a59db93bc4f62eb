package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// The shapes every handler shares, beside versionedUpdate (children.go): a handler parses its
// path ids, then hands one of these the call of its use case with the request's context and
// actor; the helper maps the error (WriteError) or answers with the status and headers of its
// kind. So a handler says only what is its own: the use case, the body type, the Location.

// paramID parses the numeric path parameter name (":aid", ":eid"…); a malformed id is simply
// not found.
func paramID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		WriteError(c, models.ErrNotFound)
		return 0, false
	}
	return id, true
}

// pathIDs parses :id and the id of one of its items (sub: "aid", "eid"…), in that order.
func pathIDs(c *gin.Context, sub string) (id, subID int64, ok bool) {
	if id, ok = pathID(c); !ok {
		return 0, 0, false
	}
	if subID, ok = paramID(c, sub); !ok {
		return 0, 0, false
	}
	return id, subID, true
}

// read answers 200 with what get returns.
func read(c *gin.Context, get func(ctx context.Context, act *models.Actor) (any, error)) {
	ctx := c.Request.Context()
	out, err := get(ctx, auth.ActorFrom(ctx))
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// readList is read for a URL that takes no query parameters (lists without paging or
// filters, a child's sections): any parameter but ?lang= is 400 (listQueryOf).
func readList(c *gin.Context, get func(ctx context.Context, act *models.Actor) (any, error)) {
	if _, ok := listQueryOf(c); !ok {
		return
	}
	read(c, get)
}

// readVersioned answers 200 with the record get reads and its version as the ETag, the one a
// later update sends back in If-Match.
func readVersioned(c *gin.Context, get func(ctx context.Context, act *models.Actor) (any, int, error)) {
	ctx := c.Request.Context()
	out, version, err := get(ctx, auth.ActorFrom(ctx))
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("ETag", etag(version))
	c.JSON(http.StatusOK, out)
}

// create decodes the JSON body into body, runs the use case and answers 201 with what it
// made.
func create[T any](c *gin.Context, body *T, run func(ctx context.Context, act *models.Actor) (any, error)) {
	if err := decodeJSON(c, body); err != nil {
		WriteError(c, err)
		return
	}
	ctx := c.Request.Context()
	out, err := run(ctx, auth.ActorFrom(ctx))
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// createVersioned is create for a versioned record: the 201 also names where the record is
// read (Location) and its version (ETag).
func createVersioned[T any](c *gin.Context, body *T, run func(ctx context.Context, act *models.Actor) (out any, location string, version int, err error)) {
	if err := decodeJSON(c, body); err != nil {
		WriteError(c, err)
		return
	}
	ctx := c.Request.Context()
	out, location, version, err := run(ctx, auth.ActorFrom(ctx))
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("Location", location)
	c.Header("ETag", etag(version))
	c.JSON(http.StatusCreated, out)
}

// items wraps a list in the API's list object, {"items": […]}, passing err through.
func items[T any](list T, err error) (any, error) { return gin.H{"items": list}, err }
