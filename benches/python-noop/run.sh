#!/usr/bin/env bash
# Stored Assess against a Python grpc.aio no-op answering the dry run's bytes, driven by h2load
# (4 connections x 16 streams, as ../shared/bench/h2load-ratio.sh), three rounds, one run.
# Usage, from the project root after `cargo build --release`:
#   bash benches/python-noop/run.sh [REQUEST.json]   (default examples/leshan-yaqing.json)
# Needs h2load (apt-get install nghttp2-client) and python3 (grpcio-tools goes into a
# temporary virtual environment).
set -euo pipefail
REQ=${1:-examples/leshan-yaqing.json}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-target/release/green-impact}
command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client" >&2; exit 2; }
W=$(mktemp -d); PIDS=""; trap 'kill $PIDS 2>/dev/null; rm -rf "$W"' EXIT
python3 -m venv "$W/venv" && "$W/venv/bin/pip" install -q grpcio-tools >/dev/null
PY="$W/venv/bin/python"
INC=$("$PY" -c 'import grpc_tools,os;print(os.path.join(os.path.dirname(grpc_tools.__file__),"_proto"))')
mkdir -p "$W/pb"
(cd proto && "$PY" -m grpc_tools.protoc -I. -I"$INC" --python_out="$W/pb" $(find . -name '*.proto' | sed 's|^\./||'))
port() { "$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
GI_PORT=$(port); "$BIN" serve --addr "127.0.0.1:$GI_PORT" --no-http --data-dir "$W/data" >"$W/gi.log" 2>&1 &
PIDS="$PIDS $!"; sleep 1
PYTHONPATH="$W/pb" "$PY" - "$REQ" "$W" "$GI_PORT" <<'PY'
import json, struct, sys, grpc
from google.protobuf import json_format
from greenimpact.v1 import assessment_pb2 as a
req, w, port = sys.argv[1:4]
d = json.load(open(req))
for name, dry in (("stored", False), ("dry", True)):
    d["dry_run"] = dry
    body = json_format.Parse(json.dumps(d), a.AssessRequest()).SerializeToString()
    open(f"{w}/{name}.bin", "wb").write(struct.pack(">?I", False, len(body)) + body)
    if dry:
        call = grpc.insecure_channel(f"127.0.0.1:{port}").unary_unary(
            "/greenimpact.v1.ImpactService/Assess",
            request_serializer=lambda b: b, response_deserializer=lambda b: b)
        answer = call(body, timeout=10)
        open(f"{w}/dry.resp", "wb").write(answer)
        print(f"answer: {len(answer)} bytes")
PY
NOOP_PORT=$(port); "$PY" "$HERE/server.py" "$NOOP_PORT" "$W/dry.resp" & PIDS="$PIDS $!"; sleep 1
rate() { h2load -n "$3" -c 4 -m 16 -t 1 -H 'content-type: application/grpc' -H 'te: trailers' -d "$2" \
  "http://127.0.0.1:$1/greenimpact.v1.ImpactService/Assess" 2>&1 | sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p'; }
for round in 1 2 3; do
  n=$(rate "$NOOP_PORT" "$W/dry.bin" 10000); s=$(rate "$GI_PORT" "$W/stored.bin" 10000)
  echo "round $round: python grpc.aio no-op $n req/s, stored $s req/s; stored/python no-op $(python3 -c "print(round($s/$n,3))")"
done
