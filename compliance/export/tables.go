package export

import (
	"strings"
	"time"

	"github.com/kujdes/kujdes/compliance"
)

// Labels translates a message into the reader's language (i18n.Localizer does).
type Labels interface {
	T(id string, data ...map[string]any) string
}

// The message ids of the compliance catalogue that the exports and the monthly report show,
// named in one place: the standards' titles, the indicators, what resolves a violation, the
// units and the statuses.

// RuleTitleID is the message id of a standard's title.
func RuleTitleID(c compliance.Code) string { return "compliance.rule." + string(c) }

// IndicatorID is the message id of an indicator's name.
func IndicatorID(key string) string { return "compliance.indicator." + key }

// ResolveID is the message id of what resolves a violation.
func ResolveID(key string) string { return "compliance.resolve." + key }

// UnitID is the message id of a threshold's unit as a bare noun (a spreadsheet column; the
// pages say "24 hours" with compliance.unit.*).
func UnitID(u compliance.Unit) string { return "compliance_export.unit." + string(u) }

// StatusID is the message id of a traffic light, as text.
func StatusID(s compliance.Status) string { return "compliance.status." + string(s) }

// Suppressed is how a suppressed figure reads in an export, as on the pages.
const Suppressed = "<5"

// IndicatorsTable is the dashboard's headline indicators (value, numerator, denominator,
// threshold, status), then each indicator's monthly trend, oldest month first.
func IndicatorsTable(rep compliance.Report, l Labels) Table {
	t := Table{Name: l.T("compliance_export.sheet.indicators"), Header: []string{
		l.T("compliance_export.col.indicator"), l.T("compliance_export.col.rule"), l.T("compliance_export.col.rule_title"),
		l.T("compliance_export.col.period"), l.T("compliance_export.col.value"), l.T("compliance_export.col.numerator"),
		l.T("compliance_export.col.denominator"), l.T("compliance_export.col.threshold"), l.T("compliance_export.col.status"),
	}}
	trends := map[string]compliance.Trend{}
	for _, tr := range rep.Trends {
		trends[tr.Key] = tr
	}
	for _, in := range rep.Indicators {
		name, title := l.T(IndicatorID(in.Key)), l.T(RuleTitleID(in.Rule))
		t.Rows = append(t.Rows, append([]any{name, string(in.Rule), title, l.T("compliance_export.period.twelve_months")},
			figure(in.Kind, in.Value, in.Numerator, in.Denominator, in.Suppressed, in.Threshold, l.T(StatusID(in.Status)))...))
		for _, p := range trends[in.Key].Points {
			t.Rows = append(t.Rows, append([]any{name, string(in.Rule), title, p.Month},
				figure(in.Kind, p.Value, p.Numerator, p.Denominator, p.Suppressed, in.Threshold, "")...))
		}
	}
	return t
}

// figure is the value, numerator, denominator, threshold and status cells of one figure; a
// suppressed figure reads "<5" and has no numbers.
func figure(kind compliance.IndicatorKind, value float64, num, den int, suppressed bool, threshold float64, status string) []any {
	if suppressed {
		return []any{Suppressed, Suppressed, Suppressed, threshold, status}
	}
	if kind == compliance.KindShare {
		value = float64(int(value*1000+0.5)) / 1000
	}
	return []any{value, num, den, threshold, status}
}

// BreakdownTable is the open violations per rule for each region (or facility, guardian).
func BreakdownTable(name string, rows []compliance.Breakdown, l Labels) Table {
	t := Table{Name: name, Header: []string{l.T("compliance_export.col.label"), l.T("compliance_export.col.children")}}
	for _, s := range compliance.Standards {
		t.Header = append(t.Header, string(s.Code))
	}
	for _, b := range rows {
		row := []any{b.Label, count(b.Children, b.Children == 0 && len(b.Suppressed) > 0)}
		for _, s := range compliance.Standards {
			n, ok := b.Counts[s.Code]
			switch {
			case contains(b.Suppressed, s.Code):
				row = append(row, Suppressed)
			case ok:
				row = append(row, n)
			default:
				row = append(row, 0)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func count(n int, suppressed bool) any {
	if suppressed {
		return Suppressed
	}
	return n
}

func contains(xs []compliance.Code, c compliance.Code) bool {
	for _, x := range xs {
		if x == c {
			return true
		}
	}
	return false
}

// ViolationsTable is a pseudonymised violation list: the violation, the rule and what would
// resolve it, and of the child only the registration number, age band, nationalities and
// region — never a name, an address or the record's id.
func ViolationsTable(vs []compliance.Violation, l Labels) Table {
	t := Table{Name: l.T("compliance_export.sheet.violations"), Header: []string{
		l.T("compliance_export.col.violation"), l.T("compliance_export.col.rule"), l.T("compliance_export.col.rule_title"),
		l.T("compliance_export.col.registration_number"), l.T("compliance_export.col.age_band"),
		l.T("compliance_export.col.nationalities"), l.T("compliance_export.col.region"),
		l.T("compliance_export.col.facility"), l.T("compliance_export.col.guardian"),
		l.T("compliance_export.col.since"), l.T("compliance_export.col.due"), l.T("compliance_export.col.days"),
		l.T("compliance_export.col.threshold"), l.T("compliance_export.col.unit"), l.T("compliance_export.col.resolve"),
		l.T("compliance_export.col.computed_at"),
	}}
	for _, v := range vs {
		var facility, guardian any
		if v.FacilityID != nil {
			facility = *v.FacilityID
		}
		if v.GuardianID != nil {
			guardian = *v.GuardianID
		}
		resolve := ""
		if v.Resolve != "" {
			resolve = l.T(ResolveID(v.Resolve))
		}
		t.Rows = append(t.Rows, []any{v.ID, string(v.Rule), l.T(RuleTitleID(v.Rule)), v.RegistrationNumber, v.AgeBand,
			strings.Join(v.Nationalities, " "), v.RegionCode, facility, guardian, timeCell(v.Since), timeCell(v.Due), v.Days,
			v.Threshold, l.T(UnitID(v.Unit)), resolve, timeCell(v.ComputedAt)})
	}
	return t
}

func timeCell(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// ReportTables are the tables of an indicators export: the indicators with their trends, then
// the open violations by region.
func ReportTables(rep compliance.Report, l Labels) []Table {
	return []Table{IndicatorsTable(rep, l), BreakdownTable(l.T("compliance_export.sheet.by_region"), rep.ByRegion, l)}
}

// IndicatorsFileName is the download's name (without extension) for an indicators export.
func IndicatorsFileName(rep compliance.Report) string {
	return "compliance-indicators-" + rep.ComputedAt.UTC().Format("2006-01-02")
}

// ViolationsFileName is the download's name (without extension) for a violation list.
func ViolationsFileName(f compliance.Filter) string {
	if f.Rule != "" {
		return "compliance-violations-" + strings.ToLower(string(f.Rule))
	}
	return "compliance-violations"
}
