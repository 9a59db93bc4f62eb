# Kujdes — the two commands a newcomer needs are `make run` and `make test`.
# Go 1.26.11 fixes standard-library vulnerabilities in older 1.26 releases; the go command
# fetches it from the module proxy on first use (machines default to GOTOOLCHAIN=local).
export GOTOOLCHAIN := go1.26.11

BIN := bin/kujdes
PKGS := ./...

.PHONY: run test lint build vuln bench bench-load clean

KUJDES_DATA_DIR ?= .kujdes
AUDIT_KEY ?= $(KUJDES_DATA_DIR)/audit-signing.key

## run: start Kujdes at http://127.0.0.1:8080 with the development sign-in and demo data (and a development audit signing key, created under the data folder if missing)
run:
	@test -f $(AUDIT_KEY) || go run ./cmd/kujdes audit keygen -name kujdes-dev-audit -out $(AUDIT_KEY)
	KUJDES_AUDIT_SIGNING_KEY_FILE=$(AUDIT_KEY) go run ./cmd/kujdes serve -dev-idp -demo

## test: vet and run every test (real PostgreSQL, real Chromium), with the race detector but for the browser tests and the name engine (scripts/test.sh says why)
test:
	@scripts/ensure-postgres.sh
	@scripts/ensure-chromium.sh
	go vet $(PKGS)
	scripts/test.sh

## lint: formatting, vet and the offline vulnerability check
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt would change the files above"; exit 1; }
	go vet $(PKGS)
	@if [ -x ../shared/tools/govulncheck-offline ]; then ../shared/tools/govulncheck-offline $(PKGS); \
	 else echo "govulncheck: run 'go run golang.org/x/vuln/cmd/govulncheck@v1.9.0 ./...' where the vulnerability database is reachable"; fi

## build: a static binary in bin/
build:
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o $(BIN) ./cmd/kujdes

## bench: the benchmarks named in the issues' notes
bench:
	go test -run '^$$' -bench . -benchmem $(PKGS)

## bench-load: load benchmark for the note (pgbench -N anchor, audited read, registration, home page at 8 and 64 clients; ~1 min; never a test)
bench-load:
	@scripts/ensure-postgres.sh
	go run ./cmd/kujdes-bench $(BENCH_ARGS)

clean:
	rm -rf bin .artifacts

.PHONY: lint-openapi
## lint-openapi: Redocly's recommended rules over api/openapi.json (needs npx; ~15 s once cached)
lint-openapi:
	npx -y @redocly/cli@2.77.0 lint api/openapi.json --format=stylish
