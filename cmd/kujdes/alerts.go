package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/config"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/notify"
)

// startAlerts starts the River client that delivers alerts (package notify) on its own
// connection pool; the returned stop lets running deliveries finish for up to 10 s, cancels
// the rest (they stay queued and are retried) and closes the pool.
func startAlerts(ctx context.Context, cfg config.Config, db *gorm.DB, dbURL string, bundle *i18n.Bundle, log *slog.Logger) (func(), error) {
	reg, err := server.NewRegistry(cfg, db, nil)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("alerts: connect: %w", err)
	}
	zone, err := time.LoadLocation(cfg.Guardianship.TimeZone)
	if err != nil {
		pool.Close()
		return nil, err
	}
	a := cfg.Alerts
	svc, err := notify.Start(context.WithoutCancel(ctx), notify.Deps{Pool: pool, Registry: reg, I18n: bundle, Log: log, Config: notify.Config{
		SMTPAddr: a.SMTPAddr, SMTPFrom: a.SMTPFrom, SMTPUser: a.SMTPUser, SMTPPassword: a.SMTPPassword, SMTPTLS: a.SMTPTLS,
		WebhookURL: a.WebhookURL, WebhookSecret: a.WebhookSecret, PublicURL: cfg.PublicURL, DefaultLanguage: cfg.DefaultLanguage,
		RetryBase: a.RetryBase, RetryMax: a.RetryMax, RescueAfter: a.RescueAfter, ReminderHour: a.ReminderHour, Zone: zone,
		ComplianceEvery: cfg.ComplianceRefreshEvery, // issue 11
	}})
	if err != nil {
		pool.Close()
		return nil, err
	}
	return func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := svc.Stop(stopCtx); err != nil {
			log.Warn("stopping alert deliveries", "err", models.RedactError(err))
		}
		pool.Close()
	}, nil
}
