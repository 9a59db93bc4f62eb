package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/requestid"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// ProblemContentType is the media type of every API error (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document. Type is stable and machine-readable; Title is
// localized for the request's language; a 5xx never carries internals.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	RequestID string         `json:"request_id"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	// Candidates lists the existing children a refused registration may duplicate.
	Candidates []registry.Candidate `json:"candidates,omitempty"`
	// Namesakes is how many of them cannot be told apart (registry.Namesakes).
	Namesakes int `json:"namesakes,omitempty"`
}

// FieldProblem is one invalid field of a validation problem.
type FieldProblem struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Kind is one stable problem type.
type Kind struct {
	slug   string
	status int
	title  string // message id
}

// The problem types Kujdes answers with. Their slugs are part of the API contract.
var (
	KindNotFound             = Kind{"not-found", http.StatusNotFound, "error.not_found.title"}
	KindMethodNotAllowed     = Kind{"method-not-allowed", http.StatusMethodNotAllowed, "error.method_not_allowed.title"}
	KindBadRequest           = Kind{"bad-request", http.StatusBadRequest, "error.bad_request.title"}
	KindPayloadTooLarge      = Kind{"payload-too-large", http.StatusRequestEntityTooLarge, "error.payload_too_large.title"}
	KindUnsupportedMedia     = Kind{"unsupported-media-type", http.StatusUnsupportedMediaType, "error.unsupported_media_type.title"}
	KindValidation           = Kind{"validation", http.StatusUnprocessableEntity, "error.validation.title"}
	KindConflict             = Kind{"conflict", http.StatusPreconditionFailed, "error.conflict.title"}
	KindPreconditionRequired = Kind{"precondition-required", http.StatusPreconditionRequired, "error.precondition_required.title"}
	KindForbidden            = Kind{"forbidden", http.StatusForbidden, "error.forbidden.title"}
	KindUnauthenticated      = Kind{"unauthenticated", http.StatusUnauthorized, "error.unauthenticated.title"}
	KindInternal             = Kind{"internal", http.StatusInternalServerError, "error.internal.title"}
	KindUnavailable          = Kind{"unavailable", http.StatusServiceUnavailable, "error.unavailable.title"}
	KindPossibleDuplicates   = Kind{"possible-duplicates", http.StatusConflict, "error.possible_duplicates.title"}
	KindRateLimited          = Kind{"rate-limited", http.StatusTooManyRequests, "error.rate_limited.title"}
	KindListsRateLimited     = Kind{"rate-limited", http.StatusTooManyRequests, "error.rate_limited_lists.title"} // issue 11
	KindAuditNotSealed       = Kind{"audit-not-sealed", http.StatusConflict, "error.audit_not_sealed.title"}
	// KindReadOnly: the child's record is closed and refuses changes until reopened (issue 10).
	KindReadOnly = Kind{"record-read-only", http.StatusConflict, "error.read_only.title"}
)

// TypeURI is the stable identifier of a problem type.
func TypeURI(slug string) string { return "urn:kujdes:problem:" + slug }

// WriteProblem answers with a problem document of kind k and aborts the Gin chain.
func WriteProblem(c *gin.Context, k Kind, detail string, fields ...FieldProblem) {
	p := problem(c, k, detail)
	p.Errors = fields
	writeProblem(c, p)
}

func problem(c *gin.Context, k Kind, detail string) Problem {
	loc := i18n.FromContext(c.Request.Context())
	title := k.title
	if loc != nil {
		title = loc.T(k.title)
	}
	return Problem{
		Type:      TypeURI(k.slug),
		Title:     title,
		Status:    k.status,
		Detail:    detail,
		RequestID: requestid.From(c.Request.Context()),
	}
}

func writeProblem(c *gin.Context, p Problem) {
	c.Header("Content-Type", ProblemContentType)
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(p.Status, p)
}

// t translates a message id for the request, or returns the id when no localizer is set.
func t(c *gin.Context, id string, data ...map[string]any) string {
	if loc := i18n.FromContext(c.Request.Context()); loc != nil {
		return loc.T(id, data...)
	}
	return id
}

// WriteError maps any error from a use case or from reading the request to a problem. It is
// the one place where errors become responses; it logs what it hides.
func WriteError(c *gin.Context, err error) {
	var (
		maxErr *http.MaxBytesError
		valErr *models.ValidationError
		dupErr *registry.DuplicatesFoundError
		rlErr  *registry.RateLimitedError
		fldErr *models.ForbiddenFieldsError
		reqErr *requestError
	)
	switch {
	case errors.As(err, &maxErr):
		WriteProblem(c, KindPayloadTooLarge, t(c, "error.payload_too_large.detail", map[string]any{"Limit": strconv.FormatInt(maxErr.Limit, 10)}))
	case errors.Is(err, errUnsupportedMedia):
		WriteProblem(c, KindUnsupportedMedia, t(c, "error.unsupported_media_type.detail"))
	case errors.As(err, &reqErr):
		fields := make([]FieldProblem, len(reqErr.fields))
		for i, f := range reqErr.fields {
			fields[i] = FieldProblem{Field: f.Field, Code: f.Code, Message: t(c, "validation."+f.Code, f.Data)}
		}
		WriteProblem(c, KindBadRequest, t(c, reqErr.detail), fields...)
	case errors.Is(err, errBadJSON):
		WriteProblem(c, KindBadRequest, t(c, "error.bad_json.detail"))
	case errors.As(err, &dupErr):
		p := problem(c, KindPossibleDuplicates, t(c, "error.possible_duplicates.detail"))
		p.Candidates, p.Namesakes = dupErr.Candidates, registry.Namesakes(dupErr.Candidates)
		writeProblem(c, p)
	case errors.As(err, &rlErr):
		c.Header("Retry-After", strconv.Itoa(rlErr.RetryAfterSeconds()))
		if rlErr.Lists {
			WriteProblem(c, KindListsRateLimited, t(c, "error.rate_limited_lists.detail"))
			break
		}
		WriteProblem(c, KindRateLimited, t(c, "error.rate_limited.detail", map[string]any{"Seconds": rlErr.RetryAfterSeconds()}))
	case errors.As(err, &valErr):
		fields := make([]FieldProblem, len(valErr.Fields))
		for i, f := range valErr.Fields {
			fields[i] = FieldProblem{Field: f.Field, Code: f.Code, Message: t(c, "validation."+f.Code, f.Data)}
		}
		if valErr.Omitted > 0 {
			// The list is bounded: one last entry says how many more problems there are.
			msg := "validation.more_errors"
			if loc := i18n.FromContext(c.Request.Context()); loc != nil {
				msg = loc.N(msg, valErr.Omitted)
			}
			fields = append(fields, FieldProblem{Field: "", Code: "more_errors", Message: msg})
		}
		WriteProblem(c, KindValidation, "", fields...)
	case errors.As(err, &fldErr):
		// A refusal that names the fields the actor may not change.
		fields := make([]FieldProblem, len(fldErr.Fields))
		for i, f := range fldErr.Fields {
			fields[i] = FieldProblem{Field: f.Field, Code: f.Code, Message: t(c, "forbidden."+f.Code, f.Data)}
		}
		WriteProblem(c, KindForbidden, t(c, "error.forbidden_fields.detail"), fields...)
	case errors.Is(err, registry.ErrAuditNotSealed):
		WriteProblem(c, KindAuditNotSealed, t(c, "error.audit_not_sealed.detail"))
	case errors.Is(err, models.ErrReadOnly):
		WriteProblem(c, KindReadOnly, t(c, "error.read_only.detail"))
	case errors.Is(err, models.ErrNotFound):
		WriteProblem(c, KindNotFound, "")
	case errors.Is(err, models.ErrConflict):
		WriteProblem(c, KindConflict, "")
	case errors.Is(err, models.ErrPreconditionRequired):
		WriteProblem(c, KindPreconditionRequired, "")
	case errors.Is(err, models.ErrForbidden):
		WriteProblem(c, KindForbidden, "")
	case errors.Is(err, models.ErrUnauthenticated):
		WriteProblem(c, KindUnauthenticated, "")
	default:
		slog.ErrorContext(c.Request.Context(), "request failed", "err", models.RedactError(err), "request_id", requestid.From(c.Request.Context()))
		WriteProblem(c, KindInternal, t(c, "error.internal.detail"))
	}
}

var (
	errUnsupportedMedia = errors.New("unsupported media type")
	errBadJSON          = errors.New("bad JSON body")
)
