package config

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC: without GOGC in the environment the collector's target becomes
// DefaultGCPercent; with GOGC the operator's value (already applied by the runtime) stays.
// Not parallel: the target is the process's.
func TestTuneGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	env := func(m map[string]string) Getenv { return func(k string) string { return m[k] } }

	if got := TuneGC(env(nil)); got != DefaultGCPercent {
		t.Errorf("TuneGC without GOGC = %d, want %d", got, DefaultGCPercent)
	}
	if got := debug.SetGCPercent(100); got != DefaultGCPercent {
		t.Errorf("target after TuneGC without GOGC: %d, want %d", got, DefaultGCPercent)
	}

	debug.SetGCPercent(50) // as the runtime does for GOGC=50
	if got := TuneGC(env(map[string]string{"GOGC": "50"})); got != 50 {
		t.Errorf("TuneGC with GOGC=50 = %d, want 50", got)
	}
	if got := debug.SetGCPercent(100); got != 50 {
		t.Errorf("target after TuneGC with GOGC=50: %d, want 50", got)
	}
}
