#!/usr/bin/env bash
# The browser console, driven in headless Chromium through chromedriver (W3C WebDriver), against
# a real server on loopback ports with a fresh store: tests/browser/console_test.py says what it
# checks. Needs chromium and chromium-driver (Debian) and Python 3 (stdlib only).
#
#   bash tests/browser/run.sh            # builds, starts the server, runs the test
#   GREEN_IMPACT_BIN=path bash ...        # uses that binary instead of building
#
# Exits non-zero when a check fails, when the server does not start, or when no check ran.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

for tool in python3 "${CHROMEDRIVER:-/usr/bin/chromedriver}" "${CHROMIUM:-/usr/bin/chromium}"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "tests/browser: $tool is missing (apt-get install chromium chromium-driver)" >&2
    exit 1
  fi
done

bin="${GREEN_IMPACT_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --quiet --bin green-impact
  bin="${CARGO_TARGET_DIR:-$root/target}/debug/green-impact"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --data-dir "$work/data" \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

base=""
for _ in $(seq 1 300); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "tests/browser: the server exited" >&2
    cat "$work/server.out" "$work/server.err" >&2
    exit 1
  fi
  base="$(sed -n 's/^green-impact http on \(http:\/\/[^ ]*\).*$/\1/p' "$work/server.out" | head -n 1)"
  [ -n "$base" ] && break
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "tests/browser: no 'green-impact http on' line from the server in 30 s" >&2
  cat "$work/server.out" "$work/server.err" >&2
  exit 1
fi

# Ready when the console page answers.
for _ in $(seq 1 100); do
  if python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
    "$base/console/" 2>/dev/null; then
    break
  fi
  sleep 0.1
done

status=0
python3 tests/browser/console_test.py \
  --base-url "$base" \
  --data-dir "$work/data" \
  --screenshots "$root/tests/browser/screenshots" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server stderr (last 40 lines) ---" >&2
  tail -n 40 "$work/server.err" >&2 || true
fi
exit "$status"
