package registry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// TestComplianceListsAreRateLimited: a list of children is a disclosure, so the violation
// lists, a violation's page and the list exports take from one per-user limit; over it they
// are refused (RateLimitedError, Lists) and record nothing in any child's history; another
// user keeps their own limit; without a limiter the registry fails closed.
func TestComplianceListsAreRateLimited(t *testing.T) {
	t.Parallel()
	s := newComplianceScenario(t)
	ctx := context.Background()
	if err := s.reg.RefreshCompliance(ctx); err != nil {
		t.Fatal(err)
	}
	s.reg.ComplianceLists = registry.NewCheckLimiter(registry.CheckLimit{Count: 1, Per: time.Hour, Burst: 2})
	page, err := s.reg.ComplianceViolations(ctx, s.monitor, compliance.Filter{}, compliance.Page{})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("first list: %d items, %v", len(page.Items), err)
	}
	if _, err := s.reg.ComplianceViolation(ctx, s.monitor, page.Items[0].ID); err != nil {
		t.Fatalf("a violation within the burst: %v", err)
	}
	count := func() int64 {
		t.Helper()
		var n int64
		if err := s.db.Model(&models.AuditEvent{}).Where("entity = 'child'").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	for name, call := range map[string]func() error{
		"list": func() error {
			_, err := s.reg.ComplianceViolations(ctx, s.monitor, compliance.Filter{}, compliance.Page{})
			return err
		},
		"violation": func() error { _, err := s.reg.ComplianceViolation(ctx, s.monitor, page.Items[0].ID); return err },
		"export": func() error {
			_, err := s.reg.ComplianceExportViolations(ctx, s.monitor, compliance.Filter{}, registry.FormatCSV)
			return err
		},
	} {
		var rl *registry.RateLimitedError
		if err := call(); !errors.As(err, &rl) || !rl.Lists || rl.RetryAfter <= 0 {
			t.Errorf("%s over the limit: %v, want a lists RateLimitedError", name, err)
		}
	}
	if after := count(); after != before {
		t.Errorf("refused lists wrote %d child history events", after-before)
	}
	// Another reader has a limit of their own.
	if _, err := s.reg.ComplianceViolations(ctx, s.po, compliance.Filter{}, compliance.Page{}); err != nil {
		t.Errorf("the officer's first list: %v", err)
	}
	s.reg.ComplianceLists = nil
	if _, err := s.reg.ComplianceViolations(ctx, s.po, compliance.Filter{}, compliance.Page{}); err == nil {
		t.Error("without a limiter a list was answered")
	}
}
