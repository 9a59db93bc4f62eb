package api

import (
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// TestInputLimitsAreDocumented keeps the OpenAPI document's maxLength and maxItems equal to
// the `input` tags that registry.CheckInput enforces, for every request body: a limit changed
// in code but not in the document (or the reverse) fails here.
func TestInputLimitsAreDocumented(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc.Components.Schemas
	bodies := []struct {
		schema  string
		typ     any
		partial bool // the schema documents only some of the type's fields
	}{
		{"RegistrationInput", registry.RegistrationInput{}, false},
		{"DuplicateCheckInput", registry.RegistrationInput{}, true},
		{"IdentityInput", registry.IdentityInput{}, false},
		{"ArrivalInput", registry.ArrivalInput{}, false},
		{"AccompanyingAdult", models.AccompanyingAdult{}, false},
		{"Document", models.Document{}, false},
		{"ChildPatch", registry.ChildPatch{}, true},
		{"BreakGlassInput", registry.BreakGlassInput{}, false},
		{"RegionInput", registry.ReferenceInput{}, false},
		{"BorderPostInput", registry.ReferenceInput{}, false},
		{"UserUpdate", registry.UserUpdate{}, false},
		{"SearchInput", registry.SearchInput{}, false},
		{"MergeInput", registry.MergeInput{}, false},
		{"UnmergeInput", registry.MergeInput{}, true},
		{"AgeRequestInput", registry.AgeRequestInput{}, false},
		{"AgeResultInput", registry.AgeResultInput{}, false},
		{"TransitionInput", registry.TransitionInput{}, false},
		{"GuardianInput", registry.GuardianInput{}, false},
		{"AppointInput", registry.AppointInput{}, false},
		{"EndInput", registry.EndInput{}, false},
		{"FirstMeetingInput", registry.FirstMeetingInput{}, false},
		{"ConflictInput", registry.ConflictInput{}, false},
		{"VisitInput", registry.VisitInput{}, false},
		// Facilities and placements (issue 9).
		{"FacilityInput", registry.FacilityInput{}, false},
		{"InspectionInput", registry.InspectionInput{}, false},
		{"PlacementInput", registry.PlacementInput{}, false},
		{"PlacementCheckInput", registry.PlacementCheckInput{}, false},
		// Family links (issue 9, siblings).
		{"RelativeInput", registry.RelativeInput{}, false},
		{"VoidRelativeInput", registry.VoidRelativeInput{}, false},
		// Missing children (issue 10).
		{"MissingReportInput", registry.MissingReportInput{}, false},
		{"ReactionInput", registry.ReactionInput{}, false},
		{"FoundInput", registry.FoundInput{}, false},
		{"InterviewInput", registry.InterviewInput{}, false},
		// Legal status (issue 10).
		{"LegalEventInput", registry.LegalEventInput{}, false},
		{"LegalVoidInput", registry.LegalVoidInput{}, false},
		// Case lifecycle and information on rights (issue 10).
		{"ReunifyInput", registry.ReunifyInput{}, false},
		{"TransferInput", registry.TransferInput{}, false},
		{"TransitionPlanInput", registry.TransitionPlanInput{}, false},
		{"RightsInput", registry.RightsInput{}, false},
		// issue 13: live transliteration
		{"TransliterationInput", registry.TransliterationInput{}, false},
	}
	for _, b := range bodies {
		s, ok := schemas[b.schema]
		if !ok {
			t.Errorf("no schema %s", b.schema)
			continue
		}
		props, _ := s["properties"].(map[string]any)
		for _, f := range inputFields(reflect.TypeOf(b.typ)) {
			p, ok := props[f.name].(map[string]any)
			if !ok {
				if !b.partial && f.kind != reflect.Struct {
					t.Errorf("%s.%s: not in the schema", b.schema, f.name)
				}
				continue
			}
			switch f.kind {
			case reflect.String:
				if !isEnum(schemas, p) && number(p["maxLength"]) != f.maxLen {
					t.Errorf("%s.%s: maxLength %v, code enforces %d", b.schema, f.name, p["maxLength"], f.maxLen)
				}
			case reflect.Slice:
				if number(p["maxItems"]) != f.maxItems {
					t.Errorf("%s.%s: maxItems %v, code enforces %d", b.schema, f.name, p["maxItems"], f.maxItems)
				}
				if items, _ := p["items"].(map[string]any); f.elem == reflect.String && items != nil && !isEnum(schemas, items) &&
					number(items["maxLength"]) != f.maxLen {
					t.Errorf("%s.%s items: maxLength %v, code enforces %d", b.schema, f.name, items["maxLength"], f.maxLen)
				}
			}
		}
	}
}

type inputField struct {
	name             string
	kind, elem       reflect.Kind
	maxLen, maxItems int
}

// inputFields lists a body type's JSON fields with their `input` limits (embedded structs
// flattened, as encoding/json does). Every string and list field must carry a tag.
func inputFields(t reflect.Type) []inputField {
	var out []inputField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			out = append(out, inputFields(f.Type)...)
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		in := inputField{name: name, kind: ft.Kind(), maxLen: registry.DefaultMaxLen, maxItems: registry.DefaultMaxItems}
		if ft.Kind() == reflect.Slice {
			in.elem = ft.Elem().Kind()
		}
		if ft.String() == "time.Time" {
			in.kind = reflect.Invalid // a timestamp: bounded by its format
		}
		for _, part := range strings.Split(f.Tag.Get("input"), ",") {
			k, v, _ := strings.Cut(part, "=")
			n, _ := strconv.Atoi(v)
			switch k {
			case "len":
				in.maxLen = n
			case "items":
				in.maxItems = n
			}
		}
		out = append(out, in)
	}
	return out
}

// isEnum reports whether a property is a closed list of values (inline, by $ref, or through
// allOf/anyOf): its values bound its length more tightly than any maxLength.
func isEnum(schemas map[string]map[string]any, p map[string]any) bool {
	if _, ok := p["enum"]; ok {
		return true
	}
	if ref, ok := p["$ref"].(string); ok {
		s := schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
		_, ok := s["enum"]
		return ok
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := p[k].([]any); ok {
			for _, x := range list {
				if m, ok := x.(map[string]any); ok && isEnum(schemas, m) {
					return true
				}
			}
		}
	}
	return false
}

func number(v any) int {
	f, _ := v.(float64)
	return int(f)
}
