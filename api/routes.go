package api

import "github.com/gin-gonic/gin"

// Prefix is where the JSON API lives.
const Prefix = "/api/v1"

// Routes registers every /api/v1 route. Each also needs an entry in the policy table
// (auth/policy.go) and in openapi.json; tests fail otherwise.
func (a *API) Routes(r gin.IRouter) {
	v1 := r.Group(Prefix, noStore)
	v1.GET("/openapi.json", a.openAPI)
	v1.GET("/me", a.me)

	v1.POST("/registrations", a.register)
	v1.POST("/duplicate-check", a.duplicateCheck)
	v1.POST("/transliterate", a.transliterate) // issue 13: the Latin spelling while typing
	v1.POST("/children/search", a.searchChildren)
	v1.GET("/children/needs-action", a.needsAction)
	v1.POST("/children/:id/arrivals", a.recordArrival)
	v1.POST("/children/:id/merge", a.mergeChild)
	v1.POST("/children/:id/unmerge", a.unmergeChild)
	v1.POST("/children/:id/transitions", a.transitionChild)
	v1.GET("/children/:id/age-assessments", a.listAgeAssessments)
	v1.POST("/children/:id/age-assessments", a.requestAgeAssessment)
	v1.PATCH("/children/:id/age-assessments/:aid", a.updateAgeAssessment)
	v1.GET("/children", a.listChildren)
	v1.GET("/children/:id", a.getChild)
	v1.PATCH("/children/:id", a.updateChild)
	v1.GET("/children/:id/access-history", a.childAccessHistory)
	v1.POST("/break-glass", a.breakGlass)

	// Guardianship (issue 9).
	v1.GET("/guardians", a.listGuardians)
	v1.POST("/guardians", a.createGuardian)
	v1.GET("/guardians/:id", a.getGuardian)
	v1.PATCH("/guardians/:id", a.updateGuardian)
	v1.GET("/children/:id/guardianship", a.getGuardianship)
	v1.GET("/children/:id/guardian-suggestions", a.suggestGuardians)
	v1.POST("/children/:id/guardian-appointments", a.appointGuardian)
	v1.POST("/children/:id/guardian-appointments/:aid/end", a.endAppointment)
	v1.POST("/children/:id/guardian-appointments/:aid/first-meeting", a.recordFirstMeeting)
	v1.POST("/children/:id/guardian-conflicts", a.declareConflict)
	v1.POST("/children/:id/visits", a.recordVisit)
	v1.GET("/me/wards", a.myWards)
	// Facilities and placements (issue 9).
	v1.GET("/facilities", a.listFacilities)
	v1.POST("/facilities", a.createFacility)
	v1.GET("/facilities/:id", a.getFacility)
	v1.PUT("/facilities/:id", a.updateFacility)
	v1.POST("/facilities/:id/inspections", a.recordInspection)
	v1.GET("/children/:id/placements", a.childPlacements)
	v1.POST("/children/:id/placements", a.recordPlacement)
	v1.POST("/children/:id/placements/:pid/checks", a.recordPlacementCheck)
	// Family links between children (issue 9, siblings).
	v1.GET("/children/:id/relatives", a.childRelatives)
	v1.POST("/children/:id/relatives", a.linkRelative)
	v1.POST("/children/:id/relatives/:rid/void", a.voidRelative)
	// Missing children (issue 10).
	v1.GET("/missing", a.missingNow)
	v1.GET("/children/:id/missing-episodes", a.listMissingEpisodes)
	v1.POST("/children/:id/missing-episodes", a.reportMissing)
	v1.GET("/children/:id/missing-episodes/:eid", a.getMissingEpisode)
	v1.PATCH("/children/:id/missing-episodes/:eid", a.recordReaction)
	v1.POST("/children/:id/missing-episodes/:eid/found", a.recordFound)
	v1.POST("/children/:id/missing-episodes/:eid/return-interview", a.recordReturnInterview)

	// Alerts (issue 10).
	v1.GET("/alerts", a.listAlerts)
	v1.POST("/alerts/:id/read", a.markAlertRead)
	// Legal status (issue 10).
	v1.GET("/children/:id/legal-events", a.legalTimeline)
	v1.POST("/children/:id/legal-events", a.recordLegalEvent)
	v1.POST("/children/:id/legal-events/:eid/void", a.voidLegalEvent)
	// Case lifecycle and information on rights (issue 10, lifecycle.go).
	a.lifecycleRoutes(v1)

	// issue 11: compliance monitoring (compliance.go).
	v1.GET("/compliance/report", a.complianceReport)
	v1.GET("/compliance/standards", a.complianceStandards)
	v1.GET("/compliance/violations", a.complianceViolations)
	v1.GET("/compliance/violations/:vid", a.complianceViolation)
	// issue 11: compliance exports (compliance_export.go).
	a.complianceExportRoutes(v1)

	v1.GET("/regions", a.listRegions)
	v1.GET("/border-posts", a.listBorderPosts)

	v1.GET("/admin/users", a.listUsers)
	v1.GET("/admin/users/:id", a.getUser)
	v1.PATCH("/admin/users/:id", a.updateUser)
	v1.GET("/admin/grants", a.listGrants)
	v1.POST("/admin/grants/:id/approve", a.approveGrant)
	v1.POST("/admin/grants/:id/refuse", a.refuseGrant)
	v1.POST("/admin/regions", a.createRegion)
	v1.POST("/admin/border-posts", a.createBorderPost)
	v1.GET("/admin/break-glass", a.listBreakGlass)
	v1.GET("/admin/denied-reads", a.listDeniedReads)

	// Offline registration (issue 13): the key of the page's encrypted outbox.
	v1.GET("/me/outbox-key", a.outboxKey)

	v1.GET("/audit/checkpoint", a.auditCheckpoint)
	v1.GET("/admin/audit/events/:id/evidence", a.auditEvidence)
}

// noStore keeps API answers — children's data — out of every cache.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}
