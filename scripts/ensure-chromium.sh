#!/usr/bin/env bash
# Ensures a Chromium binary exists for the browser tests (internal/browsertest).
# Exits 0 when one is found or was installed, 1 otherwise (with instructions).
set -euo pipefail

have_chromium() {
	if [[ -n "${KUJDES_CHROMIUM:-}" ]]; then
		if [[ -x "$KUJDES_CHROMIUM" && -f "$KUJDES_CHROMIUM" ]]; then
			return 0
		fi
		echo "ensure-chromium: KUJDES_CHROMIUM=$KUJDES_CHROMIUM is not an executable file" >&2
		return 1
	fi
	local p
	for p in /usr/lib/chromium/chromium /usr/bin/chromium; do
		[[ -x "$p" && -f "$p" ]] && return 0
	done
	command -v chromium >/dev/null 2>&1 && return 0
	command -v chromium-browser >/dev/null 2>&1 && return 0
	return 1
}

if have_chromium; then
	exit 0
fi

if [[ -z "${KUJDES_CHROMIUM:-}" && "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
	echo "ensure-chromium: installing chromium with apt-get ..." >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
	if have_chromium; then
		exit 0
	fi
	echo "ensure-chromium: apt-get finished but no chromium binary was found" >&2
	exit 1
fi

printf '%s\n' >&2 \
	"ensure-chromium: no Chromium found; the browser tests (internal/browsertest) need one." \
	"Install it with one of:" \
	"  - Debian/Ubuntu:  sudo apt-get install chromium" \
	"                    (older Ubuntu: sudo apt-get install chromium-browser)" \
	"  - or set KUJDES_CHROMIUM to the path of a Chromium/Chrome binary, e.g." \
	"        export KUJDES_CHROMIUM=/usr/bin/google-chrome"
exit 1
