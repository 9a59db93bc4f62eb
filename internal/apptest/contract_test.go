package apptest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// exchange sends a request through the checked client and returns it with both bodies, for
// checking again by hand with changes.
func exchange(t *testing.T, app *apptest.App, c *http.Client, method, path, body string, headers ...string) apptest.Exchange {
	t.Helper()
	res := app.Do(t, c, method, path, body, headers...)
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apptest.Exchange{Request: res.Request, RequestBody: []byte(body), Response: res, ResponseBody: b}
}

func check(t *testing.T, x apptest.Exchange) error {
	t.Helper()
	contract, err := apptest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	return contract.Check(context.Background(), x)
}

func wantBreach(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the contract check passed; want a breach naming %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("breach %q does not name %q", err, p)
		}
	}
}

// A field renamed in code but not in the document fails: a required one (missing), an
// optional one (an undeclared property appears), one deep in an array, and one of a
// problem document.
func TestContractCatchesRenamedResponseFields(t *testing.T) {
	app := apptest.Start(t)
	c := app.Login(t, "protection1")
	id := app.ChildID(t, "AL-2026-000001")
	x := exchange(t, app, c, "GET", fmt.Sprintf("/api/v1/children/%d", id), "")
	if x.Response.StatusCode != 200 || !bytes.Contains(x.ResponseBody, []byte(`"border_post_code":`)) || !bytes.Contains(x.ResponseBody, []byte(`"arrivals":[{`)) {
		t.Fatalf("GET child: %d %s", x.Response.StatusCode, x.ResponseBody)
	}
	if err := check(t, x); err != nil {
		t.Fatalf("the real answer must pass: %v", err)
	}
	renamed := func(old, new string) apptest.Exchange {
		y := x
		y.ResponseBody = bytes.Replace(x.ResponseBody, []byte(`"`+old+`":`), []byte(`"`+new+`":`), 1)
		if bytes.Equal(y.ResponseBody, x.ResponseBody) {
			t.Fatalf("no %q in the answer", old)
		}
		return y
	}
	t.Run("required field", func(t *testing.T) {
		wantBreach(t, check(t, renamed("registration_number", "registration_no")),
			"getChild", `"registration_number" is missing`, `'/registration_no': property "registration_no" is not in the document`)
	})
	t.Run("optional field", func(t *testing.T) {
		wantBreach(t, check(t, renamed("border_post_code", "post_code")), `'/post_code': property "post_code" is not in the document`)
	})
	t.Run("field of an array item", func(t *testing.T) {
		wantBreach(t, check(t, renamed("how_found", "found_how")), `/arrivals/0`, `found_how`)
	})
	t.Run("wrong type", func(t *testing.T) {
		y := x
		y.ResponseBody = bytes.Replace(x.ResponseBody, []byte(`"via_break_glass":false`), []byte(`"via_break_glass":"no"`), 1)
		wantBreach(t, check(t, y), "/via_break_glass")
	})

	p := exchange(t, app, c, "GET", "/api/v1/children/999999", "")
	if p.Response.StatusCode != 404 {
		t.Fatalf("missing child: %d", p.Response.StatusCode)
	}
	if err := check(t, p); err != nil {
		t.Fatalf("the real problem document must pass: %v", err)
	}
	p.ResponseBody = bytes.Replace(p.ResponseBody, []byte(`"request_id":`), []byte(`"requestId":`), 1)
	wantBreach(t, check(t, p), "request_id", "requestId")
}

// A request that breaks the schema fails; marked as deliberately invalid, only its
// response is checked.
func TestContractCatchesInvalidRequests(t *testing.T) {
	app := apptest.Start(t)
	c := app.Login(t, "monitor1")
	body := `{"registration_number": 3, "reason": "Police report 2026/1187: child seen"}`
	x := exchange(t, app, c, "POST", "/api/v1/break-glass", body, apptest.InvalidRequest, "number instead of a string")
	if x.Response.StatusCode != 400 {
		t.Fatalf("wrong type: %d %s", x.Response.StatusCode, x.ResponseBody)
	}
	wantBreach(t, check(t, x), "breakGlass", "request: at '/registration_number'")
	x.SkipRequest = true
	if err := check(t, x); err != nil {
		t.Fatalf("the 400 answer itself is in the contract: %v", err)
	}
	// The same problem document as the operation's 201 answer fails.
	created := *x.Response
	created.StatusCode = 201
	x.Response = &created
	wantBreach(t, check(t, x), "breakGlass", "response")
}

// Outside the document: an answer to an undocumented route passes only as a problem document.
func TestContractUndocumentedRoutes(t *testing.T) {
	app := apptest.Start(t)
	x := exchange(t, app, nil, "GET", "/api/v1/nope", "")
	if x.Response.StatusCode != 404 {
		t.Fatalf("unknown route: %d", x.Response.StatusCode)
	}
	if err := check(t, x); err != nil {
		t.Fatalf("a 404 problem on an unknown route must pass: %v", err)
	}
	y := x
	y.ResponseBody = bytes.Replace(x.ResponseBody, []byte(`"title":`), []byte(`"titel":`), 1)
	wantBreach(t, check(t, y), "Problem", "titel")
	z := x
	z.Response = &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/plain"}}}
	wantBreach(t, check(t, z), "answered 200", "no operation GET /api/v1/nope")
}

// recorder is a test whose Errorf is captured, to see the transport fail it.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// The transport every apptest client uses fails the test that sent a breaching request,
// naming method, path, status and the breach; the InvalidRequest mark turns the request's
// check off.
func TestTransportFailsTheTest(t *testing.T) {
	app := apptest.Start(t)
	tok := "Bearer " + app.Token(t, "monitor1")
	body := `{"registration_number": "AL-2026-000003", "reason": "short"}`

	rec := &recorder{TB: t}
	res := app.Do(rec, nil, "POST", "/api/v1/break-glass", body, "Authorization", tok)
	if res.StatusCode != 422 {
		t.Fatalf("short reason: %d", res.StatusCode)
	}
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "POST /api/v1/break-glass → 422") || !strings.Contains(rec.errs[0], "/reason") {
		t.Fatalf("want one breach naming the request and the field, got %q", rec.errs)
	}

	rec = &recorder{TB: t}
	c := app.Login(rec, "monitor1") // a client made for one test, used by another
	res = app.Do(rec, c, "POST", "/api/v1/break-glass", body, apptest.InvalidRequest, "too short on purpose")
	if res.StatusCode != 422 || len(rec.errs) != 0 {
		t.Fatalf("marked invalid: %d, breaches %q", res.StatusCode, rec.errs)
	}
	other := &recorder{TB: t}
	req, err := http.NewRequest("POST", app.URL+"/api/v1/break-glass", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err = c.Do(req) // no test in the context: the client's own test is failed
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if len(rec.errs) != 1 || len(other.errs) != 0 {
		t.Fatalf("breach reported to the client's test: %q / %q", rec.errs, other.errs)
	}
}

// BenchmarkContractCheck is the harness's cost per checked exchange: a child's full record
// (the largest answer) and a list of them.
func BenchmarkContractCheck(b *testing.B) {
	app := apptest.Start(b)
	tok := "Bearer " + app.Token(b, "protection1")
	contract, err := apptest.LoadContract()
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{fmt.Sprintf("/api/v1/children/%d", app.ChildID(b, "AL-2026-000001")), "/api/v1/children"} {
		res := app.Do(b, nil, "GET", path, "", "Authorization", tok)
		body, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("%s: %d %v", path, res.StatusCode, err)
		}
		x := apptest.Exchange{Request: res.Request, Response: res, ResponseBody: body}
		b.Run(strings.ReplaceAll(path, "/", "_"), func(b *testing.B) {
			for b.Loop() {
				if err := contract.Check(context.Background(), x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
