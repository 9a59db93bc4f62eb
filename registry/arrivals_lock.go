package registry

import (
	"hash/fnv"
	"slices"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

// registrationLockClass is the first key of the advisory locks that serialize registrations of
// a name ("KR"). PostgreSQL keeps two-key locks apart from one-key locks (the audit sealer's).
const registrationLockClass int32 = 0x4b52

// lockNames serializes the registrations of a new child whose names could meet: two officers
// who register the same child at the same moment must end with one record and one "possible
// duplicates" answer, not two records (issue 7: 30 identical registrations at once gave 10).
//
// The duplicate check and the insert are not atomic: each transaction's check sees the other's
// child only once it is committed. So a registration takes, before its check and until it
// commits, a transaction-level advisory lock per consonant skeleton the duplicate search looks
// up (the full name in both orders, with and without a leading Muhammad, each alias, a single
// name). A second registration of the same name waits for the first to commit, and its check
// (READ COMMITTED: a new snapshot per statement) then finds the first child. Locks are taken in
// ascending key order, so two registrations with overlapping key sets cannot deadlock; a hash
// collision only serializes two unrelated names, which costs a few milliseconds.
//
// What it does not cover: names that meet only by trigram similarity, not by skeleton. A
// registration confirmed as new (ConfirmNew) takes the same locks, in the statement that inserts
// its child (insertRegistration), so a check running beside it still sees its child.
//
// All the keys are taken by one statement (one round trip, however many spellings the name
// has): the array is sorted in Go and unnest hands its elements out in order, one lock at a
// time, before the aggregate returns.
func lockNames(tx *gorm.DB, q DuplicateQuery) error {
	return tx.Exec(`SELECT count(pg_advisory_xact_lock(?, k)) FROM unnest(CAST(? AS int[])) AS k`,
		registrationLockClass, nameLockKeys(q)).Error
}

// nameLockKeys are the lock keys of the skeletons the duplicate search looks up for q:
// ascending, without repeats (the order that keeps two registrations from deadlocking).
func nameLockKeys(q DuplicateQuery) models.Int64s {
	_, full, single := matching.NewPerson(q.identity()).SearchTerms()
	keys := make(models.Int64s, 0, len(full)+len(single))
	for _, s := range append(full, single...) {
		h := fnv.New32a()
		h.Write([]byte(s))
		keys = append(keys, int64(int32(h.Sum32())))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
