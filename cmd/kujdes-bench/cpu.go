package main

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

// cpuTicks is the kernel's clock tick (USER_HZ): /proc/<pid>/stat and /proc/stat count in it.
const cpuTicks = 100

// cpuSnapshot is the CPU time used so far by this process (server and load generator), by the
// application database's backends, and by the whole machine.
type cpuSnapshot struct {
	self     time.Duration
	backends map[int]time.Duration // by pid
	busy     time.Duration         // all processes of the machine, not idle
	total    time.Duration         // busy + idle, all cores
}

// takeCPU reads the snapshot. The backends are found in pg_stat_activity and read in /proc:
// it works when PostgreSQL runs on this machine (the benchmark's setting), and counts nothing
// otherwise. Background processes (WAL writer, checkpointer) are not counted: the other
// databases of the server share them.
func takeCPU(ctx context.Context, db *sql.DB) cpuSnapshot {
	var s cpuSnapshot
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	s.backends = map[int]time.Duration{}
	if rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`); err == nil {
		for rows.Next() {
			var pid int
			if rows.Scan(&pid) == nil {
				if t, ok := procCPU(pid); ok {
					s.backends[pid] = t
				}
			}
		}
		rows.Close()
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		for i, f := range strings.Fields(line)[1:] {
			n, _ := strconv.ParseInt(f, 10, 64)
			d := time.Duration(n) * time.Second / cpuTicks
			s.total += d
			if i != 3 && i != 4 { // idle, iowait
				s.busy += d
			}
		}
	}
	return s
}

// procCPU is the user + system time of process pid.
func procCPU(pid int) (time.Duration, bool) {
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
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * time.Second / cpuTicks, true
}

// cpuPerRequest says how much CPU one successful request cost between before and after: in
// this process (Kujdes and the load generator), in the database's backends (those alive at the
// end: one that exited during the run is missed), and how busy the machine was (all processes, other databases included).
func cpuPerRequest(before, after cpuSnapshot, ok int) string {
	if ok == 0 || after.total == before.total {
		return ""
	}
	var pg time.Duration
	for pid, t := range after.backends {
		pg += t - before.backends[pid] // a backend born during the run counts whole

	}
	per := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(ok)/1e6) }
	return fmt.Sprintf("CPU per request: this process (server + load generator) %s, PostgreSQL backends %s; machine %.0f%% busy",
		per(after.self-before.self), per(pg), 100*float64(after.busy-before.busy)/float64(after.total-before.total))
}
