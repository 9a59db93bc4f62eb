package registry

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// The duplicate check is deliberately not scoped (the same child may have been registered at
// any post), so it is a way to learn about children outside one's scope. What bounds it:
//
//   - a question must describe one child, not a crowd (checkMinimum): a given and a family
//     name, and a birth date, an age range or a nationality — a first name alone is refused;
//   - an answer shows the minimum to decide "same child?" (minimize): outside the asker's scope
//     a candidate has no exact birth range, no post and no registration date, only an age
//     range, the month of registration and the registration number (which the arrival is
//     recorded on, and which the responsible office can be asked about);
//   - every candidate shown is written into that child's access history (recordDisclosure):
//     who asked, from which post, in which band;
//   - each user has a rate limit (CheckLimiter), for the check and for registrations that run
//     it; a refusal is audited. Hints (the form's check while it is typed) may not spend the
//     last checks, which are kept for saving (hintReserve).

// DefaultCheckLimit is 30 duplicate checks per user per 10 minutes, 10 at once: enough for a
// post registering a group that arrived together, far too few for a sweep.
var DefaultCheckLimit = CheckLimit{Count: 30, Per: 10 * time.Minute, Burst: 10}

// CheckLimit is a per-user rate: Count checks per Per, at most Burst at once.
type CheckLimit struct {
	Count int
	Per   time.Duration
	Burst int
}

// hintReserve is how many checks a hint leaves for saving: the registration form asks while
// it is typed (a hint, FindDuplicateHints), and a slow typist or a post registering a group
// would otherwise spend the budget on hints and see the save itself refused. A hint is
// refused when it would leave fewer than a third of the burst (3 of the default 10).
func (l CheckLimit) hintReserve() int { return l.Burst / 3 }

// CheckLimiter holds one token bucket (golang.org/x/time/rate) per user. It lives in this
// process: with several app instances, each grants the limit (see the OpenAPI description).
// Users are staff accounts, so the map stays small.
type CheckLimiter struct {
	limit CheckLimit
	mu    sync.Mutex
	users map[int64]*rate.Limiter
}

// NewCheckLimiter returns a limiter with the given rate.
func NewCheckLimiter(l CheckLimit) *CheckLimiter {
	return &CheckLimiter{limit: l, users: map[int64]*rate.Limiter{}}
}

// reserve takes one check for the user at now, or tells how long to wait. With keep > 0 it
// takes one only if keep more would remain (a hint, which must leave some for saving).
func (l *CheckLimiter) reserve(userID int64, now time.Time, keep int) (ok bool, wait time.Duration) {
	l.mu.Lock()
	lim := l.users[userID]
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(l.limit.Per/time.Duration(max(l.limit.Count, 1))), l.limit.Burst)
		l.users[userID] = lim
	}
	l.mu.Unlock()
	// AllowN decides atomically and takes nothing when it refuses. (A reservation cancelled
	// after the fact gives back less than it took when other reservations came in between, so
	// a burst of refused checks pushed the user's wait out to minutes.)
	// A hint's look at the tokens and its AllowN are two steps: a save of the same user in
	// between may leave it one fewer than keep, never fewer than none.
	if keep <= 0 || lim.TokensAt(now) >= float64(keep+1) {
		if lim.AllowN(now, 1) {
			return true, 0
		}
	}
	missing := float64(keep+1) - lim.TokensAt(now)
	wait = time.Duration(math.Ceil(missing * float64(time.Second) / float64(lim.Limit())))
	switch {
	case lim.Limit() <= 0:
		wait = l.limit.Per
	case wait <= 0: // a hint that lost the tokens it saw to a save of the same user
		wait = time.Second
	}
	return false, wait
}

// RateLimitedError refuses a duplicate check (or a registration that would run one) over the
// user's limit — or, with Lists set, a list of children (the compliance violation lists and
// their exports) over the user's limit of lists.
type RateLimitedError struct {
	RetryAfter time.Duration
	Lists      bool
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("too many duplicate checks: retry after %v", e.RetryAfter)
}

// RetryAfterSeconds is the Retry-After value, in whole seconds (at least 1).
func (e *RateLimitedError) RetryAfterSeconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}

// allowCheck takes one duplicate check from the actor's limit. Without a limiter the check is
// refused: the registry fails closed rather than run an unlimited people search.
func (r *Registry) allowCheck(a *models.Actor) error {
	return r.allowChecks(a, 0)
}

// allowHint takes one duplicate check for a hint (asked while the form is typed): refused
// when it would leave the user fewer checks than the limit keeps for saving (hintReserve).
func (r *Registry) allowHint(a *models.Actor) error {
	keep := 0
	if r.Checks != nil {
		keep = r.Checks.limit.hintReserve()
	}
	return r.allowChecks(a, keep)
}

func (r *Registry) allowChecks(a *models.Actor, keep int) error {
	if r.Checks == nil {
		return errors.New("duplicate check: no rate limiter configured")
	}
	if ok, wait := r.Checks.reserve(a.UserID, r.now(), keep); !ok {
		return &RateLimitedError{RetryAfter: wait}
	}
	return nil
}

// auditCheckRefused records, in its own transaction, that a check was refused by the limit
// (the use case's transaction was rolled back). via: "duplicate_check", "duplicate_hint" or "registration".
func (r *Registry) auditCheckRefused(ctx context.Context, a *models.Actor, err error, via string) error {
	var rl *RateLimitedError
	if !errors.As(err, &rl) {
		return err
	}
	aerr := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return audit(ctx, tx, a, "child.duplicate_check_refused", "child", "", models.AuditChanges{
			"via": {After: via}, "retry_after_seconds": {After: rl.RetryAfterSeconds()},
		}, "rate_limited")
	})
	return errors.Join(err, aerr)
}

// checkMinimum refuses a question that does not describe one child: it needs a given and a
// family name (in either script; an alias of two words or more counts as both), and a birth
// date or age range, or a nationality. A first-name sweep is refused here.
func (q DuplicateQuery) checkMinimum(verr *models.ValidationError) {
	if !q.hasName() {
		verr.Add("given_name", "name_required", nil)
	} else {
		fullAlias := false
		for _, al := range q.Aliases {
			if len(strings.Fields(al)) >= 2 {
				fullAlias = true
			}
		}
		if !fullAlias && strings.TrimSpace(q.GivenName) == "" && strings.TrimSpace(q.GivenNameLatin) == "" {
			verr.Add("given_name", "check_given_name_required", nil)
		}
		if !fullAlias && strings.TrimSpace(q.FamilyName) == "" && strings.TrimSpace(q.FamilyNameLatin) == "" {
			verr.Add("family_name", "check_family_name_required", nil)
		}
	}
	if q.BirthDateFrom == nil && len(q.Nationalities) == 0 {
		verr.Add("birth_date", "check_birth_or_nationality_required", nil)
		verr.Add("nationalities", "check_birth_or_nationality_required", nil)
	}
}

// Ways a candidate is shown, recorded in its access history.
const (
	viaDuplicateCheck = "duplicate_check"
	viaDuplicateHint  = "duplicate_hint" // asked while the registration form was typed
	viaRegistration   = "registration"
)

// discloseCandidates is what every answer that shows candidates does: it reduces the
// candidates outside the actor's scope to the minimum and writes one row into each
// candidate's access history, inside tx.
func (r *Registry) discloseCandidates(ctx context.Context, tx *gorm.DB, a *models.Actor, cands []Candidate, via string) ([]Candidate, error) {
	if len(cands) == 0 {
		return cands, nil
	}
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.ChildID
	}
	var visible []int64
	if err := r.children(tx, a).Where("children.id IN ?", ids).Pluck("children.id", &visible).Error; err != nil {
		return nil, err
	}
	posts, err := askerPosts(tx, a)
	if err != nil {
		return nil, err
	}
	out := make([]Candidate, len(cands))
	for i, c := range cands {
		c.InScope = slices.Contains(visible, c.ChildID)
		if !c.InScope {
			c = c.minimal()
		}
		out[i] = c
		if err := audit(ctx, tx, a, "child.duplicate_candidate", "child", strconv.FormatInt(c.ChildID, 10), models.AuditChanges{
			"band": {After: c.Band}, "via": {After: via}, "asker_posts": {After: posts}, "in_scope": {After: c.InScope},
		}, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// minimal is the summary of a candidate outside the asker's scope.
func (c Candidate) minimal() Candidate {
	c.BirthDateFrom, c.BirthDateTo, c.RegisteredAt, c.BorderPost = "", "", "", ""
	return c
}

// askerPosts are the codes of the actor's border posts (empty for other roles).
func askerPosts(tx *gorm.DB, a *models.Actor) ([]string, error) {
	codes := []string{}
	if len(a.BorderPostIDs) == 0 {
		return codes, nil
	}
	err := tx.Model(&models.BorderPost{}).Where("id IN ?", a.BorderPostIDs).Order("code").Pluck("code", &codes).Error
	return codes, err
}
