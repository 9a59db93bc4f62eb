package registry_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// TestComplianceExports: a monitor exports the hand-built scenario's violations and
// indicators; the rows are the on-screen list's, pseudonymised; the export is audited (what,
// format, rows) and each child named is in its access history; a protection officer (no
// compliance.export) is refused; a list over the cap is refused, not cut.
func TestComplianceExports(t *testing.T) {
	t.Parallel()
	s := newComplianceScenario(t)
	ctx := context.Background()
	if err := s.reg.RefreshCompliance(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := s.reg.ComplianceViolations(ctx, s.monitor, compliance.Filter{}, compliance.Page{Limit: registry.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := s.reg.ComplianceExportViolations(ctx, s.monitor, compliance.Filter{}, registry.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 || len(vs) != len(page.Items) {
		t.Fatalf("export has %d rows, the list %d", len(vs), len(page.Items))
	}
	for i := range vs {
		if vs[i].ID != page.Items[i].ID || vs[i].RegistrationNumber != page.Items[i].RegistrationNumber || vs[i].RegionCode != "CPA" {
			t.Errorf("row %d: %+v, want %+v", i, vs[i], page.Items[i])
		}
	}
	// The filter narrows the export as it narrows the list.
	s6, err := s.reg.ComplianceExportViolations(ctx, s.monitor, compliance.Filter{Rule: compliance.S6}, registry.FormatXLSX)
	if err != nil || len(s6) != 1 || s6[0].RegistrationNumber != "SC-3" {
		t.Fatalf("S6 export: %+v, %v", s6, err)
	}
	var events []models.AuditEvent
	if err := s.db.Where("action = 'compliance.export' AND entity = 'compliance'").Order("id").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].EntityID != registry.ExportViolations || events[0].Changes["format"].After != "csv" ||
		events[0].Changes["rows"].After != float64(len(vs)) || events[1].Changes["rule"].After != "S6" || events[1].Changes["rows"].After != float64(1) {
		t.Fatalf("export events: %+v", events)
	}
	named := map[string]bool{}
	for _, v := range vs {
		named[v.RegistrationNumber] = true
	}
	if len(named) < 3 {
		t.Fatalf("the scenario's violations name %d children", len(named))
	}
	for reg := range named {
		hist, err := models.AuditHistory(ctx, s.db, "child", strconv.FormatInt(s.ids[reg], 10), 100)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(hist, func(e models.AuditEvent) bool { return e.Action == "compliance.export" && e.ActorSubject == "monitor" }) {
			t.Errorf("%s: the export is not in the child's access history", reg)
		}
	}
	if hist, _ := models.AuditHistory(ctx, s.db, "child", strconv.FormatInt(s.ids["SC-8"], 10), 100); slices.ContainsFunc(hist,
		func(e models.AuditEvent) bool { return e.Action == "compliance.export" }) {
		t.Error("a child outside the monitor's regions is in the export's audit")
	}

	rep, err := s.reg.ComplianceExportReport(ctx, s.monitor, compliance.Filter{}, registry.ExportIndicators, registry.FormatXLSX)
	if err != nil || len(rep.Indicators) == 0 {
		t.Fatalf("indicators export: %d indicators, %v", len(rep.Indicators), err)
	}
	var n int64
	if err := s.db.Model(&models.AuditEvent{}).Where("action = 'compliance.export' AND entity_id = ? AND changes->'rows'->>'after' = ?",
		registry.ExportIndicators, strconv.Itoa(len(rep.Indicators))).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d audit events for the indicators export", n)
	}

	for name, c := range map[string]struct {
		run  func() error
		want error
		code string
	}{
		"protection officer, violations": {func() error {
			_, err := s.reg.ComplianceExportViolations(ctx, s.po, compliance.Filter{}, registry.FormatCSV)
			return err
		}, models.ErrForbidden, ""},
		"protection officer, report": {func() error {
			_, err := s.reg.ComplianceExportReport(ctx, s.po, compliance.Filter{}, registry.ExportMonthly, registry.FormatPDF)
			return err
		}, models.ErrForbidden, ""},
		"anonymous": {func() error {
			_, err := s.reg.ComplianceExportViolations(ctx, nil, compliance.Filter{}, registry.FormatCSV)
			return err
		}, models.ErrUnauthenticated, ""},
		"unknown format": {func() error {
			_, err := s.reg.ComplianceExportViolations(ctx, s.monitor, compliance.Filter{}, "pdf")
			return err
		}, nil, "code_unknown"},
		"unknown rule": {func() error {
			_, err := s.reg.ComplianceExportViolations(ctx, s.monitor, compliance.Filter{Rule: "S99"}, registry.FormatCSV)
			return err
		}, nil, "code_unknown"},
		"too many rows": {func() error {
			capped := *s.reg
			capped.ComplianceExportMax = 2
			_, err := capped.ComplianceExportViolations(ctx, s.monitor, compliance.Filter{}, registry.FormatCSV)
			return err
		}, nil, "export_too_large"},
	} {
		t.Run(name, func(t *testing.T) {
			var before int64
			if err := s.db.Model(&models.AuditEvent{}).Where("action = 'compliance.export'").Count(&before).Error; err != nil {
				t.Fatal(err)
			}
			err := c.run()
			var verr *models.ValidationError
			switch {
			case c.want != nil && !errors.Is(err, c.want):
				t.Fatalf("err %v, want %v", err, c.want)
			case c.code != "" && (!errors.As(err, &verr) || verr.Fields[0].Code != c.code):
				t.Fatalf("err %v, want %s", err, c.code)
			}
			var after int64
			if err := s.db.Model(&models.AuditEvent{}).Where("action = 'compliance.export'").Count(&after).Error; err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Errorf("a refused export wrote %d audit events", after-before)
			}
		})
	}
	// Another region's monitor exports nothing of region A.
	other, err := s.reg.ComplianceExportViolations(ctx, s.otherMonitor, compliance.Filter{}, registry.FormatCSV)
	if err != nil || slices.ContainsFunc(other, func(v compliance.Violation) bool { return v.RegionCode == "CPA" }) {
		t.Fatalf("other monitor: %+v, %v", other, err)
	}
}
