package registry_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/notify"
	"github.com/kujdes/kujdes/registry"
)

// The receivers of the delivery tests are real servers: an SMTP server (emersion/go-smtp)
// and an HTTP server that checks the webhook's signature itself, written here from the
// documented scheme (not with notify.Verify), so a wrong signature fails the test.

const testWebhookSecret = "test-secret-0123456789abcdef"

// arrival is one delivery a receiver accepted.
type arrival struct {
	key string // the e-mail's Message-ID or the webhook's event id
	at  time.Time
	raw []byte
}

// receiver counts accepted deliveries; it refuses the first failFirst attempts, and while
// held it keeps each attempt waiting (in flight) until released, then refuses it.
type receiver struct {
	mu        sync.Mutex
	accepted  []arrival
	attempts  int
	failFirst int
	held      bool
	inFlight  int
	release   chan struct{}
	changed   chan struct{}
}

func newReceiver() *receiver {
	return &receiver{release: make(chan struct{}), changed: make(chan struct{}, 1)}
}

func (r *receiver) notify() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// attempt decides one delivery attempt: accept it (true) or refuse it.
func (r *receiver) attempt(key string, raw []byte) bool {
	r.mu.Lock()
	r.attempts++
	if r.held {
		r.inFlight++
		rel := r.release
		r.mu.Unlock()
		r.notify()
		<-rel
		return false
	}
	if r.attempts <= r.failFirst {
		r.mu.Unlock()
		return false
	}
	r.accepted = append(r.accepted, arrival{key: key, at: time.Now(), raw: raw})
	r.mu.Unlock()
	r.notify()
	return true
}

// hold makes attempts wait; unhold refuses the waiting ones and accepts from then on.
func (r *receiver) hold() {
	r.mu.Lock()
	r.held = true
	r.mu.Unlock()
}

func (r *receiver) unhold() {
	r.mu.Lock()
	r.held = false
	close(r.release)
	r.release = make(chan struct{})
	r.mu.Unlock()
}

func (r *receiver) snapshot() (accepted []arrival, attempts, inFlight int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]arrival(nil), r.accepted...), r.attempts, r.inFlight
}

// waitFor waits until cond holds on the receiver (or fails the test after timeout).
func (r *receiver) waitFor(t *testing.T, what string, timeout time.Duration, cond func(accepted []arrival, inFlight int) bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		acc, _, fl := r.snapshot()
		if cond(acc, fl) {
			return
		}
		select {
		case <-r.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			acc, att, fl := r.snapshot()
			t.Fatalf("%s: not after %v (accepted %d, attempts %d, in flight %d)", what, timeout, len(acc), att, fl)
		}
	}
}

// smtpReceiver is a real SMTP server on a loopback port.
type smtpReceiver struct {
	*receiver
	addr string
	// ignoreKind: messages of this alert kind (Kujdes-Alert-Kind) are accepted uncounted —
	// the event tests ignore the daily reminders the worker sends at start.
	ignoreKind string
}

// ignoreReminders makes the receiver accept the daily reminders without counting them.
// (Under the receiver's lock: a connection may already be open — the server serves from
// startSMTP on.)
func (r *smtpReceiver) ignoreReminders() *smtpReceiver {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ignoreKind = "deadline_due"
	return r
}

func (r *smtpReceiver) ignoring() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ignoreKind
}

func startSMTP(t *testing.T) *smtpReceiver {
	t.Helper()
	rc := &smtpReceiver{receiver: newReceiver()}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{rc: rc}, nil }))
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rc.addr = ln.Addr().String()
	go s.Serve(ln)
	t.Cleanup(func() { rc.unholdIfHeld(); s.Close() })
	return rc
}

func (r *receiver) unholdIfHeld() {
	r.mu.Lock()
	held := r.held
	r.mu.Unlock()
	if held {
		r.unhold()
	}
}

type smtpSession struct {
	rc *smtpReceiver
	to []string
}

func (s *smtpSession) Reset()                                    { s.to = nil }
func (s *smtpSession) Logout() error                             { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return err
	}
	if k, ignore := m.Header.Get("Kujdes-Alert-Kind"), s.rc.ignoring(); k == "" || (ignore != "" && k == ignore) {
		if k == "" {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "no Kujdes-Alert-Kind"}
		}
		return nil
	}
	if !s.rc.attempt(m.Header.Get("Message-ID"), raw) {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	return nil
}

// webhookReceiver is a real HTTP server that checks the signature.
type webhookReceiver struct {
	*receiver
	url     string
	badSigs int
	mu      sync.Mutex
}

var sigRe = regexp.MustCompile(`^t=(\d+), v1=([0-9a-f]{64})$`)

func startWebhook(t *testing.T) *webhookReceiver {
	t.Helper()
	rc := &webhookReceiver{receiver: newReceiver()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		m := sigRe.FindStringSubmatch(req.Header.Get("Kujdes-Signature"))
		ok := m != nil
		if ok {
			mac := hmac.New(sha256.New, []byte(testWebhookSecret))
			mac.Write([]byte(m[1] + "."))
			mac.Write(body)
			ts, _ := strconv.ParseInt(m[1], 10, 64)
			ok = hex.EncodeToString(mac.Sum(nil)) == m[2] && time.Since(time.Unix(ts, 0)).Abs() < 5*time.Minute
		}
		if !ok {
			rc.mu.Lock()
			rc.badSigs++
			rc.mu.Unlock()
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if !rc.attempt(req.Header.Get("Kujdes-Event-Id"), body) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	rc.url = srv.URL + "/hook"
	t.Cleanup(func() { rc.unholdIfHeld(); srv.Close() })
	return rc
}

func (w *webhookReceiver) badSignatures() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.badSigs
}

// deliveryConfig is the worker configuration of the tests: both channels on, fast retries.
func deliveryConfig(sm *smtpReceiver, wh *webhookReceiver) notify.Config {
	return notify.Config{SMTPAddr: sm.addr, SMTPFrom: "kujdes@example.org", SMTPTLS: "none",
		WebhookURL: wh.url, WebhookSecret: testWebhookSecret, PublicURL: "https://kujdes.example.org",
		DefaultLanguage: "en", RetryBase: 100 * time.Millisecond, RetryMax: time.Second, ReminderHour: 7, Zone: time.UTC,
		JobTimeout: 3 * time.Second, RescueAfter: 4 * time.Second}
}

// startWorker runs the alert workers in this process (what `kujdes serve` starts) until the
// test ends.
func startWorker(t *testing.T, dbURL string, reg *registry.Registry, cfg notify.Config) *notify.Service {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := notify.Start(context.Background(), notify.Deps{Pool: pool, Registry: reg, I18n: bundle,
		Log: slog.New(slog.DiscardHandler), Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := svc.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("stopping the worker: %v", err)
		}
		pool.Close()
	})
	return svc
}

// webhookEvents decodes the accepted webhook bodies.
func webhookEvents(t *testing.T, acc []arrival) []notify.WebhookBody {
	t.Helper()
	out := make([]notify.WebhookBody, len(acc))
	for i, a := range acc {
		if err := json.Unmarshal(a.raw, &out[i]); err != nil {
			t.Fatalf("webhook body %s: %v", a.raw, err)
		}
	}
	return out
}

// distinct counts the distinct keys of the arrivals and the largest number of times one came.
func distinct(acc []arrival) (keys, maxRepeat int) {
	seen := map[string]int{}
	for _, a := range acc {
		seen[a.key]++
		maxRepeat = max(maxRepeat, seen[a.key])
	}
	return len(seen), maxRepeat
}
