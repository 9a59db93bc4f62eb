package api

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/compliance/export"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/registry"
)

// Compliance exports (issue 11, item 5): the indicators and a violation list as CSV or XLSX,
// with the dashboard's filter. The use cases check compliance.export, scope, pseudonymise and
// audit (registry/compliance_export.go); headers and texts are in the reader's language.

func (a *API) complianceExportRoutes(v1 gin.IRouter) {
	v1.GET("/compliance/exports/indicators.csv", a.complianceIndicatorsExport(export.CSV))
	v1.GET("/compliance/exports/indicators.xlsx", a.complianceIndicatorsExport(export.XLSX))
	v1.GET("/compliance/exports/violations.csv", a.complianceViolationsExport(export.CSV))
	v1.GET("/compliance/exports/violations.xlsx", a.complianceViolationsExport(export.XLSX))
}

func exportFile(c *gin.Context, name, format string, tables ...export.Table) {
	var buf bytes.Buffer
	loc := i18n.FromContext(c.Request.Context())
	if err := export.Encode(&buf, format, loc != nil && loc.Language.RTL, tables...); err != nil {
		WriteError(c, err)
		return
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	c.Data(http.StatusOK, export.ContentType(format), buf.Bytes())
}

func (a *API) complianceIndicatorsExport(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		f, _, ok := complianceFilterOf(c)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		rep, err := a.Registry.ComplianceExportReport(ctx, auth.ActorFrom(ctx), f, registry.ExportIndicators, format)
		if err != nil {
			WriteError(c, err)
			return
		}
		exportFile(c, export.IndicatorsFileName(rep), format, export.ReportTables(rep, i18n.FromContext(ctx))...)
	}
}

func (a *API) complianceViolationsExport(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		f, _, ok := complianceFilterOf(c)
		if !ok {
			return
		}
		ctx := c.Request.Context()
		vs, err := a.Registry.ComplianceExportViolations(ctx, auth.ActorFrom(ctx), f, format)
		if err != nil {
			WriteError(c, err)
			return
		}
		exportFile(c, export.ViolationsFileName(f), format, export.ViolationsTable(vs, i18n.FromContext(ctx)))
	}
}
