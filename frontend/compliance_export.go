package frontend

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/compliance/export"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Compliance exports (issue 11, item 5): the indicators and a violation list as CSV or XLSX,
// and the printable monthly report, as HTML or printed to PDF by Chromium like the rights
// sheet. The use cases (registry/compliance_export.go) check compliance.export, scope and
// audit; these handlers only parse the filter, localise and encode.

func (f *Frontend) complianceExportRoutes(r gin.IRouter) {
	r.GET("/compliance/export/indicators.csv", f.complianceIndicatorsExport(registry.FormatCSV))
	r.GET("/compliance/export/indicators.xlsx", f.complianceIndicatorsExport(registry.FormatXLSX))
	r.GET("/compliance/export/violations.csv", f.complianceViolationsExport(registry.FormatCSV))
	r.GET("/compliance/export/violations.xlsx", f.complianceViolationsExport(registry.FormatXLSX))
	r.GET("/compliance/report/monthly", f.complianceMonthly)
	r.GET("/compliance/report/monthly.pdf", f.complianceMonthlyPDF)
}

// exportFilter reads the filter of an export as the dashboard does (registry.
// ParseComplianceFilter: ?rule=, ?region_id=, ?facility_id=, ?guardian_id=) and, for the
// monthly report, ?month=; an unknown or repeated parameter is a 400: an export must not
// silently cover more than was asked.
func (f *Frontend) exportFilter(c *gin.Context, month bool) (compliance.Filter, string, bool) {
	q := c.Request.URL.Query()
	var problems []models.FieldError
	for k, vs := range q {
		switch {
		case k == "lang":
		case !slices.Contains([]string{"rule", "region_id", "facility_id", "guardian_id"}, k) && !(month && k == "month"):
			problems = append(problems, models.FieldError{Field: k, Code: "query_unknown"})
		case len(vs) != 1:
			problems = append(problems, models.FieldError{Field: k, Code: "query_repeated"})
		}
	}
	filter, err := registry.ParseComplianceFilter(q)
	var verr *models.ValidationError
	if errors.As(err, &verr) {
		problems = append(problems, verr.Fields...)
	}
	if len(problems) > 0 {
		f.renderBadRequest(c, problems...)
		return filter, "", false
	}
	return filter, q.Get("month"), true
}

// exportFile answers an export as a download named name.format.
func (f *Frontend) exportFile(c *gin.Context, name, format string, tables ...export.Table) {
	var buf bytes.Buffer
	if err := export.Encode(&buf, format, i18n.FromContext(c.Request.Context()).Language.RTL, tables...); err != nil {
		f.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	c.Data(http.StatusOK, export.ContentType(format), buf.Bytes())
}

// exportRefused answers a refused export: a validation error (too many rows) as 400 with its
// message, anything else as the pages do.
func (f *Frontend) exportRefused(c *gin.Context, err error) {
	var verr *models.ValidationError
	if errors.As(err, &verr) {
		f.renderBadRequest(c, verr.Fields...)
		return
	}
	f.fail(c, err)
}

func (f *Frontend) complianceIndicatorsExport(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		filter, _, ok := f.exportFilter(c, false)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		rep, err := f.Registry.ComplianceExportReport(ctx, auth.ActorFrom(ctx), filter, registry.ExportIndicators, format)
		if err != nil {
			f.exportRefused(c, err)
			return
		}
		f.exportFile(c, export.IndicatorsFileName(rep), format, export.ReportTables(rep, i18n.FromContext(ctx))...)
	}
}

func (f *Frontend) complianceViolationsExport(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		filter, _, ok := f.exportFilter(c, false)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		vs, err := f.Registry.ComplianceExportViolations(ctx, auth.ActorFrom(ctx), filter, format)
		if err != nil {
			f.exportRefused(c, err)
			return
		}
		f.exportFile(c, export.ViolationsFileName(filter), format, export.ViolationsTable(vs, i18n.FromContext(ctx)))
	}
}

// monthlyReport is the printable monthly report: a document of its own (no site layout), the
// same HTML shown for printing and printed to PDF, in the reader's language.
type monthlyReport struct {
	Lang   i18n.Language
	PDF    bool
	CSS    template.CSS
	CSSURL string
	Month  string
	Months []string
	// Query is the filter's query string (without the month), for the links.
	Query      string
	Report     compliance.Report
	Rows       []monthlyRow
	TrendHead  []string
	Standards  []monthlyStandard
	Regions    []compliance.Breakdown
	Codes      []compliance.Code
	Suppressed bool
	loc        *i18n.Localizer
}

// monthlyRow is one indicator: its figures in the month, the month before, over the 12
// months (with the status), and each month of the trend.
type monthlyRow struct {
	Name, Rule, RuleTitle string
	This, Previous, All   string
	Status                compliance.Status
	Trend                 []string
}

type monthlyStandard struct {
	Code, Title, Source, Threshold string
}

// T translates a message in the reader's language.
func (p monthlyReport) T(id string, kv ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return p.loc.T(id, data)
}

// LTR isolates a left-to-right value (a month, a date) inside a sentence of either direction.
func (p monthlyReport) LTR(s string) string { return "\u2066" + s + "\u2069" }

// StatusText is a traffic light as text (colour is never the only sign).
func (p monthlyReport) StatusText(s compliance.Status) string { return p.loc.T(export.StatusID(s)) }

// Cell is a breakdown's count of a rule, "<5" when suppressed.
func (p monthlyReport) Cell(b compliance.Breakdown, c compliance.Code) string {
	for _, s := range b.Suppressed {
		if s == c {
			return export.Suppressed
		}
	}
	return strconv.Itoa(b.Counts[c])
}

var (
	monthlyTemplate = template.Must(template.ParseFS(files, "templates/compliance/monthly.html"))
	monthlyCSS      = func() string {
		b, err := files.ReadFile("static/compliance-report.css")
		if err != nil {
			panic(err)
		}
		return string(b)
	}()
)

// formatFigure shows a figure as the dashboard does (Page.ComplianceValue): "<5" when
// suppressed, per cent, working days or minutes, a count.
func formatFigure(loc *i18n.Localizer, kind compliance.IndicatorKind, rule compliance.Code, value float64, den int, suppressed bool) string {
	return Page{loc: loc}.ComplianceValue(kind, rule, value, den, suppressed)
}

// renderMonthly builds the report for ?month= (one of the 12 months of the figures; default:
// the last complete month).
func (f *Frontend) renderMonthly(c *gin.Context, forPDF bool) ([]byte, string, bool) {
	filter, month, ok := f.exportFilter(c, true)
	if !ok {
		return nil, "", false
	}
	ctx := c.Request.Context()
	format := registry.FormatHTML
	if forPDF {
		format = registry.FormatPDF
	}
	rep, err := f.Registry.ComplianceExportReport(ctx, auth.ActorFrom(ctx), filter, registry.ExportMonthly, format)
	if err != nil {
		f.exportRefused(c, err)
		return nil, "", false
	}
	loc := i18n.FromContext(ctx)
	p := monthlyReport{Lang: loc.Language, PDF: forPDF, Report: rep, Regions: rep.ByRegion, loc: loc}
	for _, m := range compliance.Months(rep.ComputedAt) {
		p.Months = append(p.Months, m.Format("2006-01"))
	}
	// By default the last complete month (the current one is still running).
	p.Month = p.Months[len(p.Months)-2]
	if month != "" {
		found := false
		for _, m := range p.Months {
			found = found || m == month
		}
		if !found {
			f.renderBadRequest(c, models.FieldError{Field: "month", Code: "code_unknown", Data: map[string]any{"Value": month}})
			return nil, "", false
		}
		p.Month = month
	}
	q := url.Values{}
	if filter.Rule != "" {
		q.Set("rule", string(filter.Rule))
	}
	for k, v := range map[string]int64{"region_id": filter.RegionID, "facility_id": filter.FacilityID, "guardian_id": filter.GuardianID} {
		if v != 0 {
			q.Set(k, strconv.FormatInt(v, 10))
		}
	}
	p.Query = q.Encode()
	trends := map[string]compliance.Trend{}
	for _, t := range rep.Trends {
		trends[t.Key] = t
	}
	for _, m := range p.Months {
		if m <= p.Month {
			p.TrendHead = append(p.TrendHead, m)
		}
	}
	for _, in := range rep.Indicators {
		def, _ := compliance.IndicatorOf(in.Key)
		row := monthlyRow{Name: loc.T(export.IndicatorID(in.Key)), Rule: string(in.Rule), RuleTitle: loc.T(export.RuleTitleID(in.Rule)),
			All: formatFigure(loc, in.Kind, in.Rule, in.Value, in.Denominator, in.Suppressed), Status: in.Status}
		p.Suppressed = p.Suppressed || in.Suppressed
		var prev string
		for _, pt := range trends[in.Key].Points {
			if pt.Month > p.Month {
				break
			}
			s := formatFigure(loc, def.Kind, def.Rule, pt.Value, pt.Denominator, pt.Suppressed)
			p.Suppressed = p.Suppressed || pt.Suppressed
			row.Trend = append(row.Trend, s)
			row.Previous, row.This = prev, s
			prev = s
		}
		p.Rows = append(p.Rows, row)
	}
	rules := compliance.NewRules(rep.Thresholds, nil)
	for _, s := range compliance.Standards {
		p.Codes = append(p.Codes, s.Code)
		ms := monthlyStandard{Code: string(s.Code), Title: loc.T(export.RuleTitleID(s.Code)), Source: s.Source,
			Threshold: loc.T("compliance_report.not_measured")}
		switch {
		case s.Measured && s.Unit == compliance.UnitNone:
			ms.Threshold = loc.T("compliance.zero_tolerance")
		case s.Measured:
			ms.Threshold = loc.T("compliance.unit."+string(s.Unit), map[string]any{"Value": rules.Threshold(s.Code)})
		}
		p.Standards = append(p.Standards, ms)
	}
	if forPDF {
		p.CSS = template.CSS(monthlyCSS)
	} else {
		p.CSSURL = f.AssetURL("compliance-report.css")
	}
	var buf bytes.Buffer
	if err := monthlyTemplate.ExecuteTemplate(&buf, "monthly", p); err != nil {
		f.fail(c, err)
		return nil, "", false
	}
	return buf.Bytes(), p.Month, true
}

func (f *Frontend) complianceMonthly(c *gin.Context) {
	body, _, ok := f.renderMonthly(c, false)
	if !ok {
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", body)
}

// complianceMonthlyPDF prints the report through Chromium (printPDF).
func (f *Frontend) complianceMonthlyPDF(c *gin.Context) {
	body, month, ok := f.renderMonthly(c, true)
	if !ok {
		return
	}
	f.printPDF(c, body, pdfDoc{what: "compliance report", msg: "compliance_report",
		printable: "/compliance/report/monthly?" + c.Request.URL.RawQuery, filename: "compliance-report-" + month + ".pdf"})
}
