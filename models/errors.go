package models

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Callers test them with errors.Is; the API and the pages map them to
// responses in one place each.
var (
	// ErrNotFound: no such record, or one outside the actor's scope (never tell which).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the record changed since the caller read it (stale version).
	ErrConflict = errors.New("conflict")
	// ErrPreconditionRequired: an update came without the version it is based on.
	ErrPreconditionRequired = errors.New("precondition required")
	// ErrForbidden: the actor lacks the permission.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated: nobody is signed in.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrReadOnly: the child's record is closed (closed, aged out, reunified, transferred) and
	// refuses every change until it is reopened (issue 10, registry.childWritable).
	ErrReadOnly = errors.New("record is read-only")
)

// FieldError is one invalid input: the field (JSON name) and a message id for i18n, with
// template data for the message.
type FieldError struct {
	Field string         `json:"field"`
	Code  string         `json:"code"`
	Data  map[string]any `json:"-"`
}

// MaxFieldErrors bounds the problems a ValidationError keeps: an input with thousands of bad
// values gets a bounded answer (the rest are only counted, in Omitted).
const MaxFieldErrors = 50

// ValidationError lists everything wrong with an input. It is returned before any write.
type ValidationError struct {
	Fields []FieldError
	// Omitted counts the problems found beyond MaxFieldErrors.
	Omitted int
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Code
	}
	return fmt.Sprintf("invalid input (%s)", strings.Join(parts, ", "))
}

// Add records a problem with one field.
func (e *ValidationError) Add(field, code string, data map[string]any) {
	if len(e.Fields) >= MaxFieldErrors {
		e.Omitted++
		return
	}
	e.Fields = append(e.Fields, FieldError{Field: field, Code: code, Data: data})
}

// Err returns the error when any field is invalid, else nil.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// ForbiddenFieldsError refuses an input because the actor may not change some of its fields
// (or may not make this change to their own account). It is an ErrForbidden that names the
// fields, each with a message id suffix (Code) for i18n ("forbidden.<code>").
type ForbiddenFieldsError struct {
	Fields []FieldError
}

func (e *ForbiddenFieldsError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Code
	}
	return fmt.Sprintf("forbidden (%s)", strings.Join(parts, ", "))
}

// Is makes errors.Is(err, ErrForbidden) true.
func (e *ForbiddenFieldsError) Is(target error) bool { return target == ErrForbidden }

// ForbiddenFields returns an error naming fields, all with code, or nil when fields is empty.
func ForbiddenFields(code string, fields ...string) error {
	if len(fields) == 0 {
		return nil
	}
	e := &ForbiddenFieldsError{}
	for _, f := range fields {
		e.Fields = append(e.Fields, FieldError{Field: f, Code: code})
	}
	return e
}
