package cpustat

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Work done by this process shows in Self and in Process of its own pid; the machine's busy
// time grows and stays within its total; a database's backends are found and read.
func TestCPU(t *testing.T) {
	self0 := Self()
	p0, ok := Process(os.Getpid())
	if !ok {
		t.Fatal("own process not readable")
	}
	// Work until Self has counted 300 ms, or a minute of wall time has passed: on a loaded
	// machine 300 ms of wall time may hold only 50 ms of this process's CPU (seen under
	// make test at load 21 on 2 cores), so the wall clock cannot say how much work was done.
	deadline := time.Now().Add(time.Minute)
	for x := 0; Self()-self0 < 300*time.Millisecond && time.Now().Before(deadline); x++ {
		for range 100000 {
			x = x*x + 1
		}
	}
	if d := Self() - self0; d < 300*time.Millisecond {
		t.Errorf("Self grew by %v in a minute of work", d)
	}
	// The same CPU time read from /proc (clock ticks, and the other threads' time too).
	if p1, _ := Process(os.Getpid()); p1-p0 < 250*time.Millisecond {
		t.Errorf("Process(own pid) grew by %v while Self counted 300 ms", p1-p0)
	}
	if busy, total := Machine(); busy <= 0 || total < busy {
		t.Errorf("machine: busy %v of %v", busy, total)
	}
	if _, ok := Process(-1); ok {
		t.Error("Process(-1) read something")
	}

	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background()) // one backend at least, held open
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var pid int
	if err := conn.QueryRowContext(context.Background(), `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	got, err := Backends(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[pid]; !ok {
		t.Errorf("backend %d not among %v", pid, got)
	}
}
