package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// Alerts that cannot be lost (issue 10, scope 6). An event that the people responsible for a
// child must hear about at once — the child reported missing, the child found — is written in
// the transaction of the event itself (enqueueAlerts): one in-app alert per recipient (the
// header count, the alerts page) and the River jobs that deliver it by e-mail and signed
// webhook (package notify works them). A crash before the commit loses the event and its
// alerts together; a crash after it loses nothing, because the jobs are rows of the same
// commit and any instance's worker picks them up, retrying with backoff.
//
// Who hears: the protection officers responsible for the child's region (responsibleFor in
// scope.go, the region rule turned round) and the child's current guardian
// (appointmentIsCurrent). Daily reminders of deadlines falling due use the same tables
// (alerts_reminders.go).

// Alert kinds.
const (
	AlertChildMissing = "child_missing"
	AlertChildFound   = "child_found"
	AlertDeadlineDue  = "deadline_due"
)

// AlertEvent is something that happened to a child that the people responsible must hear about at once.
type AlertEvent struct {
	Kind      string // "child_missing", "child_found"
	ChildID   int64
	EpisodeID int64
	At        time.Time
}

// AlertEmailArgs is the River job that e-mails one alert to its recipient.
type AlertEmailArgs struct {
	AlertID int64 `json:"alert_id"`
}

// Kind names the job in river_job.
func (AlertEmailArgs) Kind() string { return "alert_email" }

// AlertWebhookArgs is the River job that posts one event to the configured webhook.
type AlertWebhookArgs struct {
	EventID int64 `json:"event_id"`
}

// Kind names the job in river_job.
func (AlertWebhookArgs) Kind() string { return "alert_webhook" }

// AlertQueue is the River queue alert deliveries run in.
const AlertQueue = "alerts"

// alertMaxAttempts: with River's default backoff (attempt⁴ seconds) 20 attempts span about a
// week — a receiver down over a long weekend still gets the alert.
const alertMaxAttempts = 20

// inserter is the insert-only River client: it writes jobs into a transaction of ours (the
// *sql.Tx under GORM's transaction), so a job commits or rolls back with the event.
var inserter = sync.OnceValues(func() (*river.Client[*sql.Tx], error) {
	return river.NewClient(riverdatabasesql.New(nil), &river.Config{})
})

// sqlTx is the database/sql transaction under a GORM transaction.
func sqlTx(tx *gorm.DB) (*sql.Tx, error) {
	if t, ok := tx.Statement.ConnPool.(*sql.Tx); ok {
		return t, nil
	}
	return nil, errors.New("alerts: not inside a database/sql transaction")
}

// enqueueAlerts records the alerts for ev inside tx (same transaction as the event).
func enqueueAlerts(tx *gorm.DB, ev AlertEvent) error {
	if ev.Kind != AlertChildMissing && ev.Kind != AlertChildFound {
		return fmt.Errorf("alerts: unknown event kind %q", ev.Kind)
	}
	if ev.At.IsZero() {
		return errors.New("alerts: event without a time")
	}
	var recipients []int64
	q, args := alertRecipients(ev.ChildID, ev.At)
	if err := tx.Raw(q, args...).Scan(&recipients).Error; err != nil {
		return err
	}
	var episode *int64
	if ev.EpisodeID != 0 {
		episode = &ev.EpisodeID
	}
	e := alertEvent{Kind: ev.Kind, ChildID: ev.ChildID, EpisodeID: episode, OccurredAt: ev.At.UTC()}
	_, err := insertAlerts(tx, &e, recipients, nil, true)
	return err
}

// alertRecipients is the query of the users who must hear about an event on the child at
// now: the protection officers responsible for its region and its current guardian.
func alertRecipients(childID int64, now time.Time) (string, []any) {
	resp, cur := responsibleFor(), appointmentIsCurrent(now)
	return `SELECT u.id FROM users u JOIN children ON children.id = ? WHERE ` + resp.sql + `
		UNION SELECT ga.guardian_user_id FROM guardian_appointments ga
		WHERE ga.child_id = ? AND ` + cur.sql + ` ORDER BY 1`,
		append(append(append([]any{childID}, resp.args...), childID), cur.args...)
}

// alertEvent is a row of alert_events.
type alertEvent struct {
	ID         int64
	Kind       string
	ChildID    int64
	EpisodeID  *int64
	Rule       string
	DueAt      *time.Time
	OccurredAt time.Time
}

func (alertEvent) TableName() string { return "alert_events" }

// alertRow is a row of alerts.
type alertRow struct {
	ID       int64
	EventID  int64
	UserID   int64
	DedupKey *string
}

func (alertRow) TableName() string { return "alerts" }

// insertAlerts writes the event, one alert per recipient (keys, when given, deduplicate them:
// an alert whose key exists is skipped) and the delivery jobs, inside tx. It returns how many
// alerts were new.
func insertAlerts(tx *gorm.DB, e *alertEvent, recipients []int64, keys []string, webhook bool) (int, error) {
	if len(recipients) == 0 {
		return 0, nil
	}
	if err := tx.Create(e).Error; err != nil {
		return 0, err
	}
	rows := make([]alertRow, len(recipients))
	for i, u := range recipients {
		rows[i] = alertRow{EventID: e.ID, UserID: u}
		if keys != nil {
			rows[i].DedupKey = &keys[i]
		}
	}
	q := tx
	if keys != nil {
		// A reminder that exists is skipped. (Callers pass one recipient with keys: GORM
		// maps RETURNING ids to rows in order, which skipped rows would shift.)
		q = tx.Clauses(clause.OnConflict{DoNothing: true})
	}
	if err := q.Create(&rows).Error; err != nil {
		return 0, err
	}
	var jobs []river.InsertManyParams
	for _, r := range rows {
		if r.ID != 0 { // skipped on conflict: that reminder exists
			jobs = append(jobs, river.InsertManyParams{Args: AlertEmailArgs{AlertID: r.ID}, InsertOpts: deliveryOpts(e.Kind)})
		}
	}
	if webhook {
		jobs = append(jobs, river.InsertManyParams{Args: AlertWebhookArgs{EventID: e.ID}, InsertOpts: deliveryOpts(e.Kind)})
	}
	if len(jobs) == 0 {
		return 0, nil
	}
	client, err := inserter()
	if err != nil {
		return 0, err
	}
	stx, err := sqlTx(tx)
	if err != nil {
		return 0, err
	}
	if _, err := client.InsertManyTx(tx.Statement.Context, stx, jobs); err != nil {
		return 0, fmt.Errorf("alerts: enqueue deliveries: %w", err)
	}
	n := 0
	for _, r := range rows {
		if r.ID != 0 {
			n++
		}
	}
	return n, nil
}

// deliveryOpts are the delivery jobs' options for an event of kind. The daily reminders'
// e-mails run at a lower priority than an event's (issue 10): River works the most urgent
// first, so a child reported missing while the morning's reminders go out is not queued
// behind them.
func deliveryOpts(kind string) *river.InsertOpts {
	o := &river.InsertOpts{Queue: AlertQueue, MaxAttempts: alertMaxAttempts}
	if kind == AlertDeadlineDue {
		o.Priority = reminderPriority
	}
	return o
}

// reminderPriority is River's priority of a reminder's e-mail (1 is the most urgent, an
// event's; 4 the least).
const reminderPriority = 3

// AlertView is one alert on the recipient's list. ChildName is set only while the child is
// in the recipient's scope; the registration number and the kind always are (the minimum).
type AlertView struct {
	ID                 int64      `json:"id"`
	Kind               string     `json:"kind"`
	Rule               string     `json:"rule,omitempty"`
	DueAt              *time.Time `json:"due_at,omitempty"`
	ChildID            int64      `json:"child_id"`
	RegistrationNumber string     `json:"registration_number"`
	ChildName          string     `json:"child_name,omitempty"`
	InScope            bool       `json:"in_scope"`
	OccurredAt         time.Time  `json:"occurred_at"`
	CreatedAt          time.Time  `json:"created_at"`
	ReadAt             *time.Time `json:"read_at"`
	// NoGuardian: a reminder (deadline_due) about a child in the reader's scope who has no
	// guardian now — the deadline is the region's protection officers' (issue 10).
	NoGuardian bool `json:"no_guardian,omitempty"`
}

// AlertList is the signed-in user's alerts, newest first, and how many are unread.
type AlertList struct {
	Alerts []AlertView `json:"alerts"`
	Unread int         `json:"unread"`
}

// MaxAlertsShown bounds the alerts list (the newest).
const MaxAlertsShown = 100

// ListAlerts lists the actor's own alerts, newest first. Naming children is a disclosure:
// every child shown is written into its access history (one event per child), and a child's
// name is shown only while the child is in the actor's scope.
func (r *Registry) ListAlerts(ctx context.Context, a *models.Actor) (AlertList, error) {
	if err := require(a, models.PermAlertsRead); err != nil {
		return AlertList{}, err
	}
	out := AlertList{Alerts: []AlertView{}}
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		type row struct {
			AlertView
			GivenName, FamilyName, GivenNameLatin, FamilyNameLatin string
			Unguarded                                              bool
		}
		var rows []row
		ng := childHasNoGuardian(r.now())
		if err := tx.Table("alerts").
			Select(`alerts.id, e.kind, e.rule, e.due_at, e.child_id, c.registration_number, e.occurred_at, alerts.created_at, alerts.read_at,
				c.given_name, c.family_name, c.given_name_latin, c.family_name_latin, `+ng.sql+` AS unguarded`, ng.args...).
			Joins("JOIN alert_events e ON e.id = alerts.event_id").
			Joins("JOIN children c ON c.id = e.child_id").
			Where("alerts.user_id = ?", a.UserID).
			Order("alerts.id DESC").Limit(MaxAlertsShown).Scan(&rows).Error; err != nil {
			return err
		}
		var ids []int64
		for _, x := range rows {
			if !slices.Contains(ids, x.ChildID) {
				ids = append(ids, x.ChildID)
			}
		}
		var visible []int64
		if len(ids) > 0 {
			if err := r.children(tx, a).Where("children.id IN ?", ids).Pluck("children.id", &visible).Error; err != nil {
				return err
			}
		}
		for _, x := range rows {
			v := x.AlertView
			v.InScope = slices.Contains(visible, v.ChildID)
			if v.InScope {
				v.ChildName = displayName(x.GivenName, x.FamilyName, x.GivenNameLatin, x.FamilyNameLatin)
				v.NoGuardian = v.Kind == AlertDeadlineDue && x.Unguarded
			}
			out.Alerts = append(out.Alerts, v)
		}
		for _, id := range ids {
			if err := audit(ctx, tx, a, "child.alert_listed", "child", strconv.FormatInt(id, 10), models.AuditChanges{
				"in_scope": {After: slices.Contains(visible, id)},
			}, ""); err != nil {
				return err
			}
		}
		return tx.Table("alerts").Where("user_id = ? AND read_at IS NULL", a.UserID).Select("count(*)").Scan(&out.Unread).Error
	})
	return out, err
}

// childHasNoGuardian is, as a column over an alert's event "e", whether its child has no
// current guardian appointment at now (currentAppointment, scope.go).
func childHasNoGuardian(now time.Time) sqlCond {
	c := not(currentAppointment(0, now))
	return sqlCond{sql: `(SELECT ` + c.sql + ` FROM children WHERE children.id = e.child_id)`, args: c.args}
}

// displayName is how an alert names a child: the names as written, else their Latin spelling.
func displayName(given, family, givenLatin, familyLatin string) string {
	g, f := given, family
	if g == "" && f == "" {
		g, f = givenLatin, familyLatin
	}
	switch {
	case g == "":
		return f
	case f == "":
		return g
	}
	return g + " " + f
}

// UnreadAlerts counts the actor's unread alerts (the header badge: a number, no child). An
// actor without alerts.read has none.
func (r *Registry) UnreadAlerts(ctx context.Context, a *models.Actor) (int, error) {
	if a == nil || !a.Can(models.PermAlertsRead) {
		return 0, nil
	}
	var n int
	err := r.DB.WithContext(ctx).Table("alerts").Where("user_id = ? AND read_at IS NULL", a.UserID).Select("count(*)").Scan(&n).Error
	return n, err
}

// MarkAlertRead marks one of the actor's own alerts read (again: no change). Someone else's
// alert is not found.
func (r *Registry) MarkAlertRead(ctx context.Context, a *models.Actor, id int64) error {
	if err := require(a, models.PermAlertsRead); err != nil {
		return err
	}
	return r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row struct{ ReadAt *time.Time }
		res := tx.Table("alerts").Select("read_at").Where("id = ? AND user_id = ?", id, a.UserID).
			Clauses(clause.Locking{Strength: "UPDATE"}).Scan(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.ErrNotFound
		}
		if row.ReadAt != nil {
			return nil
		}
		if err := tx.Table("alerts").Where("id = ?", id).Update("read_at", r.now()).Error; err != nil {
			return err
		}
		return audit(ctx, tx, a, "alert.read", "alert", strconv.FormatInt(id, 10), nil, "")
	})
}

// SetAlertLanguage records the language the actor's alert e-mails are written in (the
// language of the alerts page they opened last).
func (r *Registry) SetAlertLanguage(ctx context.Context, a *models.Actor, lang string) error {
	if a == nil || lang == "" {
		return nil
	}
	return r.DB.WithContext(ctx).Exec(`INSERT INTO alert_languages (user_id, language, updated_at) VALUES (?, ?, now())
		ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at
		WHERE alert_languages.language <> excluded.language`, a.UserID, lang).Error
}
