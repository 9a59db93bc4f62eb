package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kujdes/kujdes/internal/cpustat"
)

// cpuSnapshot is the CPU time used so far by this process (server and load generator), by the
// application database's backends, and by the whole machine.
type cpuSnapshot struct {
	self     time.Duration
	backends map[int]time.Duration // by pid
	busy     time.Duration         // all processes of the machine, not idle
	total    time.Duration         // busy + idle, all cores
}

// takeCPU reads the snapshot (package cpustat): the backends count when PostgreSQL runs on
// this machine (the benchmark's setting), nothing otherwise.
func takeCPU(ctx context.Context, db *sql.DB) cpuSnapshot {
	s := cpuSnapshot{self: cpustat.Self()}
	if b, err := cpustat.Backends(ctx, db); err == nil {
		s.backends = b
	}
	s.busy, s.total = cpustat.Machine()
	return s
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
