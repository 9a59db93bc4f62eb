package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
)

// setPath sets a dotted JSON path ("arrival.documents.0.number") in a decoded body.
func setPath(body map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	var cur any = body
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[p] = v
				return
			}
			if c[p] == nil {
				c[p] = map[string]any{}
			}
			cur = c[p]
		case []any:
			n, _ := strconv.Atoi(p)
			if last {
				c[n] = v
				return
			}
			cur = c[n]
		}
	}
}

// bodyWith is base (a JSON object) with path set to v.
func bodyWith(t *testing.T, base, path string, v any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(base), &m); err != nil {
		t.Fatal(err)
	}
	setPath(m, path, v)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fingerprint counts what any write would change: rows of every registry table and the
// versions of children and users.
func fingerprint(t *testing.T, app *apptest.App) string {
	t.Helper()
	var out []string
	for _, table := range []string{"children", "child_names", "arrivals", "age_assessments", "break_glass_grants",
		"child_merges", "regions", "border_posts", "user_regions", "user_border_posts", "guardian_appointments"} {
		var n int64
		if err := app.DB.Raw(`SELECT count(*) FROM ` + table).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s=%d", table, n))
	}
	for _, table := range []string{"children", "users"} {
		var n int64
		if err := app.DB.Raw(`SELECT coalesce(sum(version), 0) FROM ` + table).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s.version=%d", table, n))
	}
	return strings.Join(out, " ")
}

// TestHostileInputRefused sends what the attack on issue 7 sent — NUL and other control
// characters in every text field, 100 KB strings, 20,000 documents, 40,000 bad language
// codes, malformed query parameters, values of the wrong JSON type, a name of zero-width
// characters — and wants a 422 or 400 naming the field, a small answer, and no write.
func TestHostileInputRefused(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	border := "Bearer " + app.Token(t, "border1")
	prot := "Bearer " + app.Token(t, "protection1")
	admin := "Bearer " + app.Token(t, "admin1")
	child := app.ChildID(t, "AL-2026-000001")
	var borderUser int64
	if err := app.DB.Raw(`SELECT id FROM users WHERE username = 'border1'`).Scan(&borderUser).Error; err != nil || borderUser == 0 {
		t.Fatalf("no user border1: %v", err)
	}
	before := fingerprint(t, app)

	reg := registration(nil)
	reg = bodyWith(t, reg, "aliases", []string{"Mo"})
	reg = bodyWith(t, reg, "arrival.accompanying_adults.0.name", "Ahmad")
	reg = bodyWith(t, reg, "arrival.documents.0.number", "T-1")
	type endpoint struct {
		who, method, path, base string
	}
	eps := map[string]endpoint{
		"registration": {border, "POST", "/api/v1/registrations", reg},
		"duplicate":    {border, "POST", "/api/v1/duplicate-check", reg},
		"arrival":      {border, "POST", fmt.Sprintf("/api/v1/children/%d/arrivals", child), `{"how_found":"border_check","location":"x","notes":"","accompanying_adults":[{"relation":"uncle","name":"A"}],"documents":[{"type":"passport","number":"1","country":"AF"}]}`},
		"search":       {border, "POST", "/api/v1/children/search", `{"name":"Ali","nationality":"AF","status":"active","age_band":"14-15","registered_from":"2026-01-01","registered_to":"2026-12-31"}`},
		"patch":        {prot, "PATCH", fmt.Sprintf("/api/v1/children/%d", child), `{"region_code":"TIR","identity":{"given_name":"A","aliases":["B"],"special_needs":"x"}}`},
		"age":          {prot, "POST", fmt.Sprintf("/api/v1/children/%d/age-assessments", child), `{"reason":"doubt","methods":["documents"],"medical_justification":"","professionals":"p"}`},
		"ageResult":    {prot, "PATCH", fmt.Sprintf("/api/v1/children/%d/age-assessments/1", child), `{"outcome":"minor","appeal_outcome":"","professionals":"p","medical_justification":"m","methods":["interview"]}`},
		"breakGlass":   {prot, "POST", "/api/v1/break-glass", `{"registration_number":"AL-2026-000009","reason":"police report on a missing child"}`},
		"merge":        {prot, "POST", fmt.Sprintf("/api/v1/children/%d/merge", child), `{"duplicate_id":999999,"reason":"same"}`},
		"unmerge":      {prot, "POST", fmt.Sprintf("/api/v1/children/%d/unmerge", child), `{"reason":"wrong"}`},
		"region":       {admin, "POST", "/api/v1/admin/regions", `{"code":"NEWR","name":"New region"}`},
		"post":         {admin, "POST", "/api/v1/admin/border-posts", `{"code":"NEWP","name":"New post","region_code":"TIR"}`},
		"user":         {admin, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", borderUser), `{"roles":["border_officer"],"region_codes":["TIR"],"border_post_codes":[],"active":true}`},
	}
	// send sends hostile input: the contract check skips the request (it is invalid on
	// purpose) but still checks the answer. sendGood sends input that must be valid.
	do := func(t *testing.T, ep endpoint, body string, marker ...string) (*http.Response, string, time.Duration) {
		t.Helper()
		start := time.Now()
		res := app.Do(t, nil, ep.method, ep.path, body, append([]string{"Authorization", ep.who, "Accept-Language", "sq", "If-Match", `"1"`}, marker...)...)
		text := apptest.Body(t, res)
		return res, text, time.Since(start)
	}
	send := func(t *testing.T, ep endpoint, body string) (*http.Response, string, time.Duration) {
		t.Helper()
		return do(t, ep, body, apptest.InvalidRequest, "hostile input")
	}
	sendGood := func(t *testing.T, ep endpoint, body string) (*http.Response, string, time.Duration) {
		t.Helper()
		return do(t, ep, body)
	}
	wantField := func(t *testing.T, res *http.Response, text string, status int, field, code string) {
		t.Helper()
		if res.StatusCode != status {
			t.Fatalf("status %d, want %d: %.400s", res.StatusCode, status, text)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("Content-Type %q", ct)
		}
		var p struct {
			Errors []struct{ Field, Code, Message string }
		}
		if err := json.Unmarshal([]byte(text), &p); err != nil {
			t.Fatal(err)
		}
		for _, f := range p.Errors {
			if f.Field == field && (code == "" || f.Code == code) {
				if f.Message == "" || strings.HasPrefix(f.Message, "validation.") {
					t.Fatalf("message of %s not localized: %q", field, f.Message)
				}
				return
			}
		}
		t.Fatalf("want %s on %q, got %.600s", code, field, text)
	}

	// Every text field, with every kind of forbidden character.
	textFields := map[string][]string{
		"registration": {"given_name", "family_name", "given_name_latin", "family_name_latin", "aliases.0", "sex", "birth_date",
			"nationalities.0", "languages.0", "protection_status", "vulnerabilities.0", "special_needs", "trafficking_indicators.0",
			"trafficking_notes", "arrival.arrived_at", "arrival.border_post_code", "arrival.region_code", "arrival.location",
			"arrival.how_found", "arrival.notes", "arrival.accompanying_adults.0.relation", "arrival.accompanying_adults.0.name",
			"arrival.documents.0.type", "arrival.documents.0.number", "arrival.documents.0.country"},
		"duplicate":  {"given_name", "aliases.0", "nationalities.0"},
		"arrival":    {"location", "notes", "how_found", "accompanying_adults.0.name", "documents.0.number"},
		"search":     {"name", "nationality", "status", "age_band", "registered_from"},
		"patch":      {"region_code", "identity.given_name", "identity.aliases.0", "identity.special_needs"},
		"age":        {"reason", "methods.0", "professionals", "medical_justification"},
		"ageResult":  {"outcome", "professionals", "medical_justification", "methods.0"},
		"breakGlass": {"registration_number", "reason"},
		"merge":      {"reason"},
		"unmerge":    {"reason"},
		"region":     {"code", "name"},
		"post":       {"code", "name", "region_code"},
		"user":       {"roles.0", "region_codes.0"},
	}
	bad := map[string]string{"NUL": "a\x00b", "SOH": "a\x01b", "ESC": "a\x1bb", "DEL": "a\x7fb", "C1 NEL": "a\u0085b", "C1 CSI": "a\u009bb"}
	fields := 0
	for name, paths := range textFields {
		for _, path := range paths {
			fields++
			for kind, v := range bad {
				t.Run(name+"/"+path+"/"+kind, func(t *testing.T) {
					res, text, _ := send(t, eps[name], bodyWith(t, eps[name].base, path, v))
					wantField(t, res, text, 422, path, "text_invalid_character")
				})
			}
			// A lone surrogate and a raw invalid byte: encoding/json turns both into U+FFFD.
			for kind, raw := range map[string]string{"lone surrogate": `"a\ud800b"`, "invalid UTF-8": "\"a\xffb\""} {
				t.Run(name+"/"+path+"/"+kind, func(t *testing.T) {
					body := strings.Replace(bodyWith(t, eps[name].base, path, "@@X@@"), `"@@X@@"`, raw, 1)
					res, text, _ := send(t, eps[name], body)
					wantField(t, res, text, 422, path, "text_invalid_character")
				})
			}
		}
	}
	t.Logf("%d text fields × %d kinds of bad text refused", fields, len(bad)+2)

	// A tab is not allowed in a one-line field; in a multi-line one it is (not refused as a
	// character: the request fails later, or not at all, for other reasons).
	t.Run("tab in a name", func(t *testing.T) {
		res, text, _ := send(t, eps["registration"], bodyWith(t, reg, "given_name", "Mo\thammad"))
		wantField(t, res, text, 422, "given_name", "text_invalid_character")
	})

	big := strings.Repeat("x", 100_000)
	for _, c := range []struct{ ep, path string }{
		{"registration", "arrival.location"}, {"registration", "arrival.notes"},
		{"registration", "arrival.accompanying_adults.0.name"}, {"registration", "arrival.accompanying_adults.0.relation"},
		{"registration", "arrival.documents.0.number"}, {"registration", "arrival.documents.0.country"},
		{"registration", "special_needs"}, {"registration", "given_name"},
		{"arrival", "location"}, {"breakGlass", "reason"}, {"region", "name"}, {"region", "code"}, {"post", "name"},
		{"merge", "reason"}, {"unmerge", "reason"}, {"age", "reason"}, {"search", "name"},
	} {
		t.Run("100 KB "+c.ep+"/"+c.path, func(t *testing.T) {
			res, text, _ := send(t, eps[c.ep], bodyWith(t, eps[c.ep].base, c.path, big))
			wantField(t, res, text, 422, c.path, "too_long")
		})
	}

	t.Run("20,000 documents", func(t *testing.T) {
		docs := make([]map[string]any, 20_000)
		for i := range docs {
			docs[i] = map[string]any{"type": "passport", "number": strconv.Itoa(i)}
		}
		res, text, took := send(t, eps["registration"], bodyWith(t, reg, "arrival.documents", docs))
		wantField(t, res, text, 422, "arrival.documents", "too_many")
		t.Logf("20,000 documents: %d bytes of answer in %v", len(text), took)
	})
	t.Run("40,000 bad language codes", func(t *testing.T) {
		langs := make([]string, 40_000)
		for i := range langs {
			langs[i] = "q" + strconv.Itoa(i) + "!"
		}
		res, text, took := send(t, eps["registration"], bodyWith(t, reg, "languages", langs))
		wantField(t, res, text, 422, "languages", "too_many")
		if len(text) > 4096 {
			t.Errorf("answer of %d bytes", len(text))
		}
		t.Logf("40,000 bad language codes: %d bytes of answer in %v (was 4 MB in 3.3 s)", len(text), took)
	})
	t.Run("at most 50 errors", func(t *testing.T) {
		// 20 bad codes in each of 4 lists: within the list sizes, so each is examined.
		b := reg
		for _, path := range []string{"languages", "nationalities", "vulnerabilities", "trafficking_indicators"} {
			vs := make([]string, 20)
			for i := range vs {
				vs[i] = fmt.Sprintf("q%d!", i)
			}
			b = bodyWith(t, b, path, vs)
		}
		res, text, _ := send(t, eps["registration"], b)
		wantField(t, res, text, 422, "", "more_errors")
		var p struct {
			Errors []struct{ Field, Code, Message string }
		}
		if err := json.Unmarshal([]byte(text), &p); err != nil {
			t.Fatal(err)
		}
		last := p.Errors[len(p.Errors)-1]
		if len(p.Errors) != 51 || last.Code != "more_errors" || !strings.Contains(last.Message, "30") {
			t.Fatalf("want 50 errors and 'and 30 more', got %d, last %+v", len(p.Errors), last)
		}
	})
	t.Run("a name of zero-width characters", func(t *testing.T) {
		b := bodyWith(t, reg, "given_name", "\u200b\u200c\u200d\ufeff")
		b = bodyWith(t, b, "family_name", "\u200b")
		res, text, _ := send(t, eps["registration"], b)
		wantField(t, res, text, 422, "given_name", "name_needs_letter")
		wantField(t, res, text, 422, "family_name", "name_needs_letter")
	})

	for _, c := range []struct {
		name, body, field, code string
		ep                      string
	}{
		{"number for a name", `{"given_name": 5}`, "given_name", "json_type_string", "registration"},
		{"string for a list", `{"arrival": {"documents": "passport"}}`, "arrival.documents", "json_type_array", "registration"},
		{"string for an age", `{"age_min": "fifteen"}`, "age_min", "json_type_number", "registration"},
		{"number for a flag", `{"confirm_new": 1}`, "confirm_new", "json_type_boolean", "registration"},
		{"list for an object", `{"identity": []}`, "identity", "json_type_object", "patch"},
		{"string for an id", `{"duplicate_id": "7", "reason": "x"}`, "duplicate_id", "json_type_number", "merge"},
		{"unknown field", `{"sort": "x"}`, "sort", "json_unknown_field", "search"},
	} {
		t.Run("wrong type: "+c.name, func(t *testing.T) {
			res, text, _ := send(t, eps[c.ep], c.body)
			wantField(t, res, text, 400, c.field, c.code)
		})
	}

	for _, c := range []struct{ path, field, code string }{
		{"/api/v1/children?limit=abc", "limit", "query_limit_invalid"},
		{"/api/v1/children?limit=0", "limit", "query_limit_invalid"},
		{"/api/v1/children?limit=100000", "limit", "query_limit_invalid"},
		{"/api/v1/children?after=-1", "after", "query_after_invalid"},
		{"/api/v1/children?after=1e3", "after", "query_after_invalid"},
		{"/api/v1/children?sort=x", "sort", "query_unknown"},
		{"/api/v1/children?limit=5&limit=6", "limit", "query_repeated"},
		{"/api/v1/children/needs-action?limit=abc", "limit", "query_limit_invalid"},
		{"/api/v1/children/needs-action?after=1", "after", "query_unknown"},
		{fmt.Sprintf("/api/v1/children/%d/age-assessments?limit=1", child), "limit", "query_unknown"},
		{fmt.Sprintf("/api/v1/children/%d/access-history?x=1", child), "x", "query_unknown"},
		{"/api/v1/regions?sort=name", "sort", "query_unknown"},
		{"/api/v1/border-posts?q=1", "q", "query_unknown"},
		{"/api/v1/admin/users?limit=10", "limit", "query_unknown"},
		{"/api/v1/admin/break-glass?limit=x", "limit", "query_unknown"},
	} {
		t.Run("query "+c.path, func(t *testing.T) {
			who := prot
			if strings.Contains(c.path, "/admin/") {
				who = admin
			}
			res, text, _ := send(t, endpoint{who, "GET", c.path, ""}, "")
			wantField(t, res, text, 400, c.field, c.code)
		})
	}
	t.Run("good query parameters still work", func(t *testing.T) {
		for _, path := range []string{"/api/v1/children?limit=2&after=0", "/api/v1/children?lang=sq", "/api/v1/children/needs-action?limit=5", "/api/v1/regions"} {
			res, text, _ := sendGood(t, endpoint{prot, "GET", path, ""}, "")
			if res.StatusCode != 200 {
				t.Errorf("%s: %d %.300s", path, res.StatusCode, text)
			}
		}
	})

	if after := fingerprint(t, app); after != before {
		t.Fatalf("refused input wrote:\nbefore %s\nafter  %s", before, after)
	}

	// The rules refuse what is wrong, not what is right: newlines and tabs in notes, a name
	// in Arabic script with a zero-width non-joiner, all within limits.
	t.Run("good input is accepted", func(t *testing.T) {
		b := bodyWith(t, reg, "arrival.notes", "first line\r\nsecond\tline")
		b = bodyWith(t, b, "given_name", "مهر\u200cداد")
		b = bodyWith(t, b, "confirm_new", true)
		res, text, _ := sendGood(t, eps["registration"], b)
		if res.StatusCode != 201 {
			t.Fatalf("status %d: %.500s", res.StatusCode, text)
		}
	})
}

// TestHostileFormsRefused sends the same kinds of input through the pages' forms: the form
// decoder refuses control characters and oversized values with 422 naming the field, the
// use case applies each field's own limit, and nothing is written.
func TestHostileFormsRefused(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	c := app.Login(t, "protection1")
	child := app.ChildID(t, "AL-2026-000001")
	before := fingerprint(t, app)
	base := neturl.Values{"given_name": {"Ali"}, "family_name": {"Rahimi"}, "sex": {"male"}, "age_min": {"15"},
		"age_max": {"16"}, "nationality_1": {"AF"}, "how_found": {"border_check"}, "region_code": {"GJI"},
		"location": {"Tirana station"}, "confirm_new": {"1"}}
	post := func(t *testing.T, path string, form neturl.Values) (int, string) {
		t.Helper()
		res, err := c.PostForm(app.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		return res.StatusCode, apptest.Body(t, res)
	}
	with := func(k, v string) neturl.Values {
		f := neturl.Values{}
		for kk, vv := range base {
			f[kk] = append([]string(nil), vv...)
		}
		f.Set(k, v)
		return f
	}
	for _, c := range []struct{ name, path, field, value, want string }{
		{"NUL in a name", "/register", "given_name", "A\x00li", "given_name"},
		{"ESC in the location", "/register", "location", "x\x1b[2J", "location"},
		{"C1 in notes", "/register", "arrival_notes", "a\u0085b", "arrival_notes"},
		{"invalid UTF-8", "/register", "family_name", "R\xffahimi", "family_name"},
		{"100 KB location", "/register", "location", strings.Repeat("x", 100_000), "location"},
		{"NUL in a break-glass reason", "/break-glass", "reason", "police\x00report on a child", "reason"},
		{"NUL in a merge reason", fmt.Sprintf("/children/%d/merge", child), "reason", "same\x00child", "reason"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := post(t, c.path, with(c.field, c.value))
			if status != 422 || !strings.Contains(body, ">"+c.want+"</code>") {
				t.Fatalf("status %d, want 422 naming %s: %.600s", status, c.want, body)
			}
		})
	}
	// Within the form decoder's bound but over the field's own limit: the use case refuses it
	// and the register page shows the error by the field.
	t.Run("location over its limit", func(t *testing.T) {
		status, body := post(t, "/register", with("location", strings.Repeat("x", 300)))
		if status != 422 || !strings.Contains(body, `id="location-error"`) {
			t.Fatalf("status %d: %.300s", status, body)
		}
	})
	t.Run("zero-width name", func(t *testing.T) {
		f := with("given_name", "\u200b\u200b")
		f.Set("family_name", "")
		status, body := post(t, "/register", f)
		if status != 422 || !strings.Contains(body, `id="given_name-error"`) {
			t.Fatalf("status %d: %.300s", status, body)
		}
	})
	if after := fingerprint(t, app); after != before {
		t.Fatalf("refused forms wrote:\nbefore %s\nafter  %s", before, after)
	}
}
