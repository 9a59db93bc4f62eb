package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/config"
)

// BenchmarkAuditedRead: the audited read of one child (GET /api/v1/children/{id}, bearer, as
// kujdes-bench asks it: gzip accepted) served by the server's handler in this process, without
// the network and the load generator, with the users' cache and the collector setting of
// `kujdes serve`. allocs/op and B/op are the server's; cpu-ms/op is the process's CPU time
// (user + system, getrusage) per read — the handler, the database driver, the audit batch,
// the collector — not PostgreSQL's. "serial" reads one at a time (ns/op is then a read's
// latency, mostly its audit event's WAL flush); "8-clients" runs 8 at once (ns/op is then
// the time per read under concurrency, as the load benchmark's 8 clients).
func BenchmarkAuditedRead(b *testing.B) {
	app := apptest.Start(b, apptest.WithUserCache(b))
	prev := debug.SetGCPercent(config.TuneGC(os.Getenv))
	defer debug.SetGCPercent(prev)
	url := fmt.Sprintf("%s/api/v1/children/%d", app.URL, app.ChildID(b, "AL-2026-000001"))
	tok := "Bearer " + app.Token(b, "protection1")
	h := app.HTTP.Config.Handler
	read := func(b *testing.B) {
		req := httptest.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", tok)
		req.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("read: %d %s", w.Code, w.Body)
		}
	}
	for range 20 { // warm: the users' cache, each connection's prepared statements
		read(b)
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		c0 := cpu()
		for b.Loop() {
			read(b)
		}
		b.ReportMetric(float64((cpu()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	})
	b.Run("8-clients", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
		c0 := cpu()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				read(b)
			}
		})
		b.ReportMetric(float64((cpu()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	})
}
