#!/usr/bin/env bash
# Ensures the PostgreSQL server the tests use (TEST_DATABASE_URL, default 127.0.0.1:5432)
# answers. On a Debian machine where we are root, starts the packaged cluster if it is down.
set -euo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 -t 2 >/dev/null 2>&1; }

if [[ -n "${TEST_DATABASE_URL:-}" ]] || ! command -v pg_isready >/dev/null 2>&1; then
	exit 0 # someone else's server, or no client tools to check with: let the tests say
fi
ready && exit 0
if [[ "$(id -u)" -eq 0 ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
	version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
	if [[ -n "$version" ]]; then
		echo "ensure-postgres: starting PostgreSQL $version ..." >&2
		pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
		for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
	fi
fi
cat >&2 <<'MSG'
ensure-postgres: no PostgreSQL answers on 127.0.0.1:5432. The tests need a real one:
  - on Debian/Ubuntu: sudo apt-get install postgresql && sudo pg_ctlcluster 15 main start
  - or point TEST_DATABASE_URL at a server where you may create databases, e.g.
    TEST_DATABASE_URL=postgres://postgres:secret@localhost:5432/postgres make test
MSG
exit 1
