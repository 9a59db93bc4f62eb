// Package browsertest is the headless-Chromium harness for the browser tests of
// the web app. It wraps chromedp (v0.23, generic API) behind a small
// testing.TB-friendly API: every helper fails the test with a helpful message
// instead of returning an error.
//
// Typical use:
//
//	func TestLoginPage(t *testing.T) {
//		srv := httptest.NewServer(router)
//		t.Cleanup(srv.Close)
//
//		b := browsertest.NewBrowser(t) // one Chromium process, closed at cleanup
//		p := b.NewPage(t)              // a tab with its own cookie jar
//		p.Navigate(t, srv.URL+"/login")
//		if got := p.Text(t, "h1"); got != "Sign in" {
//			t.Errorf("h1 = %q", got)
//		}
//		p.Run(t,
//			chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.org"),
//			chromedp.Click(chromedp.CSS("button[type=submit]")),
//		)
//		p.Axe(t)             // WCAG 2.2 AA check with the embedded axe-core
//		p.Screenshot(t, "after-login")
//	}
//
// A browser is missing → the test fails (never skips) and says how to install
// one: `apt-get install -y chromium`, `make test`, or set KUJDES_CHROMIUM.
//
// Start one Browser per test (or per parent test with subtests) and one Page
// per scenario; pages are cheap, the browser start is the expensive part.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// EnvChromium names the environment variable that selects the Chromium or
// Chrome binary. When it is set, it must point to an executable.
const EnvChromium = "KUJDES_CHROMIUM"

// DefaultTimeout is the timeout of each call of a Page helper (Run, Navigate,
// Text, Axe, …), so a selector that matches nothing fails the test after this
// long instead of hanging it.
const DefaultTimeout = 30 * time.Second

// startTimeout bounds the start of the browser process.
const startTimeout = 60 * time.Second

// installHint is part of every "no browser" failure.
const installHint = "install Chromium with `apt-get install -y chromium` (Debian/Ubuntu, as root), " +
	"or run `make test`, which installs it via scripts/ensure-chromium.sh, " +
	"or set " + EnvChromium + " to the path of a Chromium/Chrome binary"

// Browser is one headless Chromium process shared by the tests of a package.
// It is safe to open pages from parallel subtests.
type Browser struct {
	ctx     context.Context // chromedp context of the browser (its first tab)
	path    string
	version string
	started time.Duration
}

// NewBrowser starts a headless Chromium and closes it at t.Cleanup.
//
// The binary is $KUJDES_CHROMIUM, else /usr/lib/chromium/chromium (the real
// binary of the Debian package), else /usr/bin/chromium, else chromium or
// chromium-browser on PATH. When none exists the test fails with an install
// hint; it is never skipped.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	path, err := FindChromium()
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}

	// Chromium writes org.chromium.Chromium.* folders into $TMPDIR and keeps
	// its profile in --user-data-dir: give it a private scratch dir that is
	// removed at cleanup. os.MkdirTemp (not t.TempDir) keeps the path short:
	// Chromium puts a unix socket below TMPDIR, and those paths are limited to
	// 108 bytes.
	scratch, err := os.MkdirTemp("", "kujdes-chromium-")
	if err != nil {
		t.Fatalf("browsertest: creating scratch dir: %v", err)
	}
	profile := scratch + "/profile"
	tmp := scratch + "/tmp"
	for _, d := range []string{profile, tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			os.RemoveAll(scratch)
			t.Fatalf("browsertest: creating scratch dir: %v", err)
		}
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // required as root, harmless otherwise in CI
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(profile),
		chromedp.Env("TMPDIR="+tmp, "LANGUAGE=en_US", "LANG=C.UTF-8"),
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, browserCancel := chromedp.NewContext(allocCtx)

	closeAll := func() {
		// Graceful close first (flushes the profile), then kill whatever is left.
		cctx, ccancel := context.WithTimeout(browserCtx, 10*time.Second)
		_ = chromedp.Cancel(cctx)
		ccancel()
		browserCancel()
		allocCancel() // waits for the process to exit and removes leftovers
		if err := os.RemoveAll(scratch); err != nil {
			t.Logf("browsertest: removing %s: %v", scratch, err)
		}
	}

	start := time.Now()
	// The first Do starts the browser and binds the life of the browser to the
	// context it gets, so it must get browserCtx itself and not a context with
	// a timeout. A timer bounds the start instead.
	timer := time.AfterFunc(startTimeout, browserCancel)
	err = chromedp.Do(browserCtx)
	if !timer.Stop() {
		err = fmt.Errorf("no answer within %v (%w)", startTimeout, err)
	}
	if err != nil {
		closeAll()
		// chromedp puts the browser's own output into the error.
		t.Fatalf("browsertest: starting %s failed: %v\nIf the binary is broken or missing libraries, %s",
			path, err, installHint)
	}
	b := &Browser{ctx: browserCtx, path: path, started: time.Since(start)}
	if v, err := chromedp.CallBrowser(browserCtx, browser.GetVersion, cdp.Empty{}); err == nil {
		b.version = v.Product
	}
	t.Logf("browsertest: started %s (%s) in %v", b.version, path, b.started.Round(time.Millisecond))
	t.Cleanup(closeAll)
	return b
}

// Version is the product string of the running browser, e.g.
// "Chrome/156.0.8078.114".
func (b *Browser) Version() string { return b.version }

// StartDuration is how long NewBrowser took to start the browser.
func (b *Browser) StartDuration() time.Duration { return b.started }

// FindChromium returns the browser binary that NewBrowser uses, or an error
// that explains how to install one.
func FindChromium() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("%s=%q is not an executable file; %s", EnvChromium, p, installHint)
	}
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"} {
		if isExecutable(p) {
			return p, nil
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (looked at $" + EnvChromium +
		", /usr/lib/chromium/chromium, /usr/bin/chromium, chromium and chromium-browser on PATH); " + installHint)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
