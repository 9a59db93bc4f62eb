package auth

import "github.com/kujdes/kujdes/models"

// Every route declares the permission it needs here, in one table, so a reviewer sees every
// door of Kujdes in one place. Roles grant permissions in roles.go.

// Permission aliases models.Permission for brevity in the table.
type Permission = models.Permission

const (
	// Public routes need no sign-in.
	Public = models.PermPublic
	// SignedIn routes need any signed-in user, even one without a role.
	SignedIn = models.PermSignedIn
)

// Route is a method and a Gin route template ("/api/v1/children/:id").
type Route struct {
	Method string
	Path   string
}

// policy is the table. A route missing here is denied to everyone, and a test fails.
var policy = map[Route]Permission{
	// Pages: public.
	{"GET", "/"}:              Public,
	{"GET", "/static/*file"}:  Public,
	{"GET", "/favicon.ico"}:   Public,
	{"GET", "/login"}:         Public,
	{"GET", "/auth/callback"}: Public,

	// Offline registration (issue 13): the service worker, the web app manifest, the outbox key.
	{"GET", "/sw.js"}:                Public,
	{"GET", "/manifest.webmanifest"}: Public,
	{"GET", "/api/v1/me/outbox-key"}: models.PermChildRegister,

	// Pages: signed in.
	{"POST", "/logout"}: SignedIn,
	{"GET", "/me"}:      SignedIn,
	// Pages: children.
	{"GET", "/children"}:                           models.PermChildList,
	{"GET", "/children/:id"}:                       models.PermChildRead,
	{"POST", "/children/:id"}:                      models.PermChildUpdate,
	{"GET", "/children/:id/history"}:               models.PermChildHistory,
	{"GET", "/register"}:                           models.PermChildRegister,
	{"POST", "/register"}:                          models.PermChildRegister,
	{"GET", "/register/done"}:                      models.PermChildRegister,
	{"GET", "/children/needs-action"}:              models.PermChildList,
	{"POST", "/children/search"}:                   models.PermChildList,
	{"POST", "/children/:id/arrivals"}:             models.PermChildRegister,
	{"POST", "/children/:id/merge"}:                models.PermChildMerge,
	{"POST", "/children/:id/unmerge"}:              models.PermChildMerge,
	{"POST", "/children/:id/transitions"}:          models.PermChildTransition,
	{"POST", "/children/:id/age-assessments"}:      models.PermChildAgeAssess,
	{"POST", "/children/:id/age-assessments/:aid"}: models.PermChildAgeAssess,
	{"GET", "/break-glass"}:                        models.PermChildBreakGlass,
	{"POST", "/break-glass"}:                       models.PermChildBreakGlass,

	// Pages: facilities and placements (issue 9).
	{"GET", "/facilities"}:                           models.PermFacilityRead,
	{"POST", "/facilities"}:                          models.PermFacilityManage,
	{"GET", "/facilities/:id"}:                       models.PermFacilityRead,
	{"POST", "/facilities/:id"}:                      models.PermFacilityManage,
	{"POST", "/facilities/:id/inspections"}:          models.PermFacilityInspect,
	{"POST", "/children/:id/placements"}:             models.PermPlacementRecord,
	{"POST", "/children/:id/placements/:pid/checks"}: models.PermPlacementRecord,

	// Case lifecycle and information on rights (issue 10): pages and JSON API.
	{"POST", "/children/:id/reunify"}:                   models.PermChildTransition,
	{"POST", "/children/:id/transfer"}:                  models.PermChildTransition,
	{"POST", "/children/:id/transition-plans"}:          models.PermChildTransitionPlan,
	{"POST", "/children/:id/rights-information"}:        models.PermChildRights,
	{"GET", "/children/:id/rights-sheet"}:               models.PermChildRights,
	{"GET", "/children/:id/rights-sheet.pdf"}:           models.PermChildRights,
	{"GET", "/api/v1/children/:id/lifecycle"}:           models.PermChildRead,
	{"POST", "/api/v1/children/:id/reunify"}:            models.PermChildTransition,
	{"POST", "/api/v1/children/:id/transfer"}:           models.PermChildTransition,
	{"POST", "/api/v1/children/:id/transition-plans"}:   models.PermChildTransitionPlan,
	{"POST", "/api/v1/children/:id/rights-information"}: models.PermChildRights,

	// Pages: administration.
	{"GET", "/admin/users"}:         models.PermAdminUsers,
	{"GET", "/admin/users/:id"}:     models.PermAdminUsers,
	{"POST", "/admin/users/:id"}:    models.PermAdminUsers,
	{"GET", "/admin/reference"}:     models.PermAdminReference,
	{"POST", "/admin/regions"}:      models.PermAdminReference,
	{"POST", "/admin/border-posts"}: models.PermAdminReference,
	{"GET", "/admin/break-glass"}:   models.PermAdminBreakGlass,

	// Pages: access grants waiting for a second administrator (separation of duties).
	{"POST", "/admin/grants/:id/approve"}: models.PermAdminUsers,
	{"POST", "/admin/grants/:id/refuse"}:  models.PermAdminUsers,

	// Operations.
	{"GET", "/livez"}:   Public,
	{"GET", "/readyz"}:  Public,
	{"GET", "/metrics"}: Public, // loopback or KUJDES_METRICS_TOKEN only; see server/health.go

	// Development identity provider (registered only with KUJDES_DEV_IDP, loopback only).
	{"GET", "/dev-idp/*path"}:       Public,
	{"POST", "/dev-idp/*path"}:      Public,
	{"GET", "/dev/token/:username"}: Public,

	// JSON API.
	{"GET", "/api/v1/openapi.json"}:                        Public,
	{"GET", "/api/v1/me"}:                                  SignedIn,
	{"GET", "/api/v1/children"}:                            models.PermChildList,
	{"GET", "/api/v1/children/:id"}:                        models.PermChildRead,
	{"PATCH", "/api/v1/children/:id"}:                      models.PermChildUpdate,
	{"GET", "/api/v1/children/:id/access-history"}:         models.PermChildHistory,
	{"POST", "/api/v1/registrations"}:                      models.PermChildRegister,
	{"POST", "/api/v1/duplicate-check"}:                    models.PermChildRegister,
	{"POST", "/api/v1/children/search"}:                    models.PermChildList,
	{"GET", "/api/v1/children/needs-action"}:               models.PermChildList,
	{"POST", "/api/v1/children/:id/arrivals"}:              models.PermChildRegister,
	{"POST", "/api/v1/children/:id/merge"}:                 models.PermChildMerge,
	{"POST", "/api/v1/children/:id/unmerge"}:               models.PermChildMerge,
	{"POST", "/api/v1/children/:id/transitions"}:           models.PermChildTransition,
	{"GET", "/api/v1/children/:id/age-assessments"}:        models.PermChildRead,
	{"POST", "/api/v1/children/:id/age-assessments"}:       models.PermChildAgeAssess,
	{"PATCH", "/api/v1/children/:id/age-assessments/:aid"}: models.PermChildAgeAssess,
	{"POST", "/api/v1/break-glass"}:                        models.PermChildBreakGlass,
	{"GET", "/api/v1/regions"}:                             SignedIn,
	{"GET", "/api/v1/border-posts"}:                        SignedIn,
	{"GET", "/api/v1/admin/users"}:                         models.PermAdminUsers,
	{"GET", "/api/v1/admin/users/:id"}:                     models.PermAdminUsers,
	{"PATCH", "/api/v1/admin/users/:id"}:                   models.PermAdminUsers,
	{"GET", "/api/v1/admin/grants"}:                        models.PermAdminUsers,
	{"POST", "/api/v1/admin/grants/:id/approve"}:           models.PermAdminUsers,
	{"POST", "/api/v1/admin/grants/:id/refuse"}:            models.PermAdminUsers,
	{"POST", "/api/v1/admin/regions"}:                      models.PermAdminReference,
	{"POST", "/api/v1/admin/border-posts"}:                 models.PermAdminReference,
	{"GET", "/api/v1/admin/break-glass"}:                   models.PermAdminBreakGlass,
	{"GET", "/api/v1/admin/denied-reads"}:                  models.PermAdminBreakGlass,

	// The signed audit log: its status and checkpoint (administrators and monitors), one
	// event's evidence file (administrators).
	{"GET", "/audit"}:                                  models.PermAuditCheckpoint,
	{"GET", "/audit/checkpoint"}:                       models.PermAuditCheckpoint,
	{"GET", "/audit/events/:id/evidence"}:              models.PermAuditEvidence,
	{"GET", "/api/v1/audit/checkpoint"}:                models.PermAuditCheckpoint,
	{"GET", "/api/v1/admin/audit/events/:id/evidence"}: models.PermAuditEvidence,
	// Guardianship (issue 9): pages and JSON API.
	{"GET", "/guardians"}:                                                     models.PermGuardianManage,
	{"POST", "/guardians"}:                                                    models.PermGuardianManage,
	{"GET", "/guardians/:id"}:                                                 models.PermGuardianManage,
	{"POST", "/guardians/:id"}:                                                models.PermGuardianManage,
	{"GET", "/wards"}:                                                         models.PermGuardianWards,
	{"POST", "/children/:id/guardian-appointments"}:                           models.PermGuardianAppoint,
	{"POST", "/children/:id/guardian-appointments/:aid/end"}:                  models.PermGuardianAppoint,
	{"POST", "/children/:id/guardian-appointments/:aid/first-meeting"}:        models.PermGuardianVisit,
	{"POST", "/children/:id/guardian-conflicts"}:                              models.PermGuardianAppoint,
	{"POST", "/children/:id/visits"}:                                          models.PermGuardianVisit,
	{"GET", "/api/v1/guardians"}:                                              models.PermGuardianManage,
	{"POST", "/api/v1/guardians"}:                                             models.PermGuardianManage,
	{"GET", "/api/v1/guardians/:id"}:                                          models.PermGuardianManage,
	{"PATCH", "/api/v1/guardians/:id"}:                                        models.PermGuardianManage,
	{"GET", "/api/v1/children/:id/guardianship"}:                              models.PermChildRead,
	{"GET", "/api/v1/children/:id/guardian-suggestions"}:                      models.PermGuardianAppoint,
	{"POST", "/api/v1/children/:id/guardian-appointments"}:                    models.PermGuardianAppoint,
	{"POST", "/api/v1/children/:id/guardian-appointments/:aid/end"}:           models.PermGuardianAppoint,
	{"POST", "/api/v1/children/:id/guardian-appointments/:aid/first-meeting"}: models.PermGuardianVisit,
	{"POST", "/api/v1/children/:id/guardian-conflicts"}:                       models.PermGuardianAppoint,
	{"POST", "/api/v1/children/:id/visits"}:                                   models.PermGuardianVisit,
	{"GET", "/api/v1/me/wards"}:                                               models.PermGuardianWards,
	// Alerts (issue 10): one's own alerts.
	{"GET", "/alerts"}:                  models.PermAlertsRead,
	{"POST", "/alerts/:id/read"}:        models.PermAlertsRead,
	{"GET", "/api/v1/alerts"}:           models.PermAlertsRead,
	{"POST", "/api/v1/alerts/:id/read"}: models.PermAlertsRead,
	// JSON API: facilities and placements (issue 9).
	{"GET", "/api/v1/facilities"}:                           models.PermFacilityRead,
	{"POST", "/api/v1/facilities"}:                          models.PermFacilityManage,
	{"GET", "/api/v1/facilities/:id"}:                       models.PermFacilityRead,
	{"PUT", "/api/v1/facilities/:id"}:                       models.PermFacilityManage,
	{"POST", "/api/v1/facilities/:id/inspections"}:          models.PermFacilityInspect,
	{"GET", "/api/v1/children/:id/placements"}:              models.PermChildRead,
	{"POST", "/api/v1/children/:id/placements"}:             models.PermPlacementRecord,
	{"POST", "/api/v1/children/:id/placements/:pid/checks"}: models.PermPlacementRecord,
	// Family links between children (issue 9, siblings): read with the child; recorded and
	// voided by border and protection officers (auth/roles.go relativeGrants).
	{"POST", "/children/:id/relatives"}:                  models.PermChildRelatives,
	{"POST", "/children/:id/relatives/:rid/void"}:        models.PermChildRelatives,
	{"GET", "/api/v1/children/:id/relatives"}:            models.PermChildRead,
	{"POST", "/api/v1/children/:id/relatives"}:           models.PermChildRelatives,
	{"POST", "/api/v1/children/:id/relatives/:rid/void"}: models.PermChildRelatives,
	// Missing children (issue 10): pages and JSON API. Reading an episode is reading the
	// child (scoped); reporting, the reaction, found and the return interview need
	// missing.report; the board missing.board.
	{"GET", "/missing"}:                                                     models.PermMissingBoard,
	{"GET", "/children/:id/missing"}:                                        models.PermChildRead,
	{"POST", "/children/:id/missing"}:                                       models.PermMissingReport,
	{"GET", "/children/:id/missing/:eid/sheet"}:                             models.PermChildRead,
	{"POST", "/children/:id/missing/:eid/reactions"}:                        models.PermMissingReport,
	{"POST", "/children/:id/missing/:eid/found"}:                            models.PermMissingReport,
	{"POST", "/children/:id/missing/:eid/return-interview"}:                 models.PermMissingReport,
	{"GET", "/api/v1/missing"}:                                              models.PermMissingBoard,
	{"GET", "/api/v1/children/:id/missing-episodes"}:                        models.PermChildRead,
	{"POST", "/api/v1/children/:id/missing-episodes"}:                       models.PermMissingReport,
	{"GET", "/api/v1/children/:id/missing-episodes/:eid"}:                   models.PermChildRead,
	{"PATCH", "/api/v1/children/:id/missing-episodes/:eid"}:                 models.PermMissingReport,
	{"POST", "/api/v1/children/:id/missing-episodes/:eid/found"}:            models.PermMissingReport,
	{"POST", "/api/v1/children/:id/missing-episodes/:eid/return-interview"}: models.PermMissingReport,

	// Legal status (issue 10): pages and JSON API.
	{"POST", "/children/:id/legal-events"}:                  models.PermLegalRecord,
	{"POST", "/children/:id/legal-events/:eid/void"}:        models.PermLegalRecord,
	{"GET", "/api/v1/children/:id/legal-events"}:            models.PermLegalRead,
	{"POST", "/api/v1/children/:id/legal-events"}:           models.PermLegalRecord,
	{"POST", "/api/v1/children/:id/legal-events/:eid/void"}: models.PermLegalRecord,

	// issue 13: the Latin spelling suggested while a name is typed (registry/transliterate.go).
	{"POST", "/api/v1/transliterate"}: models.PermChildRegister,

	// issue 11: compliance monitoring — the dashboard, a rule's violation list, a violation's
	// explanation (pages and JSON API); exports (compliance.export) are added beside them.
	{"GET", "/compliance"}:                        models.PermComplianceRead,
	{"GET", "/compliance/:rule"}:                  models.PermComplianceRead,
	{"GET", "/compliance/:rule/:vid"}:             models.PermComplianceRead,
	{"GET", "/api/v1/compliance/report"}:          models.PermComplianceRead,
	{"GET", "/api/v1/compliance/standards"}:       models.PermComplianceRead,
	{"GET", "/api/v1/compliance/violations"}:      models.PermComplianceRead,
	{"GET", "/api/v1/compliance/violations/:vid"}: models.PermComplianceRead,

	// issue 11: compliance exports — indicators and violation lists (CSV, XLSX), the monthly
	// report (HTML, PDF); the use cases audit each export.
	{"GET", "/compliance/export/indicators.csv"}:          models.PermComplianceExport,
	{"GET", "/compliance/export/indicators.xlsx"}:         models.PermComplianceExport,
	{"GET", "/compliance/export/violations.csv"}:          models.PermComplianceExport,
	{"GET", "/compliance/export/violations.xlsx"}:         models.PermComplianceExport,
	{"GET", "/compliance/report/monthly"}:                 models.PermComplianceExport,
	{"GET", "/compliance/report/monthly.pdf"}:             models.PermComplianceExport,
	{"GET", "/api/v1/compliance/exports/indicators.csv"}:  models.PermComplianceExport,
	{"GET", "/api/v1/compliance/exports/indicators.xlsx"}: models.PermComplianceExport,
	{"GET", "/api/v1/compliance/exports/violations.csv"}:  models.PermComplianceExport,
	{"GET", "/api/v1/compliance/exports/violations.xlsx"}: models.PermComplianceExport,
}

// PermissionFor returns the permission a route requires and whether the route is declared.
func PermissionFor(method, path string) (Permission, bool) {
	p, ok := policy[Route{method, path}]
	return p, ok
}

// Routes lists every declared route (for tests).
func Routes() map[Route]Permission {
	out := make(map[Route]Permission, len(policy))
	for k, v := range policy {
		out[k] = v
	}
	return out
}
