#!/usr/bin/env bash
# Start-to-ready time and idle RSS of dist/newapi (run ./build.sh first).
# Ready = the first successful GET /api/status. Prints one line per run and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${NEWAPI_BINARY:-dist/newapi}
RUNS=${RUNS:-5}
PORT=${PORT:-39123}
[ -x "$BIN" ] || { echo "no $BIN; run ./build.sh first" >&2; exit 2; }
times=()
for i in $(seq 1 "$RUNS"); do
  dir=$(mktemp -d)
  "$BIN" migrate --data-dir "$dir" >/dev/null          # measure serving, not first-time schema creation
  start=$(date +%s%N)
  "$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$dir" >/dev/null 2>&1 &
  pid=$!
  until curl -fsS "http://127.0.0.1:$PORT/api/status" >/dev/null 2>&1; do sleep 0.001; done
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  sleep 1
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  echo "run $i: ready in ${ms} ms, idle RSS $((rss / 1024)) MB"
  times+=("$ms")
  kill -TERM "$pid"; wait "$pid" || true
  rm -rf "$dir"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "median start-to-ready: ${sorted[$((RUNS / 2))]} ms"
