package registry

import (
	"strconv"

	"github.com/kujdes/kujdes/models"
)

// The paging rule of every list, for both faces: a page starts after an id (0, the start, or
// more) and holds 1..MaxPageSize rows; a request that gives no size gets DefaultPageSize. The
// API's query parameters (?after=, ?limit=), the pages' ?after= and the search body's after and
// limit are all checked here, so an out-of-range value is refused the same way everywhere
// instead of being clamped in one place and refused in another.

// DefaultPageSize is the size of a page when the request gives none.
const DefaultPageSize = 50

// Codes of the paging problems (message ids "validation.<code>").
const (
	codeAfterInvalid = "query_after_invalid"
	codeLimitInvalid = "query_limit_invalid"
)

// ParseAfter reads a page start given as text (a query parameter or a form value): a whole
// number of 0 or more. A malformed value returns a field error naming field.
func ParseAfter(field, s string) (int64, *models.FieldError) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || !afterOK(n) {
		return 0, &models.FieldError{Field: field, Code: codeAfterInvalid}
	}
	return n, nil
}

// ParseLimit reads a page size given as text: a whole number from 1 to MaxPageSize.
func ParseLimit(field, s string) (int, *models.FieldError) {
	n, err := strconv.Atoi(s)
	if err != nil || n == 0 || !limitOK(n) {
		return 0, &models.FieldError{Field: field, Code: codeLimitInvalid, Data: map[string]any{"Max": MaxPageSize}}
	}
	return n, nil
}

// checkPage refuses, naming them, the paging fields of a body that are out of range; a
// limit of 0 (absent) means DefaultPageSize. It returns the page size to use.
func checkPage(after int64, limit int, verr *models.ValidationError) int {
	if !afterOK(after) {
		verr.Add("after", codeAfterInvalid, nil)
	}
	if !limitOK(limit) {
		verr.Add("limit", codeLimitInvalid, map[string]any{"Max": MaxPageSize})
	}
	if limit == 0 {
		return DefaultPageSize
	}
	return limit
}

func afterOK(n int64) bool { return n >= 0 }

// limitOK accepts 0 (no size given: the default) and 1..MaxPageSize.
func limitOK(n int) bool { return n >= 0 && n <= MaxPageSize }
