package registry_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/notify"
	"github.com/kujdes/kujdes/registry"
)

// TestMain lets the test binary be an alert worker process (KUJDES_ALERT_TEST_WORKER=1):
// TestAlertsSurviveAKill kills one with SIGKILL mid-delivery and starts another.
func TestMain(m *testing.M) {
	if os.Getenv("KUJDES_ALERT_TEST_WORKER") == "1" {
		os.Exit(workerProcess())
	}
	os.Exit(m.Run())
}

// workerProcess runs the alert workers as `kujdes serve` does (notify.Start on its own pool)
// and, when KUJDES_ALERT_TEST_REPORT names a child, reports that child missing first. It
// stops cleanly on SIGTERM.
func workerProcess() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	dbURL := os.Getenv("DATABASE_URL")
	db, err := models.Open(ctx, dbURL, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer pool.Close()
	bundle, err := i18n.New("en")
	if err != nil {
		return 2
	}
	cfg := notify.Config{SMTPAddr: os.Getenv("SMTP_ADDR"), SMTPFrom: "kujdes@example.org", SMTPTLS: "none",
		WebhookURL: os.Getenv("WEBHOOK_URL"), WebhookSecret: testWebhookSecret, PublicURL: "https://kujdes.example.org",
		DefaultLanguage: "en", RetryBase: 100 * time.Millisecond, RetryMax: time.Second, Zone: time.UTC,
		JobTimeout: 3 * time.Second, RescueAfter: 4 * time.Second}
	svc, err := notify.Start(context.WithoutCancel(ctx), notify.Deps{Pool: pool, Registry: registry.New(db), I18n: bundle,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), Config: cfg})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if id, _ := strconv.ParseInt(os.Getenv("KUJDES_ALERT_TEST_REPORT"), 10, 64); id != 0 {
		if err := registry.ReportMissingForTest(ctx, db, id, time.Now()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Stop(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "stop:", err)
		return 1
	}
	return 0
}

func startWorkerProcess(t *testing.T, dbURL string, sm *smtpReceiver, wh *webhookReceiver, report int64) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "KUJDES_ALERT_TEST_WORKER=1", "DATABASE_URL="+dbURL, "SMTP_ADDR="+sm.addr,
		"WEBHOOK_URL="+wh.url, fmt.Sprintf("KUJDES_ALERT_TEST_REPORT=%d", report))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// decodeMail returns an accepted message's recipient, decoded subject and decoded body.
func decodeMail(t *testing.T, raw []byte) (to, subject, body string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header.Get("To"), subject, string(b)
}

// An event reaches the real SMTP server (one e-mail per recipient, in the recipient's
// language, no child's name) and the real webhook receiver (signed, minimal), even though
// both refuse the first two attempts: retried with backoff, delivered exactly once.
func TestAlertDelivery(t *testing.T) {
	f := newAlertFixture(t)
	ctx := context.Background()
	if err := f.reg.SetAlertLanguage(ctx, f.guardian, "sq"); err != nil {
		t.Fatal(err)
	}
	sm, wh := startSMTP(t).ignoreReminders(), startWebhook(t)
	sm.failFirst, wh.failFirst = 2, 2
	startWorker(t, f.url, f.reg, deliveryConfig(sm, wh))
	if err := registry.ReportMissingForTest(ctx, f.db, f.child, time.Now()); err != nil {
		t.Fatal(err)
	}
	sm.waitFor(t, "two e-mails", 60*time.Second, func(acc []arrival, _ int) bool { return len(acc) >= 2 })
	wh.waitFor(t, "one webhook", 60*time.Second, func(acc []arrival, _ int) bool { return len(acc) >= 1 })
	time.Sleep(time.Second) // a duplicate would come now
	mails, mailAttempts, _ := sm.snapshot()
	hooks, hookAttempts, _ := wh.snapshot()
	if n, rep := distinct(mails); len(mails) != 2 || n != 2 || rep != 1 {
		t.Errorf("e-mails: %d accepted, %d distinct, want 2 once each", len(mails), n)
	}
	if len(hooks) != 1 || hookAttempts != 3 {
		t.Errorf("webhook: %d accepted after %d attempts, want 1 after 3", len(hooks), hookAttempts)
	}
	if mailAttempts < 4 {
		t.Errorf("SMTP attempts %d: the two refusals were not retried", mailAttempts)
	}
	link := fmt.Sprintf("https://kujdes.example.org/children/%d", f.child)
	subjects := map[string]string{}
	for _, m := range mails {
		to, subject, body := decodeMail(t, m.raw)
		subjects[to] = subject
		if !strings.Contains(body, "T-1") || !strings.Contains(body, link) {
			t.Errorf("e-mail to %s lacks the number or the link:\n%s", to, body)
		}
		for _, name := range []string{"Amira", "Haddad"} {
			if strings.Contains(string(m.raw), name) || strings.Contains(subject+body, name) {
				t.Errorf("e-mail to %s names the child", to)
			}
		}
	}
	if s := subjects[f.emailOf[f.po1.UserID]]; s != "Kujdes: child T-1 reported missing" {
		t.Errorf("po1's subject %q (English, the default)", s)
	}
	if s := subjects[f.emailOf[f.guardian.UserID]]; s != "Kujdes: fëmija T-1 është raportuar i zhdukur" {
		t.Errorf("the guardian's subject %q (Albanian, their language)", s)
	}
	ev := webhookEvents(t, hooks)[0]
	var episode int64
	mustScan(t, f.db, &episode, `SELECT id FROM missing_episodes WHERE child_id = ?`, f.child)
	if ev.Kind != "child_missing" || ev.RegistrationNumber != "T-1" || ev.Link != link || ev.EpisodeID == nil || *ev.EpisodeID != episode {
		t.Errorf("webhook body %+v", ev)
	}
	if strings.Contains(string(hooks[0].raw), "Amira") {
		t.Error("the webhook names the child")
	}
	if n := wh.badSignatures(); n != 0 {
		t.Errorf("%d webhook requests with a bad signature", n)
	}
	// A job is finished by River after its Work returns (the completer writes the state, in
	// batches), and the queue also holds the start-up reminder's e-mail, which nothing above
	// waited for: under load one of them may still be running here. So wait until every
	// delivery job has a final state, then require that state to be "completed".
	if open := deliveryJobs(t, f, `finalized_at IS NULL`); len(open) > 0 {
		t.Logf("not finished yet, 1 s after the last arrival: %v", open)
	}
	waitUntil(t, "every delivery job to finish", 30*time.Second, func() bool {
		return f.count(t, `SELECT count(*) FROM river_job WHERE queue = 'alerts' AND finalized_at IS NULL`) == 0
	})
	if jobs := deliveryJobs(t, f, `state <> 'completed'`); len(jobs) != 0 {
		t.Errorf("delivery jobs not completed: %v", jobs)
	}
	if n := f.count(t, `SELECT count(*) FROM alerts WHERE emailed_at IS NULL`); n != 0 {
		t.Errorf("%d alerts not marked e-mailed", n)
	}
}

// deliveryJobs describes the jobs of the alerts queue that match a condition (job kind, the
// alert's event kind, state, attempt), for a failure message.
func deliveryJobs(t *testing.T, f *alertFixture, cond string) []string {
	t.Helper()
	var jobs []string
	mustScan(t, f.db, &jobs, `SELECT j.kind || ' (' || coalesce(e.kind, '-') || ') ' || j.state || ' attempt ' || j.attempt
		FROM river_job j LEFT JOIN alerts a ON a.id = (j.args->>'alert_id')::bigint
		LEFT JOIN alert_events e ON e.id = coalesce(a.event_id, (j.args->>'event_id')::bigint)
		WHERE j.queue = 'alerts' AND j.`+cond+` ORDER BY j.id`)
	return jobs
}

// TestAlertDeliveryDelay is the figure for the notes: the delay from the commit of a report
// to its arrival at the SMTP server and at the webhook receiver, over 100 reports; every one
// must arrive, once. The report is a parameter: the missing-children use case replaces the
// test stand-in at merge.
func TestAlertDeliveryDelay(t *testing.T) {
	f := newAlertFixture(t)
	measureAlertDelivery(t, f, 100, func(ctx context.Context, childID int64) error {
		return registry.ReportMissingForTest(ctx, f.db, childID, time.Now())
	})
}

// measureAlertDelivery reports n new children (each with one recipient, the region's
// officer) one after another, 50 ms apart (20 a second: a burst far above any real rate of
// missing-child reports), and logs p50/p95 of commit → arrival.
func measureAlertDelivery(t *testing.T, f *alertFixture, n int, report func(ctx context.Context, childID int64) error) {
	t.Helper()
	ctx := context.Background()
	sm, wh := startSMTP(t).ignoreReminders(), startWebhook(t)
	startWorker(t, f.url, f.reg, deliveryConfig(sm, wh))
	// The worker's start-up runs the day's jobs (reminders, age-out) first, so the figure is
	// of the events alone: wait for them and the e-mails they queued.
	waitUntil(t, "the day's jobs", 60*time.Second, func() bool {
		return f.count(t, `SELECT count(*) FROM river_job WHERE kind IN ('deadline_reminders', 'age_out') AND state = 'completed'`) == 2 &&
			f.count(t, `SELECT count(*) FROM river_job WHERE state <> 'completed'`) == 0
	})
	committed := map[int64]time.Time{}
	var ids []int64
	for i := range n {
		ids = append(ids, f.addChild(fmt.Sprintf("M-%03d", i)))
	}
	for _, id := range ids {
		if err := report(ctx, id); err != nil {
			t.Fatal(err)
		}
		committed[id] = time.Now()
		time.Sleep(50 * time.Millisecond)
	}
	sm.waitFor(t, fmt.Sprintf("%d e-mails", n), 120*time.Second, func(acc []arrival, _ int) bool { return len(acc) >= n })
	wh.waitFor(t, fmt.Sprintf("%d webhooks", n), 120*time.Second, func(acc []arrival, _ int) bool { return len(acc) >= n })
	time.Sleep(time.Second)
	mails, _, _ := sm.snapshot()
	hooks, _, _ := wh.snapshot()
	if k, rep := distinct(mails); len(mails) != n || k != n || rep != 1 {
		t.Fatalf("e-mails: %d accepted, %d distinct; want %d once each", len(mails), k, n)
	}
	if k, rep := distinct(hooks); len(hooks) != n || k != n || rep != 1 {
		t.Fatalf("webhooks: %d accepted, %d distinct; want %d once each", len(hooks), k, n)
	}
	// Map each arrival to its child: the e-mail's Message-ID names the alert, the webhook's
	// header the event.
	type link struct{ AlertID, EventID, ChildID int64 }
	var links []link
	mustScan(t, f.db, &links, `SELECT a.id AS alert_id, e.id AS event_id, e.child_id FROM alerts a JOIN alert_events e ON e.id = a.event_id`)
	childOfAlert, childOfEvent := map[string]int64{}, map[string]int64{}
	for _, l := range links {
		childOfAlert[fmt.Sprintf("<alert-%d@kujdes>", l.AlertID)] = l.ChildID
		childOfEvent[strconv.FormatInt(l.EventID, 10)] = l.ChildID
	}
	delays := func(acc []arrival, childOf map[string]int64) []time.Duration {
		var ds []time.Duration
		for _, a := range acc {
			c, ok := childOf[a.key]
			if !ok {
				t.Fatalf("arrival %q matches no alert", a.key)
			}
			ds = append(ds, a.at.Sub(committed[c]))
		}
		slices.Sort(ds)
		return ds
	}
	pct := func(ds []time.Duration, p int) time.Duration { return ds[(len(ds)*p+99)/100-1] }
	md, wd := delays(mails, childOfAlert), delays(hooks, childOfEvent)
	t.Logf("commit → SMTP server over %d reports: p50 %v, p95 %v, max %v", n, pct(md, 50).Round(time.Millisecond), pct(md, 95).Round(time.Millisecond), md[len(md)-1].Round(time.Millisecond))
	t.Logf("commit → webhook receiver over %d reports: p50 %v, p95 %v, max %v", n, pct(wd, 50).Round(time.Millisecond), pct(wd, 95).Round(time.Millisecond), wd[len(wd)-1].Round(time.Millisecond))
}

// The worker process that committed a report is killed (SIGKILL) while its deliveries are in
// flight — the SMTP server and the webhook receiver hold them unanswered. Another process
// takes the stuck jobs over (River's rescuer, after the job timeout) and delivers each alert
// exactly once; it then stops cleanly on SIGTERM.
func TestAlertsSurviveAKill(t *testing.T) {
	f := newAlertFixture(t)
	sm, wh := startSMTP(t).ignoreReminders(), startWebhook(t)
	sm.hold()
	wh.hold()
	a := startWorkerProcess(t, f.url, sm, wh, f.child)
	sm.waitFor(t, "both e-mails in flight", 60*time.Second, func(_ []arrival, inFlight int) bool { return inFlight >= 2 })
	wh.waitFor(t, "the webhook in flight", 60*time.Second, func(_ []arrival, inFlight int) bool { return inFlight >= 1 })
	if err := a.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE state = 'running' AND queue = 'alerts'
		AND (kind = 'alert_webhook' OR (args->>'alert_id')::bigint IN
			(SELECT a.id FROM alerts a JOIN alert_events e ON e.id = a.event_id WHERE e.kind = 'child_missing'))`); n != 3 {
		t.Errorf("%d deliveries left running by the killed process, want 3", n)
	}
	sm.unhold() // the held attempts are refused; their sender is dead anyway
	wh.unhold()
	b := startWorkerProcess(t, f.url, sm, wh, 0)
	sm.waitFor(t, "two e-mails after the restart", 120*time.Second, func(acc []arrival, _ int) bool { return len(acc) >= 2 })
	wh.waitFor(t, "the webhook after the restart", 120*time.Second, func(acc []arrival, _ int) bool { return len(acc) >= 1 })
	time.Sleep(2 * time.Second)
	mails, _, _ := sm.snapshot()
	hooks, _, _ := wh.snapshot()
	if k, rep := distinct(mails); len(mails) != 2 || k != 2 || rep != 1 {
		t.Errorf("e-mails after the kill: %d accepted, %d distinct; want 2 once each", len(mails), k)
	}
	if len(hooks) != 1 {
		t.Errorf("webhooks after the kill: %d, want 1", len(hooks))
	}
	if err := b.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the worker did not stop cleanly: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("the worker did not stop within 20 s of SIGTERM")
	}
}
