package notify

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func TestSignAndVerify(t *testing.T) {
	now := time.Unix(1_790_000_000, 0)
	body := []byte(`{"event_id":1,"kind":"child_missing"}`)
	sig := Sign("s3cret-s3cret-s3cret", now, body)
	if want := "t=1790000000, v1="; sig[:len(want)] != want || len(sig) != len(want)+64 {
		t.Fatalf("signature %q", sig)
	}
	for _, tt := range []struct {
		name   string
		secret string
		header string
		body   []byte
		at     time.Time
		ok     bool
	}{
		{"as signed", "s3cret-s3cret-s3cret", sig, body, now, true},
		{"within tolerance", "s3cret-s3cret-s3cret", sig, body, now.Add(4 * time.Minute), true},
		{"body changed", "s3cret-s3cret-s3cret", sig, []byte(`{"event_id":2,"kind":"child_missing"}`), now, false},
		{"other secret", "another-secret-value", sig, body, now, false},
		{"replayed later", "s3cret-s3cret-s3cret", sig, body, now.Add(6 * time.Minute), false},
		{"no time", "s3cret-s3cret-s3cret", sig[len("t=1790000000, "):], body, now, false},
		{"empty", "s3cret-s3cret-s3cret", "", body, now, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.header, tt.body, tt.at, 5*time.Minute)
			if (err == nil) != tt.ok {
				t.Errorf("Verify = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestDailyAt(t *testing.T) {
	tirana, err := time.LoadLocation("Europe/Tirane")
	if err != nil {
		t.Fatal(err)
	}
	s := dailyAt{hour: 7, zone: tirana}
	for _, tt := range []struct{ now, want string }{
		{"2026-12-02T05:59:00Z", "2026-12-02T06:00:00Z"}, // 06:59 in Tirana: today at 07:00 (UTC+1)
		{"2026-12-02T06:00:00Z", "2026-12-03T06:00:00Z"}, // exactly 07:00: tomorrow
		{"2026-07-01T04:00:00Z", "2026-07-01T05:00:00Z"}, // summer time (UTC+2)
	} {
		now, _ := time.Parse(time.RFC3339, tt.now)
		if got := s.Next(now).UTC().Format(time.RFC3339); got != tt.want {
			t.Errorf("Next(%s) = %s, want %s", tt.now, got, tt.want)
		}
	}
}

// A refused delivery's error (kept by River and logged) names no recipient: SMTP replies keep
// their codes, and every address in any error text is replaced.
func TestMailErrorNamesNoAddress(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"smtp reply", fmt.Errorf("rcpt: %w", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message: "<drita.hoxha@example.org>: Recipient address rejected"}), "SMTP 550 5.1.1: <…>: Recipient address rejected"},
		{"other text", errors.New("mail to drita.hoxha@example.org failed: connection reset"), "mail to … failed: connection reset"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := mailError(tt.err).Error()
			if got != tt.want || strings.Contains(got, "drita") {
				t.Errorf("mailError = %q, want %q", got, tt.want)
			}
		})
	}
}
