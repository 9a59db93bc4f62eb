package registry

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestIdempotencyKeysExpire: a key is remembered for IdempotencyRetention. After that the same
// key may be used again, for another request (its old row is taken over), the user's other
// expired keys are forgotten on their next write, and nobody else's keys are touched.
func TestIdempotencyKeysExpire(t *testing.T) {
	t.Parallel()
	f := newDupFixture(t)
	ctx := context.Background()
	other := f.insert(t, `INSERT INTO users (issuer, subject, username) VALUES ('test', 'bo2', 'bo2')`)
	now := f.now
	f.reg.Now = func() time.Time { return now }
	in := RegistrationInput{
		IdentityInput: IdentityInput{GivenName: "Bashir", FamilyName: "Noori", Sex: "male", AgeMin: ptr(15), AgeMax: ptr(16),
			Nationalities: []string{"AF"}},
		Arrival: ArrivalInput{HowFound: "border_check", BorderPostCode: "HAN"}, ConfirmNew: true,
	}
	first, err := f.reg.RegisterArrivalOnce(ctx, f.borderOfficer, "k-1", in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.RegisterArrivalOnce(ctx, f.borderOfficer, "k-2", in); err != nil {
		t.Fatal(err)
	}
	// Another user's key, as old as these will be.
	if err := f.db.Exec(`INSERT INTO idempotency_keys (user_id, key, operation, request_hash, result, created_at)
		VALUES (?, 'k-1', 'registration', sha256(''), '{}', ?)`, other, now).Error; err != nil {
		t.Fatal(err)
	}
	keys := func() []string {
		t.Helper()
		var out []string
		if err := f.db.Raw(`SELECT user_id || ' ' || key || ' ' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
			FROM idempotency_keys ORDER BY 1`).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}

	// Within the retention: the same key replays.
	now = f.now.Add(IdempotencyRetention - time.Minute)
	again, err := f.reg.RegisterArrivalOnce(ctx, f.borderOfficer, "k-1", in)
	if err != nil || !again.Replayed || again.ChildID != first.ChildID {
		t.Fatalf("within the retention: %+v %v", again, err)
	}
	// After it: k-1 is a new request (another child), k-2 is forgotten, the other user's key stays.
	now = f.now.Add(IdempotencyRetention + time.Minute)
	in.GivenName = "Qasim"
	fresh, err := f.reg.RegisterArrivalOnce(ctx, f.borderOfficer, "k-1", in)
	if err != nil || fresh.Replayed || fresh.ChildID == first.ChildID {
		t.Fatalf("after the retention: %+v %v", fresh, err)
	}
	u := func(id int64) string { return strconv.FormatInt(id, 10) }
	want := []string{u(f.borderOfficer.UserID) + " k-1 " + now.Format("2006-01-02 15:04"), u(other) + " k-1 " + f.now.Format("2006-01-02 15:04")}
	slices.Sort(want)
	if got := keys(); !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	// A key committed by someone else first is the race (remember affects no row).
	err = f.db.Transaction(func(tx *gorm.DB) error {
		k, err := newIdempotencyKey("k-1", "registration", in)
		if err != nil {
			return err
		}
		return k.remember(tx, f.borderOfficer.UserID, now, Registration{})
	})
	if !errors.Is(err, errIdempotentRace) {
		t.Errorf("a live key remembered again: %v, want errIdempotentRace", err)
	}
}
