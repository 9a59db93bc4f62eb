package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/models"
)

// Thirty officers' clients send the same new child at the same moment, without confirm_new:
// one record is created, the 29 others are told of it as a possible duplicate (issue 7: the
// duplicate check and the insert were not serialized, and 30 requests made 10 records). An
// officer who confirms a new record still gets one.
//
// To make the race certain rather than lucky, the test holds a SHARE lock on children (reads
// pass, inserts wait — as behind any slow write) until every connection of the server's pool
// is waiting on a lock: without serialization, every request has passed its duplicate check by
// then and each inserts a child.
func TestConcurrentIdenticalRegistrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// One officer's 30 requests would meet the duplicate-check rate limit first (429): this
	// test is about the race, so the limit is out of the way.
	app := apptest.Start(t, func(d *server.Deps) { d.Config.DuplicateCheckBurst = 100 })
	blocker, err := models.Open(ctx, app.DBURL, slog.New(slog.DiscardHandler)) // not the server's pool
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := blocker.DB(); err == nil {
			s.Close()
		}
	})
	pool, err := app.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	b1 := "Bearer " + app.Token(t, "border1")
	if res := app.Do(t, nil, "GET", "/api/v1/me", "", "Authorization", b1); res.StatusCode != http.StatusOK {
		t.Fatalf("warm-up: %d", res.StatusCode) // the user row exists before the burst
	}
	before := childCount(t, app)
	body := registration(map[string]any{"given_name": "Zamir", "family_name": "Qasemi", "given_name_latin": "Zamir", "family_name_latin": "Qasemi"})

	const n = 30
	statuses := make([]int, n)
	start := make(chan struct{})
	lock := blocker.WithContext(ctx).Begin()
	if err := lock.Exec(`LOCK TABLE children IN SHARE MODE`).Error; err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest("POST", app.URL+"/api/v1/registrations", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", b1)
			<-start
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	close(start)
	waiting := min(n, pool.Stats().MaxOpenConnections)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var w int
		if err := blocker.WithContext(ctx).Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&w).Error; err != nil {
			t.Fatal(err)
		}
		if w >= waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d connections wait on a lock", w, waiting)
		}
		time.Sleep(20 * time.Millisecond)
	}
	released := time.Now()
	if err := lock.Commit().Error; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	t.Logf("%d registrations answered %v after the inserts were let through", n, time.Since(released))

	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	t.Logf("answers: %v", count)
	if count[http.StatusCreated] != 1 || count[http.StatusConflict] != n-1 {
		t.Errorf("answers %v, want one 201 and %d × 409", count, n-1)
	}
	if got := childCount(t, app) - before; got != 1 {
		t.Errorf("%d children created, want 1", got)
	}
	var named int64
	if err := app.DB.Raw(`SELECT count(*) FROM children WHERE given_name = 'Zamir' AND family_name = 'Qasemi'`).Scan(&named).Error; err != nil || named != 1 {
		t.Errorf("%d children named Zamir Qasemi (%v), want 1", named, err)
	}

	// confirm_new: the officer decided it is another child; the record is made.
	res := app.Do(t, nil, "POST", "/api/v1/registrations", registration(map[string]any{
		"given_name": "Zamir", "family_name": "Qasemi", "given_name_latin": "Zamir", "family_name_latin": "Qasemi", "confirm_new": true,
	}), "Authorization", b1)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("confirmed new: %d %s", res.StatusCode, apptest.Body(t, res))
	}
}
