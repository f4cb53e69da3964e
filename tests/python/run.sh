#!/usr/bin/env bash
# The Python (grpcio) interoperability check: a client that is not tonic's talks to the real
# server binary over loopback.
#
#   bash tests/python/run.sh
#
# 1. Python 3 with venv (apt-get installs python3 and python3-venv if missing: Debian, root).
# 2. A virtual environment in tests/python/.venv (git-ignored) with requirements.txt; kept
#    between runs and reinstalled when requirements.txt or the Python changes.
# 3. proto/greenimpact/v1/*.proto compiled by grpc_tools.protoc into a temp dir.
# 4. target/debug/green-impact (cargo build --quiet) started as
#    `serve --addr 127.0.0.1:0 --data-dir TEMP`; the port read from its first stdout line.
# 5. test_interop.py against it; the server is always stopped and the temp dir removed.
# Exits non-zero when a test fails, errs or none ran. Every step is bounded in time.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
SERVER_START_TIMEOUT_S=60
PIP_TIMEOUT_S=900
TEST_TIMEOUT_S=600

say() { echo "python-interop: $*"; }

WORK=""
SERVER_PID=""

cleanup() {
  local status=$?
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local waited=0
    while kill -0 "$SERVER_PID" 2>/dev/null && ((waited < 100)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      say "server did not stop within 10 s of SIGTERM; killing it" >&2
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "$WORK" ]]; then
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

apt_install() {
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    say "need $* (not root, or no apt-get): install it and run again" >&2
    exit 1
  fi
  say "installing $* with apt-get" >&2
  timeout 600 apt-get update
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y --no-install-recommends "$@"
}

# --- 1. Python 3 that can make a virtual environment ------------------------------------------
if ! command -v python3 >/dev/null 2>&1; then
  apt_install python3 python3-venv
fi
PYTHON="$(command -v python3)"
PY_VERSION="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"

venv_works() {
  [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1
}

# --- 2. the virtual environment ---------------------------------------------------------------
STAMP="$( (cat "$HERE/requirements.txt"; echo "$PYTHON $PY_VERSION") | sha256sum | cut -c1-64)"
if ! venv_works || [[ "$(cat "$VENV/.installed" 2>/dev/null || true)" != "$STAMP" ]]; then
  rm -rf "$VENV"
  if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
    # Debian's python3 makes venvs only with python3-venv (ensurepip).
    rm -rf "$VENV"
    apt_install python3-venv
    "$PYTHON" -m venv "$VENV"
  fi
  say "installing requirements.txt into tests/python/.venv (Python $PY_VERSION)"
  timeout "$PIP_TIMEOUT_S" "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-input -r "$HERE/requirements.txt"
  echo "$STAMP" >"$VENV/.installed"
fi
VPY="$VENV/bin/python"
say "Python $("$VPY" -c 'import sys; print(sys.version.split()[0])'), $("$VPY" -m pip list \
  --disable-pip-version-check --format=freeze 2>/dev/null | grep -E '^(grpcio|protobuf)=' | tr '\n' ' ')"

# --- 3. generated code ------------------------------------------------------------------------
WORK="$(mktemp -d /tmp/green-impact-python.XXXXXX)"
mkdir -p "$WORK/gen" "$WORK/data"
(cd "$ROOT" && "$VPY" -m grpc_tools.protoc -I proto --python_out="$WORK/gen" \
  --grpc_python_out="$WORK/gen" proto/greenimpact/v1/*.proto)

# --- 4. the server ----------------------------------------------------------------------------
(cd "$ROOT" && timeout 1800 cargo build --quiet --bin green-impact)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/green-impact"
if [[ ! -x "$BIN" ]]; then
  say "no server binary at $BIN" >&2
  exit 1
fi
"$BIN" serve --addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --data-dir "$WORK/data" >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!

ADDR=""
deadline=$((SECONDS + SERVER_START_TIMEOUT_S))
while [[ -z "$ADDR" ]]; do
  line="$(head -n 1 "$WORK/server.out" 2>/dev/null || true)"
  if [[ "$line" == "green-impact listening on "* ]]; then
    ADDR="${line#green-impact listening on }"
    break
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    say "the server exited before listening; its stderr:" >&2
    cat "$WORK/server.log" >&2 || true
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    say "the server printed no listening line within ${SERVER_START_TIMEOUT_S} s" >&2
    cat "$WORK/server.out" "$WORK/server.log" >&2 || true
    exit 1
  fi
  sleep 0.1
done
case "$ADDR" in
  127.0.0.1:*) ;;
  *)
    say "the server listens on $ADDR, not on IPv4 loopback" >&2
    exit 1
    ;;
esac
say "server on $ADDR (pid $SERVER_PID)"

# --- 5. the tests -----------------------------------------------------------------------------
# The test file's last line, "python-interop: N passed, N failed, N skipped", is the run's
# closing line.
status=0
(cd "$HERE" && GREEN_IMPACT_ADDR="$ADDR" PYTHONPATH="$WORK/gen" PYTHONDONTWRITEBYTECODE=1 \
  timeout "$TEST_TIMEOUT_S" "$VPY" test_interop.py) || status=$?
if ((status == 124)); then
  say "the tests did not finish within ${TEST_TIMEOUT_S} s" >&2
fi
if ((status != 0)); then
  say "FAILED (exit $status); the server's stderr:" >&2
  tail -n 50 "$WORK/server.log" >&2 || true
  exit "$status"
fi
