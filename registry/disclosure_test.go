package registry

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kujdes/kujdes/models"
)

// TestDuplicateCheckRateLimit: a per-user token bucket on the injected clock, shared by the
// duplicate check and the registrations that run it; each refusal is audited and changes
// nothing else.
func TestDuplicateCheckRateLimit(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	now := f.now
	f.reg.Now = func() time.Time { return now }
	f.reg.Checks = NewCheckLimiter(CheckLimit{Count: 3, Per: time.Minute, Burst: 2})
	f.add(t, testChild{given: "Yusuf", family: "Karimi", sex: "male", from: "2011-01-01", to: "2011-12-31", nats: []string{"AF"}})
	ctx := context.Background()
	q := DuplicateQuery{GivenName: "Yusuf", FamilyName: "Karimi", Nationalities: []string{"AF"}}
	for i := range 2 {
		if _, err := f.reg.FindDuplicates(ctx, f.borderOfficer, q); err != nil {
			t.Fatalf("check %d within the burst: %v", i+1, err)
		}
	}
	_, err := f.reg.FindDuplicates(ctx, f.borderOfficer, q)
	var rl *RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfterSeconds() != 20 {
		t.Fatalf("third check: %v, want a refusal for 20 s", err)
	}
	// A registration that would run the check is refused by the same limit, before any write.
	var children int64
	if err := f.db.Model(&models.Child{}).Count(&children).Error; err != nil {
		t.Fatal(err)
	}
	age := 14
	in := RegistrationInput{IdentityInput: IdentityInput{GivenName: "Yusuf", FamilyName: "Karimi", Sex: "male", AgeMin: &age, AgeMax: &age,
		Nationalities: []string{"AF"}}, Arrival: ArrivalInput{HowFound: "border_check", BorderPostCode: "HAN"}}
	if _, err := f.reg.RegisterArrival(ctx, f.borderOfficer, in); !errors.As(err, &rl) {
		t.Fatalf("registration over the limit: %v", err)
	}
	var after, refusals, shown int64
	if err := f.db.Model(&models.Child{}).Count(&after).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Model(&models.AuditEvent{}).Where("action = 'child.duplicate_check_refused' AND actor_subject = 'bo'").Count(&refusals).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Model(&models.AuditEvent{}).Where("action = 'child.duplicate_candidate'").Count(&shown).Error; err != nil {
		t.Fatal(err)
	}
	if after != children || refusals != 2 || shown != 2 {
		t.Errorf("children %d→%d, refusals %d (want 2), candidates shown %d (want 2)", children, after, refusals, shown)
	}
	// Another user has their own bucket; time refills this one.
	other := *f.borderOfficer
	other.UserID++
	if _, err := f.reg.FindDuplicates(ctx, &other, q); err != nil {
		t.Errorf("another user: %v", err)
	}
	now = now.Add(20 * time.Second)
	if _, err := f.reg.FindDuplicates(ctx, f.borderOfficer, q); err != nil {
		t.Errorf("after 20 s: %v", err)
	}
	// A registration refused as a possible duplicate still records the showing (its
	// transaction commits the access-history rows, nothing else).
	now = now.Add(time.Minute)
	_, err = f.reg.RegisterArrival(ctx, f.borderOfficer, in)
	var dup *DuplicatesFoundError
	if !errors.As(err, &dup) || len(dup.Candidates) != 1 || dup.Candidates[0].BorderPost != "" {
		t.Fatalf("registration of a likely duplicate: %v", err)
	}
	var viaReg int64
	if err := f.db.Model(&models.AuditEvent{}).Where("action = 'child.duplicate_candidate' AND changes->'via'->>'after' = 'registration'").Count(&viaReg).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Model(&models.Child{}).Count(&after).Error; err != nil {
		t.Fatal(err)
	}
	if viaReg != 1 || after != children {
		t.Errorf("refused registration: %d access-history rows (want 1), children %d→%d", viaReg, children, after)
	}
}

// TestDuplicateHintsKeepChecksForSaving: the checks the registration form asks while it is
// typed (hints) may not spend the last third of the burst, so that a slow typist or a post
// registering a group still has checks left when saving; a refused hint is audited as one,
// and the candidates a hint shows are recorded as shown by a hint.
func TestDuplicateHintsKeepChecksForSaving(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	now := f.now
	f.reg.Now = func() time.Time { return now }
	f.reg.Checks = NewCheckLimiter(CheckLimit{Count: 30, Per: 10 * time.Minute, Burst: 10}) // keeps 3
	f.add(t, testChild{given: "Yusuf", family: "Karimi", sex: "male", from: "2011-01-01", to: "2011-12-31", nats: []string{"AF"}})
	ctx := context.Background()
	q := DuplicateQuery{GivenName: "Yusuf", FamilyName: "Karimi", Nationalities: []string{"AF"}}
	for i := range 7 {
		if _, err := f.reg.FindDuplicateHints(ctx, f.borderOfficer, q); err != nil {
			t.Fatalf("hint %d of the 7 the burst allows: %v", i+1, err)
		}
	}
	_, err := f.reg.FindDuplicateHints(ctx, f.borderOfficer, q)
	var rl *RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfterSeconds() != 20 {
		t.Fatalf("8th hint: %v, want a refusal for 20 s (one check refills in 20 s)", err)
	}
	for i := range 3 {
		if _, err := f.reg.FindDuplicates(ctx, f.borderOfficer, q); err != nil {
			t.Fatalf("check %d of the 3 kept for saving: %v", i+1, err)
		}
	}
	if _, err := f.reg.FindDuplicates(ctx, f.borderOfficer, q); !errors.As(err, &rl) {
		t.Fatalf("a check over the whole burst: %v, want a refusal", err)
	}
	count := func(where string) int64 {
		t.Helper()
		var n int64
		if err := f.db.Model(&models.AuditEvent{}).Where(where).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := count("action = 'child.duplicate_check_refused' AND changes->'via'->>'after' = 'duplicate_hint'"); got != 1 {
		t.Errorf("refused hints audited: %d, want 1", got)
	}
	if got := count("action = 'child.duplicate_candidate' AND changes->'via'->>'after' = 'duplicate_hint'"); got != 7 {
		t.Errorf("candidates shown by hints: %d access-history rows, want 7", got)
	}
	if got := count("action = 'child.duplicate_candidate' AND changes->'via'->>'after' = 'duplicate_check'"); got != 3 {
		t.Errorf("candidates shown by checks: %d access-history rows, want 3", got)
	}
}

// TestCheckLimiterConcurrent: concurrent checks by one user get exactly the burst.
func TestCheckLimiterConcurrent(t *testing.T) {
	t.Parallel()
	l := NewCheckLimiter(CheckLimit{Count: 30, Per: 10 * time.Minute, Burst: 10})
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	var mu sync.Mutex
	var wg sync.WaitGroup
	allowed := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.reserve(7, now, 0); ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if allowed != 10 {
		t.Fatalf("%d of 50 concurrent checks allowed, want the burst of 10", allowed)
	}
	if ok, wait := l.reserve(7, now, 0); ok || wait != 20*time.Second {
		t.Errorf("next check: ok %t, wait %v (want 20 s: 30 per 10 minutes)", ok, wait)
	}
	if ok, _ := l.reserve(7, now.Add(20*time.Second), 0); !ok {
		t.Errorf("one check refills in 20 s")
	}
}
