package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// emailWorker e-mails one alert to its recipient, in the recipient's language, naming no
// child: the registration number and a link.
type emailWorker struct {
	river.WorkerDefaults[registry.AlertEmailArgs]
	d Deps
}

func (w *emailWorker) Work(ctx context.Context, job *river.Job[registry.AlertEmailArgs]) error {
	c := w.d.Config
	if c.SMTPAddr == "" {
		return nil // e-mail is not configured: the in-app alert is the delivery
	}
	al, err := w.d.Registry.AlertForDelivery(ctx, job.Args.AlertID)
	if errors.Is(err, models.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if al.EmailedAt != nil || al.Email == "" {
		return nil // sent already (a retry after the send), or nowhere to send it
	}
	msg, err := w.compose(al)
	if err != nil {
		return river.JobCancel(err)
	}
	if err := sendMail(ctx, c, al.Email, msg); err != nil {
		return fmt.Errorf("alert %d e-mail: %w", al.AlertID, mailError(err))
	}
	return w.d.Registry.MarkAlertEmailed(ctx, al.AlertID)
}

// compose writes the message: localized subject and body, a stable Message-ID (the alert's
// id), quoted-printable UTF-8 text.
func (w *emailWorker) compose(al registry.AlertDelivery) ([]byte, error) {
	c := w.d.Config
	lang := w.d.I18n.Match(al.Language, c.DefaultLanguage)
	loc := w.d.I18n.Localizer(lang)
	data := map[string]any{
		"Number": al.RegistrationNumber, "Rule": al.Rule,
		"Time": al.OccurredAt.UTC().Format("2006-01-02 15:04") + " UTC",
		"Link": strings.TrimRight(c.PublicURL, "/") + "/children/" + strconv.FormatInt(al.ChildID, 10),
	}
	if al.DueAt != nil {
		data["Date"] = al.DueAt.In(c.Zone).Format(time.DateOnly)
	}
	subject := loc.T("alerts.email.subject."+al.Kind, data)
	body := loc.T("alerts.email.body."+al.Kind, data)
	if al.Kind == registry.AlertDeadlineDue && al.NoGuardian { // issue 10: why an officer gets it
		body += "\n\n" + loc.T("alerts.email.no_guardian")
	}
	body += "\n\n-- \n" + loc.T("alerts.email.footer")
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", c.SMTPFrom)
	h("To", al.Email)
	h("Subject", mime.QEncoding.Encode("utf-8", subject))
	h("Date", time.Now().UTC().Format(time.RFC1123Z))
	h("Message-ID", fmt.Sprintf("<alert-%d@kujdes>", al.AlertID))
	h("Content-Language", lang.Tag)
	// Issue 10: what kind of alert, for the recipient's mail rules (an urgent "child_missing"
	// apart from the daily "deadline_due"); and no auto-replies to it (RFC 3834).
	h("Kujdes-Alert-Kind", al.Kind)
	h("Auto-Submitted", "auto-generated")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := io.WriteString(qp, strings.ReplaceAll(body, "\n", "\r\n")); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sendMail hands one message to the SMTP server.
func sendMail(ctx context.Context, c Config, to string, msg []byte) error {
	var (
		cl  *smtp.Client
		err error
	)
	switch c.SMTPTLS {
	case "tls":
		cl, err = smtp.DialTLS(c.SMTPAddr, nil)
	case "none":
		cl, err = smtp.Dial(c.SMTPAddr)
	default:
		cl, err = smtp.DialStartTLS(c.SMTPAddr, nil)
	}
	if err != nil {
		return err
	}
	defer cl.Close()
	if dl, ok := ctx.Deadline(); ok {
		cl.CommandTimeout, cl.SubmissionTimeout = time.Until(dl), time.Until(dl)
	}
	if c.SMTPUser != "" {
		if err := cl.Auth(sasl.NewPlainClient("", c.SMTPUser, c.SMTPPassword)); err != nil {
			return err
		}
	}
	if err := cl.SendMail(c.SMTPFrom, []string{to}, bytes.NewReader(msg)); err != nil {
		return err
	}
	return cl.Quit()
}

// webhookWorker posts one event to the configured webhook, signed.
type webhookWorker struct {
	river.WorkerDefaults[registry.AlertWebhookArgs]
	d Deps
}

// WebhookBody is the webhook's JSON: the minimum, no child's name.
type WebhookBody struct {
	EventID            int64     `json:"event_id"`
	Kind               string    `json:"kind"`
	OccurredAt         time.Time `json:"occurred_at"`
	RegistrationNumber string    `json:"registration_number"`
	EpisodeID          *int64    `json:"episode_id,omitempty"`
	Link               string    `json:"link"`
}

// SignatureHeader carries the webhook's signature: "t=<unix seconds>, v1=<hex HMAC-SHA256 of
// "<t>.<raw body>" keyed with the secret>".
const SignatureHeader = "Kujdes-Signature"

// Sign is the signature header's value for body at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ", v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a signature header against the raw body: the MAC in constant time, and the
// time within tolerance of now (replays of old requests are refused).
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, v1 string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("webhook signature: no time")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook signature: outside the tolerance")
	}
	got, err := hex.DecodeString(v1)
	if err != nil || !hmac.Equal(got, mac(secret, ts, body)) {
		return errors.New("webhook signature: does not match")
	}
	return nil
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[registry.AlertWebhookArgs]) error {
	c := w.d.Config
	if c.WebhookURL == "" {
		return nil
	}
	ev, err := w.d.Registry.EventForWebhook(ctx, job.Args.EventID)
	if errors.Is(err, models.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if ev.SentAt != nil {
		return nil
	}
	body, err := json.Marshal(WebhookBody{EventID: ev.EventID, Kind: ev.Kind, OccurredAt: ev.OccurredAt.UTC(),
		RegistrationNumber: ev.RegistrationNumber, EpisodeID: ev.EpisodeID,
		Link: strings.TrimRight(c.PublicURL, "/") + "/children/" + strconv.FormatInt(ev.ChildID, 10)})
	if err != nil {
		return river.JobCancel(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return river.JobCancel(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Kujdes-Event-Id", strconv.FormatInt(ev.EventID, 10))
	req.Header.Set(SignatureHeader, Sign(c.WebhookSecret, time.Now(), body))
	res, err := w.d.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("alert event %d webhook: %w", ev.EventID, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("alert event %d webhook: receiver answered %d", ev.EventID, res.StatusCode)
	}
	return w.d.Registry.MarkWebhookSent(ctx, ev.EventID)
}

// reminderWorker writes the day's deadline reminders.
type reminderWorker struct {
	river.WorkerDefaults[registry.DeadlineRemindersArgs]
	d Deps
}

func (w *reminderWorker) Work(ctx context.Context, job *river.Job[registry.DeadlineRemindersArgs]) error {
	n, err := w.d.Registry.SendDeadlineReminders(ctx, job.Args.Day)
	if err == nil && w.d.Log != nil {
		w.d.Log.InfoContext(ctx, "deadline reminders", "day", job.Args.Day, "new", n)
	}
	return err
}

// ageOutWorker runs the day's age-out (issue 10): the use case is registry.AgeOutDue, at
// the registry's clock.
type ageOutWorker struct {
	river.WorkerDefaults[registry.AgeOutArgs]
	d Deps
}

func (w *ageOutWorker) Work(ctx context.Context, job *river.Job[registry.AgeOutArgs]) error {
	n, err := w.d.Registry.AgeOutDue(ctx, w.d.now())
	if err == nil && n > 0 && w.d.Log != nil {
		w.d.Log.InfoContext(ctx, "age-out", "day", job.Args.Day, "aged_out", n)
	}
	return err
}

// emailAddress finds e-mail addresses in an error's text.
var emailAddress = regexp.MustCompile(`[^\s<>"'(),;:]+@[^\s<>"'(),;:]+`)

// mailError is what a failed delivery says in River's job errors and in the logs they reach:
// an SMTP server's refusal often repeats the recipient's address ("550 <drita@…>: unknown"),
// which is personal data and must not reach a log line. An SMTP reply keeps its codes; any
// text keeps its words with every address replaced by "…".
func mailError(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return fmt.Errorf("SMTP %d %d.%d.%d: %s", se.Code, se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2],
			emailAddress.ReplaceAllString(se.Message, "…"))
	}
	return errors.New(emailAddress.ReplaceAllString(err.Error(), "…"))
}
