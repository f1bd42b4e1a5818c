# Sourced by bench/run.sh and bench/layout.sh: the gateway data both measure with.
# seed BIN DATA_DIR — channels to the fake upstream (bench/nginx.conf :18081) and the slow-stream fake (:18083) with
# their prices straight into the database (a key without the encryption prefix is read as plaintext), then a user and
# key per case from the CLI: "trusted" (far above the trust threshold: nothing is reserved) and "holder" (below it:
# reserve + settle). The price is 1 unit a call (ratio 0.01: the minimum charge), so the holder's balance, which must stay
# below the threshold, lasts every run (at ratio 1, 18 units a call, it ran out after ~220 000 calls and the rest of the
# reserve + settle runs measured refusals). Sets trusted_key and holder_key. The CLI's cache-epoch bump makes a running server reload.
seed() {
  local bin=$1 data=$2
  sqlite3 "$data/newapi.db" <<SQL
.timeout 5000
INSERT INTO channels(type, "key", name, base_url, models, "group", status, created_time) VALUES
  (1, 'bench-key', 'bench-json', 'http://127.0.0.1:18081/json', 'bench-json', 'default', 1, 1),
  (1, 'bench-key', 'bench-sse', 'http://127.0.0.1:18081/sse', 'bench-sse', 'default', 1, 1),
  (1, 'bench-key', 'bench-slow', 'http://127.0.0.1:18083', 'bench-slow', 'default', 1, 1);
INSERT INTO abilities("group", model, channel_id, enabled, priority, weight) SELECT 'default', models, id, 1, 0, 0 FROM channels;
INSERT INTO options("key", value) VALUES ('ModelRatio', '{"bench-json":0.01,"bench-sse":0.01,"bench-slow":0.01}');
SQL
  echo "bench-password" | "$bin" user create --data-dir "$data" -u trusted --password-stdin --quota 1000000000 >/dev/null
  echo "bench-password" | "$bin" user create --data-dir "$data" -u holder --password-stdin --quota 4000000 >/dev/null
  trusted_key=$("$bin" token create --data-dir "$data" --user trusted --name bench --unlimited 2>/dev/null)
  holder_key=$("$bin" token create --data-dir "$data" --user holder --name bench --unlimited 2>/dev/null)
}
