package pdf_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/kujdes/kujdes/internal/browsertest"
	"github.com/kujdes/kujdes/internal/pdf"
)

// A real Chromium prints a right-to-left Arabic page to a PDF; a missing browser is
// ErrNoBrowser, not a crash.
func TestPrint(t *testing.T) {
	path, err := browsertest.FindChromium()
	if err != nil {
		t.Fatal(err)
	}
	p := pdf.New(path)
	t.Cleanup(p.Close)
	doc := []byte(`<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>حقوقك</title>
<style>@page{size:A4;margin:15mm}body{font-family:sans-serif}</style></head>
<body><h1>حقوقك</h1><p>اتصل بالرقم 116` + "\u00a0" + `000.</p></body></html>`)
	// Several prints, some at once, share one browser.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			out, err := p.Print(context.Background(), doc)
			if err != nil {
				t.Error(err)
				return
			}
			if !bytes.HasPrefix(out, []byte("%PDF-")) || len(out) < 2000 {
				t.Errorf("not a PDF or too small: %d bytes, starts %q", len(out), out[:min(len(out), 8)])
			}
		})
	}
	wg.Wait()
	// A browser that died is started again.
	p.Close()
	if out, err := p.Print(context.Background(), doc); err != nil || !bytes.HasPrefix(out, []byte("%PDF-")) {
		t.Errorf("after Close: %v", err)
	}
	missing := pdf.New("/nonexistent/chromium")
	if _, err := missing.Print(context.Background(), doc); !errors.Is(err, pdf.ErrNoBrowser) {
		t.Errorf("missing browser: %v", err)
	}
}
