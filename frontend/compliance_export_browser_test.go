package frontend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
	"github.com/kujdes/kujdes/registry"
)

// In Chromium: monitor1 follows the dashboard's "Monthly report" link, reads the report in
// English, then in Arabic (right to left, the status in words); 0 axe violations and no
// sideways scroll in both.
func TestComplianceMonthlyReportInTheBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	if err := registry.New(app.DB).RefreshCompliance(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := browsertest.NewBrowser(t).NewPage(t)
	p.Navigate(t, app.URL+"/?lang=en")
	app.BrowserLogin(t, p, "monitor1")
	p.Navigate(t, app.URL+"/compliance")
	p.WaitFor(t, "#export-monthly")
	p.Click(t, "#export-monthly")
	p.WaitFor(t, "#indicators")
	if lang, dir := p.Attr(t, "html", "lang"), p.Attr(t, "html", "dir"); lang != "en" || dir != "ltr" {
		t.Fatalf("report html lang=%q dir=%q", lang, dir)
	}
	if got := p.Text(t, "#indicators + .wide table"); !strings.Contains(got, "Children in prohibited placements") || !strings.Contains(got, "Failed") {
		t.Errorf("the report does not show S6 failed: %q", got)
	}
	browsertest.NoSideScroll(t, p, "the monthly report")
	p.Axe(t)
	p.Screenshot(t, "compliance-monthly-en")

	p.Navigate(t, app.URL+"/compliance/report/monthly?lang=ar")
	p.WaitFor(t, "#indicators")
	if lang, dir := p.Attr(t, "html", "lang"), p.Attr(t, "html", "dir"); lang != "ar" || dir != "rtl" {
		t.Fatalf("Arabic report html lang=%q dir=%q", lang, dir)
	}
	if got := p.Text(t, "h1"); got != "تقرير الامتثال" {
		t.Errorf("Arabic title %q", got)
	}
	browsertest.NoSideScroll(t, p, "the Arabic monthly report")
	p.Axe(t)
	p.Screenshot(t, "compliance-monthly-ar")
}
