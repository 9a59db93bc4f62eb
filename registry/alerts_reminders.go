package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// Daily reminders of deadlines falling due (issue 10): once a day, everyone who owns an open
// deadline gets an in-app alert (and an e-mail where configured) for each one that falls due
// within ReminderAhead or is already overdue.
//
//   - Guardians, for their wards: visits (S8), placement reviews (S7), while the ward has no
//     full guardian S2, return interviews after a missing episode (S10), the transition plan
//     before 18 (S13) and the next legal-procedure step. The deadlines are the ones the "My
//     wards" board shows (wards), never recomputed here.
//   - Protection officers, for the children of their regions who have no guardian at all
//     (alerts_reminders_officers.go): S1, S2, the first placement (S5), the placement review
//     (S7), the return interview (S10), the transition plan (S13) and the next legal step —
//     the deadlines nobody else is there to meet.
//
// A reminder is kept once per recipient, child, rule and day (alerts.dedup_key), so several
// instances running the daily job, or the job running twice, send it once.

// ReminderAhead is how far ahead a deadline is reminded of.
const ReminderAhead = 48 * time.Hour

// DeadlineRemindersArgs is the daily River job; Day (YYYY-MM-DD) makes it unique per day.
type DeadlineRemindersArgs struct {
	Day string `json:"day"`
}

// Kind names the job in river_job.
func (DeadlineRemindersArgs) Kind() string { return "deadline_reminders" }

// SendDeadlineReminders writes the reminders of day (YYYY-MM-DD) at the registry's clock: one
// transaction per guardian, then one per protection officer (alerts_reminders_officers.go).
// It returns how many reminders were new.
func (r *Registry) SendDeadlineReminders(ctx context.Context, day string) (int, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return 0, fmt.Errorf("reminders: day %q: %w", day, err)
	}
	now := r.now()
	cur := appointmentIsCurrent(now)
	var guardians []int64
	if err := r.DB.WithContext(ctx).Raw(`SELECT DISTINCT ga.guardian_user_id FROM guardian_appointments ga
		JOIN users u ON u.id = ga.guardian_user_id WHERE u.active AND `+cur.sql+` ORDER BY 1`, cur.args...).
		Scan(&guardians).Error; err != nil {
		return 0, err
	}
	total := 0
	for _, g := range guardians {
		err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			ws, _, err := r.wards(tx, reminderActor(g, models.RoleGuardian, nil), now)
			if err != nil {
				return err
			}
			for _, w := range ws {
				n, err := remindDeadlines(tx, day, g, w.ID, w.OpenDeadlines, now)
				total += n
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	n, err := r.sendOfficerReminders(ctx, day, now) // issue 10: children without a guardian
	return total + n, err
}

// reminderActor is the recipient of reminders as the daily job reads their board: their role
// and regions (the scope, scope.go) and only the permission the board needs beyond its
// scope — the legal summary (legal.read, which guardians and protection officers hold).
func reminderActor(userID int64, role models.Role, regions []int64) *models.Actor {
	return &models.Actor{UserID: userID, Roles: []models.Role{role}, RegionIDs: regions,
		Permissions: map[models.Permission]bool{models.PermLegalRead: true}}
}

// remindDeadlines writes, inside tx, the day's reminder to user of each of the child's
// deadlines that falls due within ReminderAhead of now or is overdue — once per day, rule,
// child and user (the alert's dedup_key): a reminder written already today is skipped, and
// the event written for it dropped. It returns how many were new.
func remindDeadlines(tx *gorm.DB, day string, user, child int64, deadlines []Deadline, now time.Time) (int, error) {
	total := 0
	for _, d := range deadlines {
		if d.Due.After(now.Add(ReminderAhead)) {
			continue
		}
		due := d.Due
		e := alertEvent{Kind: AlertDeadlineDue, ChildID: child, Rule: d.Rule, DueAt: &due, OccurredAt: now}
		key := fmt.Sprintf("deadline:%s:%s:%d:%d", day, d.Rule, child, user)
		n, err := insertAlerts(tx, &e, []int64{user}, []string{key}, false)
		if err != nil {
			return total, err
		}
		if n == 0 { // reminded already today: drop the event written for it
			if err := tx.Delete(&alertEvent{}, e.ID).Error; err != nil {
				return total, err
			}
		}
		total += n
	}
	return total, nil
}

// AlertDelivery is what an alert's e-mail says: no child's name — the registration number and
// a link.
type AlertDelivery struct {
	AlertID            int64
	Kind, Rule         string
	DueAt              *time.Time
	OccurredAt         time.Time
	ChildID            int64
	RegistrationNumber string
	Email, Language    string
	EmailedAt          *time.Time
	// NoGuardian: the child has no guardian now (a reminder's e-mail says why it comes to a
	// protection officer).
	NoGuardian bool
}

// AlertForDelivery reads one alert for its e-mail job (the worker, not a user, reads it).
func (r *Registry) AlertForDelivery(ctx context.Context, alertID int64) (AlertDelivery, error) {
	var out AlertDelivery
	ng := childHasNoGuardian(r.now())
	res := r.DB.WithContext(ctx).Raw(`SELECT a.id AS alert_id, e.kind, e.rule, e.due_at, e.occurred_at, e.child_id,
			c.registration_number, u.email, coalesce(l.language, '') AS language, a.emailed_at, `+ng.sql+` AS no_guardian
		FROM alerts a JOIN alert_events e ON e.id = a.event_id JOIN children c ON c.id = e.child_id
		JOIN users u ON u.id = a.user_id LEFT JOIN alert_languages l ON l.user_id = a.user_id
		WHERE a.id = ?`, append(ng.args, alertID)...).Scan(&out)
	if res.Error != nil {
		return out, res.Error
	}
	if res.RowsAffected == 0 {
		return out, models.ErrNotFound
	}
	return out, nil
}

// MarkAlertEmailed records that the SMTP server accepted the alert's e-mail.
func (r *Registry) MarkAlertEmailed(ctx context.Context, alertID int64) error {
	return r.DB.WithContext(ctx).Exec(`UPDATE alerts SET emailed_at = ? WHERE id = ? AND emailed_at IS NULL`, r.now(), alertID).Error
}

// WebhookEvent is what the signed webhook says about an event: no child's name.
type WebhookEvent struct {
	EventID            int64
	Kind               string
	OccurredAt         time.Time
	ChildID            int64
	EpisodeID          *int64
	RegistrationNumber string
	SentAt             *time.Time `gorm:"column:webhook_sent_at"`
}

// EventForWebhook reads one event for its webhook job.
func (r *Registry) EventForWebhook(ctx context.Context, eventID int64) (WebhookEvent, error) {
	var out WebhookEvent
	res := r.DB.WithContext(ctx).Raw(`SELECT e.id AS event_id, e.kind, e.occurred_at, e.child_id, e.episode_id,
			c.registration_number, e.webhook_sent_at
		FROM alert_events e JOIN children c ON c.id = e.child_id WHERE e.id = ?`, eventID).Scan(&out)
	if res.Error != nil {
		return out, res.Error
	}
	if res.RowsAffected == 0 {
		return out, errors.Join(models.ErrNotFound, fmt.Errorf("alert event %d", eventID))
	}
	return out, nil
}

// MarkWebhookSent records that the webhook receiver accepted the event.
func (r *Registry) MarkWebhookSent(ctx context.Context, eventID int64) error {
	return r.DB.WithContext(ctx).Exec(`UPDATE alert_events SET webhook_sent_at = ? WHERE id = ? AND webhook_sent_at IS NULL`, r.now(), eventID).Error
}
