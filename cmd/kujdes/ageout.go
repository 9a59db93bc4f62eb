package main

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// ageOutEvery is how often serve runs the age-out sweep (issue 10).
const ageOutEvery = 24 * time.Hour

// startAgeOutSweep runs registry.AgeOutDue at start and then once a day, until ctx ends or
// stop is called: every child whose 18th birthday has come is moved to "aged out" and their
// guardianship ends. Every instance runs it; the sweep is idempotent and skips the children
// another instance holds (FOR UPDATE SKIP LOCKED), so several instances age each child out
// once. (A plain ticker: when the job queue lands, this can become a periodic job.)
func startAgeOutSweep(ctx context.Context, db *gorm.DB, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	reg := registry.New(db)
	go func() {
		defer close(done)
		t := time.NewTicker(ageOutEvery)
		defer t.Stop()
		for {
			n, err := reg.AgeOutDue(ctx, time.Now())
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("age-out sweep failed", "err", models.RedactError(err))
			case n > 0:
				log.Info("age-out sweep", "aged_out", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}
