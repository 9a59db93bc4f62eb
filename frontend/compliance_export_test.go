package frontend_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/registry"
)

// TestComplianceExportsOnThePages: a monitor finds the export links on the dashboard and on a
// violation list, downloads the indicators and a list as CSV and XLSX (read back), opens the
// monthly report in English and Arabic (right to left) and prints it to PDF in both; every
// export is audited; a protection officer (who reads the dashboard) may not export, and a
// malformed or unknown filter is refused.
func TestComplianceExportsOnThePages(t *testing.T) {
	app := apptest.Start(t)
	if err := registry.New(app.DB).RefreshCompliance(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := app.Login(t, "monitor1")
	dash := apptest.Body(t, app.Do(t, c, "GET", "/compliance", ""))
	for _, id := range []string{"export-indicators-csv", "export-indicators-xlsx", "export-monthly", "export-monthly-pdf"} {
		if !strings.Contains(dash, `id="`+id+`"`) {
			t.Errorf("the dashboard has no %s link", id)
		}
	}
	list := apptest.Body(t, app.Do(t, c, "GET", "/compliance/S6", ""))
	if !strings.Contains(list, `href="/compliance/export/violations.csv?rule=S6"`) || !strings.Contains(list, `id="export-violations-xlsx"`) {
		t.Errorf("the S6 list has no export links")
	}

	res := app.Do(t, c, "GET", "/compliance/export/indicators.csv", "")
	body := apptest.Body(t, res)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="compliance-indicators-`) {
		t.Fatalf("indicators CSV: %d %v", res.StatusCode, res.Header)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(recs) < 2 || recs[0][0] != "Indicator" {
		t.Fatalf("indicators CSV: %v %q", err, recs)
	}
	if !strings.Contains(body, "Children in prohibited placements (must be 0)") {
		t.Errorf("the CSV does not name the S6 indicator: %.300s", body)
	}

	res = app.Do(t, c, "GET", "/compliance/export/violations.xlsx?rule=S6", "", "Accept-Language", "ar")
	f, err := excelize.OpenReader(bytes.NewReader([]byte(apptest.Body(t, res))))
	if res.StatusCode != 200 || err != nil {
		t.Fatalf("violations XLSX: %d %v", res.StatusCode, err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) < 2 || rows[0][3] != "رقم التسجيل" || !strings.HasPrefix(rows[1][3], "AL-") {
		t.Fatalf("violations XLSX rows: %v %q", err, rows)
	}
	if view, _ := f.GetSheetView(f.GetSheetList()[0], 0); view.RightToLeft == nil || !*view.RightToLeft {
		t.Error("the Arabic workbook is not right to left")
	}
	for _, r := range rows {
		for _, cell := range r {
			if strings.Contains(cell, "Ali") || strings.Contains(cell, "Khan") {
				t.Errorf("a name in the pseudonymised export: %q", r)
			}
		}
	}
	f.Close()

	for _, lang := range []string{"en", "ar"} {
		page := apptest.Body(t, app.Do(t, c, "GET", "/compliance/report/monthly?lang="+lang, ""))
		dir := map[string]string{"en": `dir="ltr"`, "ar": `dir="rtl"`}[lang]
		if !strings.Contains(page, `<html lang="`+lang+`" `+dir) || !strings.Contains(page, "S6") {
			t.Errorf("monthly report %s: %.300s", lang, page)
		}
		res := app.Do(t, c, "GET", "/compliance/report/monthly.pdf?lang="+lang, "")
		pdf := []byte(apptest.Body(t, res))
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 5_000 {
			t.Errorf("monthly PDF %s: %d %s, %d bytes", lang, res.StatusCode, res.Header.Get("Content-Type"), len(pdf))
		}
	}
	var exports int64
	app.Scan(t, &exports, `SELECT count(*) FROM audit_events WHERE action = 'compliance.export' AND entity = 'compliance'`)
	if exports != 6 {
		t.Errorf("%d exports audited, want 6", exports)
	}
	var listed int64
	app.Scan(t, &listed, `SELECT count(*) FROM audit_events WHERE action = 'compliance.export' AND entity = 'child'`)
	if listed == 0 {
		t.Error("the S6 export is in no child's access history")
	}

	for _, path := range []string{"/compliance/export/violations.csv?rule=S99", "/compliance/export/indicators.csv?region=1",
		"/compliance/report/monthly?month=1999-01", "/compliance/export/violations.csv?region_id=x"} {
		if res := app.Do(t, c, "GET", path, ""); res.StatusCode != 400 {
			t.Errorf("%s: %d, want 400", path, res.StatusCode)
		}
	}
	po := app.Login(t, "protection1")
	for _, path := range []string{"/compliance/export/indicators.csv", "/compliance/report/monthly.pdf"} {
		if res := app.Do(t, po, "GET", path, ""); res.StatusCode != 403 {
			t.Errorf("protection officer %s: %d", path, res.StatusCode)
		}
	}
	if strings.Contains(apptest.Body(t, app.Do(t, po, "GET", "/compliance", "")), "export-indicators-csv") {
		t.Error("the dashboard offers exports to a protection officer")
	}

	// The JSON API face: the same export with a bearer token.
	res = app.Do(t, nil, "GET", "/api/v1/compliance/exports/violations.csv?rule=S6", "", "Authorization", "Bearer "+app.Token(t, "monitor1"))
	if body := apptest.Body(t, res); res.StatusCode != 200 || !strings.Contains(body, "Registration number") {
		t.Errorf("API CSV: %d %.200s", res.StatusCode, body)
	}
	res = app.Do(t, nil, "GET", "/api/v1/compliance/exports/indicators.xlsx", "", "Authorization", "Bearer "+app.Token(t, "protection1"))
	if res.StatusCode != 403 {
		t.Errorf("API export as a protection officer: %d", res.StatusCode)
	}
}
