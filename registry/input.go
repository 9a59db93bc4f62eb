package registry

import (
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kujdes/kujdes/models"
)

// CheckInput applies the generic text rules to every string of an input (a struct, a pointer
// to one, or anything reachable from it) before any other validation, for both faces: the
// JSON decoder calls it on every body and the use cases on what they are given.
//
//   - no control characters: C0 (tab, newline and carriage return only in multi-line
//     fields), DEL, C1, and no invalid UTF-8 — a lone surrogate or a broken byte arrives
//     from the JSON decoder as U+FFFD, which is refused too (PostgreSQL rejects NUL);
//   - at most the field's length in characters, and at most the list's items — a list over
//     its limit is refused without looking at its items, so a huge list costs nothing;
//   - a name ("name" in the tag) contains at least one letter: zero-width and other format
//     characters alone are not a name.
//
// Field names are the JSON paths ("arrival.documents.3.number"). The error is a
// *models.ValidationError (bounded by models.MaxFieldErrors), or nil.
func CheckInput(v any) error {
	var verr models.ValidationError
	checkValue(reflect.ValueOf(v), "", inputRule{}, &verr)
	return verr.Err()
}

// CheckFormText applies the character rule to one raw form value (the form decoder of the
// pages): forms do not say which fields are multi-line, so tab, newline and carriage return
// pass here and the use case's CheckInput refuses them where they do not belong. It returns
// the validation code, or "" when the value is acceptable.
func CheckFormText(s string) string {
	if !textCharsOK(s, true) {
		return "text_invalid_character"
	}
	return ""
}

// inputRule is one field's `input` tag.
type inputRule struct {
	maxLen, maxItems int
	multiline, name  bool
}

func parseInputRule(tag string) inputRule {
	r := inputRule{maxLen: DefaultMaxLen, maxItems: DefaultMaxItems}
	for _, part := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "len":
			r.maxLen = n
		case "items":
			r.maxItems = n
		case "multiline":
			r.multiline = true
		case "name":
			r.name = true
		}
	}
	return r
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func checkValue(v reflect.Value, path string, rule inputRule, verr *models.ValidationError) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkValue(v.Elem(), path, rule, verr)
		}
	case reflect.String:
		checkText(v.String(), path, rule, verr)
	case reflect.Slice, reflect.Array:
		if v.Len() > rule.maxItems {
			verr.Add(path, "too_many", map[string]any{"Max": rule.maxItems})
			return
		}
		for i := range v.Len() {
			checkValue(v.Index(i), joinPath(path, strconv.Itoa(i)), rule, verr)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			p := path
			if !(f.Anonymous && name == "") {
				if name == "" {
					name = f.Name
				}
				p = joinPath(path, name)
			}
			checkValue(v.Field(i), p, parseInputRule(f.Tag.Get("input")), verr)
		}
	}
}

func checkText(s, path string, rule inputRule, verr *models.ValidationError) {
	switch {
	case !textCharsOK(s, rule.multiline):
		verr.Add(path, "text_invalid_character", nil)
	case utf8.RuneCountInString(s) > rule.maxLen:
		verr.Add(path, "too_long", map[string]any{"Max": rule.maxLen})
	case rule.name && strings.TrimSpace(s) != "" && !HasLetter(s):
		verr.Add(path, "name_needs_letter", nil)
	}
}

// textCharsOK reports whether s is valid UTF-8 without control characters (tab, newline and
// carriage return allowed when multiline) and without U+FFFD, the mark of a broken byte or a
// lone surrogate.
func textCharsOK(s string, multiline bool) bool {
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return false // invalid UTF-8 (or a replacement character standing for it)
		case r == '\t' || r == '\n' || r == '\r':
			if !multiline {
				return false
			}
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			return false
		}
	}
	return true
}

// HasLetter reports whether s contains a letter. Zero-width and other format characters
// (and marks, digits, punctuation) alone do not make a name.
func HasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
