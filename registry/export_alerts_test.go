package registry

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// ReportMissingForTest reports the child missing through the real use case (ReportMissing: the
// status, the episode and the alerts in one transaction), as a protection officer of the
// child's region discovering it at at.
func ReportMissingForTest(ctx context.Context, db *gorm.DB, childID int64, at time.Time) error {
	var region int64
	if err := db.WithContext(ctx).Raw(`SELECT region_id FROM children WHERE id = ?`, childID).Scan(&region).Error; err != nil {
		return err
	}
	roles := []models.Role{models.RoleProtectionOfficer}
	a := &models.Actor{Issuer: "test", Subject: "alerts-test-reporter", Roles: roles, RegionIDs: []int64{region},
		Permissions: auth.PermissionsFor(roles)}
	r := New(db)
	r.Now = func() time.Time { return at.Add(time.Minute) }
	_, err := r.ReportMissing(ctx, a, childID, MissingReportInput{
		LastSeenAt: at.Add(-time.Hour).UTC().Format(time.RFC3339), LastSeenPlace: "reception centre",
		DiscoveredAt: at.UTC().Format(time.RFC3339), DiscoveredBy: "night staff",
		Circumstances: "did not come back from school", Risk: "medium",
	})
	return err
}

// ErrTestCrash is the failure ReportMissingThenFailForTest ends its transaction with.
var ErrTestCrash = errors.New("crash before commit")

// ReportMissingThenFailForTest does what ReportMissingForTest does, then fails before the
// commit: nothing of it may remain.
func ReportMissingThenFailForTest(ctx context.Context, db *gorm.DB, childID int64, at time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE children SET status = 'missing' WHERE id = ?`, childID).Error; err != nil {
			return err
		}
		if err := enqueueAlerts(tx, AlertEvent{Kind: AlertChildMissing, ChildID: childID, At: at}); err != nil {
			return err
		}
		return ErrTestCrash
	})
}

// EnqueueAlertsForTest runs enqueueAlerts for ev in a transaction of its own.
func EnqueueAlertsForTest(ctx context.Context, db *gorm.DB, ev AlertEvent) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return enqueueAlerts(tx, ev) })
}
