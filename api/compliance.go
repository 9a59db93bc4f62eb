package api

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Compliance monitoring (issue 11): the dashboard's figures, the standards with the
// thresholds in force, the pseudonymised violation lists and one violation's explanation.

var complianceFilterParams = []string{"rule", "region_id", "facility_id", "guardian_id"}

func complianceFilterOf(c *gin.Context, extra ...string) (compliance.Filter, listQuery, bool) {
	q, ok := listQueryOf(c, append(append([]string{}, complianceFilterParams...), extra...)...)
	if !ok {
		return compliance.Filter{}, q, false
	}
	f, err := registry.ParseComplianceFilter(c.Request.URL.Query())
	if err != nil {
		WriteError(c, err)
		return f, q, false
	}
	return f, q, true
}

func (a *API) complianceReport(c *gin.Context) {
	f, _, ok := complianceFilterOf(c)
	if !ok {
		return
	}
	read(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.ComplianceReport(ctx, act, f)
	})
}

func (a *API) complianceStandards(c *gin.Context) {
	readList(c, func(_ context.Context, act *models.Actor) (any, error) {
		std, th, err := a.Registry.ComplianceStandards(act)
		return gin.H{"items": std, "thresholds": th}, err
	})
}

func (a *API) complianceViolations(c *gin.Context) {
	f, q, ok := complianceFilterOf(c, "after", "limit")
	if !ok {
		return
	}
	read(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.ComplianceViolations(ctx, act, f, compliance.Page{After: q.After, Limit: q.Limit})
	})
}

func (a *API) complianceViolation(c *gin.Context) {
	id, ok := paramID(c, "vid")
	if !ok {
		return
	}
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return a.Registry.ComplianceViolation(ctx, act, id)
	})
}
