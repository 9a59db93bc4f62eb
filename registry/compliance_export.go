package registry

import (
	"context"
	"slices"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/models"
)

// Exports of the compliance figures (issue 11, item 5): the headline indicators and trends
// (CSV, XLSX), the printable monthly report (HTML → PDF) and the pseudonymised violation lists
// (CSV, XLSX). They need compliance.export on top of compliance.read, cover the reader's
// regions like the pages (complianceRegionFilter), and are audited: one "compliance.export"
// event naming what was exported, in which format and how many rows; a violation list also
// records each child it names in that child's access history, as the on-screen list does.
// The rows are the ones the pages show — pseudonymised, small cells suppressed for monitors —
// and the file formats are compliance/export's.

// Export kinds and formats.
const (
	ExportIndicators = "indicators"
	ExportViolations = "violations"
	ExportMonthly    = "monthly_report"
	FormatCSV        = "csv"
	FormatXLSX       = "xlsx"
	FormatPDF        = "pdf"
	FormatHTML       = "html"
)

// exportFormats are the formats each export comes in.
var exportFormats = map[string][]string{
	ExportIndicators: {FormatCSV, FormatXLSX},
	ExportViolations: {FormatCSV, FormatXLSX},
	ExportMonthly:    {FormatHTML, FormatPDF},
}

// ComplianceExportMaxRows bounds one violation export: a larger list is refused (narrow it
// by rule or region), never cut short silently. Each row names a child whose access history
// records the export.
const ComplianceExportMaxRows = 20000

func checkExport(what, format string) error {
	var verr models.ValidationError
	formats, ok := exportFormats[what]
	if !ok {
		verr.Add("export", "code_unknown", map[string]any{"Value": what})
	} else if !slices.Contains(formats, format) {
		verr.Add("format", "code_unknown", map[string]any{"Value": format})
	}
	return verr.Err()
}

// ComplianceExportReport is the dashboard's report for an indicators export or the monthly
// report (what: ExportIndicators or ExportMonthly), audited as an export of its rows (one per
// indicator).
func (r *Registry) ComplianceExportReport(ctx context.Context, a *models.Actor, f compliance.Filter, what, format string) (compliance.Report, error) {
	if err := require(a, models.PermComplianceExport); err != nil {
		return compliance.Report{}, err
	}
	if err := checkExport(what, format); err != nil {
		return compliance.Report{}, err
	}
	if what == ExportViolations {
		var verr models.ValidationError
		verr.Add("export", "code_unknown", map[string]any{"Value": what})
		return compliance.Report{}, verr.Err()
	}
	rep, err := r.ComplianceReport(ctx, a, f)
	if err != nil {
		return compliance.Report{}, err
	}
	return rep, r.auditExport(ctx, a, f, what, format, len(rep.Indicators))
}

// ComplianceExportViolations is every open violation in the reader's regions that matches the
// filter, pseudonymised, by id — refused when there are more than ComplianceExportMaxRows.
func (r *Registry) ComplianceExportViolations(ctx context.Context, a *models.Actor, f compliance.Filter, format string) ([]compliance.Violation, error) {
	out := []compliance.Violation{}
	if err := require(a, models.PermComplianceExport); err != nil {
		return out, err
	}
	if err := checkExport(ExportViolations, format); err != nil {
		return out, err
	}
	if err := checkComplianceFilter(f); err != nil {
		return out, err
	}
	if err := r.takeComplianceList(a); err != nil {
		return out, err
	}
	regions := complianceRegionFilter(a, f)
	if len(regions) > 0 {
		db := r.DB.WithContext(ctx)
		var total int64
		if err := r.complianceViolationQuery(db, regions, f).Count(&total).Error; err != nil {
			return out, err
		}
		limit := int64(ComplianceExportMaxRows)
		if r.ComplianceExportMax > 0 {
			limit = int64(r.ComplianceExportMax)
		}
		if total > limit {
			var verr models.ValidationError
			verr.Add("export", "export_too_large", map[string]any{"Count": total, "Max": limit})
			return out, verr.Err()
		}
		var rows []complianceViolationRow
		err := r.complianceViolationQuery(db, regions, f).Select("compliance_violations.*, rg.code AS region_code").
			Joins("JOIN regions rg ON rg.id = compliance_violations.region_id").
			Order("compliance_violations.id").Scan(&rows).Error
		if err != nil {
			return out, err
		}
		for _, x := range rows {
			v := x.violation()
			v.RegionCode = x.RegionCode
			out = append(out, v)
		}
	}
	if err := r.auditExport(ctx, a, f, ExportViolations, format, len(out)); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	if err := r.auditListed(ctx, a, "compliance.export", out); err != nil {
		return nil, err
	}
	return out, nil
}

// auditExport records the export itself: what, in which format, over which filter, how many
// rows.
func (r *Registry) auditExport(ctx context.Context, a *models.Actor, f compliance.Filter, what, format string, rows int) error {
	return r.auditRead(ctx, a, "compliance.export", "compliance", what, models.AuditChanges{
		"format": {After: format}, "rows": {After: rows}, "rule": {After: string(f.Rule)},
		"region_id": {After: f.RegionID}, "facility_id": {After: f.FacilityID}, "guardian_id": {After: f.GuardianID}}, "")
}
