package api

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The JSON decoder's fuzz targets, one per request body. Each feeds arbitrary bytes to
// decodeJSON and maps any error as the API does; it fails on a panic, on a 5xx, on an
// unbounded answer, and when a value is accepted that PostgreSQL or a reader could choke on
// (a control character, invalid UTF-8, an oversized text or list) — checked here by an
// oracle written independently of registry.CheckInput. `go test` runs the seeds (f.Add and
// testdata/fuzz/<Target>); `go test -fuzz=FuzzDecodeRegistration ./api/` explores.

func FuzzDecodeRegistration(f *testing.F) {
	fuzzDecode[registry.RegistrationInput](f,
		`{"given_name":"Ali","family_name":"Rahimi","sex":"male","age_min":15,"age_max":16,"nationalities":["AF"],"languages":["fa-AF"],"arrival":{"how_found":"border_check","location":"x","accompanying_adults":[{"relation":"uncle","name":"A"}],"documents":[{"type":"passport","number":"1","country":"AF"}],"notes":"a\nb"}}`,
		`{"given_name":"A\u0000li"}`, `{"given_name":"\ud800"}`, `{"arrival":{"documents":"x"}}`, `{"given_name":5}`,
		`{"aliases":["\u200b"]}`, `{"languages":["a","b"]}`, `{"existing_child_id":-1,"confirm_new":true}`)
}

func FuzzDecodeDuplicateCheck(f *testing.F) {
	fuzzDecode[registry.RegistrationInput](f,
		`{"given_name":"Ali","family_name":"Rahimi","aliases":["Mo"],"sex":"male","birth_date":"2010-02-28","nationalities":["AF"]}`,
		`{"given_name":"\u0085"}`, `{"family_name":"\t"}`)
}

func FuzzDecodeArrival(f *testing.F) {
	fuzzDecode[registry.ArrivalInput](f,
		`{"arrived_at":"2026-01-01T10:00:00Z","border_post_code":"KAK","location":"x","how_found":"border_check","notes":"n"}`,
		`{"location":"\u0000"}`, `{"accompanying_adults":[{"relation":1}]}`)
}

func FuzzDecodeChildPatch(f *testing.F) {
	fuzzDecode[registry.ChildPatch](f,
		`{"region_code":"TIR","identity":{"given_name":"A","aliases":["B"],"special_needs":"x\r\ny"}}`,
		`{"identity":[]}`, `{"status":null,"region_code":"\u001b"}`)
}

func FuzzDecodeAgeRequest(f *testing.F) {
	fuzzDecode[registry.AgeRequestInput](f,
		`{"reason":"doubt","methods":["documents","interview"],"medical_justification":"","professionals":"p"}`,
		`{"methods":[null]}`, `{"reason":"\u007f"}`)
}

func FuzzDecodeAgeResult(f *testing.F) {
	fuzzDecode[registry.AgeResultInput](f,
		`{"result_min":15,"result_max":17,"outcome":"minor","decided_at":"2026-01-01T00:00:00Z","professionals":"p"}`,
		`{"decided_at":"not a time"}`, `{"result_min":1e400}`, `{"professionals":null}`)
}

func FuzzDecodeBreakGlass(f *testing.F) {
	fuzzDecode[registry.BreakGlassInput](f,
		`{"registration_number":"AL-2026-000001","reason":"police report on a missing child"}`,
		`{"reason":"\u0000\u0000"}`)
}

func FuzzDecodeUserUpdate(f *testing.F) {
	fuzzDecode[registry.UserUpdate](f,
		`{"roles":["border_officer"],"region_codes":["TIR"],"border_post_codes":["KAK"],"active":true}`,
		`{"roles":"admin"}`, `{"active":"yes"}`)
}

func FuzzDecodeReference(f *testing.F) {
	fuzzDecode[registry.ReferenceInput](f, `{"code":"KUKES","name":"Kukës","region_code":"TIR"}`, `{"name":"\u0000"}`)
}

func FuzzDecodeSearch(f *testing.F) {
	fuzzDecode[registry.SearchInput](f,
		`{"name":"Ali","status":"active","nationality":"AF","age_band":"14-15","registered_from":"2026-01-01","after":3,"limit":10}`,
		`{"limit":"x"}`, `{"after":-9223372036854775809}`)
}

func FuzzDecodeMerge(f *testing.F) {
	fuzzDecode[registry.MergeInput](f, `{"duplicate_id":57,"reason":"same tazkira"}`, `{"duplicate_id":"57"}`)
}

// maxProblemBytes bounds any error document: 51 entries of field, code and message.
const maxProblemBytes = 64 << 10

func fuzzDecode[T any](f *testing.F, seeds ...string) {
	gin.SetMode(gin.TestMode)
	for _, s := range append(seeds, ``, `null`, `[]`, `{}`, `{"x":1}`, `{} {}`, `{"given_name":"a"`, "\xff") {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		c.Request.Header.Set("Content-Type", "application/json")
		c.Request.Body = http.MaxBytesReader(w, c.Request.Body, 1<<20)
		var v T
		err := decodeJSON(c, &v)
		if err == nil {
			checkStored(t, reflect.ValueOf(v), "")
			return
		}
		WriteError(c, err)
		switch w.Code {
		case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for %q: %s (%v)", w.Code, body, w.Body, err)
		}
		if w.Body.Len() > maxProblemBytes {
			t.Fatalf("answer of %d bytes", w.Body.Len())
		}
		var verr *models.ValidationError
		if errors.As(err, &verr) && len(verr.Fields) > models.MaxFieldErrors {
			t.Fatalf("%d field errors", len(verr.Fields))
		}
	})
}

// checkStored is the oracle: what decodeJSON accepts is safe to store and to show.
func checkStored(t *testing.T, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkStored(t, v.Elem(), path)
		}
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			t.Fatalf("%s: invalid UTF-8 accepted: %q", path, s)
		}
		if n := utf8.RuneCountInString(s); n > registry.MaxFormValue {
			t.Fatalf("%s: %d characters accepted", path, n)
		}
		for _, r := range s {
			if r == 0 || r == utf8.RuneError || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f) {
				t.Fatalf("%s: character %U accepted in %q", path, r, s)
			}
		}
	case reflect.Slice:
		if v.Len() > registry.MaxScopeItems {
			t.Fatalf("%s: %d items accepted", path, v.Len())
		}
		for i := range v.Len() {
			checkStored(t, v.Index(i), path+"[]")
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				checkStored(t, v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	}
}
