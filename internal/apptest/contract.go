package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/kujdes/kujdes/api"
)

// InvalidRequest is a request header that marks a request as deliberately outside the API
// contract (bad JSON, a wrong type, an unknown field, an oversize body, a wrong content
// type…); its value says why. The harness does not send it: it skips the request's check
// but still checks the response against the document. Use it as a header pair:
//
//	app.Do(t, c, "POST", path, `{"a":`, apptest.InvalidRequest, "truncated JSON")
const InvalidRequest = "X-Apptest-Invalid-Request"

// Contract is the OpenAPI document (api/openapi.json) ready to check requests and responses.
type Contract struct {
	doc     *openapi3.T
	router  routers.Router
	problem *openapi3.SchemaRef
}

// LoadContract parses and validates the OpenAPI document once per test binary.
var LoadContract = sync.OnceValues(func() (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIDocument())
	if err != nil {
		return nil, fmt.Errorf("contract: load openapi.json: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("contract: openapi.json is invalid: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("contract: router: %w", err)
	}
	problem := doc.Components.Schemas["Problem"]
	if problem == nil || problem.Value == nil {
		return nil, errors.New("contract: openapi.json has no components.schemas.Problem")
	}
	return &Contract{doc: doc, router: router, problem: problem}, nil
})

// Exchange is one API request and its response, with both bodies read.
type Exchange struct {
	Request      *http.Request // its Body is ignored: RequestBody is used
	RequestBody  []byte
	Response     *http.Response // its Body is ignored: ResponseBody is used
	ResponseBody []byte
	// SkipRequest leaves the request unchecked (a deliberately invalid request); the
	// response is still checked.
	SkipRequest bool
}

// Check validates an exchange against the document: the request (unless SkipRequest) and
// the response — status documented, content type, headers and body schema, problem
// documents included. A request on a path or method the document lacks must have been
// answered with a problem document (404, 405, or a refusal before routing); anything else
// is reported. The error says which part failed and where.
func (c *Contract) Check(ctx context.Context, x Exchange) error {
	req := x.Request.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(x.RequestBody))
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if !errors.Is(err, routers.ErrPathNotFound) && !errors.Is(err, routers.ErrMethodNotAllowed) {
			return fmt.Errorf("no route in the document: %w", err)
		}
		if x.Response.StatusCode < 400 {
			return fmt.Errorf("answered %d, but the document has no operation %s %s", x.Response.StatusCode, req.Method, req.URL.Path)
		}
		if err := c.checkProblem(x.Response, x.ResponseBody); err != nil {
			return fmt.Errorf("no operation %s %s in the document, and the answer is no problem document: %w", req.Method, req.URL.Path, err)
		}
		return nil
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc, // the server checks auth itself
		IncludeResponseStatus: true,
		MultiError:            true,
		SkipSettingDefaults:   true,
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	var problems []string
	if !x.SkipRequest {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			problems = append(problems, "request: "+describe(err))
		}
		// ValidateRequest may have consumed or replaced the body; the response check needs none.
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 x.Response.StatusCode,
		Header:                 x.Response.Header,
		Body:                   io.NopCloser(bytes.NewReader(x.ResponseBody)),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		problems = append(problems, "response: "+describe(err))
	}
	if extra := undeclared(route, x.Response.StatusCode, x.Response.Header.Get("Content-Type"), x.ResponseBody); len(extra) > 0 {
		problems = append(problems, "response: "+summarize(extra))
	}
	if len(problems) > 0 {
		return fmt.Errorf("operation %s (%s %s): %s", route.Operation.OperationID, route.Method, route.Path, strings.Join(problems, "; "))
	}
	return nil
}

// checkProblem validates a response that no documented operation covers against the
// Problem schema.
func (c *Contract) checkProblem(res *http.Response, body []byte) error {
	mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if mt != api.ProblemContentType {
		return fmt.Errorf("Content-Type %q, want %s", res.Header.Get("Content-Type"), api.ProblemContentType)
	}
	v, err := decodeJSON(body)
	if err != nil {
		return err
	}
	var breaches []string
	if err := c.problem.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors()); err != nil {
		breaches = flatten(err)
	}
	walkDeclared(v, expand(nil, c.problem), "", &breaches)
	if len(breaches) > 0 {
		return fmt.Errorf("body does not match components.schemas.Problem: %s", summarize(breaches))
	}
	return nil
}

func decodeJSON(b []byte) (any, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("body is not JSON: %w", err)
	}
	return v, nil
}

// describe flattens the validator's errors into one line, keeping the JSON pointer of each
// offending value and leaving out the request dump kin-openapi adds.
func describe(err error) string { return summarize(flatten(err)) }

// summarize joins breaches into one line; the same breach repeated at other array indices
// is told once, with a count.
func summarize(breaches []string) string {
	var parts []string
	seen := map[string]int{}
	for _, p := range breaches {
		key := arrayIndex.ReplaceAllString(p, "/*")
		if n, ok := seen[key]; ok {
			seen[key] = n + 1
			continue
		}
		seen[key] = 0
		parts = append(parts, p)
	}
	for i, p := range parts {
		if n := seen[arrayIndex.ReplaceAllString(p, "/*")]; n > 0 {
			parts[i] = fmt.Sprintf("%s (and %d more at other indices)", p, n)
		}
	}
	return strings.Join(parts, " | ")
}

var (
	arrayIndex    = regexp.MustCompile(`/[0-9]+`)
	jsonErrPrefix = regexp.MustCompile(`^error at "[^"]*": (jsonschema validation failed with '[^']*'\s*- )?`)
	spaces        = regexp.MustCompile(`\s+`)
)

func flatten(err error) []string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var parts []string
		for _, e := range me {
			parts = append(parts, flatten(e)...)
		}
		return parts
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		where := ""
		if re.Parameter != nil {
			where = fmt.Sprintf("parameter %q in %s: ", re.Parameter.Name, re.Parameter.In)
		} else if re.RequestBody != nil {
			where = "body "
		}
		if re.Err == nil {
			return []string{where + re.Reason}
		}
		var parts []string
		for _, p := range flatten(re.Err) {
			parts = append(parts, where+p)
		}
		return parts
	}
	var rs *openapi3filter.ResponseError
	if errors.As(err, &rs) {
		if rs.Err == nil {
			return []string{rs.Reason}
		}
		var parts []string
		for _, p := range flatten(rs.Err) {
			parts = append(parts, rs.Reason+": "+p)
		}
		return parts
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		reason := spaces.ReplaceAllString(se.Reason, " ")
		if m := jsonErrPrefix.FindString(reason); m != "" {
			// The JSON Schema 2020-12 validator (OpenAPI 3.1) names the location itself.
			return []string{strings.TrimPrefix(reason, m)}
		}
		return []string{fmt.Sprintf("at '/%s': %s", strings.Join(se.JSONPointer(), "/"), reason)}
	}
	return []string{spaces.ReplaceAllString(err.Error(), " ")}
}

// testKey carries the test that sent a request, so the transport reports a contract breach
// on that test (a subtest using a client made by its parent included).
type testKey struct{}

func withTest(ctx context.Context, t testing.TB) context.Context {
	return context.WithValue(ctx, testKey{}, t)
}

// contractTransport checks every request to the app's /api/v1 and its response against
// the document, and fails the test that sent it on a breach.
type contractTransport struct {
	base   http.RoundTripper
	t      testing.TB
	host   string
	prefix string
}

func (a *App) transport(t testing.TB) http.RoundTripper {
	return &contractTransport{base: http.DefaultTransport, t: t, host: a.HTTP.Listener.Addr().String(), prefix: api.Prefix + "/"}
}

func (ct *contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t := ct.t
	if rt, ok := req.Context().Value(testKey{}).(testing.TB); ok {
		t = rt
	}
	reason := req.Header.Get(InvalidRequest)
	if reason != "" {
		req = req.Clone(req.Context())
		req.Header.Del(InvalidRequest)
	}
	// Benchmarks measure the server: the check's cost would distort their figures.
	if _, bench := t.(*testing.B); bench || req.URL.Host != ct.host || !strings.HasPrefix(req.URL.Path, ct.prefix) {
		return ct.base.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	res, err := ct.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	contract, err := LoadContract()
	if err != nil {
		t.Errorf("%v", err)
		return res, nil
	}
	x := Exchange{Request: req, RequestBody: reqBody, Response: res, ResponseBody: resBody, SkipRequest: reason != ""}
	if err := contract.Check(req.Context(), x); err != nil {
		t.Errorf("OpenAPI contract: %s %s → %d: %v\n\tresponse body: %.500s", req.Method, req.URL.RequestURI(), res.StatusCode, err, resBody)
	}
	return res, nil
}
