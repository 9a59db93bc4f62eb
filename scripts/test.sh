#!/usr/bin/env bash
# Runs every test (make test). Two `go test` runs go side by side:
#   - every package but two, with the race detector;
#   - the browser tests (./frontend/) and the name engine (./matching/), without it.
# Why those two run without -race:
#   - frontend: most of its time is Chromium. The Go code it drives is the same page and API
#     handlers that internal/server's route × role and flow tests run under -race. Under -race
#     it took ~540 s alone on 2 cores, ~380 s without.
#   - matching: single-goroutine arithmetic but for its memo, which the registry's and the
#     server's tests exercise concurrently under -race. Its EM tests took 65–106 s of CPU under
#     -race, 15 s without.
# Running the two side by side keeps both cores busy: the browser package is the longest
# (~10 min in make test), and alone after the rest it would add its whole time to the run. Each run tests one
# package at a time (-p 1), so that two test binaries, not three or four, share the 2 cores:
# with -p 2 on the raced side the machine's load reached 21 and a CPU-time test failed.
# The second run's output is kept in a file and printed when it ends, so the two never
# interleave; the exit status is non-zero when either failed.
set -uo pipefail
cd "$(dirname "$0")/.."

plain=(./frontend/ ./matching/)
mapfile -t raced < <(go list ./... | grep -v -e '/frontend$' -e '/matching$')

mkdir -p .artifacts
log=.artifacts/test-without-race.log
# -parallel 4: the browser tests (t.Parallel) mostly wait on Chromium and the app; four at a
# time take the frontend package from ~13 to ~4 minutes on 2 cores.
go test -count=1 -timeout 20m -parallel 4 -p 1 "${plain[@]}" >"$log" 2>&1 &
plain_pid=$!

go test -race -count=1 -timeout 20m -parallel 4 -p 1 "${raced[@]}"
raced_rc=$?

wait "$plain_pid"
plain_rc=$?
cat "$log"
if [ "$raced_rc" -ne 0 ] || [ "$plain_rc" -ne 0 ]; then
	echo "make test: FAILED (with -race: exit $raced_rc; frontend and matching without it: exit $plain_rc)" >&2
	exit 1
fi
