package registry

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// TestTransliterate: the suggestion is LatinName's, only for those who register, bounded,
// rate-limited per user on the injected clock, and writes nothing (no audit row: no child is
// asked about).
func TestTransliterate(t *testing.T) {
	f := newDupFixture(t)
	now := f.now
	f.reg.Now = func() time.Time { return now }
	f.reg.Transliterations = NewCheckLimiter(CheckLimit{Count: 1, Per: time.Minute, Burst: 2})
	ctx := context.Background()

	got, err := f.reg.Transliterate(ctx, f.borderOfficer, TransliterationInput{Names: []string{"محمد", "", "Gül"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{LatinName("محمد"), "", "Gul"}; !slices.Equal(got.Latin, want) || got.Latin[0] == "" {
		t.Errorf("Transliterate = %q, want %q", got.Latin, want)
	}

	guardian := &models.Actor{UserID: f.borderOfficer.UserID + 1000, Roles: []models.Role{models.RoleGuardian},
		Permissions: auth.PermissionsFor([]models.Role{models.RoleGuardian})}
	if _, err := f.reg.Transliterate(ctx, guardian, TransliterationInput{Names: []string{"x"}}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a guardian's question: err = %v, want ErrForbidden", err)
	}
	long := make([]string, MaxListItems+1)
	var verr *models.ValidationError
	if _, err := f.reg.Transliterate(ctx, f.borderOfficer, TransliterationInput{Names: long}); !errors.As(err, &verr) {
		t.Errorf("%d names: err = %v, want a validation error", len(long), err)
	}

	// The burst of two is spent by the first question and this one; the next waits a minute.
	if _, err := f.reg.Transliterate(ctx, f.borderOfficer, TransliterationInput{Names: []string{"Ana"}}); err != nil {
		t.Fatal(err)
	}
	var rl *RateLimitedError
	if _, err := f.reg.Transliterate(ctx, f.borderOfficer, TransliterationInput{Names: []string{"Ana"}}); !errors.As(err, &rl) || rl.RetryAfterSeconds() != 60 {
		t.Fatalf("over the limit: err = %v, want RateLimitedError after 60 s", err)
	}
	now = now.Add(time.Minute)
	if _, err := f.reg.Transliterate(ctx, f.borderOfficer, TransliterationInput{Names: []string{"Ana"}}); err != nil {
		t.Errorf("a minute later: %v", err)
	}

	f.reg.Transliterations = nil
	if _, err := f.reg.Transliterate(ctx, f.borderOfficer, TransliterationInput{Names: []string{"Ana"}}); err == nil {
		t.Error("without a limiter the suggestion must be refused")
	}
	var events int64
	if err := f.db.Model(&models.AuditEvent{}).Count(&events).Error; err != nil {
		t.Fatal(err)
	}
	if events != 0 {
		t.Errorf("%d audit events written, want none", events)
	}
}
