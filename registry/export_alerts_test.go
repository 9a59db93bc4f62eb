package registry

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Test-only stand-ins for the missing-children use cases (another helper's ReportMissing and
// RecordFound call enqueueAlerts the same way): the child's status and the alerts change in
// one transaction. The lead replaces them with the real use cases at merge.

// ReportMissingForTest marks the child missing and enqueues the alerts, in one transaction.
func ReportMissingForTest(ctx context.Context, db *gorm.DB, childID int64, at time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE children SET status = 'missing' WHERE id = ?`, childID).Error; err != nil {
			return err
		}
		return enqueueAlerts(tx, AlertEvent{Kind: AlertChildMissing, ChildID: childID, EpisodeID: childID * 10, At: at})
	})
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
