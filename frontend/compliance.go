package frontend

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/go-analyze/charts"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Compliance monitoring (issue 11): the dashboard (headline indicators with their traffic
// lights in words, 12-month trend charts drawn server-side by go-analyze/charts, each with
// its table, and breakdowns), a rule's pseudonymised violation list and one violation's
// explanation. Figures and scope are the use cases' (registry/compliance.go).

func (f *Frontend) complianceRoutes(r gin.IRouter) {
	r.GET("/compliance", f.complianceDashboard)
	r.GET("/compliance/:rule", f.complianceViolations)
	r.GET("/compliance/:rule/:vid", f.complianceViolation)
}

// indicatorView is a headline indicator ready to show: its value as text ("<5" when
// suppressed), its trend chart and the chart's table.
type indicatorView struct {
	compliance.Indicator
	Chart template.URL
	Trend compliance.Trend
}

type complianceDashboardPage struct {
	Report     compliance.Report
	Indicators []indicatorView
	Rules      []compliance.Standard
	Breakdowns []breakdownView
}

// breakdownView is one breakdown table: open violations per rule by region, facility or
// guardian; each row links to the dashboard filtered by it (Param).
type breakdownView struct {
	ID, Title, Param string
	Rows             []compliance.Breakdown
}

// BreakdownCell is a breakdown's count for a rule: "<5" when suppressed, "0" when none.
func (p Page) BreakdownCell(b compliance.Breakdown, code compliance.Code) string {
	if slices.Contains(b.Suppressed, code) {
		return p.T("compliance.suppressed")
	}
	return strconv.Itoa(b.Counts[code])
}

// ComplianceValue writes an indicator's value in the reader's language ("<5" when
// suppressed).
func (p Page) ComplianceValue(kind compliance.IndicatorKind, rule compliance.Code, value float64, den int, suppressed bool) string {
	switch {
	case suppressed:
		return p.T("compliance.suppressed")
	case den == 0 && kind != compliance.KindCount:
		return p.T("compliance.no_data")
	case kind == compliance.KindShare:
		return p.T("compliance.value_share", "Percent", fmt.Sprintf("%.0f", value*100))
	case kind == compliance.KindMedian && rule == compliance.S9:
		return p.T("compliance.value_minutes", "Value", fmt.Sprintf("%.0f", value))
	case kind == compliance.KindMedian:
		return p.T("compliance.value_workdays", "Value", fmt.Sprintf("%.1f", value))
	}
	return strconv.Itoa(int(value))
}

// trendChart draws an indicator's 12 months as an SVG line chart (a data: URL for an img,
// which the page's Content-Security-Policy allows); suppressed months are gaps.
func trendChart(tr compliance.Trend) (template.URL, error) {
	if len(tr.Points) == 0 {
		return "", nil
	}
	vals := make([]float64, len(tr.Points))
	labels := make([]string, len(tr.Points))
	for i, pt := range tr.Points {
		labels[i] = pt.Month[2:] // "26-03": fits 12 labels at phone width
		switch {
		case pt.Suppressed || (pt.Denominator == 0 && tr.Kind != compliance.KindCount):
			vals[i] = charts.GetNullValue()
		case tr.Kind == compliance.KindShare:
			vals[i] = pt.Value * 100
		default:
			vals[i] = pt.Value
		}
	}
	p, err := charts.LineRender([][]float64{vals}, charts.SVGOutputOptionFunc(), charts.DimensionsOptionFunc(640, 240),
		charts.XAxisLabelsOptionFunc(labels), func(opt *charts.ChartOption) {
			opt.ValueFormatter = func(f float64) string { return fmt.Sprintf("%.0f", f) }
			opt.Symbol.Shape = charts.SymbolCircle
		})
	if err != nil {
		return "", err
	}
	buf, err := p.Bytes()
	if err != nil {
		return "", err
	}
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(buf)), nil
}

func (f *Frontend) complianceDashboard(c *gin.Context) {
	ctx := c.Request.Context()
	filter, err := registry.ParseComplianceFilter(c.Request.URL.Query())
	if err != nil {
		f.RenderError(c, http.StatusBadRequest)
		return
	}
	rep, err := f.Registry.ComplianceReport(ctx, auth.ActorFrom(ctx), filter)
	if err != nil {
		f.fail(c, err)
		return
	}
	out := complianceDashboardPage{Report: rep, Breakdowns: []breakdownView{
		{ID: "by-region", Title: "compliance.by_region", Param: "region_id", Rows: rep.ByRegion},
		{ID: "by-facility", Title: "compliance.by_facility", Param: "facility_id", Rows: rep.ByFacility},
		{ID: "by-guardian", Title: "compliance.by_guardian", Param: "guardian_id", Rows: rep.ByGuardian},
	}}
	for _, s := range compliance.Standards {
		if s.Measured {
			out.Rules = append(out.Rules, s)
		}
	}
	trends := map[string]compliance.Trend{}
	for _, tr := range rep.Trends {
		trends[tr.Key] = tr
	}
	for _, in := range rep.Indicators {
		v := indicatorView{Indicator: in, Trend: trends[in.Key]}
		if v.Chart, err = trendChart(v.Trend); err != nil {
			f.fail(c, err)
			return
		}
		out.Indicators = append(out.Indicators, v)
	}
	f.r.render(c, http.StatusOK, "compliance", "compliance.title", out)
}

type complianceListPage struct {
	Rule compliance.Standard
	Page compliance.ViolationPage
}

// complianceRule reads the :rule parameter; an unknown rule is simply not found.
func complianceRule(c *gin.Context) (compliance.Standard, bool) {
	code, ok := compliance.ParseCode(c.Param("rule"))
	if !ok {
		return compliance.Standard{}, false
	}
	return compliance.StandardOf(code)
}

func (f *Frontend) complianceViolations(c *gin.Context) {
	ctx := c.Request.Context()
	std, ok := complianceRule(c)
	if !ok {
		f.fail(c, models.ErrNotFound)
		return
	}
	filter, err := registry.ParseComplianceFilter(c.Request.URL.Query())
	if err != nil {
		f.RenderError(c, http.StatusBadRequest)
		return
	}
	filter.Rule = std.Code
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	page, err := f.Registry.ComplianceViolations(ctx, auth.ActorFrom(ctx), filter, compliance.Page{After: after})
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "compliance_violations", "compliance.list_title", complianceListPage{Rule: std, Page: page})
}

type complianceViolationPage struct {
	V compliance.ViolationDetail
	// InScope: the reader sees the child's record directly (a protection officer of the
	// region); otherwise only through break-glass.
	InScope bool
}

func (f *Frontend) complianceViolation(c *gin.Context) {
	ctx := c.Request.Context()
	std, ok := complianceRule(c)
	id, err := strconv.ParseInt(c.Param("vid"), 10, 64)
	if !ok || err != nil || id <= 0 {
		f.fail(c, models.ErrNotFound)
		return
	}
	a := auth.ActorFrom(ctx)
	v, err := f.Registry.ComplianceViolation(ctx, a, id)
	if err == nil && v.Rule != std.Code {
		err = models.ErrNotFound
	}
	if err != nil {
		f.fail(c, err)
		return
	}
	f.r.render(c, http.StatusOK, "compliance_violation", "compliance.violation_title",
		complianceViolationPage{V: v, InScope: a.Can(models.PermChildList)})
}
