package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// requestError is a request that cannot be read (400) for reasons tied to named fields or
// query parameters: a JSON value of the wrong type, an unknown field, a malformed parameter.
type requestError struct {
	detail string // message id
	fields []models.FieldError
}

func (e *requestError) Error() string {
	parts := make([]string, len(e.fields))
	for i, f := range e.fields {
		parts[i] = f.Field + ": " + f.Code
	}
	return "bad request (" + strings.Join(parts, ", ") + ")"
}

// jsonTypeNames names JSON's types for the messages ("a number", "a list"…).
var jsonTypeNames = map[string]string{
	"string": "string", "bool": "boolean", "array": "array", "object": "object", "number": "number",
}

// decodeJSON reads a JSON request body into v: application/json only, unknown fields refused,
// one value only. The body size is already bounded by the server's limit middleware. Every
// string of the decoded value then passes registry.CheckInput (control characters, lengths,
// list sizes, names): one place for every JSON body of the API.
func decodeJSON(c *gin.Context, v any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return errUnsupportedMedia
		}
	}
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, reflect.TypeOf(v))
	}
	if dec.More() {
		return fmt.Errorf("%w: more than one value", errBadJSON)
	}
	return registry.CheckInput(v)
}

// jsonError names the field of a decoding error (of a value of type t) when there is one.
func jsonError(err error, t reflect.Type) error {
	var (
		maxErr  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxErr):
		return err
	case errors.As(err, &typeErr) && typeErr.Field != "":
		want := typeErr.Type.Kind().String()
		switch {
		case strings.HasPrefix(want, "int"), strings.HasPrefix(want, "uint"), strings.HasPrefix(want, "float"):
			want = "number"
		case want == "slice" || want == "array":
			want = "array"
		case want == "struct" || want == "map":
			want = "object"
		}
		if typeErr.Type.String() == "time.Time" {
			want = "string"
		}
		if n, ok := jsonTypeNames[want]; ok {
			want = n
		} else {
			want = "invalid"
		}
		return &requestError{detail: "error.bad_json.detail", fields: []models.FieldError{{
			Field: jsonPath(t, typeErr.Field), Code: "json_type_" + want}}}
	}
	// encoding/json reports an unknown field only in its message.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return &requestError{detail: "error.bad_json.detail", fields: []models.FieldError{{Field: name, Code: "json_unknown_field"}}}
	}
	return fmt.Errorf("%w: %v", errBadJSON, err)
}

// jsonPath turns encoding/json's field path, which names embedded structs by their Go type
// ("IdentityInput.given_name"), into the path a client sees ("given_name").
func jsonPath(t reflect.Type, field string) string {
	var out []string
	for _, seg := range strings.Split(field, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			t = t.Elem()
		}
		var next reflect.Type
		embedded := false
		if t != nil && t.Kind() == reflect.Struct {
			for i := range t.NumField() {
				f := t.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if f.Anonymous && name == "" && f.Type.Name() == seg {
					next, embedded = f.Type, true
					break
				}
				if name == seg || (name == "" && f.Name == seg) {
					next = f.Type
					break
				}
			}
		}
		if !embedded {
			out = append(out, seg)
		}
		t = next
	}
	return strings.Join(out, ".")
}

// listQuery is the query of a list endpoint: only the named parameters, each well-formed.
type listQuery struct {
	After int64
	Limit int
	Hint  bool // ?hint=true: a duplicate check asked while a form is typed
}

// parseListQuery reads ?after= and ?limit= (registry.ParseAfter, registry.ParseLimit) and
// ?hint= (true or false) when allowed holds them, and refuses any other parameter, a repeated one or a malformed value
// with 400 naming it: a typo must not silently fall back to defaults. ?lang= (the language
// choice, read by the server's middleware) is allowed everywhere.
func parseListQuery(q url.Values, allowed ...string) (listQuery, error) {
	var (
		out  listQuery
		errs []models.FieldError
	)
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		vs := q[k]
		if k == "lang" {
			continue
		}
		if !slices.Contains(allowed, k) {
			errs = append(errs, models.FieldError{Field: k, Code: "query_unknown"})
			continue
		}
		if len(vs) != 1 {
			errs = append(errs, models.FieldError{Field: k, Code: "query_repeated"})
			continue
		}
		switch k {
		case "after":
			n, fe := registry.ParseAfter(k, vs[0])
			if fe != nil {
				errs = append(errs, *fe)
			}
			out.After = n
		case "limit":
			n, fe := registry.ParseLimit(k, vs[0])
			if fe != nil {
				errs = append(errs, *fe)
			}
			out.Limit = n
		case "hint":
			switch vs[0] {
			case "true", "false":
				out.Hint = vs[0] == "true"
			default:
				errs = append(errs, models.FieldError{Field: k, Code: "query_bool_invalid"})
			}
		}
		if len(errs) >= models.MaxFieldErrors {
			break
		}
	}
	if len(errs) > 0 {
		return listQuery{}, &requestError{detail: "error.bad_query.detail", fields: errs}
	}
	return out, nil
}

// listQueryOf parses the request's list query and answers 400 when it is bad.
func listQueryOf(c *gin.Context, allowed ...string) (listQuery, bool) {
	q, err := parseListQuery(c.Request.URL.Query(), allowed...)
	if err != nil {
		WriteError(c, err)
		return listQuery{}, false
	}
	return q, true
}
