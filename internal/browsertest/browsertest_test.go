package browsertest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const strictCSP = "default-src 'none'; script-src 'self'; style-src 'self'"

// badPage has several WCAG A/AA failures: no lang, an image without alt, an
// input without label, and low-contrast text.
const badPage = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Bad page</title></head>
<body>
<main>
<h1>Bad page</h1>
<img src="/pixel.png">
<form><input type="text" name="q"></form>
<p style="color:#c8c8c8;background:#ffffff">This text has far too little contrast.</p>
</main>
</body>
</html>`

// goodPage is accessible and is served with a strict CSP. Its inline script
// must be blocked by the CSP, its external script must run.
const goodPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Good page</title>
<link rel="stylesheet" href="/style.css">
<script src="/app.js"></script>
</head>
<body>
<header><a href="#main">Skip to content</a></header>
<main id="main">
<h1>Good page</h1>
<p id="para" data-kind="intro">Plain, readable text.</p>
<img src="/pixel.png" alt="A single grey pixel">
<form>
<label for="q">Search</label>
<input id="q" type="text" name="q">
<button type="submit">Go</button>
</form>
<script>window.inlineRan = true;</script>
</main>
</body>
</html>`

// badPageStrictCSP is the bad page, but behind the strict CSP: axe must still
// run and find the problems.
const badPageStrictCSP = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Bad page with CSP</title></head>
<body><main><h1>Bad page with CSP</h1><img src="/pixel.png"></main></body>
</html>`

// 1x1 grey PNG.
var pixelPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
	0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00,
	0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x68, 0x00, 0x00, 0x00,
	0x82, 0x00, 0x81, 0x77, 0xcd, 0x72, 0xb6, 0x00, 0x00, 0x00, 0x00, 0x49,
	0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	html := func(body string, csp bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if csp {
				w.Header().Set("Content-Security-Policy", strictCSP)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("GET /bad", html(badPage, false))
	mux.HandleFunc("GET /good", html(goodPage, true))
	mux.HandleFunc("GET /bad-csp", html(badPageStrictCSP, true))
	mux.HandleFunc("GET /style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, "body{font-family:sans-serif;color:#222;background:#fff} a{color:#0645ad}")
	})
	mux.HandleFunc("GET /app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, "window.externalRan = true; console.error('hello from app.js');")
	})
	mux.HandleFunc("GET /pixel.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pixelPNG)
	})
	mux.HandleFunc("GET /set-cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "page1", Path: "/"})
		fmt.Fprint(w, `<!doctype html><html lang="en"><title>c</title><p id="c">set</p></html>`)
	})
	mux.HandleFunc("GET /show-cookie", func(w http.ResponseWriter, r *http.Request) {
		v := "none"
		if c, err := r.Cookie("session"); err == nil {
			v = c.Value
		}
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>c</title><p id="c">%s</p></html>`, v)
	})
	mux.HandleFunc("GET /throws", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html lang="en"><title>t</title><script>throw new Error("boom")</script></html>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func ruleIDs(vs []Violation) []string {
	ids := make([]string, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestHarness(t *testing.T) {
	srv := newServer(t)
	b := NewBrowser(t)
	t.Logf("browser start: %v (%s)", b.StartDuration(), b.Version())
	if b.Version() == "" {
		t.Error("Version() is empty")
	}

	t.Run("BadPageHasViolations", func(t *testing.T) {
		start := time.Now()
		p := b.NewPage(t)
		opened := time.Since(start)
		p.Navigate(t, srv.URL+"/bad")
		navigated := time.Since(start)
		vs := p.AxeViolations(t)
		t.Logf("new page %v, +navigate %v, +axe %v", opened, navigated-opened, time.Since(start)-navigated)

		ids := ruleIDs(vs)
		t.Logf("violations: %v", ids)
		for _, want := range []string{"color-contrast", "html-has-lang", "image-alt", "label"} {
			if !slices.Contains(ids, want) {
				t.Errorf("violation %q not reported; got %v", want, ids)
			}
		}
		for _, v := range vs {
			if v.ID == "image-alt" {
				if len(v.Nodes) != 1 || !slices.Equal(v.Nodes[0].Target, []string{"img"}) {
					t.Errorf("image-alt nodes = %+v, want one node with target [img]", v.Nodes)
				}
				if v.Impact != "critical" || v.Help == "" || !strings.HasPrefix(v.HelpURL, "https://") {
					t.Errorf("image-alt = %+v, want impact critical, help and helpUrl", v)
				}
			}
		}
	})

	t.Run("AxeReportsViolations", func(t *testing.T) {
		p := b.NewPage(t)
		p.Navigate(t, srv.URL+"/bad")
		rec := &recordTB{TB: t}
		p.Axe(rec)
		if len(rec.errors) != 1 {
			t.Fatalf("Axe reported %d errors, want 1: %q", len(rec.errors), rec.errors)
		}
		msg := rec.errors[0]
		for _, want := range []string{"image-alt [critical]", "html-has-lang", "label", "at img", srv.URL + "/bad"} {
			if !strings.Contains(msg, want) {
				t.Errorf("Axe message lacks %q:\n%s", want, msg)
			}
		}
	})

	t.Run("GoodPageWithStrictCSP", func(t *testing.T) {
		p := b.NewPage(t)
		p.Navigate(t, srv.URL+"/good")

		// The CSP is in force: the external script ran, the inline one did not.
		ran := Get(t, p, chromedp.Evaluate[[]bool](`[window.externalRan === true, window.inlineRan === true]`))
		if !ran[0] || ran[1] {
			t.Fatalf("externalRan, inlineRan = %v, want [true false]: the strict CSP is not in force", ran)
		}

		if vs := p.AxeViolations(t); len(vs) != 0 {
			t.Errorf("good page: want no violations, got %v", vs)
		}
		p.Axe(t) // same, through the t.Error path

		// The console collected the app's console.error and the CSP violation.
		ce := strings.Join(p.ConsoleErrors(), "\n")
		t.Logf("console errors:\n%s", ce)
		if !strings.Contains(ce, "hello from app.js") || !strings.Contains(ce, "Content Security Policy") {
			t.Errorf("ConsoleErrors() = %q, want the console.error of app.js and the CSP violation", ce)
		}

		if got := p.Text(t, "#para"); got != "Plain, readable text." {
			t.Errorf("Text = %q", got)
		}
		if got := p.Attr(t, "#para", "data-kind"); got != "intro" {
			t.Errorf("Attr = %q", got)
		}
		if got := p.Attr(t, "#para", "data-missing"); got != "" {
			t.Errorf("Attr of missing attribute = %q", got)
		}
		if n := p.Count(t, "form input, form button"); n != 2 {
			t.Errorf("Count = %d, want 2", n)
		}
		if n := p.Count(t, ".does-not-exist"); n != 0 {
			t.Errorf("Count = %d, want 0", n)
		}
		p.Run(t, chromedp.SendKeys(chromedp.ID("q"), "hello"))
		if v := Get(t, p, chromedp.Value(chromedp.ID("q"))); v != "hello" {
			t.Errorf("value after SendKeys = %q", v)
		}
	})

	t.Run("AxeRunsUnderStrictCSP", func(t *testing.T) {
		p := b.NewPage(t)
		p.Navigate(t, srv.URL+"/bad-csp")
		ids := ruleIDs(p.AxeViolations(t))
		for _, want := range []string{"html-has-lang", "image-alt"} {
			if !slices.Contains(ids, want) {
				t.Errorf("under CSP: violation %q not reported; got %v", want, ids)
			}
		}
		// A second run on the same document reuses the injected axe.
		if again := ruleIDs(p.AxeViolations(t)); !slices.Equal(again, ids) {
			t.Errorf("second run = %v, first = %v", again, ids)
		}
		if v := Get(t, p, chromedp.Evaluate[string](`axe.version`)); v != AxeVersion {
			t.Errorf("axe.version = %q, want %q", v, AxeVersion)
		}
	})

	t.Run("Screenshot", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv(EnvScreenshots, dir)
		p := b.NewPage(t)
		p.Navigate(t, srv.URL+"/good")
		path := p.Screenshot(t, "good page")
		if want := filepath.Join(dir, "TestHarness_Screenshot-good_page.png"); path != want {
			t.Errorf("path = %q, want %q", path, want)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < 100 || !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatalf("%s is not a PNG (%d bytes, starts %q)", path, len(data), data[:min(8, len(data))])
		}
	})

	t.Run("PagesHaveSeparateCookies", func(t *testing.T) {
		p1 := b.NewPage(t)
		p1.Navigate(t, srv.URL+"/set-cookie")
		p1.Navigate(t, srv.URL+"/show-cookie")
		if got := p1.Text(t, "#c"); got != "page1" {
			t.Fatalf("page 1 cookie = %q, want page1", got)
		}
		p2 := b.NewPage(t)
		p2.Navigate(t, srv.URL+"/show-cookie")
		if got := p2.Text(t, "#c"); got != "none" {
			t.Errorf("page 2 sees cookie %q, want none", got)
		}
	})

	t.Run("ConsoleCollectsExceptions", func(t *testing.T) {
		p := b.NewPage(t)
		p.Navigate(t, srv.URL+"/throws")
		ce := p.ConsoleErrors()
		if len(ce) != 1 || !strings.Contains(ce[0], "Error: boom") {
			t.Errorf("ConsoleErrors() = %q, want one exception with Error: boom", ce)
		}
	})

	t.Run("ParallelPages", func(t *testing.T) {
		for i := range 3 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				p := b.NewPage(t)
				p.Navigate(t, srv.URL+"/good")
				if got := p.Text(t, "h1"); got != "Good page" {
					t.Errorf("h1 = %q", got)
				}
			})
		}
	})

	t.Run("TimeoutFailsWithHint", func(t *testing.T) {
		p := b.NewPage(t)
		p.Navigate(t, srv.URL+"/good")
		p.SetTimeout(500 * time.Millisecond)
		rec := &recordTB{TB: t}
		done := make(chan struct{})
		go func() { // Fatal calls runtime.Goexit
			defer close(done)
			p.Text(rec, "#nope")
		}()
		<-done
		if !rec.fatal || !strings.Contains(rec.msg(), "selector probably matched nothing") ||
			!strings.Contains(rec.msg(), srv.URL+"/good") {
			t.Errorf("fatal=%v, message:\n%s", rec.fatal, rec.msg())
		}
		t.Logf("failure message:\n%s", rec.msg())
	})
}

func TestNewBrowserBrokenBinary(t *testing.T) {
	t.Setenv(EnvChromium, "/bin/false")
	rec := &recordTB{TB: t}
	done := make(chan struct{})
	go func() { // Fatalf calls runtime.Goexit
		defer close(done)
		NewBrowser(rec)
	}()
	<-done
	if !rec.fatal || !strings.Contains(rec.msg(), "starting /bin/false failed") ||
		!strings.Contains(rec.msg(), "apt-get install -y chromium") {
		t.Errorf("fatal=%v, message:\n%s", rec.fatal, rec.msg())
	}
	t.Logf("failure message:\n%s", rec.msg())
}

func TestModuleRoot(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if wd != filepath.Join(root, "internal", "browsertest") {
		t.Errorf("moduleRoot() = %q for working dir %q", root, wd)
	}
}

func TestFindChromiumBadEnv(t *testing.T) {
	t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-such-chromium"))
	_, err := FindChromium()
	if err == nil || !strings.Contains(err.Error(), "apt-get install -y chromium") ||
		!strings.Contains(err.Error(), "make test") {
		t.Fatalf("err = %v, want an install hint", err)
	}
}

func TestFileSafe(t *testing.T) {
	for in, want := range map[string]string{
		"TestA/sub_test#01": "TestA_sub_test_01",
		"a b":               "a_b",
		"/x/":               "x",
	} {
		if got := fileSafe(in); got != want {
			t.Errorf("fileSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// recordTB records Error/Fatal calls instead of failing the test.
type recordTB struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recordTB) Helper()                   {}
func (r *recordTB) Error(args ...any)         { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recordTB) Errorf(f string, a ...any) { r.errors = append(r.errors, fmt.Sprintf(f, a...)) }
func (r *recordTB) Fatalf(f string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(f, a...))
	r.fatal = true
	runtime.Goexit()
}
func (r *recordTB) msg() string { return strings.Join(r.errors, "\n") }
