// Package export writes the compliance tables (indicators, violation lists) as CSV and XLSX
// (issue 11, item 5). It knows nothing of who may export what: the registry's export use case
// checks the permission, scopes, pseudonymises and audits, then hands the rows here.
//
// Spreadsheets evaluate a CSV cell that starts with "=", "+", "-" or "@" (and, in some
// programs, a tab or a carriage return before one of them) as a formula: a child's alias or a
// note typed as `=HYPERLINK(...)` would run on the monitor's machine. Every text cell goes
// through Neutralize, the one function that decides it. XLSX cells are written as typed
// values (a string is stored as a string, never as a formula), so they need no prefix.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Table is one sheet: its name (the XLSX sheet), a header row and rows of cells. A cell is a
// string, an integer, a float64, a time.Time (a date when it falls on midnight UTC), nil
// (empty) or a fmt.Stringer.
type Table struct {
	Name   string
	Header []string
	Rows   [][]any
}

// Neutralize makes a text cell inert in a spreadsheet: a value starting with "=", "+", "-",
// "@", a tab or a carriage return gets a leading apostrophe (OWASP's advice), which shows the
// text as typed instead of evaluating it. Other values are returned unchanged.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Text is how a cell reads in a CSV file (before neutralisation).
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if u := x.UTC(); u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
			return u.Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339)
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// WriteCSV writes the table as CSV in UTF-8 with a byte-order mark (so spreadsheet programs
// read Arabic and Albanian letters right), header first, RFC 4180 quoting with lines ending in
// LF (encoding/csv drops a carriage return inside a field when it writes CRLF). Text cells — the header
// included — are neutralised; numbers are written as numbers (a negative number is a number,
// not a formula).
func WriteCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	rec := make([]string, len(t.Header))
	for i, h := range t.Header {
		rec[i] = Neutralize(h)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec = rec[:0]
		for _, v := range row {
			s := Text(v)
			switch v.(type) {
			case int, int64, float64:
			default:
				s = Neutralize(s)
			}
			rec = append(rec, s)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// sheetName makes a valid, unique XLSX sheet name (at most 31 characters, none of : \ / ? * [ ]).
func sheetName(name string, used map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" {
		name = "Sheet"
	}
	if r := []rune(name); len(r) > 28 {
		name = string(r[:28])
	}
	base := name
	for i := 2; used[strings.ToLower(name)]; i++ {
		name = fmt.Sprintf("%s %d", base, i)
	}
	used[strings.ToLower(name)] = true
	return name
}

// WriteXLSX writes the tables as one workbook, a sheet each, header row bold and frozen; rtl
// lays the sheets out right to left (Arabic). Rows are streamed, so a long violation list does
// not hold a cell object per value.
func WriteXLSX(w io.Writer, rtl bool, tables ...Table) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	first := ""
	for i, t := range tables {
		name := sheetName(t.Name, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
			first = name
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if rtl {
			if err := f.SetSheetView(name, 0, &excelize.ViewOptions{RightToLeft: &rtl}); err != nil {
				return err
			}
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		if len(t.Header) > 0 {
			if err := sw.SetColWidth(1, len(t.Header), 18); err != nil {
				return err
			}
		}
		header := make([]any, len(t.Header))
		for j, h := range t.Header {
			header[j] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		for r, row := range t.Rows {
			cells := make([]any, len(row))
			for j, v := range row {
				switch x := v.(type) {
				case nil, string, int, int64, float64, bool:
					cells[j] = x
				case time.Time:
					if x.IsZero() {
						cells[j] = nil
					} else if Text(x) == x.UTC().Format(time.DateOnly) {
						cells[j] = excelize.Cell{StyleID: dateStyle, Value: x.UTC()}
					} else {
						cells[j] = Text(x)
					}
				default:
					cells[j] = Text(x)
				}
			}
			cell, err := excelize.CoordinatesToCellName(1, r+2)
			if err != nil {
				return err
			}
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	if first != "" {
		idx, err := f.GetSheetIndex(first)
		if err != nil {
			return err
		}
		f.SetActiveSheet(idx)
	}
	_, err = f.WriteTo(w)
	return err
}

// Formats and their content types.
const (
	CSV         = "csv"
	XLSX        = "xlsx"
	ContentCSV  = "text/csv; charset=utf-8"
	ContentXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// ContentType is the media type of a format.
func ContentType(format string) string {
	if format == XLSX {
		return ContentXLSX
	}
	return ContentCSV
}

// Encode writes the tables in the format: XLSX, a sheet each (rtl: right to left); CSV, the
// first table (a CSV file has one).
func Encode(w io.Writer, format string, rtl bool, tables ...Table) error {
	switch {
	case len(tables) == 0:
		return fmt.Errorf("export: no table")
	case format == CSV:
		return WriteCSV(w, tables[0])
	case format == XLSX:
		return WriteXLSX(w, rtl, tables...)
	}
	return fmt.Errorf("export: unknown format %q", format)
}
