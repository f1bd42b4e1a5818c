#!/usr/bin/env bash
# Usage-log and dashboard routes on a large database, timed through the real server over HTTP.
# Builds a temp data dir (newapi migrate + bench/logs_gen.sql through sqlite3), starts `newapi serve`, then times every
# /api/log and /api/data route and filter: first call, then the median and max of RUNS further calls (ms, curl total).
# Needs sqlite3 and curl; the binary comes from ./build.sh (dist/newapi) or NEWAPI_BINARY.
# Env: ROWS (1000000), RUNS (7), PORT (39124), KEEP=1 keeps the data dir; SAVE_DB=<file> stores the generated database,
# SEED_DB=<file> starts from such a copy instead of generating (ranges follow its newest row).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${NEWAPI_BINARY:-dist/newapi}
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-7}
PORT=${PORT:-39124}
BASE="http://127.0.0.1:$PORT"
[ -x "$BIN" ] || { echo "no $BIN; run ./build.sh first or set NEWAPI_BINARY" >&2; exit 2; }
command -v sqlite3 >/dev/null && command -v curl >/dev/null || { echo "needs sqlite3 and curl" >&2; exit 2; }

dir=$(mktemp -d)
jar="$dir/cookies"
pid=""
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; [ "${KEEP:-0}" = 1 ] || rm -rf "$dir"; }
trap cleanup EXIT
export GLOBAL_API_RATE_LIMIT_ENABLE=false CRITICAL_RATE_LIMIT_ENABLE=false SEARCH_RATE_LIMIT_ENABLE=false

if [ -n "${SEED_DB:-}" ] && [ -f "$SEED_DB" ]; then
  cp "$SEED_DB" "$dir/newapi.db"
  gen_note="copied from $SEED_DB"
else
  # Schema: a first start migrates the fresh database (`newapi migrate` on an empty data dir reads options first).
  "$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$dir" >"$dir/serve.log" 2>&1 &
  pid=$!
  until curl -fsS "$BASE/api/status" >/dev/null 2>&1; do sleep 0.05; done
  kill -TERM "$pid"; wait "$pid" || true; pid=""
  gen_start=$(date +%s%N)
  sqlite3 "$dir/newapi.db" -cmd ".parameter set :rows $ROWS" -cmd ".parameter set :now $(date +%s)" < bench/logs_gen.sql
  gen_note="generated in $(( ($(date +%s%N) - gen_start) / 1000000 )) ms (inserts through the summary triggers)"
  [ -n "${SAVE_DB:-}" ] && cp "$dir/newapi.db" "$SAVE_DB"
fi
NOW=$(sqlite3 "$dir/newapi.db" "SELECT max(created_at) FROM logs")
ROWS=$(sqlite3 "$dir/newapi.db" "SELECT count(*) FROM logs")
summary_rows=$(sqlite3 "$dir/newapi.db" "SELECT count(*) FROM log_daily")
quota_rows=$(sqlite3 "$dir/newapi.db" "SELECT count(*) FROM quota_data")
db_mb=$(( $(stat -c %s "$dir/newapi.db") / 1048576 ))

"$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$dir" >>"$dir/serve.log" 2>&1 &
pid=$!
until curl -fsS "$BASE/api/status" >/dev/null 2>&1; do sleep 0.05; done
curl -fsS -X POST "$BASE/api/setup" -H 'Content-Type: application/json' \
  -d '{"username":"root","password":"bench-password-1","confirmPassword":"bench-password-1"}' >/dev/null
curl -fsS -c "$jar" -X POST "$BASE/api/user/login" -H 'Content-Type: application/json' \
  -d '{"username":"root","password":"bench-password-1"}' >/dev/null
api() { curl -sS -b "$jar" -H 'New-Api-User: 1' "$@"; }

# A real key for /api/log/token: the generator's busiest key (user 1, key 0 = token_id 3) is re-pointed at it.
api -X POST "$BASE/api/token/" -H 'Content-Type: application/json' -d '{"name":"bench","unlimited_quota":true}' >/dev/null
tid=$(api "$BASE/api/token/?p=1&page_size=1" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')
key=$(api -X POST "$BASE/api/token/$tid/key" | sed -E 's/.*"key":"([^"]+)".*/\1/')
sqlite3 "$dir/newapi.db" "PRAGMA busy_timeout=5000; UPDATE logs SET token_id = $tid WHERE token_id = 3"

echo "# logs bench: $ROWS log rows ($db_mb MB database), log_daily $summary_rows rows, quota_data $quota_rows rows"
echo "# $gen_note; $(nproc) CPUs; $RUNS timed runs per line after one first call"
echo "# dashboard rollups: quota_data_day $(sqlite3 "$dir/newapi.db" "SELECT count(*) FROM quota_data_day") rows" \
  "($(sqlite3 "$dir/newapi.db" "SELECT count(*) FROM quota_data_key") keys), quota_data_user_hour" \
  "$(sqlite3 "$dir/newapi.db" "SELECT count(*) FROM quota_data_user_hour") rows"
echo
echo "| route | query | result | first ms | median ms | max ms |"
echo "|---|---|---|---:|---:|---:|"

ms() { awk -v t="$1" 'BEGIN { printf "%.1f", t * 1000 }'; }

# measure <label> <path> [curl args...]: one first call, then RUNS timed calls.
measure() {
  local label=$1 path=$2; shift 2
  local out="$dir/body" first times=() t result
  first=$(api -o "$out" -w '%{time_total}' "$@" "$BASE$path")
  for _ in $(seq 1 "$RUNS"); do times+=("$(api -o "$out" -w '%{time_total}' "$@" "$BASE$path")"); done
  case "$path" in
    /api/data*) result="$(grep -o '"count":' "$out" | wc -l || true) rows" ;;
    /api/log/token*) result="$(grep -o '"id":' "$out" | wc -l || true) rows" ;;
    *stat*) result=$(grep -o '"quota":[0-9]*' "$out" | head -1 | sed 's/"quota":/quota /' || true) ;;
    *) result="total $(grep -o '"total":[0-9]*' "$out" | head -1 | cut -d: -f2 || true)" ;;
  esac
  grep -q '"success":true' "$out" || result="FAILED: $(head -c 120 "$out")"
  local sorted=($(printf '%s\n' "${times[@]}" | sort -g))
  printf '| %s | `%s` | %s | %s | %s | %s |\n' "$label" "${path#/api}" "$result" "$(ms "$first")" \
    "$(ms "${sorted[$(( RUNS / 2 ))]}")" "$(ms "${sorted[$(( RUNS - 1 ))]}")"
}

# pages <route> <label> <query>: page 1, the middle page and the last page (page_size 100) of a listing.
pages() {
  local route=$1 label=$2 q=$3 total last
  total=$(api "$BASE$route?$q&page_size=100" | grep -o '"total":[0-9]*' | cut -d: -f2)
  last=$(( total > 0 ? (total + 99) / 100 : 1 ))
  measure "$label p1" "$route?$q&p=1&page_size=100"
  measure "$label mid" "$route?$q&p=$(( (last + 1) / 2 ))&page_size=100"
  measure "$label last" "$route?$q&p=$last&page_size=100"
}

DAY=86400
d1=$(( NOW - DAY ))
w3=$(( NOW - 10 * DAY - 12345 )); w3e=$(( w3 + 3 * DAY ))
rid=$(sqlite3 "$dir/newapi.db" "SELECT request_id FROM logs WHERE id = $(( ROWS / 3 ))")
uid=$(sqlite3 "$dir/newapi.db" "SELECT upstream_request_id FROM logs WHERE type = 2 AND id > $(( ROWS / 2 )) LIMIT 1")

measure "status (request floor)" "/api/status"
pages /api/log/ "list" "x=1"
pages /api/log/ "list type=2" "type=2"
pages /api/log/ "list type=5 (error)" "type=5"
pages /api/log/ "list type=4 (system)" "type=4"
pages /api/log/ "list last 24h" "start_timestamp=$d1"
pages /api/log/ "list 3-day window" "start_timestamp=$w3&end_timestamp=$w3e"
pages /api/log/ "list username (busy)" "username=user3"
pages /api/log/ "list username (rare)" "username=user917"
pages /api/log/ "list username LIKE" "username=user1%25"
pages /api/log/ "list token_name" "token_name=tok-5-0"
pages /api/log/ "list model" "model_name=gpt-4o-mini"
pages /api/log/ "list model (rare)" "model_name=model-17"
pages /api/log/ "list model LIKE prefix" "model_name=model-1%25"
pages /api/log/ "list model LIKE infix" "model_name=%25el-2%25"
pages /api/log/ "list channel" "channel=7"
pages /api/log/ "list group" "group=svip"
measure "list request_id" "/api/log/?request_id=$rid"
measure "list upstream_request_id" "/api/log/?upstream_request_id=$uid"
pages /api/log/ "list type+group+model" "type=2&group=vip&model_name=model-3"
pages /api/log/ "list type+group" "type=5&group=svip"
pages /api/log/ "list 3-day+type+model" "start_timestamp=$w3&end_timestamp=$w3e&type=2&model_name=gpt-4o-mini"
pages /api/log/self "self" "x=1"
pages /api/log/self "self type=2" "type=2"
pages /api/log/self "self model" "model_name=gpt-4o-mini"
pages /api/log/self "self last 24h" "start_timestamp=$d1"
pages /api/log/self "self 3-day window" "start_timestamp=$w3&end_timestamp=$w3e"
measure "stat" "/api/log/stat"
measure "stat last 24h" "/api/log/stat?start_timestamp=$d1"
measure "stat 3-day window" "/api/log/stat?start_timestamp=$w3&end_timestamp=$w3e"
measure "stat username" "/api/log/stat?username=user3"
measure "stat username LIKE" "/api/log/stat?username=user1%25"
measure "stat token_name" "/api/log/stat?token_name=tok-5-0"
measure "stat model" "/api/log/stat?model_name=gpt-4o-mini"
measure "stat model LIKE" "/api/log/stat?model_name=%25el-2%25"
measure "stat channel" "/api/log/stat?channel=7"
measure "stat group" "/api/log/stat?group=default"
measure "stat group+model+channel" "/api/log/stat?group=vip&model_name=model-3&channel=4"
measure "stat 3-day+group+model" "/api/log/stat?start_timestamp=$w3&end_timestamp=$w3e&group=default&model_name=gpt-4o-mini"
measure "self stat" "/api/log/self/stat"
measure "self stat model" "/api/log/self/stat?model_name=gpt-4o-mini"
measure "self stat 3-day window" "/api/log/self/stat?start_timestamp=$w3&end_timestamp=$w3e"
measure "token (1000 rows)" "/api/log/token" -H "Authorization: Bearer sk-$key"
for span in 1 7 30; do
  s=$(( NOW - span * DAY ))
  measure "data ${span}d" "/api/data/?start_timestamp=$s&end_timestamp=$NOW"
  measure "data users ${span}d" "/api/data/users?start_timestamp=$s&end_timestamp=$NOW"
  measure "data flow ${span}d (root)" "/api/data/flow?start_timestamp=$s&end_timestamp=$NOW"
done
measure "data username 30d" "/api/data/?start_timestamp=$(( NOW - 30 * DAY ))&end_timestamp=$NOW&username=user3"
measure "data self 30d" "/api/data/self?start_timestamp=$(( NOW - 30 * DAY ))&end_timestamp=$NOW"
measure "data flow username 30d (root)" "/api/data/flow?start_timestamp=$(( NOW - 30 * DAY ))&end_timestamp=$NOW&username=user3"
measure "data flow self 30d" "/api/data/flow/self?start_timestamp=$(( NOW - 30 * DAY ))&end_timestamp=$NOW"

echo
before=$(sqlite3 "$dir/newapi.db" "SELECT count(*) FROM logs")
t0=$(date +%s%N)
deleted=$(api -X DELETE "$BASE/api/log/?target_timestamp=$(( NOW - 25 * DAY ))" | sed -E 's/.*"data":([0-9]+).*/\1/')
del_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
batches=$(( (deleted + 99) / 100 ))
echo "delete: $deleted of $before rows in $del_ms ms ($batches write transactions of <= 100 rows, $(awk -v a="$del_ms" -v b="$batches" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }') ms each)"
measure "list after delete" "/api/log/?page_size=100"
measure "stat after delete" "/api/log/stat"
