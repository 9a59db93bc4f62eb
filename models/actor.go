package models

import "slices"

// Role is one of the five kinds of Kujdes user (MISSION.md).
type Role string

const (
	RoleBorderOfficer     Role = "border_officer"
	RoleProtectionOfficer Role = "protection_officer"
	RoleGuardian          Role = "guardian"
	RoleMonitor           Role = "monitor"
	RoleAdmin             Role = "admin"
)

// Roles lists every role, in the order the interface shows them.
var Roles = []Role{RoleBorderOfficer, RoleProtectionOfficer, RoleGuardian, RoleMonitor, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Permission is what a route and a use case require. Roles grant permissions (auth/roles.go).
type Permission string

const (
	// PermPublic needs no sign-in: home page, static files, health, the login flow.
	PermPublic Permission = "public"
	// PermSignedIn needs a signed-in user, even one without a role (e.g. "no access yet").
	PermSignedIn Permission = "signed_in"

	PermChildRegister   Permission = "child.register"   // register arrivals, check for duplicates
	PermChildMerge      Permission = "child.merge"      // merge duplicate records (and undo)
	PermChildAgeAssess  Permission = "child.age_assess" // request and record age assessments
	PermChildList       Permission = "child.list"
	PermChildRead       Permission = "child.read"
	PermChildUpdate     Permission = "child.update"
	PermChildHistory    Permission = "child.history"     // who looked at this child
	PermChildTransition Permission = "child.transition"  // change a child's status by a named transition
	PermChildBreakGlass Permission = "child.break_glass" // time-boxed access outside one's scope

	// Guardianship (issue 9).
	PermGuardianManage  Permission = "guardian.manage"  // the guardian registry
	PermGuardianAppoint Permission = "guardian.appoint" // designate, appoint and end guardians; declared conflicts
	PermGuardianVisit   Permission = "guardian.visit"   // record visits and first meetings
	PermGuardianWards   Permission = "guardian.wards"   // the "My wards" board
	// Facilities and placements (issue 9). facility.address is the one rule of who reads a
	// facility's address: never border officers (MISSION.md).
	PermFacilityRead    Permission = "facility.read"
	PermFacilityManage  Permission = "facility.manage"  // create and edit facilities (own regions; admins all)
	PermFacilityAddress Permission = "facility.address" // see a facility's address
	PermFacilityInspect Permission = "facility.inspect" // record facility inspections
	PermPlacementRecord Permission = "placement.record" // record placements and their condition checks

	// Missing children (issue 10): report a child missing, record the reaction, the finding
	// and the return interview; the "Missing now" board.
	PermMissingReport Permission = "missing.report"
	PermMissingBoard  Permission = "missing.board"

	PermAdminUsers      Permission = "admin.users"
	PermAdminReference  Permission = "admin.reference" // regions, border posts
	PermAdminBreakGlass Permission = "admin.break_glass"

	// The signed audit log (package auditlog): its checkpoints, for administrators and the
	// monitors who keep copies; one event's evidence file, for administrators.
	PermAuditCheckpoint Permission = "audit.checkpoint"
	PermAuditEvidence   Permission = "audit.evidence"

	// Alerts (issue 10): one's own alerts — the header count, the alerts page and API.
	PermAlertsRead Permission = "alerts.read"
	// Case lifecycle and information on rights (issue 10).
	PermChildRights         Permission = "child.rights"          // record rights information (S11), print the rights sheet
	PermChildTransitionPlan Permission = "child.transition_plan" // record the plan for turning 18 (S13)
)

// Actor is who is acting in a use case: the signed-in user, their roles and the scope those
// roles give. Built once per request by auth; read-only afterwards.
type Actor struct {
	UserID        int64
	Issuer        string
	Subject       string
	Name          string
	Roles         []Role
	RegionIDs     []int64 // protection officers and monitors
	BorderPostIDs []int64 // border officers
	Permissions   map[Permission]bool
	// ChildFields are the fields of a child's record the actor may change (JSON names, as in
	// audit changes), computed by auth from its field table like Permissions.
	ChildFields map[string]bool
	// SessionID identifies the browser session (empty for bearer tokens), for audit.
	Via string // "session" or "bearer"
}

// Has reports whether the actor holds role r.
func (a *Actor) Has(r Role) bool { return a != nil && slices.Contains(a.Roles, r) }

// Can reports whether the actor holds permission p.
func (a *Actor) Can(p Permission) bool {
	if p == PermPublic {
		return true
	}
	if a == nil {
		return false
	}
	return p == PermSignedIn || a.Permissions[p]
}

// MayEdit reports whether the actor may change the child field named field.
func (a *Actor) MayEdit(field string) bool { return a != nil && a.ChildFields[field] }

// RoleNames joins the roles for audit rows ("guardian,monitor").
func (a *Actor) RoleNames() string {
	if a == nil {
		return ""
	}
	s := ""
	for i, r := range a.Roles {
		if i > 0 {
			s += ","
		}
		s += string(r)
	}
	return s
}
