package registry

import (
	"context"
	"errors"
	"time"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// The Latin spelling suggested while a name is typed (issue 13, item 3). The registration
// page's script asks for it as the officer types a name in any script, and fills in the Latin
// fields the officer has not written themselves; without the script the same suggestion is
// made when the form is saved or refused. The answer depends on nothing but the question:
// nothing is read from the database and nothing about any child is disclosed, so nothing is
// audited. The route is limited to those who register children, and by a per-user rate.

// DefaultTransliterationLimit is 300 suggestions per user per 10 minutes, 60 at once: a
// script asking after each pause in typing stays far below it; a client looping does not.
var DefaultTransliterationLimit = CheckLimit{Count: 300, Per: 10 * time.Minute, Burst: 60}

// TransliterationInput is the names to spell in Latin letters (any script; empty ones stay
// empty).
type TransliterationInput struct {
	Names []string `json:"names" input:"items=20,len=100"`
}

// Transliteration is the suggested Latin spelling of each name, in the question's order.
type Transliteration struct {
	Latin []string `json:"latin"`
}

// Transliterate suggests the Latin spelling of names (matching.LatinName, the rule registrations use).
func (r *Registry) Transliterate(ctx context.Context, a *models.Actor, in TransliterationInput) (Transliteration, error) {
	if err := require(a, models.PermChildRegister); err != nil {
		return Transliteration{}, err
	}
	if err := CheckInput(in); err != nil {
		return Transliteration{}, err
	}
	if r.Transliterations == nil {
		return Transliteration{}, errNoTransliterationLimiter
	}
	if ok, wait := r.Transliterations.reserve(a.UserID, r.now(), 0); !ok {
		return Transliteration{}, &RateLimitedError{RetryAfter: wait}
	}
	out := Transliteration{Latin: make([]string, len(in.Names))}
	for i, n := range in.Names {
		out.Latin[i] = matching.LatinName(n)
	}
	return out, nil
}

// errNoTransliterationLimiter: the registry fails closed without a limiter, as for checks.
var errNoTransliterationLimiter = errors.New("transliteration: no rate limiter configured")
