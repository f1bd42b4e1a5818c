#!/usr/bin/env bash
# NewApi build script.
#   ./build.sh          publish the single executable dist/newapi (console bundle embedded, SQLite linked in)
#   ./build.sh run      publish, then serve on :3000 with ./data
#   ./build.sh test     publish, then run every suite (unit, integration, end-to-end against dist/newapi, browser)
#                       and print one closing line: "N passed, M failed"
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VERB=${1:-publish}
CONFIG=Release

case "$(uname -m)" in
  x86_64|amd64) RID=linux-x64; LIBDIR=/usr/lib/x86_64-linux-gnu ;;
  aarch64|arm64) RID=linux-arm64; LIBDIR=/usr/lib/aarch64-linux-gnu ;;
  *) echo "build.sh: unsupported architecture $(uname -m)" >&2; exit 2 ;;
esac

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_prereqs() {
  local missing=()
  command -v dotnet >/dev/null || { echo "build.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 2; }
  command -v clang >/dev/null || missing+=(clang)
  [ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
  [ -f "$LIBDIR/libsqlite3.a" ] || missing+=(libsqlite3-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing ${missing[*]}"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "build.sh: missing prerequisites: ${missing[*]} (install them with apt-get, or run as root)" >&2; exit 2
    fi
  fi
}

build_console() {
  if [ -f wwwroot/package.json ]; then
    command -v npm >/dev/null || { echo "build.sh: npm is required to build the console (wwwroot/)" >&2; exit 2; }
    log "building the console"
    (cd wwwroot && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent)
  fi
}

publish() {
  ensure_prereqs
  build_console
  log "publishing dist/newapi ($RID)"
  dotnet publish NewApi.csproj -c "$CONFIG" -r "$RID" -o "$ROOT/bin/publish" -p:SqliteStaticLib="$LIBDIR/libsqlite3.a" -nologo -v:q -clp:ErrorsOnly
  mkdir -p dist
  cp bin/publish/newapi dist/newapi.tmp && mv -f dist/newapi.tmp dist/newapi   # a running dist/newapi is replaced, not written into
  log "dist/newapi: $(du -h dist/newapi | cut -f1)"
}

trx_counts() {  # prints "passed failed" summed over the TRX files given
  local p=0 f=0 file
  for file in "$@"; do
    [ -f "$file" ] || continue
    local line; line=$(grep -o '<Counters [^>]*>' "$file" | head -1)
    p=$((p + $(echo "$line" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')))
    f=$((f + $(echo "$line" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')))
  done
  echo "$p $f"
}

trx_failures() {  # prints each failed test's name and message from a TRX file
  [ -f "$1" ] || return 0
  awk '/<UnitTestResult /{ f = ($0 ~ /outcome="Failed"/); if (f) { match($0, /testName="[^"]*"/); print "FAILED " substr($0, RSTART + 10, RLENGTH - 11) } }
       f && /<Message>/ { m = 1 }  f && m { print }  /<\/Message>/ { m = 0 }  /<\/UnitTestResult>/ { f = 0 }' "$1" | head -200
}

run_tests() {
  publish
  rm -rf TestResults
  local passed=0 failed=0 status=0
  log "unit, integration and end-to-end tests (against dist/newapi)"
  NEWAPI_BINARY="$ROOT/dist/newapi" dotnet test tests/NewApi.Tests.csproj -c Debug --logger "trx;LogFileName=dotnet.trx" \
    --results-directory TestResults -nologo -v:q || status=1
  trx_failures TestResults/dotnet.trx
  read -r p f < <(trx_counts TestResults/dotnet.trx)
  if [ "$p" = 0 ] && [ "$f" = 0 ] && [ $status -ne 0 ]; then f=1; fi   # build failure: count it
  passed=$((passed + p)); failed=$((failed + f))
  local suite
  for suite in browser sdk; do
    [ -f "tests/$suite/package.json" ] || continue
    if [ "$suite" = browser ]; then
      log "browser tests (headless Chromium)"
      if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
      fi
    else
      log "official SDK tests (openai, @anthropic-ai/sdk, @google/genai against dist/newapi)"
    fi
    (cd "tests/$suite" && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; }) || true
    local out; out=$(cd "tests/$suite" && NEWAPI_BINARY="$ROOT/dist/newapi" node --test --test-reporter=tap 2>&1) || true
    # Each failing test whole (its name, error and stack), then the summary.
    echo "$out" | awk '/^not ok /{p=1} p{print} p&&/^  \.\.\.$/{p=0}'
    echo "$out" | tail -20
    p=$(echo "$out" | sed -n 's/^# pass \([0-9]*\)/\1/p' | tail -1); f=$(echo "$out" | sed -n 's/^# fail \([0-9]*\)/\1/p' | tail -1)
    if [ -z "$p" ] && [ -z "$f" ]; then f=1; p=0; fi
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  done
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}

case "$VERB" in
  publish|"") publish ;;
  run) publish; log "serving on :3000 (data in ./data)"; exec dist/newapi serve --listen "${NEWAPI_LISTEN:-0.0.0.0:3000}" --data-dir "${NEWAPI_DATA_DIR:-./data}" ;;
  test) run_tests ;;
  *) echo "usage: ./build.sh [publish|run|test]" >&2; exit 2 ;;
esac
