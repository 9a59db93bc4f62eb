// Package pdf prints HTML to PDF through headless Chromium's print-to-PDF (chromedp), which
// shapes Arabic-script text correctly where Go PDF libraries print disconnected letters
// (FIELD-NOTES.md). The rights sheet (issue 10) uses it; the monthly report (issue 11) can.
//
// Each Print starts its own short-lived browser with a private profile (about half a second)
// and loads the document from a data: URL, so nothing is fetched over the network and no
// session is shared with the browser: the page must be self-contained (inline CSS, no
// scripts needed). At most MaxConcurrent prints run at once; the others wait their turn or
// give up when their context ends.
package pdf

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

// DefaultChromium is the browser used when none is configured (Debian's chromium package).
const DefaultChromium = "/usr/bin/chromium"

// MaxConcurrent bounds the browsers printing at once (each takes ~100 MB and a core).
const MaxConcurrent = 2

// ErrNoBrowser: the configured Chromium is not an executable file. The caller offers the
// printable HTML instead.
var ErrNoBrowser = errors.New("pdf: Chromium is not installed")

// Printer prints HTML documents to PDF.
type Printer struct {
	// Path is the Chromium binary (KUJDES_CHROMIUM).
	Path string
	// Timeout bounds one print, browser start included.
	Timeout time.Duration
	slots   chan struct{}
}

// New returns a printer using the browser at path (DefaultChromium when empty).
func New(path string) *Printer {
	if path == "" {
		path = DefaultChromium
	}
	return &Printer{Path: path, Timeout: 30 * time.Second, slots: make(chan struct{}, MaxConcurrent)}
}

// Available reports ErrNoBrowser when the browser is missing.
func (p *Printer) Available() error {
	fi, err := os.Stat(p.Path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%w (%s)", ErrNoBrowser, p.Path)
	}
	return nil
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
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()

	// A private profile and TMPDIR, removed afterwards (Chromium leaves folders in $TMPDIR).
	scratch, err := os.MkdirTemp("", "kujdes-pdf-")
	if err != nil {
		return nil, fmt.Errorf("pdf: scratch folder: %w", err)
	}
	defer os.RemoveAll(scratch)
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
	allocCtx, allocCancel := chromedp.NewExecAllocator(ctx, opts...)
	defer allocCancel()
	browserCtx, browserCancel := chromedp.NewContext(allocCtx)
	defer browserCancel()

	url := "data:text/html;charset=utf-8;base64," + base64.StdEncoding.EncodeToString(html)
	if err := chromedp.Do(browserCtx, chromedp.Navigate(url)); err != nil {
		return nil, fmt.Errorf("pdf: loading the document: %w", err)
	}
	out, err := chromedp.Run(browserCtx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPrintBackground(),
		chromedp.PDFPreferCSSPageSize(),
	))
	if err != nil {
		return nil, fmt.Errorf("pdf: printing: %w", err)
	}
	return out, nil
}
