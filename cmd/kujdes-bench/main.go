// Command kujdes-bench is the project's load benchmark (`make bench-load`, issue 8). It runs
// `pgbench -N` on a scratch database as the anchor, then starts Kujdes in this process on a
// fresh database with the demo data and the development identity provider, and drives the
// audited read of one child, the registration of new children, the public home page and a
// bare net/http hello handler with vegeta at several concurrencies. Each is printed with its
// p50/p99 and as a ratio to the anchor (the home page: to the hello handler).
//
// Its figures are for the session note, never a pass/fail test: it is not part of `make test`
// or CI. Everything runs on loopback; the databases it creates are dropped at the end.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/kujdes/kujdes/auditlog"
	"github.com/kujdes/kujdes/auth"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/config"
	"github.com/kujdes/kujdes/internal/demo"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/migrations"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

func main() {
	admin := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL URL of a role that may create databases")
	pgbench := flag.String("pgbench", "/usr/lib/postgresql/15/bin/pgbench", "pgbench binary")
	d := flag.Duration("d", 4*time.Second, "duration of each scenario")
	clients := flag.String("c", "8,64", "concurrent clients, comma-separated")
	readOnly := flag.Bool("read-only", false, "run only the anchor and the audited read (for comparing builds quickly)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of this process (server and load generator) during the audited read at 8 clients; with -compliance: during the refresh")
	flag.StringVar(&formProfilePath, "formprofile", "", "write a CPU profile of this process during the registration as the form sends it")
	flag.StringVar(&regProfilePath, "regprofile", "", "write a CPU profile of this process during the registration at 8 clients")
	flag.StringVar(&dbPrefix, "db-prefix", "kujdes_bench", "prefix of the scratch databases' names (several people benchmarking one server keep theirs apart)")
	flag.BoolVar(&adjacentAnchor, "adjacent-anchor", true, "run pgbench -N again just before the audited read and the registration, and give their ratios to that run")
	flag.DurationVar(&warmup, "warmup", 2*time.Second, "unmeasured load before each Kujdes scenario, with the same requests")
	flag.BoolVar(&formRegistration, "form-registration", true, "also run, at 8 clients, the registration as the form sends it: with an idempotency key, the duplicate check first")
	flag.BoolVar(&keepDatabases, "keep", false, "keep the anchor's and the application's scratch databases (to look at what the load wrote); drop them yourself")
	flag.BoolVar(&registrationOnly, "only-registration", false, "run the anchor and the registration only (no read, hello or home page)")
	verifyEvents := flag.Int64("verify-events", 0, "instead of the load: time sealing and `audit verify` over this many generated audit events")
	// issue 11: compliance
	complianceChildren := flag.Int("compliance", 0, "instead of the load: generate this many children with full histories, refresh compliance and time the dashboard")
	complianceDB := flag.String("compliance-db", "", "with -compliance: keep the database under this name (reuse it when it holds children)")
	complianceIter := flag.Int("compliance-n", 50, "with -compliance: timed requests per measurement (0: generate only)")
	complianceRefresh := flag.Bool("compliance-refresh", true, "with -compliance: refresh the figures before timing (false: time the figures of the kept database's last refresh)")
	complianceAddr := flag.String("compliance-addr", "127.0.0.1:18911", "with -compliance: the loopback address Kujdes serves on (fixed: a kept database's users belong to its identity provider)")
	flag.Parse()
	profilePath = *cpuProfile
	if *complianceChildren > 0 {
		if err := runCompliance(context.Background(), *admin, *complianceChildren, *complianceDB, *complianceAddr, *complianceIter, *complianceRefresh); err != nil {
			fail(err)
		}
		return
	}
	if *verifyEvents > 0 {
		if err := runVerifyAtScale(context.Background(), *admin, *verifyEvents); err != nil {
			fail(err)
		}
		return
	}
	var cs []int
	for f := range strings.SplitSeq(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fail(fmt.Errorf("-c: %q is not a number of clients", f))
		}
		cs = append(cs, n)
	}
	profilePath = *cpuProfile
	onlyRead = *readOnly
	if err := run(context.Background(), *admin, *pgbench, *d, cs); err != nil {
		fail(err)
	}
}

// runVerifyAtScale measures sealing and verification of n events on a scratch database.
func runVerifyAtScale(ctx context.Context, adminURL string, n int64) error {
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	name := dbPrefix + "_audit_" + strconv.Itoa(os.Getpid())
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return err
	}
	defer admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	return verifyAtScale(ctx, withDB(adminURL, name), n)
}

// dbPrefix starts the name of every scratch database the benchmark creates (-db-prefix).
var dbPrefix = "kujdes_bench"

// formRegistration (-form-registration) adds the registration as the form sends it.
var formRegistration bool

// keepDatabases (-keep) leaves the load's scratch databases in place when the run ends.
var keepDatabases bool

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kujdes-bench:", err)
	os.Exit(1)
}

// result is one scenario at one concurrency.
type result struct {
	what     string
	clients  int
	rps      float64 // successful requests (transactions) per second
	p50, p99 time.Duration
	errors   string   // non-success answers, if any
	anchor   string   // what the ratio is to
	waits    string   // what PostgreSQL backends waited on (sampled)
	locks    []string // lock waits: what, which statement, behind whom (sampled)
	cpu      string   // CPU per request (cpuPerRequest)
}

func run(ctx context.Context, adminURL, pgbench string, d time.Duration, clients []int) error {
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	suffix := strconv.Itoa(os.Getpid())
	pgbDB, appDB := dbPrefix+"_pgbench_"+suffix, dbPrefix+"_app_"+suffix
	for _, name := range []string{pgbDB, appDB} {
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
			return fmt.Errorf("create database %s: %w", name, err)
		}
		if keepDatabases {
			fmt.Fprintf(os.Stderr, "kujdes-bench: keeping database %s (-keep)\n", name)
			continue
		}
		defer admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	}
	started, loadBefore := time.Now(), loadAverage()
	var results []result

	// The anchor: pgbench -N (simple durable update transactions) on its own scratch database.
	u, err := url.Parse(adminURL)
	if err != nil {
		return err
	}
	// pgbench connects as Kujdes does: with the URL's sslmode (libpq's default, prefer, would
	// encrypt pgbench's connections to a server with ssl on while Kujdes's are not, a CPU cost
	// on the anchor's side only: 2,697 against 3,231 tps, then 1,857 against 2,207, at 8
	// clients here on 2026-12-03). Kujdes's own URLs say their sslmode, so this is pgbench's.
	if m := u.Query().Get("sslmode"); m != "" {
		if err := os.Setenv("PGSSLMODE", m); err != nil {
			return err
		}
	}
	pgArgs := []string{"-h", u.Hostname(), "-p", cmpOr(u.Port(), "5432"), "-U", cmpOr(u.User.Username(), "postgres")}
	if out, err := exec.CommandContext(ctx, pgbench, append(append([]string{"-i", "-q"}, pgArgs...), pgbDB)...).CombinedOutput(); err != nil {
		return fmt.Errorf("pgbench -i: %w: %s", err, out)
	}
	readClients := clients
	if !slices.Contains(readClients, 1) {
		readClients = append([]int{1}, clients...) // the read must grow from 1 to 8 clients
	}
	anchor := map[int]float64{}
	for _, c := range readClients {
		r, err := runPgbench(ctx, pgbench, pgArgs, pgbDB, c, d)
		if err != nil {
			return err
		}
		anchor[c] = r.rps
		results = append(results, r)
	}

	// Kujdes on a fresh database with the demo data, in this process, on loopback.
	app, err := startKujdes(ctx, withDB(adminURL, appDB))
	if err != nil {
		return err
	}
	defer app.close()
	hello, err := startHello()
	if err != nil {
		return err
	}
	defer hello.Close()

	read := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: fmt.Sprintf("%s/api/v1/children/%d", app.url, app.childID),
		Header: http.Header{"Authorization": {"Bearer " + app.readToken}}})
	var seq atomic.Int64
	registerAs := func(asForm bool) vegeta.Targeter {
		return func(t *vegeta.Target) error {
			n := seq.Add(1)
			body, err := registration(n, !asForm)
			if err != nil {
				return err
			}
			h := http.Header{"Authorization": {"Bearer " + app.writeToken}, "Content-Type": {"application/json"}}
			if asForm {
				h.Set("Idempotency-Key", fmt.Sprintf("bench-%d-%d", os.Getpid(), n))
			}
			*t = vegeta.Target{Method: "POST", URL: app.url + "/api/v1/registrations", Body: body, Header: h}
			return nil
		}
	}
	register := registerAs(false)
	home := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: app.url + "/"})
	helloT := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: "http://" + hello.Addr().String() + "/"})

	// The ratio's anchor: pgbench -N run again just before the scenario (-adjacent-anchor), at
	// its concurrency. This machine's fsync rate, which bounds the anchor, moved by a third
	// within minutes; the anchor of the run's start then made a ratio of the weather.
	nextAnchor := func(c int) (float64, error) {
		if !adjacentAnchor {
			return anchor[c], nil
		}
		r, err := runPgbench(ctx, pgbench, pgArgs, pgbDB, c, d)
		if err != nil {
			return 0, err
		}
		r.what = "pgbench -N (anchor, again just before the next line)"
		results = append(results, r)
		return r.rps, nil
	}

	loadStarted := time.Now()
	helloRPS := map[int]float64{}
	for _, c := range readClients {
		if registrationOnly {
			break
		}
		a, err := nextAnchor(c)
		if err != nil {
			return err
		}
		stopProfile := startProfile(c == 8)
		r := attack(ctx, app.db, "audited read GET /api/v1/children/{id} (bearer)", read, c, d, 200)
		stopProfile()
		r.anchor = ratio(r.rps, a, "pgbench -N")
		results = append(results, r)
	}
	var regResults []result
	for _, c := range clients {
		if onlyRead {
			break
		}
		a, err := nextAnchor(c)
		if err != nil {
			return err
		}
		stopProfile := startRegProfile(c == 8)
		r := attack(ctx, app.db, "registration POST /api/v1/registrations (confirm_new)", register, c, d, 201)
		stopProfile()
		r.anchor = ratio(r.rps, a, "pgbench -N")
		results, regResults = append(results, r), append(regResults, r)
	}
	// The registration as the form sends it: with an idempotency key and without confirm_new,
	// so the duplicate check runs first (no candidates: the bench's names are unique). The
	// path the officers take, in one transaction of several statements; at 8 clients only.
	for _, c := range clients {
		if onlyRead || !formRegistration || c != 8 {
			continue
		}
		a, err := nextAnchor(c)
		if err != nil {
			return err
		}
		stopProfile := startFormProfile()
		r := attack(ctx, app.db, "registration as the form sends it (key, duplicate check)", registerAs(true), c, d, 201)
		stopProfile()
		r.anchor = ratio(r.rps, a, "pgbench -N")
		results, regResults = append(results, r), append(regResults, r)
	}
	for _, c := range clients {
		if onlyRead || registrationOnly {
			break
		}
		r := attack(ctx, nil, "bare net/http hello handler", helloT, c, d, 200)
		helloRPS[c] = r.rps
		results = append(results, r)
	}
	for _, c := range clients {
		if onlyRead || registrationOnly {
			break
		}
		r := attack(ctx, app.db, "public home page GET /", home, c, d, 200)
		r.anchor = ratio(r.rps, helloRPS[c], "hello")
		results = append(results, r)
	}

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "what\tclients\treq/s\tp50\tp99\tratio\tnon-success\tpostgres waits (sampled)\n")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\n", r.what, r.clients, r.rps, ms(r.p50), ms(r.p99), r.anchor, r.errors, r.waits)
	}
	tw.Flush()
	printLockWaits(regResults)
	for _, r := range results {
		if r.cpu != "" {
			fmt.Printf("%s, %d clients: %s\n", r.what, r.clients, r.cpu)
		}
	}
	fmt.Printf("(each scenario %v; whole run %v; load generator, Kujdes and PostgreSQL share this machine; load average %s before, %s after)\n",
		d, time.Since(started).Round(time.Second), loadBefore, loadAverage())
	return sealingReport(ctx, app.db, app.auditKey, loadStarted)
}

// adjacentAnchor measures the anchor again before each scenario compared with it (-adjacent-anchor).
var adjacentAnchor bool

// warmup is how long each Kujdes scenario runs before it is measured (-warmup).
var warmup time.Duration

// onlyRead skips the scenarios after the audited read (-read-only).
var onlyRead bool

// profilePath is where -cpuprofile writes; empty for none.
var profilePath string

// startProfile starts the CPU profile when on and a path is set; the returned function stops it.
func startProfile(on bool) func() {
	if !on || profilePath == "" {
		return func() {}
	}
	f, err := os.Create(profilePath)
	if err != nil {
		fail(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fail(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// loadAverage is the 1-minute load average (Linux), to judge how quiet the machine was.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b) + " ?")[0]
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func withDB(u, name string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Path = "/" + name
	return p.String()
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
}

func ratio(x, anchor float64, name string) string {
	if anchor == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f × %s", x/anchor, name)
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// runPgbench runs pgbench -N with c clients for d, logging each transaction for p50/p99.
func runPgbench(ctx context.Context, bin string, conn []string, db string, c int, d time.Duration) (result, error) {
	dir, err := os.MkdirTemp("", "kujdes-pgbench")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	args := append([]string{"-N", "-c", strconv.Itoa(c), "-j", strconv.Itoa(min(c, 2)), "-T", strconv.Itoa(max(1, int(d.Seconds()))),
		"-l", "--log-prefix", filepath.Join(dir, "tx")}, conn...)
	cmd := exec.CommandContext(ctx, bin, append(args, db)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("pgbench -N -c %d: %w: %s", c, err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return result{}, fmt.Errorf("pgbench -N -c %d: no tps in %s", c, out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	// Per-transaction log lines: client_id transaction_no time(µs) script_no epoch epoch_us.
	var lat []time.Duration
	files, _ := filepath.Glob(filepath.Join(dir, "tx*"))
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return result{}, err
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if fs := strings.Fields(sc.Text()); len(fs) >= 3 {
				if us, err := strconv.ParseInt(fs[2], 10, 64); err == nil {
					lat = append(lat, time.Duration(us)*time.Microsecond)
				}
			}
		}
		fh.Close()
	}
	r := result{what: "pgbench -N (anchor)", clients: c, rps: tps}
	if len(lat) > 0 {
		slices.Sort(lat)
		r.p50, r.p99 = lat[len(lat)/2], lat[int(0.99*float64(len(lat)-1))]
	}
	return r, nil
}

// attack sends as many requests as c clients can for d (vegeta with c workers, no rate
// limit) and samples, while it runs, what the application's PostgreSQL backends wait on.
func attack(ctx context.Context, db *sql.DB, what string, tr vegeta.Targeter, c int, d time.Duration, okStatus uint16) result {
	attacker := func() *vegeta.Attacker {
		return vegeta.NewAttacker(vegeta.Workers(uint64(c)), vegeta.MaxWorkers(uint64(c)), vegeta.Connections(c),
			vegeta.MaxConnections(c), vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
	}
	if warmup > 0 {
		// Unmeasured (an attacker runs once): caches and the heap at their working size. A cold
		// process touching fresh memory cost a registration-only run twice the CPU per request.
		for range attacker().Attack(tr, vegeta.Rate{Freq: 0}, warmup, what+" (warm-up)") {
		}
	}
	at := attacker()
	stop := make(chan struct{})
	waits, locks := make(chan string, 1), make(chan []string, 1)
	go func() { waits <- sampleWaits(ctx, db, stop) }()
	go func() {
		if db == nil {
			locks <- nil
			return
		}
		locks <- lockWaits(ctx, db, stop)
	}()
	var cpuBefore cpuSnapshot
	if db != nil {
		cpuBefore = takeCPU(ctx, db)
	}
	var lat []time.Duration
	ok, codes := 0, map[string]int{}
	start := time.Now()
	for res := range at.Attack(tr, vegeta.Rate{Freq: 0}, d, what) {
		if res.Code == okStatus && res.Error == "" {
			ok++
			lat = append(lat, res.Latency)
			continue
		}
		key := strconv.Itoa(int(res.Code))
		if res.Error != "" && res.Code == 0 {
			key = res.Error
		}
		codes[key]++
	}
	elapsed := time.Since(start)
	close(stop)
	r := result{what: what, clients: c, rps: float64(ok) / elapsed.Seconds(), waits: <-waits, locks: <-locks}
	if db != nil {
		r.cpu = cpuPerRequest(cpuBefore, takeCPU(ctx, db), ok)
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		r.p50, r.p99 = lat[len(lat)/2], lat[int(0.99*float64(len(lat)-1))]
	}
	var bad []string
	for k, n := range codes {
		bad = append(bad, fmt.Sprintf("%d×%s", n, k))
	}
	slices.Sort(bad)
	r.errors = strings.Join(bad, " ")
	if r.errors == "" {
		r.errors = "0"
	}
	return r
}

// sampleWaits polls pg_stat_activity every 50 ms and summarises what active backends of the
// current database waited on (e.g. "Lock:advisory 61%").
func sampleWaits(ctx context.Context, db *sql.DB, stop <-chan struct{}) string {
	if db == nil {
		return ""
	}
	counts, total := map[string]int{}, 0
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return summarise(counts, total)
		case <-tick.C:
		}
		rows, err := db.QueryContext(ctx, `SELECT coalesce(wait_event_type || ':' || wait_event, 'running') FROM pg_stat_activity
			WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`)
		if err != nil {
			continue
		}
		for rows.Next() {
			var w string
			if rows.Scan(&w) == nil {
				counts[w]++
				total++
			}
		}
		rows.Close()
	}
}

func summarise(counts map[string]int, total int) string {
	if total == 0 {
		return ""
	}
	var out []string
	for _, e := range mostCounted(counts, 3) {
		out = append(out, fmt.Sprintf("%s %d%%", e.k, e.n*100/total))
	}
	return strings.Join(out, ", ")
}

// counted is one key of a sample count.
type counted struct {
	k string
	n int
}

// mostCounted returns the n keys counted most often, most first (ties by key, so a report
// reads the same for the same counts).
func mostCounted(counts map[string]int, n int) []counted {
	var all []counted
	for k, c := range counts {
		all = append(all, counted{k, c})
	}
	slices.SortFunc(all, func(a, b counted) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.k, b.k)
	})
	return all[:min(n, len(all))]
}

// registration is the n-th new child: names made from n, arriving at border1's post. No two
// children's names meet in the duplicate check's skeletons (so no candidates, and no shared
// name lock: benchName).
//
// With confirmNew (the one-statement path) seven consecutive children share a family name, as
// brothers and common names do (one name_frequencies row). Without it (the form's path: the
// duplicate check runs first) each child has a family name of its own: siblings would be
// "possible" duplicates of each other, answered 409 without a registration, and the scenario
// would measure checks, not registrations. The sequence only grows, so such a family name
// (T + n) never meets a shared one (T + n/7 of an earlier n).
func registration(n int64, confirmNew bool) ([]byte, error) {
	given, family := benchName('B', n, "ar"), benchName('T', n/7, "ad")
	if !confirmNew {
		family = benchName('T', n, "ad")
	}
	return json.Marshal(map[string]any{
		"given_name": given, "family_name": family, "given_name_latin": given, "family_name_latin": family,
		"sex": "male", "age_min": 15, "age_max": 16, "nationalities": []string{"AF"}, "languages": []string{"ps"},
		"confirm_new": confirmNew,
		"arrival":     map[string]any{"how_found": "border_check", "border_post_code": "KAK"},
	})
}

type kujdes struct {
	url, readToken, writeToken string
	childID                    int64
	db                         *sql.DB
	auditKey                   *auditlog.Key
	close                      func()
}

// startKujdes migrates the database, seeds the demo data and serves Kujdes on a loopback port
// with the development identity provider, the duplicate-check limit out of the way.
func startKujdes(ctx context.Context, dbURL string) (*kujdes, error) {
	log := slog.New(slog.DiscardHandler)
	db, err := models.Open(ctx, dbURL, log)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if _, err := migrations.Up(ctx, sqlDB); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	cfg, err := config.Load(nil, func(k string) string {
		return map[string]string{"KUJDES_ADDR": ln.Addr().String(), "KUJDES_PUBLIC_URL": base, "KUJDES_DEV_IDP": "true",
			"KUJDES_DUPLICATE_CHECKS": "1000000/1m", "KUJDES_DUPLICATE_CHECK_BURST": "1000000"}[k]
	})
	if err != nil {
		return nil, err
	}
	bundle, err := i18n.New("en")
	if err != nil {
		return nil, err
	}
	if err := demo.Seed(ctx, db, server.DevIssuer(base), time.Now(), demo.Population); err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	config.TuneGC(os.Getenv)            // as kujdes serve runs it (the load generator shares the process and the setting)
	users := auth.NewUserCache(db, log) // as kujdes serve runs it
	srv, err := server.New(server.Deps{Config: cfg, DB: db, Log: log, I18n: bundle, Users: users})
	if err != nil {
		return nil, err
	}
	key, err := newAuditKey()
	if err != nil {
		return nil, err
	}
	stopUsers := users.Start(context.Background())
	stopFolder := (&registry.NameCountFolder{DB: db, Log: log}).Start(context.Background()) // as kujdes serve runs it
	stopSealer := startSealer(sqlDB, key)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	k := &kujdes{url: base, db: sqlDB, auditKey: key, close: func() {
		hs.Close()
		stopSealer()
		stopFolder()
		stopUsers()
		srv.Close()
		sqlDB.Close()
	}}
	if err := sqlDB.QueryRowContext(ctx, `SELECT id FROM children WHERE registration_number = 'AL-2026-000001'`).Scan(&k.childID); err != nil {
		k.close()
		return nil, fmt.Errorf("demo child: %w", err)
	}
	for user, dst := range map[string]*string{"protection1": &k.readToken, "border1": &k.writeToken} {
		if *dst, err = devToken(base, user); err != nil {
			k.close()
			return nil, err
		}
	}
	return k, nil
}

func devToken(base, user string) (string, error) {
	res, err := http.Get(base + "/dev/token/" + user)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("dev token for %s: %d", user, res.StatusCode)
	}
	return strings.TrimSpace(string(b)), nil
}

// startHello serves the bare net/http hello handler the home page is compared with.
func startHello() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() {
		err := http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello\n") }))
		if err != nil && !errors.Is(err, net.ErrClosed) {
			fmt.Fprintln(os.Stderr, "hello:", err)
		}
	}()
	return ln, nil
}
