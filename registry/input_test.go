package registry

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/models"
)

func TestCheckInput(t *testing.T) {
	ok := func() RegistrationInput {
		return RegistrationInput{
			IdentityInput: IdentityInput{GivenName: "Mehr\u200cdad", FamilyName: "Rahimi", Aliases: []string{"Mo"},
				SpecialNeeds: "line 1\r\nline\t2", Languages: []string{"fa"}},
			Arrival: ArrivalInput{Location: "Tirana", Notes: "a\nb",
				Documents: []models.Document{{Type: "passport", Number: "P1"}}},
		}
	}
	tests := []struct {
		name        string
		change      func(*RegistrationInput)
		field, code string
	}{
		{"valid", func(*RegistrationInput) {}, "", ""},
		{"NUL in a name", func(in *RegistrationInput) { in.GivenName = "A\x00" }, "given_name", "text_invalid_character"},
		{"tab in a one-line field", func(in *RegistrationInput) { in.Arrival.Location = "a\tb" }, "arrival.location", "text_invalid_character"},
		{"newline in a one-line field", func(in *RegistrationInput) { in.Aliases = []string{"a\nb"} }, "aliases.0", "text_invalid_character"},
		{"DEL", func(in *RegistrationInput) { in.Arrival.Notes = "\x7f" }, "arrival.notes", "text_invalid_character"},
		{"C1", func(in *RegistrationInput) { in.Arrival.Documents[0].Number = "\u009b1" }, "arrival.documents.0.number", "text_invalid_character"},
		{"invalid UTF-8", func(in *RegistrationInput) { in.FamilyName = "R\xffahimi" }, "family_name", "text_invalid_character"},
		{"replacement character", func(in *RegistrationInput) { in.FamilyName = "R\ufffd" }, "family_name", "text_invalid_character"},
		{"too long", func(in *RegistrationInput) { in.Arrival.Location = strings.Repeat("ë", MaxShortText+1) }, "arrival.location", "too_long"},
		{"at the limit", func(in *RegistrationInput) { in.Arrival.Location = strings.Repeat("ë", MaxShortText) }, "", ""},
		{"too many", func(in *RegistrationInput) { in.Arrival.Documents = make([]models.Document, 21) }, "arrival.documents", "too_many"},
		{"zero-width name", func(in *RegistrationInput) { in.GivenName = "\u200b\u200d" }, "given_name", "name_needs_letter"},
		{"digits are no name", func(in *RegistrationInput) { in.Aliases = []string{"123"} }, "aliases.0", "name_needs_letter"},
		{"adult's name", func(in *RegistrationInput) {
			in.Arrival.AccompanyingAdults = []models.AccompanyingAdult{{Relation: "uncle", Name: "\u2060"}}
		}, "arrival.accompanying_adults.0.name", "name_needs_letter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok()
			tt.change(&in)
			err := CheckInput(&in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var verr *models.ValidationError
			if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Field != tt.field || verr.Fields[0].Code != tt.code {
				t.Fatalf("want %s on %s, got %v", tt.code, tt.field, err)
			}
		})
	}
}

// A list over its limit is refused at once, whatever its size; problems past
// models.MaxFieldErrors are only counted.
func TestCheckInputIsBounded(t *testing.T) {
	in := IdentityInput{Languages: make([]string, 1_000_000)}
	for i := range in.Languages {
		in.Languages[i] = "\x00"
	}
	start := time.Now()
	err := CheckInput(in)
	if took := time.Since(start); took > 50*time.Millisecond {
		t.Errorf("a huge list took %v", took)
	}
	var verr *models.ValidationError
	if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Code != "too_many" {
		t.Fatalf("got %v", err)
	}

	upd := UserUpdate{RegionCodes: make([]string, MaxScopeItems)}
	for i := range upd.RegionCodes {
		upd.RegionCodes[i] = "\x01"
	}
	if err := CheckInput(upd); !errors.As(err, &verr) || len(verr.Fields) != models.MaxFieldErrors || verr.Omitted != MaxScopeItems-models.MaxFieldErrors {
		t.Fatalf("want %d errors and %d omitted, got %v", models.MaxFieldErrors, MaxScopeItems-models.MaxFieldErrors, err)
	}
}

func TestCheckFormText(t *testing.T) {
	for s, want := range map[string]string{"ok": "", "a\r\nb\tc": "", "a\x00": "text_invalid_character",
		"\xc0\x80": "text_invalid_character", "\u0085": "text_invalid_character", "\xed\xa0\x80": "text_invalid_character"} {
		if got := CheckFormText(s); got != want {
			t.Errorf("CheckFormText(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestEveryInputFieldHasALimit walks every input type of the use cases: each string and list
// field carries an explicit `input` tag, and its figures are the named limits of limits.go.
func TestEveryInputFieldHasALimit(t *testing.T) {
	named := map[int]bool{}
	for _, n := range []int{MaxNameLen, MaxCodeLen, MaxShortText, MaxLongText, MaxAssessmentText, MaxListItems, MaxScopeItems} {
		named[n] = true
	}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ == reflect.TypeOf(time.Time{}) {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			tag, has := f.Tag.Lookup("input")
			if (ft.Kind() == reflect.String || ft.Kind() == reflect.Slice) && !has {
				t.Errorf("%s.%s has no input tag", typ.Name(), f.Name)
			}
			for _, part := range strings.Split(tag, ",") {
				if _, v, ok := strings.Cut(part, "="); ok {
					if n, _ := strconv.Atoi(v); !named[n] {
						t.Errorf("%s.%s: %s is not one of the limits of limits.go", typ.Name(), f.Name, part)
					}
				}
			}
			walk(f.Type, path+"."+f.Name)
		}
	}
	for _, v := range []any{RegistrationInput{}, ArrivalInput{}, ChildPatch{}, AgeRequestInput{}, AgeResultInput{},
		BreakGlassInput{}, UserUpdate{}, ReferenceInput{}, SearchInput{}, MergeInput{}, TransitionInput{},
		GuardianInput{}, AppointInput{}, EndInput{}, FirstMeetingInput{}, ConflictInput{}, VisitInput{},
		// Facilities and placements (issue 9).
		FacilityInput{}, InspectionInput{}, PlacementInput{}, PlacementCheckInput{},
		// Family links (issue 9, siblings).
		RelativeInput{}, VoidRelativeInput{},
		// Missing children (issue 10).
		MissingReportInput{}, ReactionInput{}, FoundInput{}, InterviewInput{},
		// Legal status (issue 10).
		LegalEventInput{}, LegalVoidInput{},
		// Case lifecycle and information on rights (issue 10).
		ReunifyInput{}, TransferInput{}, TransitionPlanInput{}, RightsInput{},
		// issue 13: live transliteration
		TransliterationInput{}} {
		walk(reflect.TypeOf(v), "")
	}
	if len(seen) < 12 {
		t.Fatalf("walked only %d types", len(seen))
	}
}
