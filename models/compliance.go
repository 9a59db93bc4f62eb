package models

// Compliance monitoring (issue 11): the dashboard, its violation lists and their exports
// (auth/roles.go complianceGrants).
const (
	PermComplianceRead   Permission = "compliance.read"   // the dashboard and pseudonymised violation lists (scoped)
	PermComplianceExport Permission = "compliance.export" // CSV/XLSX/PDF exports of the above
)
