package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/compliance"
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
	rep, err := a.Registry.ComplianceReport(c.Request.Context(), auth.ActorFrom(c.Request.Context()), f)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (a *API) complianceStandards(c *gin.Context) {
	if _, ok := listQueryOf(c); !ok {
		return
	}
	std, th, err := a.Registry.ComplianceStandards(auth.ActorFrom(c.Request.Context()))
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": std, "thresholds": th})
}

func (a *API) complianceViolations(c *gin.Context) {
	f, q, ok := complianceFilterOf(c, "after", "limit")
	if !ok {
		return
	}
	page, err := a.Registry.ComplianceViolations(c.Request.Context(), auth.ActorFrom(c.Request.Context()), f,
		compliance.Page{After: q.After, Limit: q.Limit})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

func (a *API) complianceViolation(c *gin.Context) {
	id, ok := paramID(c, "vid")
	if !ok {
		return
	}
	if _, ok := listQueryOf(c); !ok {
		return
	}
	v, err := a.Registry.ComplianceViolation(c.Request.Context(), auth.ActorFrom(c.Request.Context()), id)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
