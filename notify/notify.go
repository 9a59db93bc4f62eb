// Package notify delivers Kujdes' alerts (issue 10): it runs the River client that works the
// jobs registry writes in the transaction of an event — an e-mail per recipient (SMTP), a
// signed webhook per event — and the daily jobs: the reminders of deadlines falling due and
// the age-out of children turning 18. Delivery is at least once with retries and backoff; a
// receiver can drop repeats by the e-mail's Message-ID or the webhook's Kujdes-Event-Id (see
// docs/alerts.md).
package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/registry"
)

// Config is the delivery configuration (internal/config Alerts).
type Config struct {
	// SMTPAddr (host:port) turns e-mail on; SMTPFrom is the sender. SMTPUser/SMTPPassword
	// authenticate (PLAIN) when set. SMTPTLS is "starttls" (default), "tls" (implicit) or
	// "none" (a relay on the same machine or network only).
	SMTPAddr, SMTPFrom, SMTPUser, SMTPPassword, SMTPTLS string
	// WebhookURL turns the webhook on; WebhookSecret signs it (HMAC-SHA256).
	WebhookURL, WebhookSecret string
	// PublicURL builds the links in messages.
	PublicURL string
	// DefaultLanguage writes the e-mails of users who never opened the alerts page.
	DefaultLanguage string
	// RetryBase is the first retry's delay, doubling each attempt up to RetryMax; zero keeps
	// River's default (attempt⁴ seconds).
	RetryBase, RetryMax time.Duration
	// RescueAfter: a job still "running" this long (its worker died) is retried; zero keeps
	// River's default (1 h).
	RescueAfter time.Duration
	// JobTimeout cancels a delivery that takes longer (default 1 min; below RescueAfter).
	JobTimeout time.Duration
	// ReminderHour is the hour of the day (0–23, in Zone) the daily reminders run.
	ReminderHour int
	Zone         *time.Location
	// ComplianceEvery is how often the compliance dashboard is recomputed (issue 11); zero:
	// never by this service.
	ComplianceEvery time.Duration
}

// Deps are what the service needs.
type Deps struct {
	Pool     *pgxpool.Pool
	Registry *registry.Registry
	I18n     *i18n.Bundle
	Log      *slog.Logger
	Config   Config
	// HTTP posts webhooks (nil: a client with a 10 s timeout).
	HTTP *http.Client
}

// Service is a running River client.
type Service struct {
	client *river.Client[pgx.Tx]
	log    *slog.Logger
}

// Start builds the River client with the alert workers and starts it. Every instance runs
// one: each works jobs, and River's elected leader alone schedules the daily job.
func Start(ctx context.Context, d Deps) (*Service, error) {
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if d.Config.Zone == nil {
		d.Config.Zone = time.UTC
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &emailWorker{d: d})
	river.AddWorker(workers, &webhookWorker{d: d})
	river.AddWorker(workers, &reminderWorker{d: d})
	river.AddWorker(workers, &ageOutWorker{d: d}) // issue 10: turning 18
	// issue 11: the compliance dashboard
	river.AddWorker(workers, &complianceWorker{d: d})
	cfg := &river.Config{
		Queues: map[string]river.QueueConfig{
			registry.AlertQueue: {MaxWorkers: 8},
			river.QueueDefault:  {MaxWorkers: 1},
			complianceQueue:     {MaxWorkers: 1}, // issue 11: a long refresh holds up nothing else
		},
		Workers: workers,
		// An insert notifies the workers (LISTEN/NOTIFY), but River sends at most one
		// notification per queue per 100 ms: a burst's last jobs wait for the next poll, so
		// poll every 250 ms rather than River's 1 s (one indexed query per instance).
		FetchPollInterval:    250 * time.Millisecond,
		Logger:               quietLogger(d.Log),
		RescueStuckJobsAfter: d.Config.RescueAfter,
		JobTimeout:           cmp.Or(d.Config.JobTimeout, time.Minute),
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(dailyAt{hour: d.Config.ReminderHour, zone: d.Config.Zone},
				func() (river.JobArgs, *river.InsertOpts) {
					return registry.DeadlineRemindersArgs{Day: d.now().In(d.Config.Zone).Format(time.DateOnly)}, oncePerDay()
				}, &river.PeriodicJobOpts{ID: "deadline_reminders", RunOnStart: true}),
			// Issue 10: turning 18. A child turns 18 on a UTC day (registry ageOutDue), so
			// the job runs at the start of each UTC day, and at start (a restart or a new
			// release catches a day it missed); unique per day, so several instances age a
			// child out once — and AgeOutDue is idempotent besides.
			river.NewPeriodicJob(dailyAt{hour: 0, zone: time.UTC},
				func() (river.JobArgs, *river.InsertOpts) {
					return registry.AgeOutArgs{Day: d.now().UTC().Format(time.DateOnly)}, oncePerDay()
				}, &river.PeriodicJobOpts{ID: "age_out", RunOnStart: true}),
		},
	}
	if every := d.Config.ComplianceEvery; every > 0 { // issue 11
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return registry.ComplianceRefreshArgs{Slot: d.now().UTC().Truncate(every).Format(time.RFC3339)},
					&river.InsertOpts{Queue: complianceQueue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: every}}
			}, &river.PeriodicJobOpts{ID: "compliance_refresh", RunOnStart: true}))
	}
	if d.Config.RetryBase > 0 {
		cfg.RetryPolicy = backoff{base: d.Config.RetryBase, max: max(d.Config.RetryMax, d.Config.RetryBase)}
	}
	client, err := river.NewClient(riverpgxv5.New(d.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("alerts: start: %w", err)
	}
	return &Service{client: client, log: d.Log}, nil
}

// Stop lets running deliveries finish until ctx is done, then cancels them; a cancelled
// delivery stays in the queue and is retried (by this or another instance).
func (s *Service) Stop(ctx context.Context) error {
	err := s.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		hard, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return s.client.StopAndCancel(hard)
	}
	return err
}

// now is the clock of the daily jobs: the registry's (a test injects it there), else the
// wall clock.
func (d Deps) now() time.Time {
	if d.Registry != nil && d.Registry.Now != nil {
		return d.Registry.Now()
	}
	return time.Now()
}

// oncePerDay makes a daily job unique: one per day's arguments, whichever instance inserts
// it and however often (River's unique jobs: a second insert of the same day is skipped).
func oncePerDay() *river.InsertOpts {
	return &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 24 * time.Hour}}
}

// backoff retries after base, 2·base, 4·base… up to max.
type backoff struct{ base, max time.Duration }

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	d := b.base
	for i := 1; i < job.Attempt && d < b.max; i++ {
		d *= 2
	}
	return time.Now().Add(min(d, b.max))
}

// dailyAt is the daily schedule at an hour of a zone's day.
type dailyAt struct {
	hour int
	zone *time.Location
}

func (s dailyAt) Next(t time.Time) time.Time {
	l := t.In(s.zone)
	next := time.Date(l.Year(), l.Month(), l.Day(), s.hour, 0, 0, 0, s.zone)
	if !next.After(l) {
		next = time.Date(l.Year(), l.Month(), l.Day()+1, s.hour, 0, 0, 0, s.zone)
	}
	return next
}

// quietLogger passes River's warnings and errors on (its info logs every start and stop).
func quietLogger(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(levelFloor{log.Handler(), slog.LevelWarn})
}

type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(as []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(as), h.min}
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(name), h.min}
}
