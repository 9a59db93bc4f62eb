package notify

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/kujdes/kujdes/registry"
)

// complianceQueue runs the compliance refresh (issue 11) on its own, one at a time.
const complianceQueue = "compliance"

// complianceWorker recomputes the compliance dashboard (registry.RefreshCompliance: one
// transaction under an advisory lock, so a refresh started elsewhere waits and follows).
type complianceWorker struct {
	river.WorkerDefaults[registry.ComplianceRefreshArgs]
	d Deps
}

// Timeout: a national refresh takes minutes, not the deliveries' one minute.
func (w *complianceWorker) Timeout(*river.Job[registry.ComplianceRefreshArgs]) time.Duration {
	return 30 * time.Minute
}

func (w *complianceWorker) Work(ctx context.Context, job *river.Job[registry.ComplianceRefreshArgs]) error {
	return w.d.Registry.RefreshCompliance(ctx)
}
