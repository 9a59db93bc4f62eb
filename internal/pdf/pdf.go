// Package pdf prints HTML to PDF through headless Chromium's print-to-PDF (chromedp), which
// shapes Arabic-script text correctly where Go PDF libraries print disconnected letters
// (FIELD-NOTES.md). The rights sheet (issue 10) uses it; the monthly report (issue 11) can.
//
// One browser process is started on the first print and kept (a start costs about half a
// second, far more on a loaded machine); each print opens a tab in a fresh browser context
// (no cookies, no storage shared between prints), loads the document from a data: URL — so
// nothing is fetched over the network and the page must be self-contained: inline CSS, no
// scripts needed — prints, and closes the tab. A browser that died is started again on the
// next print. At most MaxConcurrent prints run at once; the others wait their turn or give up
// when their context ends. Close stops the browser.
package pdf

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// DefaultChromium is the browser used when none is configured (Debian's chromium package).
const DefaultChromium = "/usr/bin/chromium"

// MaxConcurrent bounds the prints running at once (each tab takes memory and a core).
const MaxConcurrent = 2

// ErrNoBrowser: the configured Chromium is not an executable file. The caller offers the
// printable HTML instead.
var ErrNoBrowser = errors.New("pdf: Chromium is not installed")

// Printer prints HTML documents to PDF. Its zero value is not usable: call New.
type Printer struct {
	// Path is the Chromium binary (KUJDES_CHROMIUM).
	Path string
	// Timeout bounds the browser's start, and one print once it runs.
	Timeout time.Duration
	slots   chan struct{}

	mu       sync.Mutex
	browser  context.Context // nil until the first print, or after the browser died
	stop     func()
	starting chan struct{} // closed when the start under way ends; nil when none is
	startErr error
}

// New returns a printer using the browser at path (DefaultChromium when empty).
func New(path string) *Printer {
	if path == "" {
		path = DefaultChromium
	}
	return &Printer{Path: path, Timeout: 60 * time.Second, slots: make(chan struct{}, MaxConcurrent)}
}

// Available reports ErrNoBrowser when the browser is missing.
func (p *Printer) Available() error {
	fi, err := os.Stat(p.Path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%w (%s)", ErrNoBrowser, p.Path)
	}
	return nil
}

// Close stops the browser, if one runs (after a start under way has ended). A later print
// starts another.
func (p *Printer) Close() {
	p.mu.Lock()
	ch := p.starting
	p.mu.Unlock()
	if ch != nil {
		<-ch
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeLocked()
}

func (p *Printer) closeLocked() {
	if p.stop != nil {
		p.stop()
	}
	p.browser, p.stop = nil, nil
}

// running returns the browser's context, starting the browser when none runs. The start
// goes on in the background when ctx ends first (a caller that gives up does not waste it:
// the next print finds the browser running).
func (p *Printer) running(ctx context.Context) (context.Context, error) {
	for {
		p.mu.Lock()
		if p.browser != nil && p.browser.Err() == nil {
			b := p.browser
			p.mu.Unlock()
			return b, nil
		}
		if p.starting == nil {
			p.closeLocked()
			p.starting, p.startErr = make(chan struct{}), nil
			go p.start(p.starting)
		}
		ch := p.starting
		p.mu.Unlock()
		select {
		case <-ch:
			p.mu.Lock()
			b, err := p.browser, p.startErr
			p.mu.Unlock()
			if err != nil {
				return nil, err
			}
			if b != nil && b.Err() == nil {
				return b, nil
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// start launches the browser and publishes it (or the error), then closes ch.
func (p *Printer) start(ch chan struct{}) {
	b, stop, err := p.launch()
	p.mu.Lock()
	p.browser, p.stop, p.startErr, p.starting = b, stop, err, nil
	p.mu.Unlock()
	close(ch)
}

func (p *Printer) launch() (context.Context, func(), error) {
	// A private profile and TMPDIR, removed with the browser (Chromium leaves folders there).
	scratch, err := os.MkdirTemp("", "kujdes-pdf-")
	if err != nil {
		return nil, nil, fmt.Errorf("pdf: scratch folder: %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(p.Path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // required as root and in containers
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(scratch),
		chromedp.Env("TMPDIR="+scratch, "LANG=C.UTF-8"),
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, browserCancel := chromedp.NewContext(allocCtx)
	stop := func() {
		browserCancel()
		allocCancel() // waits for the process to exit
		os.RemoveAll(scratch)
	}
	// The first Do starts the browser and binds its life to the context it gets, so it gets
	// browserCtx itself; a timer bounds the start.
	timer := time.AfterFunc(p.Timeout, browserCancel)
	err = chromedp.Do(browserCtx)
	if !timer.Stop() {
		err = fmt.Errorf("no answer within %v (%w)", p.Timeout, err)
	}
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("pdf: starting %s: %w", p.Path, err)
	}
	return browserCtx, stop, nil
}

// Print renders a self-contained HTML document and returns the PDF: A4, backgrounds printed,
// the page's own @page size and margins honoured.
func (p *Printer) Print(ctx context.Context, html []byte) ([]byte, error) {
	if err := p.Available(); err != nil {
		return nil, err
	}
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	browser, err := p.running(ctx)
	if err != nil {
		return nil, err
	}
	tab, closeTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer func() {
		cctx, cancel := context.WithTimeout(tab, 5*time.Second)
		_ = chromedp.Cancel(cctx) // closes the tab and its browser context
		cancel()
		closeTab()
	}()
	// The tab's first Do binds the tab's life to its context: give it the tab itself,
	// bounded by the caller's context and the timeout.
	timer := time.AfterFunc(p.Timeout, closeTab)
	defer timer.Stop()
	defer context.AfterFunc(ctx, closeTab)()
	url := "data:text/html;charset=utf-8;base64," + base64.StdEncoding.EncodeToString(html)
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		return nil, p.failed("loading the document", err)
	}
	out, err := chromedp.Run(tab, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPrintBackground(),
		chromedp.PDFPreferCSSPageSize(),
	))
	if err != nil {
		return nil, p.failed("printing", err)
	}
	return out, nil
}

// failed wraps a print error; when the browser itself is gone, the next print starts another.
func (p *Printer) failed(step string, err error) error {
	p.mu.Lock()
	if p.browser != nil && p.browser.Err() != nil {
		p.closeLocked()
	}
	p.mu.Unlock()
	return fmt.Errorf("pdf: %s: %w", step, err)
}
