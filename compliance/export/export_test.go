package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kujdes/kujdes/compliance/export"
)

func TestNeutralize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"AL-2026-000001", "AL-2026-000001"},
		{"a=b", "a=b"},
		{" =1", " =1"}, // not at the start: a spreadsheet reads it as text
		{"", ""},
		{"'quoted", "'quoted"},
		{"محمد", "محمد"},
	} {
		if got := export.Neutralize(c.in); got != c.want {
			t.Errorf("Neutralize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

var sample = export.Table{
	Name:   "Violations: S6/prohibited*",
	Header: []string{"Registration number", "=Rule", "Days", "Since"},
	Rows: [][]any{
		{"AL-2026-000001", "S6", 12, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"=cmd|' /C calc'!A0", "+S1", -3, time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)},
		{"@x", "-1", 0.25, nil},
		{"\tTAB", "\rCR", int64(7), "العربية"},
	},
}

func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, sample); err != nil {
		t.Fatal(err)
	}
	body := buf.String()
	if !strings.Contains(body, "\"'\rCR\"") {
		t.Errorf("the carriage-return cell is not neutralised: %q", body)
	}
	if !strings.HasPrefix(body, "\ufeff") {
		t.Fatal("no byte-order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Registration number", "'=Rule", "Days", "Since"},
		{"AL-2026-000001", "S6", "12", "2026-03-01"},
		{"'=cmd|' /C calc'!A0", "'+S1", "-3", "2026-03-01T09:30:00Z"},
		{"'@x", "'-1", "0.25", ""},
		{"'\tTAB", "'\rCR", "7", "العربية"},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records: %q", len(recs), recs)
	}
	for i := range want {
		for j := range want[i] {
			if recs[i][j] != want[i][j] {
				t.Errorf("row %d col %d: %q, want %q", i, j, recs[i][j], want[i][j])
			}
		}
	}
	// No cell a spreadsheet would evaluate, except numbers.
	for i, r := range recs {
		for j, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && c != "-3" {
				t.Errorf("row %d col %d starts with a formula character: %q", i, j, c)
			}
		}
	}
}

func TestWriteXLSXReadsBack(t *testing.T) {
	second := export.Table{Name: "Indicators", Header: []string{"Indicator", "Value"}, Rows: [][]any{{"s6_prohibited_placements", 0}, {"s2_appointed_in_time", 0.92}}}
	var buf bytes.Buffer
	if err := export.WriteXLSX(&buf, true, sample, second); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 2 || sheets[0] != "Violations- S6-prohibited-" || sheets[1] != "Indicators" {
		t.Fatalf("sheets %q", sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][1] != "=Rule" || rows[2][0] != "=cmd|' /C calc'!A0" || rows[4][3] != "العربية" {
		t.Fatalf("rows %q", rows)
	}
	// Text stays text: no cell of the workbook is a formula.
	for r := 1; r <= 5; r++ {
		for c := 1; c <= 4; c++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			if formula, err := f.GetCellFormula(sheets[0], cell); err != nil || formula != "" {
				t.Errorf("%s: formula %q, %v", cell, formula, err)
			}
		}
	}
	// A number is stored as a number (no type attribute or "n"), text as text.
	if typ, err := f.GetCellType(sheets[0], "C2"); err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
		t.Errorf("C2 (days) is %v, want a number (%v)", typ, err)
	}
	if typ, _ := f.GetCellType(sheets[0], "A3"); typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset || typ == excelize.CellTypeFormula {
		t.Errorf("A3 (text) has type %v", typ)
	}
	if v, _ := f.GetCellValue(sheets[1], "B3"); v != "0.92" {
		t.Errorf("B3 = %q", v)
	}
	view, err := f.GetSheetView(sheets[0], 0)
	if err != nil || view.RightToLeft == nil || !*view.RightToLeft {
		t.Errorf("the sheet is not right to left: %+v, %v", view, err)
	}
}
