package models

// Compliance monitoring (issue 11): the dashboard, its violation lists, their exports and the
// thresholds in force (auth/roles.go complianceGrants).
const (
	PermComplianceRead   Permission = "compliance.read"   // the dashboard and pseudonymised violation lists (scoped)
	PermComplianceExport Permission = "compliance.export" // CSV/XLSX/PDF exports of the above
	PermComplianceAdmin  Permission = "compliance.admin"  // override the rules' thresholds (audited)
)
