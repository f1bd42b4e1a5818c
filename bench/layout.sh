#!/usr/bin/env bash
# Regenerates src/layout.order, the order in which the AOT compiler lays out managed methods (NewApi.csproj passes it
# as IlcOrderFile): runs a published newapi under callgrind, takes the methods that ran while it served a mix of
# requests, while it started and while it stopped, and lists them in that order (bench/layout.py).
# Run it after larger changes to the relay path; a stale file only costs memory and speed, never correctness
# (unknown names are ignored, unlisted methods keep the default order).
# Usage: bench/layout.sh [path-to-published-dir]   (default bin/publish, which ./build.sh fills; needs newapi.dbg)
# Needs Debian's valgrind, nginx, sqlite3, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(realpath "${1:-bin/publish}")
BIN=$DIR/newapi
[ -x "$BIN" ] && [ -f "$DIR/newapi.dbg" ] || { echo "need $BIN and $DIR/newapi.dbg; run ./build.sh first" >&2; exit 2; }
for tool in valgrind callgrind_control nginx sqlite3 curl python3; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install valgrind nginx sqlite3 curl python3)" >&2; exit 2; }
done
id=$(readelf -n "$BIN" | awk '/Build ID/ {print $3}')
if [ -n "$id" ] && [ -e "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ]; then
  echo "valgrind would read /usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug and reject it; move it away first" >&2; exit 2
fi
PORT=18090
work=$(mktemp -d)
cleanup() {
  [ -n "${vg:-}" ] && kill -TERM "$vg" 2>/dev/null || true
  [ -f "$work/nginx/nginx.pid" ] && kill -QUIT "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/nginx"
cp bench/nginx.conf "$work/nginx/nginx.conf"
nginx -p "$work/nginx" -c nginx.conf

# Valgrind's reader rejects the AOT compiler's debug file, which it would find next to the binary (debuglink) or by
# build id: a copy runs alone, and layout.py maps the profile's addresses to names itself.
cp "$BIN" "$work/newapi"
valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file="$work/cg" --extra-debuginfo-path=/nonexistent \
  "$work/newapi" serve --listen "127.0.0.1:$PORT" --data-dir "$work/data" >"$work/serve.log" 2>&1 &
vg=$!
# The start-up profile ends where the server gives its start-up pages back (right after it logs that it listens):
# whatever runs later, timers included, counts as serving.
until grep -q "listening on" "$work/serve.log"; do
  kill -0 "$vg" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
callgrind_control --dump=startup "$vg" >/dev/null
until curl -fsS -m 5 "http://127.0.0.1:$PORT/api/status" >/dev/null 2>&1; do sleep 0.5; done

source bench/seed.sh
seed "$BIN" "$work/data"
sleep 3 # the CLI's cache epoch reaches the server

base=http://127.0.0.1:$PORT
post() { curl -s -o /dev/null "$base$1" -H "Authorization: Bearer $2" -H 'content-type: application/json' -d "$3"; }
for key in "$trusted_key" "$holder_key"; do
  for _ in 1 2 3 4 5 6 7 8; do
    post /v1/chat/completions "$key" '{"model":"bench-json","messages":[{"role":"user","content":"hi"}]}'
    post /v1/chat/completions "$key" '{"model":"bench-sse","stream":true,"messages":[{"role":"user","content":"hi"}]}'
  done
  post /v1/messages "$key" '{"model":"bench-json","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
  post /v1/responses "$key" '{"model":"bench-json","input":"hi"}'
done
curl -s -o /dev/null "$base/v1/models" -H "Authorization: Bearer $trusted_key"
post /v1/chat/completions sk-unknown '{"model":"bench-json","messages":[]}'
post /v1/chat/completions "$trusted_key" '{"model":'
curl -s -o /dev/null "$base/"
curl -s -o /dev/null "$base/api/status"
curl -s -c "$work/jar" -o /dev/null "$base/api/user/login" -H 'content-type: application/json' -d '{"username":"trusted","password":"bench-password"}'
for path in /api/user/self /api/token/ /api/log/self /api/data/self; do curl -s -b "$work/jar" -H 'New-Api-User: 2' -o /dev/null "$base$path"; done
sleep 2
callgrind_control --dump=requests "$vg" >/dev/null
kill -TERM "$vg"
wait "$vg" 2>/dev/null || true
vg=

python3 bench/layout.py "$BIN" "$DIR/newapi.dbg" src/layout.order "$work/cg.2" "$work/cg.1" "$work/cg"
