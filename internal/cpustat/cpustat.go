// Package cpustat reads CPU time spent so far, for benchmarks that report the CPU one request
// costs on each side: this process, and the backends of a PostgreSQL database that runs on
// this machine (read in /proc; on another machine they count nothing). Linux only.
package cpustat

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ticks is the kernel's clock tick (USER_HZ): /proc/<pid>/stat and /proc/stat count in it.
const ticks = 100

// Self is the user + system time of this process.
func Self() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Process is the user + system time of process pid (false: not readable, e.g. it exited).
func Process(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces; the fields after it start after ')'.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b)[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * time.Second / ticks, true
}

// Backends is the CPU time of each backend (by pid) of db's database, as found in
// pg_stat_activity. Background processes (WAL writer, checkpointer) are not counted: the
// server's other databases share them.
func Backends(ctx context.Context, db *sql.DB) (map[int]time.Duration, error) {
	rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil, err
		}
		if t, ok := Process(pid); ok {
			out[pid] = t
		}
	}
	return out, rows.Err()
}

// Machine is the CPU time of the whole machine so far, all cores: busy (not idle nor waiting
// for I/O) and in total.
func Machine() (busy, total time.Duration) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, f := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseInt(f, 10, 64)
		d := time.Duration(n) * time.Second / ticks
		total += d
		if i != 3 && i != 4 { // idle, iowait
			busy += d
		}
	}
	return busy, total
}
