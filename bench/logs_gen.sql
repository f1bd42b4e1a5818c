-- Usage-log bench data (run by bench/logs_bench.sh through the sqlite3 shell on a migrated database).
-- Parameters: :rows (log rows) and :now (Unix seconds of the newest row). Rows are spread evenly over the 30 days
-- before :now, in id order. Shape of a mid-size site: ~1000 users with a heavy head (user 1 = root has ~3% of rows),
-- 1-3 keys per user, 31 models (gpt-4o-mini ~40%), 20 channels, three groups; 92% consume, 5% error, the rest top-up,
-- login, manage and system rows. Consume rows carry a realistic `other` (with admin_info and stream_status).
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 20)
INSERT INTO channels(name, models, type) SELECT 'channel-' || n, 'gpt-4o-mini', 1 FROM c;
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :rows),
base AS MATERIALIZED (
  SELECT n,
    1 + CAST(1000 * ((abs(random()) % 1000000) / 1000000.0) * ((abs(random()) % 1000000) / 1000000.0)
                   * ((abs(random()) % 1000000) / 1000000.0) AS INTEGER) AS u,
    CASE WHEN abs(random()) % 10 < 7 THEN 0 WHEN abs(random()) % 3 < 2 THEN 1 ELSE 2 END AS k,
    abs(random()) % 1000 AS r1, abs(random()) % 1000 AS r2, abs(random()) % 1000 AS r3
  FROM seq),
r AS MATERIALIZED (
  SELECT n, u, k, r3,
    CASE WHEN r1 < 920 THEN 2 WHEN r1 < 970 THEN 5 WHEN r1 < 980 THEN 1 WHEN r1 < 990 THEN 7 WHEN r1 < 995 THEN 3 ELSE 4 END AS t,
    CASE WHEN r2 < 400 THEN 'gpt-4o-mini' ELSE 'model-' || ((u * 7 + k * 3 + r2 % 3) % 30) END AS m,
    CASE WHEN u % 25 = 0 THEN 'svip' WHEN u % 10 = 0 THEN 'vip' ELSE 'default' END AS g
  FROM base)
INSERT INTO logs(user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens, completion_tokens,
  use_time, is_stream, channel_id, token_id, "group", ip, request_id, upstream_request_id, other)
SELECT u, :now - (:rows - n) * 2592000 / :rows, t,
  CASE t WHEN 2 THEN '' WHEN 5 THEN 'upstream error: status 429' WHEN 1 THEN 'top up' ELSE 'login' END,
  CASE WHEN u = 1 THEN 'root' ELSE 'user' || u END,
  CASE WHEN t IN (2, 5) THEN 'tok-' || u || '-' || k ELSE '' END,
  CASE WHEN t IN (2, 5) THEN m ELSE '' END,
  CASE WHEN t IN (1, 2) THEN 100 + (r3 * 37) % 20000 ELSE 0 END,
  CASE WHEN t = 2 THEN 50 + (r3 * 13) % 4000 ELSE 0 END,
  CASE WHEN t = 2 THEN 10 + (r3 * 7) % 1000 ELSE 0 END,
  r3 % 20, r3 % 2,
  CASE WHEN t IN (2, 5) THEN 1 + (length(m) * 7 + unicode(substr(m, -1))) % 10 + (r3 % 2) * 10 ELSE 0 END,
  CASE WHEN t IN (2, 5) THEN u * 3 + k ELSE 0 END,
  CASE WHEN t IN (2, 5) THEN g ELSE '' END, '',
  printf('%014d%09d%08x', 20250101000000 + n, n, n * 2654435761 % 4294967296),
  CASE WHEN t = 2 THEN printf('chatcmpl-%012x', n * 40503) ELSE '' END,
  CASE WHEN t = 2 THEN '{"model_ratio":0.075,"group_ratio":1,"completion_ratio":4,"cache_tokens":0,"cache_ratio":0.5,"model_price":-1,'
    || '"user_group_ratio":-1,"frt":' || (r3 * 3) || ',"admin_info":{"use_channel":["' || (1 + r3 % 10) || '"],"is_multi_key":false},'
    || '"request_path":"/v1/chat/completions","stream_status":{"status":"ok","end_reason":"done"}}' ELSE '' END
FROM r;
-- The dashboard buckets the relay would have flushed for these consume rows.
INSERT INTO quota_data(user_id, username, model_name, created_at, use_group, token_id, channel_id, node_name, token_used, count, quota)
SELECT user_id, username, model_name, created_at - created_at % 3600, "group", token_id, channel_id, '',
       sum(prompt_tokens + completion_tokens), count(*), sum(quota)
FROM logs WHERE type = 2 GROUP BY 1, 2, 3, 4, 5, 6, 7;
-- The log summaries the server's writers add beside every inserted row (the schema has no insert trigger for them).
INSERT INTO log_daily(day, type, user_id, username, token_name, model_name, channel_id, "group", rows, quota, prompt_tokens, completion_tokens)
SELECT created_at - created_at % 86400, type, user_id, username, token_name, model_name, channel_id, "group",
       count(*), sum(quota), sum(prompt_tokens), sum(completion_tokens)
FROM logs GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
INSERT INTO log_weekly(week, type, user_id, username, token_name, model_name, channel_id, "group", rows, quota, prompt_tokens, completion_tokens)
SELECT created_at - created_at % 604800, type, user_id, username, token_name, model_name, channel_id, "group",
       count(*), sum(quota), sum(prompt_tokens), sum(completion_tokens)
FROM logs GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
INSERT INTO log_daily_type(day, type, rows, quota, prompt_tokens, completion_tokens)
SELECT created_at - created_at % 86400, type, count(*), sum(quota), sum(prompt_tokens), sum(completion_tokens)
FROM logs GROUP BY 1, 2;
COMMIT;
