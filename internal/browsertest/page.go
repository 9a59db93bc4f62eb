package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// EnvScreenshots names the environment variable with the directory for
// screenshots. When it is empty, screenshots go to
// <module root>/.artifacts/screenshots.
const EnvScreenshots = "KUJDES_SCREENSHOTS"

// Page is one browser tab in its own browser context (an incognito-like
// profile), so cookies, storage and cache are isolated between pages.
// A Page is not safe for concurrent use; use one Page per goroutine.
type Page struct {
	ctx     context.Context // chromedp context of the tab, without timeout
	timeout time.Duration

	mu      sync.Mutex
	console []string // console errors, JS exceptions and browser log errors
}

// NewPage opens a new tab in a fresh browser context and closes it at
// t.Cleanup. Each helper call on the page has a timeout of DefaultTimeout
// (see SetTimeout).
func (b *Browser) NewPage(t testing.TB) *Page {
	t.Helper()
	p := &Page{timeout: DefaultTimeout}
	ctx, cancel := chromedp.NewContext(b.ctx,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(p.listen),
	)
	p.ctx = ctx
	// The first Do creates the tab and binds its life to the context it
	// gets, so it gets ctx itself; a timer bounds it.
	timer := time.AfterFunc(p.timeout, cancel)
	err := chromedp.Do(ctx)
	if !timer.Stop() {
		err = fmt.Errorf("no answer within %v (%w)", p.timeout, err)
	}
	if err != nil {
		cancel()
		t.Fatalf("browsertest: opening a new tab: %v", err)
	}
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
		defer ccancel()
		_ = chromedp.Cancel(cctx) // closes the tab and disposes its browser context
		cancel()
	})
	return p
}

// Context returns the chromedp context of the tab, for direct use of the
// chromedp API (chromedp.Run, chromedp.Events, chromedp.Call, …). It has no
// timeout; derive one with context.WithTimeout when needed. Do not cancel it.
func (p *Page) Context() context.Context { return p.ctx }

// SetTimeout changes the timeout of each later helper call on the page.
func (p *Page) SetTimeout(d time.Duration) { p.timeout = d }

// Run runs the actions in order and fails the test at the first error.
//
//	p.Run(t,
//		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.org"),
//		chromedp.Click(chromedp.CSS("button[type=submit]")),
//		chromedp.WaitVisible(chromedp.CSS(".flash")),
//	)
//
// For an action that returns a value use [Get].
func (p *Page) Run(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browsertest: Run: %s", p.explain(err))
	}
}

// Get runs one action that returns a value, and fails the test on error.
//
//	title := browsertest.Get(t, p, chromedp.Title())
//	n := browsertest.Get(t, p, chromedp.Evaluate[int](`document.forms.length`))
func Get[T any](t testing.TB, p *Page, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("browsertest: Get[%T]: %s", v, p.explain(err))
	}
	return v
}

// Navigate loads url and waits for the load event. It does not check the
// HTTP status; use Get(t, p, chromedp.NavigateResponse(url)) for that.
func (p *Page) Navigate(t testing.TB, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("browsertest: Navigate(%q): %s", url, p.explain(err))
	}
}

// Text returns the textContent of the first element that matches the CSS
// selector. It waits for such an element up to the page timeout; use Count to
// check that an element is absent.
func (p *Page) Text(t testing.TB, sel string) string {
	t.Helper()
	v, err := p.poll(fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? [true, e.textContent] : [false, ""]; })()`, jsString(sel)))
	if err != nil {
		t.Fatalf("browsertest: Text(%q): %s", sel, p.explain(err))
	}
	return v
}

// Attr returns the attribute name of the first element that matches the CSS
// selector, or "" when the element has no such attribute. It waits for the
// element up to the page timeout.
func (p *Page) Attr(t testing.TB, sel, name string) string {
	t.Helper()
	v, err := p.poll(fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? [true, e.getAttribute(%s) ?? ""] : [false, ""]; })()`, jsString(sel), jsString(name)))
	if err != nil {
		t.Fatalf("browsertest: Attr(%q, %q): %s", sel, name, p.explain(err))
	}
	return v
}

// Click clicks the first element that matches the CSS selector, waiting for it up to the page
// timeout. It clicks through JavaScript, so a node id made stale by a navigation cannot fail it.
func (p *Page) Click(t testing.TB, sel string) {
	t.Helper()
	if _, err := p.poll(fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return [false, ""]; e.click(); return [true, ""]; })()`, jsString(sel))); err != nil {
		t.Fatalf("browsertest: Click(%q): %s", sel, p.explain(err))
	}
}

// WaitFor waits until an element matches the CSS selector and the document is parsed to its
// end (up to the page timeout): what a test counts or reads next is all there. (Without the
// second condition a long page — the compliance dashboard with its charts as data: URLs — was
// counted half-parsed on a loaded machine: "9 trend charts" of 10.)
func (p *Page) WaitFor(t testing.TB, sel string) {
	t.Helper()
	if _, err := p.poll(fmt.Sprintf(`[document.readyState !== "loading" && document.querySelector(%s) !== null, ""]`, jsString(sel))); err != nil {
		t.Fatalf("browsertest: WaitFor(%q): %s", sel, p.explain(err))
	}
}

// poll evaluates expr — which answers [found, value] — until found, up to the page timeout.
// Reading through JavaScript, not CDP node ids, cannot trip over a node id that a navigation
// (a form submit) has just made stale.
func (p *Page) poll(expr string) (string, error) {
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	for {
		res, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](expr))
		if err == nil && len(res) == 2 {
			if found, _ := res[0].(bool); found {
				s, _ := res[1].(string)
				return s, nil
			}
		}
		if ctx.Err() != nil {
			if err == nil {
				err = ctx.Err()
			}
			return "", err
		}
		// During a navigation the evaluation may fail (no execution context yet): try again.
		time.Sleep(50 * time.Millisecond)
	}
}

// Count returns how many elements match the CSS selector right now. It does
// not wait, so it is the way to assert that something is absent.
func (p *Page) Count(t testing.TB, sel string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		fmt.Sprintf("document.querySelectorAll(%s).length", jsString(sel))))
	if err != nil {
		t.Fatalf("browsertest: Count(%q): %s", sel, p.explain(err))
	}
	return n
}

// Screenshot saves a full-page PNG and returns its path. The file is
// $KUJDES_SCREENSHOTS/<TestName>-<name>.png, or
// <module root>/.artifacts/screenshots/<TestName>-<name>.png when the variable
// is empty. The module root is the first directory with a go.mod above the
// working directory.
func (p *Page) Screenshot(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv(EnvScreenshots)
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatalf("browsertest: Screenshot: %v (set %s)", err, EnvScreenshots)
		}
		dir = filepath.Join(root, ".artifacts", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browsertest: Screenshot: %v", err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	// FullScreenshot clips right-to-left pages (it captures from the left edge of a layout
	// that grows leftwards); for those, capture the viewport, which is never clipped.
	rtl, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.documentElement).direction === "rtl"`))
	if err != nil {
		t.Fatalf("browsertest: Screenshot(%q): %s", name, p.explain(err))
	}
	shot := chromedp.FullScreenshot(100) // 100 = PNG
	if rtl {
		shot = chromedp.CaptureScreenshot()
	}
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		t.Fatalf("browsertest: Screenshot(%q): %s", name, p.explain(err))
	}
	path := filepath.Join(dir, fileSafe(t.Name())+"-"+fileSafe(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: Screenshot: %v", err)
	}
	t.Logf("browsertest: screenshot %s", path)
	return path
}

// ConsoleErrors returns the console.error calls, uncaught JS exceptions
// (including unhandled promise rejections) and browser log errors (failed
// requests, CSP violations, …) the page has produced so far, in order.
func (p *Page) ConsoleErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.console...)
}

// listen runs in the event loop of the tab: it must be fast and run no command.
func (p *Page) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		parts := make([]string, 0, len(ev.Args))
		for _, a := range ev.Args {
			parts = append(parts, remoteText(a))
		}
		msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			f := st.CallFrames[0]
			msg += fmt.Sprintf(" (%s:%d)", f.URL, f.LineNumber+1)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		if d == nil {
			return
		}
		msg = "exception: " + d.Text
		if d.Exception != nil {
			desc, _, _ := strings.Cut(remoteText(d.Exception), "\n    at ")
			msg += " " + desc
		}
		if d.URL != "" {
			msg += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
		}
	case *log.EventEntryAdded:
		e := ev.Entry
		if e == nil || e.Level != log.EntryLevelError {
			return
		}
		msg = "log." + string(e.Source) + ": " + e.Text
		if e.URL != "" {
			msg += " (" + e.URL + ")"
		}
	default:
		return
	}
	p.mu.Lock()
	p.console = append(p.console, msg)
	p.mu.Unlock()
}

// remoteText renders a console argument roughly like the DevTools console.
func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if len(o.Value) > 0 {
		s := string(o.Value)
		if o.Type == runtime.RemoteObjectTypeString {
			var v string
			if err := json.Unmarshal(o.Value, &v); err == nil {
				return v
			}
		}
		return s
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Type)
}

// explain turns an error of a helper call into a message that says what to
// look at: timeouts usually mean a selector that matched nothing.
func (p *Page) explain(err error) string {
	var b strings.Builder
	b.WriteString(err.Error())
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(&b, "\n  timed out after %v: a selector probably matched nothing, or the page did not load "+
			"(selectors wait until an element exists; use Page.Count to test for absence, Page.SetTimeout to change the limit)", p.timeout)
	}
	var exc *chromedp.ExceptionError
	if errors.As(err, &exc) {
		b.WriteString("\n  the page's JavaScript threw an exception")
	}
	// Where are we? Use a short, separate timeout: the page may be stuck.
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	if loc, lerr := chromedp.Run(ctx, chromedp.Location()); lerr == nil {
		fmt.Fprintf(&b, "\n  page URL: %s", loc)
	}
	if ce := p.ConsoleErrors(); len(ce) > 0 {
		b.WriteString("\n  console errors so far:")
		for _, m := range ce {
			b.WriteString("\n    " + m)
		}
	}
	return b.String()
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileSafe(s string) string {
	return strings.Trim(unsafeChars.ReplaceAllString(s, "_"), "_")
}

// moduleRoot walks up from the working directory to the directory with go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory")
		}
		dir = parent
	}
}

// NoSideScroll fails the test when the page scrolls sideways (issue 13's phone rule: wide
// tables scroll inside their own .table-scroll container, never the page), naming up to eight
// elements that stick out.
func NoSideScroll(t testing.TB, p *Page, what string) {
	t.Helper()
	over := Get(t, p, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if over > 0 {
		wide := Get(t, p, chromedp.Evaluate[string](`(() => { const w = document.documentElement.clientWidth; const out = [];
			for (const e of document.querySelectorAll("body *")) { const r = e.getBoundingClientRect();
				if ((r.right > w + 1 || r.left < -1) && !e.closest(".table-scroll")) out.push(e.tagName + "#" + e.id + "." + e.className + " " + Math.round(r.left) + ".." + Math.round(r.right)); }
			return out.slice(0, 8).join("; "); })()`))
		t.Errorf("%s scrolls sideways by %d px: %s", what, over, wide)
	}
}
