package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// registrationOnly (-only-registration) skips the read, hello and home scenarios: the anchor
// and the registrations alone, for a quicker look at the write path on a shared machine.
var registrationOnly bool

// regProfilePath (-regprofile) is where the CPU profile of the registration at 8 clients goes.
var regProfilePath string

// lockWaits samples, every 50 ms while a scenario runs, the backends of the current database
// that wait on a heavyweight lock: what they wait for (an advisory key's class, a row's
// transaction…), the statement that waits, and what the first backend blocking it is doing.
// It answers "who waits on Lock:advisory / Lock:transactionid, and behind whom".
func lockWaits(ctx context.Context, db *sql.DB, stop <-chan struct{}) []string {
	counts, total := map[string]int{}, 0
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			var out []string
			for _, e := range mostCounted(counts, 8) {
				out = append(out, fmt.Sprintf("%4d (%2d%%) %s", e.n, e.n*100/max(total, 1), e.k))
			}
			return out
		case <-tick.C:
		}
		rows, err := db.QueryContext(ctx, `SELECT l.locktype, coalesce(l.classid::text, '') || '/' || coalesce(l.objsubid::text, ''),
				left(regexp_replace(w.query, '\s+', ' ', 'g'), 70),
				coalesce((SELECT b.state || ' | ' || left(regexp_replace(b.query, '\s+', ' ', 'g'), 70)
					FROM pg_stat_activity b WHERE b.pid = (pg_blocking_pids(w.pid))[1]), '?')
			FROM pg_stat_activity w JOIN pg_locks l ON l.pid = w.pid AND NOT l.granted
			WHERE w.datname = current_database() AND w.wait_event_type = 'Lock' AND w.pid <> pg_backend_pid()`)
		if err != nil {
			continue
		}
		for rows.Next() {
			var typ, class, waiter, blocker string
			if rows.Scan(&typ, &class, &waiter, &blocker) == nil {
				if typ == "advisory" {
					typ += " " + class
				}
				counts[fmt.Sprintf("%s: %s  ← behind: %s", typ, waiter, blocker)]++
				total++
			}
		}
		rows.Close()
	}
}

// printLockWaits prints the lock samples of each registration scenario.
func printLockWaits(rs []result) {
	for _, r := range rs {
		if len(r.locks) == 0 {
			continue
		}
		fmt.Printf("lock waits, %s, %d clients (samples):\n  %s\n", r.what, r.clients, strings.Join(r.locks, "\n  "))
	}
}

// formProfilePath (-formprofile) is where the CPU profile of the form's registration goes.
var formProfilePath string

// startFormProfile starts the form's registration profile when -formprofile is set.
func startFormProfile() func() {
	saved := profilePath
	defer func() { profilePath = saved }()
	profilePath = formProfilePath
	return startProfile(true)
}

// startRegProfile starts the registration's CPU profile when on and -regprofile is set.
func startRegProfile(on bool) func() {
	saved := profilePath
	defer func() { profilePath = saved }()
	profilePath = regProfilePath
	return startProfile(on)
}

// benchName spells n as a pronounceable name whose consonant skeleton (matching.Skeleton) is
// unique to n and cannot run into a neighbour's: it starts with lead and ends with tail,
// letters the digits never use, and no two neighbouring consonants are the same (a skeleton
// folds a doubled consonant into one, d into t, g into k…). The earlier names ("Gobebibobuba")
// met by skeleton one registration in three: their full names in swapped order, or after a
// leading Muhammad, ran a consonant into the next word's, and g/k, d/t fold together.
func benchName(lead byte, n int64, tail string) string {
	const digits, vowels = "fklmnpsz", "aeiou" // no b, c, d, g, h, j, q, r, t, v, w, x, y
	b := []byte{lead, vowels[n%5]}
	prev := lead
	for i := 0; i < 3 || n > 0; i++ {
		// Base 7 over the digits other than the previous consonant: never doubled.
		choice := strings.ReplaceAll(digits, string(prev), "")[:7]
		prev = choice[n%7]
		b = append(b, prev, vowels[(n+int64(i)+1)%5])
		n /= 7
	}
	return string(b) + tail
}
