package pdf_test

import (
	"bytes"
	"context"
	"errors"
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
	doc := []byte(`<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>حقوقك</title>
<style>@page{size:A4;margin:15mm}body{font-family:sans-serif}</style></head>
<body><h1>حقوقك</h1><p>اتصل بالرقم 116` + "\u00a0" + `000.</p></body></html>`)
	out, err := p.Print(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF-")) || len(out) < 2000 {
		t.Errorf("not a PDF or too small: %d bytes, starts %q", len(out), out[:min(len(out), 8)])
	}
	missing := pdf.New("/nonexistent/chromium")
	if _, err := missing.Print(context.Background(), doc); !errors.Is(err, pdf.ErrNoBrowser) {
		t.Errorf("missing browser: %v", err)
	}
}
