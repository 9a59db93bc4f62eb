package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Alerts configures the delivery of alerts (issue 10; docs/alerts.md). Without SMTPAddr no
// e-mail is sent, without WebhookURL no webhook: the in-app alert always is.
type Alerts struct {
	// SMTPAddr is the SMTP server, host:port (KUJDES_SMTP_ADDR); SMTPFrom the sender address
	// (KUJDES_SMTP_FROM); SMTPUser and SMTPPassword (KUJDES_SMTP_USER,
	// KUJDES_SMTP_PASSWORD or _FILE) authenticate when set; SMTPTLS is starttls (default),
	// tls or none (KUJDES_SMTP_TLS).
	SMTPAddr, SMTPFrom, SMTPUser, SMTPPassword, SMTPTLS string
	// WebhookURL receives a signed POST per event (KUJDES_ALERT_WEBHOOK_URL); WebhookSecret
	// keys its HMAC-SHA256 (KUJDES_ALERT_WEBHOOK_SECRET or _FILE; required with the URL).
	WebhookURL, WebhookSecret string
	// RetryBase and RetryMax: the first retry waits RetryBase, doubling up to RetryMax
	// (KUJDES_ALERT_RETRY_BASE, _MAX); unset: River's default backoff (attempt⁴ seconds).
	RetryBase, RetryMax time.Duration
	// RescueAfter: a delivery whose worker died is retried after this long
	// (KUJDES_ALERT_RESCUE_AFTER, default 5m).
	RescueAfter time.Duration
	// ReminderHour is the hour of the day (in KUJDES_TIME_ZONE) the daily deadline
	// reminders are written (KUJDES_ALERT_REMINDER_HOUR, default 7).
	ReminderHour int
}

// loadAlerts reads the alert settings; errors are returned joined.
func loadAlerts(getenv Getenv) (Alerts, error) {
	var errs []error
	str := func(name string) string { return strings.TrimSpace(getenv(name)) }
	secret := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		if p := getenv(name + "_FILE"); p != "" {
			b, err := os.ReadFile(p)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
			}
			return strings.TrimSpace(string(b))
		}
		return ""
	}
	dur := func(name string, def time.Duration) time.Duration {
		v := str(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a positive duration like 30s or 5m", name, v))
		}
		return d
	}
	a := Alerts{
		SMTPAddr: str("KUJDES_SMTP_ADDR"), SMTPFrom: str("KUJDES_SMTP_FROM"), SMTPUser: str("KUJDES_SMTP_USER"),
		SMTPPassword: secret("KUJDES_SMTP_PASSWORD"), SMTPTLS: str("KUJDES_SMTP_TLS"),
		WebhookURL: str("KUJDES_ALERT_WEBHOOK_URL"), WebhookSecret: secret("KUJDES_ALERT_WEBHOOK_SECRET"),
		RetryBase: dur("KUJDES_ALERT_RETRY_BASE", 0), RetryMax: dur("KUJDES_ALERT_RETRY_MAX", 0),
		RescueAfter: dur("KUJDES_ALERT_RESCUE_AFTER", 5*time.Minute), ReminderHour: 7,
	}
	if a.SMTPTLS == "" {
		a.SMTPTLS = "starttls"
	}
	if v := str("KUJDES_ALERT_REMINDER_HOUR"); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil || h < 0 || h > 23 {
			errs = append(errs, fmt.Errorf("KUJDES_ALERT_REMINDER_HOUR: %q is not an hour 0–23", v))
		}
		a.ReminderHour = h
	}
	return a, errors.Join(errs...)
}

// Validate refuses alert settings that cannot work.
func (a Alerts) Validate() error {
	var errs []error
	if a.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(a.SMTPAddr); err != nil {
			errs = append(errs, fmt.Errorf("KUJDES_SMTP_ADDR: %q is not host:port", a.SMTPAddr))
		}
		if !strings.Contains(a.SMTPFrom, "@") {
			errs = append(errs, errors.New("KUJDES_SMTP_FROM: an e-mail address is required with KUJDES_SMTP_ADDR"))
		}
	}
	switch a.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		errs = append(errs, fmt.Errorf("KUJDES_SMTP_TLS: %q is not starttls, tls or none", a.SMTPTLS))
	}
	if a.WebhookURL != "" {
		if u, err := url.Parse(a.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("KUJDES_ALERT_WEBHOOK_URL: %q is not an http(s) URL", a.WebhookURL))
		}
		if len(a.WebhookSecret) < 16 {
			errs = append(errs, errors.New("KUJDES_ALERT_WEBHOOK_SECRET: at least 16 characters are required with KUJDES_ALERT_WEBHOOK_URL"))
		}
	}
	return errors.Join(errs...)
}
