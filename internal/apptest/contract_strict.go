package apptest

import (
	"encoding/json"
	"fmt"
	"mime"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// undeclared lists the properties of a response body that its schema does not declare.
// JSON Schema lets an object carry undeclared properties unless the schema says otherwise,
// and the response schemas do not: without this check a field renamed in code (optional in
// the document, or added beside the old one) would pass. An object is held to the union of
// the properties declared by its schema and every allOf/anyOf/oneOf branch; one that
// declares none, or allows additional or pattern properties, is left open.
func undeclared(route *routers.Route, status int, contentType string, body []byte) []string {
	resp := route.Operation.Responses.Status(status)
	if resp == nil {
		resp = route.Operation.Responses.Default()
	}
	if resp == nil || resp.Value == nil || len(body) == 0 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil
	}
	media := resp.Value.Content.Get(contentType)
	if media == nil || media.Schema == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil // ValidateResponse reports it
	}
	var out []string
	walkDeclared(v, expand(nil, media.Schema), "", &out)
	return out
}

// expand adds s and the branches of its compositions to into.
func expand(into []*openapi3.Schema, s *openapi3.SchemaRef) []*openapi3.Schema {
	if s == nil || s.Value == nil {
		return into
	}
	into = append(into, s.Value)
	for _, set := range []openapi3.SchemaRefs{s.Value.AllOf, s.Value.AnyOf, s.Value.OneOf} {
		for _, b := range set {
			into = expand(into, b)
		}
	}
	return into
}

func walkDeclared(v any, schemas []*openapi3.Schema, ptr string, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		declared := map[string][]*openapi3.Schema{}
		open, anyProps := false, false
		for _, s := range schemas {
			for name, p := range s.Properties {
				declared[name] = expand(declared[name], p)
				anyProps = true
			}
			ap := s.AdditionalProperties
			if (ap.Has != nil && *ap.Has) || ap.Schema != nil || len(s.PatternProperties) > 0 {
				open = true
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, ok := declared[k]
			if !ok && anyProps && !open {
				*out = append(*out, fmt.Sprintf("at '%s/%s': property %q is not in the document", ptr, k, k))
				continue
			}
			walkDeclared(v[k], sub, ptr+"/"+k, out)
		}
	case []any:
		var items []*openapi3.Schema
		for _, s := range schemas {
			items = expand(items, s.Items)
		}
		for i, e := range v {
			walkDeclared(e, items, fmt.Sprintf("%s/%d", ptr, i), out)
		}
	}
}
