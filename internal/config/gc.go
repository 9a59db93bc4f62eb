package config

import "runtime/debug"

// DefaultGCPercent is the garbage collector's target for `kujdes serve` when the environment
// does not set GOGC: a collection starts when the heap has grown by 400 % of what was live
// after the previous one, not Go's default 100 %. A request allocates a few tens of kilobytes
// that die with it while the live heap stays small, so at the default the collector ran many
// times a second and took 12–15 % of the CPU of an audited read (server and load generator in
// one process, docs/audit-log.md, 4th session); at 400 it took 3–4 %, and the CPU per read fell
// by about a seventh. The price is memory: the benchmark process's largest resident size went
// from 152 MB to 309 MB (demo seeding, server and generator together). A deployment short of
// memory sets GOGC (or GOMEMLIMIT, a soft limit the runtime then honours first).
const DefaultGCPercent = 400

// TuneGC applies DefaultGCPercent unless getenv has GOGC, which the runtime has then read at
// start; it returns the percentage in force.
func TuneGC(getenv Getenv) int {
	if getenv("GOGC") != "" {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p
	}
	debug.SetGCPercent(DefaultGCPercent)
	return DefaultGCPercent
}
