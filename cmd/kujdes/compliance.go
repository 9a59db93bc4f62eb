package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/kujdes/kujdes/internal/config"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/models"

	"gorm.io/gorm"
)

// startComplianceRefresh recomputes the compliance dashboard (issue 11,
// registry.RefreshCompliance) at start and then every cfg.ComplianceRefreshEvery, until ctx
// ends or stop is called. Every instance may run it: refreshes take an advisory lock and
// follow each other, each replacing the figures in one transaction. (A plain ticker, like the
// age-out sweep; it can become a River periodic job.)
func startComplianceRefresh(ctx context.Context, cfg config.Config, db *gorm.DB, log *slog.Logger) (stop func(), err error) {
	reg, err := server.NewRegistry(cfg, db, nil)
	if err != nil {
		return nil, err
	}
	every := cfg.ComplianceRefreshEvery
	if every <= 0 {
		every = 15 * time.Minute
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if err := reg.RefreshCompliance(ctx); err != nil && ctx.Err() == nil {
				log.Error("compliance refresh failed", "err", models.RedactError(err))
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }, nil
}
