package auth

import "github.com/kujdes/kujdes/models"

// grants is what each role may do. Record scope (which children) is not here: it is data, and
// it is enforced in registry's one scoping function.
var grants = map[models.Role][]models.Permission{
	// (Facilities and placements, issue 9, are granted in placementGrants below.)
	models.RoleBorderOfficer: {
		models.PermChildRegister, models.PermChildList, models.PermChildRead, models.PermChildUpdate, models.PermChildBreakGlass,
	},
	models.RoleProtectionOfficer: {
		models.PermChildRegister, models.PermChildMerge, models.PermChildAgeAssess, models.PermChildList, models.PermChildRead, models.PermChildUpdate, models.PermChildHistory, models.PermChildTransition,
		models.PermChildBreakGlass,
		models.PermGuardianManage, models.PermGuardianAppoint, models.PermGuardianVisit, // issue 9
	},
	models.RoleGuardian: {
		models.PermChildList, models.PermChildRead, models.PermChildUpdate,
		models.PermGuardianVisit, models.PermGuardianWards, // issue 9
	},
	// Monitors will see aggregates (a permission added with the first dashboard's route); a
	// child's record only through break-glass (which is why they hold child.read: the scope is
	// empty until a grant exists).
	models.RoleMonitor: {
		models.PermChildBreakGlass, models.PermChildRead,
		models.PermAuditCheckpoint,
	},
	// Administrators run the system and see who looked at a child, but no child data by default.
	models.RoleAdmin: {
		models.PermAdminUsers, models.PermAdminReference, models.PermAdminBreakGlass, models.PermChildHistory,
		models.PermAuditCheckpoint, models.PermAuditEvidence,
		models.PermGuardianManage, // issue 9: the guardian registry holds no child data
	},
}

// placementGrants: who may read, manage and inspect facilities and record placements (issue
// 9). Everyone who works with children reads the facility list; only the roles that visit or
// decide see addresses (facility.address) — never border officers. Protection officers manage
// the facilities of their regions (registry/scope.go facilityManageScope) and inspect them;
// administrators manage facilities everywhere; guardians (for their wards) and protection
// officers (in scope) record placements.
var placementGrants = map[models.Role][]models.Permission{
	models.RoleBorderOfficer: {models.PermFacilityRead},
	models.RoleProtectionOfficer: {models.PermFacilityRead, models.PermFacilityAddress, models.PermFacilityManage,
		models.PermFacilityInspect, models.PermPlacementRecord},
	models.RoleGuardian: {models.PermFacilityRead, models.PermFacilityAddress, models.PermPlacementRecord},
	models.RoleMonitor:  {models.PermFacilityRead, models.PermFacilityAddress},
	models.RoleAdmin:    {models.PermFacilityRead, models.PermFacilityAddress, models.PermFacilityManage},
}

// relativeGrants: who records and voids family links between children (issue 9, siblings).
// Border officers, because siblings who arrive together are identified at the crossing, and
// protection officers, who find family later and decide placements. Both children of a link
// must be in the officer's scope (registry/relatives.go). Guardians read their wards' links
// (child.read) but do not record them: a link changes placement decisions for two children,
// often with different guardians, so it is the protection unit's (or the border's) record; a
// guardian who learns of a relative tells the protection officer.
var relativeGrants = map[models.Role][]models.Permission{
	models.RoleBorderOfficer:     {models.PermChildRelatives},
	models.RoleProtectionOfficer: {models.PermChildRelatives},
}

// missingGrants (issue 10): protection officers (in their regions) and guardians (for their
// wards) report a child missing, record the reaction, the finding and the return interview,
// and see the "Missing now" board.
var missingGrants = map[models.Role][]models.Permission{
	models.RoleProtectionOfficer: {models.PermMissingReport, models.PermMissingBoard},
	models.RoleGuardian:          {models.PermMissingReport, models.PermMissingBoard},
}

// alertGrants: every staff role reads its own alerts (issue 10). Only protection officers and
// guardians receive any today; the others see an empty list.
var alertGrants = map[models.Role][]models.Permission{
	models.RoleBorderOfficer: {models.PermAlertsRead}, models.RoleProtectionOfficer: {models.PermAlertsRead},
	models.RoleGuardian: {models.PermAlertsRead}, models.RoleMonitor: {models.PermAlertsRead}, models.RoleAdmin: {models.PermAlertsRead},
}

// legalGrants: who reads and records a child's legal procedure (issue 10). Guardians (for
// their current wards) and protection officers (in their regions) — the record scope is
// registry/scope.go's; border officers, monitors and administrators have none on individual
// children.
var legalGrants = map[models.Role][]models.Permission{
	models.RoleProtectionOfficer: {models.PermLegalRead, models.PermLegalRecord},
	models.RoleGuardian:          {models.PermLegalRead, models.PermLegalRecord},
}

// lifecycleGrants: the case lifecycle and information on rights (issue 10). Protection
// officers and the child's guardian record that the child was informed of their rights (S11),
// print the rights sheet and record the plan for turning 18 (S13); the status transitions
// themselves stay child.transition (protection officers).
var lifecycleGrants = map[models.Role][]models.Permission{
	models.RoleProtectionOfficer: {models.PermChildRights, models.PermChildTransitionPlan},
	models.RoleGuardian:          {models.PermChildRights, models.PermChildTransitionPlan},
}

// complianceGrants (issue 11): compliance monitoring. Monitors read the dashboard and the
// pseudonymised violation lists of their regions and export them; protection officers read
// their region's dashboard; administrators set nothing here (thresholds are configuration,
// audited at each refresh). A child's record stays out of reach: a monitor opens one only
// through break-glass.
var complianceGrants = map[models.Role][]models.Permission{
	models.RoleMonitor:           {models.PermComplianceRead, models.PermComplianceExport},
	models.RoleProtectionOfficer: {models.PermComplianceRead},
}

// PermissionsFor returns the union of the permissions of roles.
func PermissionsFor(roles []models.Role) map[models.Permission]bool {
	out := map[models.Permission]bool{}
	for _, r := range roles {
		for _, p := range grants[r] {
			out[p] = true
		}
		for _, p := range placementGrants[r] {
			out[p] = true
		}
		for _, p := range relativeGrants[r] { // issue 9: siblings
			out[p] = true
		}
		for _, p := range missingGrants[r] { // issue 10: missing children
			out[p] = true
		}
		for _, p := range alertGrants[r] { // issue 10: alerts
			out[p] = true
		}
		for _, p := range legalGrants[r] { // issue 10: legal status
			out[p] = true
		}
		for _, p := range lifecycleGrants[r] { // issue 10: lifecycle and rights
			out[p] = true
		}
		for _, p := range complianceGrants[r] { // issue 11: compliance monitoring
			out[p] = true
		}
	}
	return out
}
