-- Usage-log queries on large tables (/api/log/*): composite indexes ending in created_at, so every filtered page is read in
-- (created_at, id) order straight from an index, one covering index that answers counts and sums without touching the
-- rows, and per-day and per-week summaries kept exact by triggers so totals, stats and deep pages never scan months of rows.

-- Single-column indexes become (column, created_at): still serve every lookup by that column, and also the time order.
DROP INDEX IF EXISTS idx_logs_username;
DROP INDEX IF EXISTS idx_logs_token_name;
DROP INDEX IF EXISTS idx_logs_channel_id;
DROP INDEX IF EXISTS idx_logs_group;
DROP INDEX IF EXISTS idx_logs_user_id_id;
DROP INDEX IF EXISTS idx_logs_model_name_username;
DROP INDEX IF EXISTS idx_logs_created_at_type;

CREATE INDEX idx_logs_username_created ON logs(username, created_at);
CREATE INDEX idx_logs_token_name_created ON logs(token_name, created_at);
CREATE INDEX idx_logs_model_name_created ON logs(model_name, created_at);
CREATE INDEX idx_logs_channel_id_created ON logs(channel_id, created_at);
CREATE INDEX idx_logs_group_created ON logs("group", created_at);
CREATE INDEX idx_logs_user_id_created ON logs(user_id, created_at);
CREATE INDEX idx_logs_type_created ON logs(type, created_at);
-- Every filter column and every summed column: a time slice is counted and summed from this index alone.
CREATE INDEX idx_logs_scan ON logs(created_at, type, user_id, channel_id, "group", model_name, username, token_name,
    quota, prompt_tokens, completion_tokens);

-- One row per UTC day and distinct filter values; rows/quota/tokens are exact sums over the matching logs.
CREATE TABLE log_daily (
    day INTEGER NOT NULL,                 -- created_at - created_at % 86400
    type INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    username TEXT NOT NULL,
    token_name TEXT NOT NULL,
    model_name TEXT NOT NULL,
    channel_id INTEGER NOT NULL,
    "group" TEXT NOT NULL,
    rows INTEGER NOT NULL,
    quota INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    PRIMARY KEY (day, type, user_id, username, token_name, model_name, channel_id, "group")
) WITHOUT ROWID;
-- Only for the narrow filters (one user or key: few rows); broad ones (model, channel, group) read the days in order.
CREATE INDEX idx_log_daily_user_id ON log_daily(user_id, day);
CREATE INDEX idx_log_daily_username ON log_daily(username, day);
CREATE INDEX idx_log_daily_token_name ON log_daily(token_name, day);

-- The same per week (created_at - created_at % 604800), so long ranges read 7x fewer summary rows.
CREATE TABLE log_weekly (
    week INTEGER NOT NULL,
    type INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    username TEXT NOT NULL,
    token_name TEXT NOT NULL,
    model_name TEXT NOT NULL,
    channel_id INTEGER NOT NULL,
    "group" TEXT NOT NULL,
    rows INTEGER NOT NULL,
    quota INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    PRIMARY KEY (week, type, user_id, username, token_name, model_name, channel_id, "group")
) WITHOUT ROWID;
CREATE INDEX idx_log_weekly_user_id ON log_weekly(user_id, week);
CREATE INDEX idx_log_weekly_username ON log_weekly(username, week);
CREATE INDEX idx_log_weekly_token_name ON log_weekly(token_name, week);

-- Per day and type only, for queries without a dimension filter.
CREATE TABLE log_daily_type (
    day INTEGER NOT NULL,
    type INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    quota INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    PRIMARY KEY (day, type)
) WITHOUT ROWID;

INSERT INTO log_daily(day, type, user_id, username, token_name, model_name, channel_id, "group", rows, quota, prompt_tokens, completion_tokens)
SELECT created_at - created_at % 86400, type, user_id, username, token_name, model_name, channel_id, "group",
       count(*), sum(quota), sum(prompt_tokens), sum(completion_tokens)
FROM logs GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

INSERT INTO log_daily_type(day, type, rows, quota, prompt_tokens, completion_tokens)
SELECT day, type, sum(rows), sum(quota), sum(prompt_tokens), sum(completion_tokens) FROM log_daily GROUP BY day, type;

INSERT INTO log_weekly(week, type, user_id, username, token_name, model_name, channel_id, "group", rows, quota, prompt_tokens, completion_tokens)
SELECT day - day % 604800, type, user_id, username, token_name, model_name, channel_id, "group",
       sum(rows), sum(quota), sum(prompt_tokens), sum(completion_tokens)
FROM log_daily GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

CREATE TRIGGER trg_logs_summary_insert AFTER INSERT ON logs
BEGIN
    INSERT INTO log_daily(day, type, user_id, username, token_name, model_name, channel_id, "group", rows, quota, prompt_tokens, completion_tokens)
    VALUES (NEW.created_at - NEW.created_at % 86400, NEW.type, NEW.user_id, NEW.username, NEW.token_name, NEW.model_name,
            NEW.channel_id, NEW."group", 1, NEW.quota, NEW.prompt_tokens, NEW.completion_tokens)
    ON CONFLICT DO UPDATE SET rows = rows + 1, quota = quota + excluded.quota,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens;
    INSERT INTO log_weekly(week, type, user_id, username, token_name, model_name, channel_id, "group", rows, quota, prompt_tokens, completion_tokens)
    VALUES (NEW.created_at - NEW.created_at % 604800, NEW.type, NEW.user_id, NEW.username, NEW.token_name, NEW.model_name,
            NEW.channel_id, NEW."group", 1, NEW.quota, NEW.prompt_tokens, NEW.completion_tokens)
    ON CONFLICT DO UPDATE SET rows = rows + 1, quota = quota + excluded.quota,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens;
    INSERT INTO log_daily_type(day, type, rows, quota, prompt_tokens, completion_tokens)
    VALUES (NEW.created_at - NEW.created_at % 86400, NEW.type, 1, NEW.quota, NEW.prompt_tokens, NEW.completion_tokens)
    ON CONFLICT DO UPDATE SET rows = rows + 1, quota = quota + excluded.quota,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens;
END;

-- Emptied summary rows stay (they add zero); log deletion by timestamp removes them for the days it cleared.
CREATE TRIGGER trg_logs_summary_delete AFTER DELETE ON logs
BEGIN
    UPDATE log_daily SET rows = rows - 1, quota = quota - OLD.quota, prompt_tokens = prompt_tokens - OLD.prompt_tokens,
        completion_tokens = completion_tokens - OLD.completion_tokens
    WHERE day = OLD.created_at - OLD.created_at % 86400 AND type = OLD.type AND user_id = OLD.user_id
      AND username = OLD.username AND token_name = OLD.token_name AND model_name = OLD.model_name
      AND channel_id = OLD.channel_id AND "group" = OLD."group";
    UPDATE log_daily_type SET rows = rows - 1, quota = quota - OLD.quota, prompt_tokens = prompt_tokens - OLD.prompt_tokens,
        completion_tokens = completion_tokens - OLD.completion_tokens
    WHERE day = OLD.created_at - OLD.created_at % 86400 AND type = OLD.type;
    UPDATE log_weekly SET rows = rows - 1, quota = quota - OLD.quota, prompt_tokens = prompt_tokens - OLD.prompt_tokens,
        completion_tokens = completion_tokens - OLD.completion_tokens
    WHERE week = OLD.created_at - OLD.created_at % 604800 AND type = OLD.type AND user_id = OLD.user_id
      AND username = OLD.username AND token_name = OLD.token_name AND model_name = OLD.model_name
      AND channel_id = OLD.channel_id AND "group" = OLD."group";
END;

CREATE TRIGGER trg_logs_summary_update AFTER UPDATE OF created_at, type, user_id, username, token_name, model_name, channel_id,
    "group", quota, prompt_tokens, completion_tokens ON logs
BEGIN
    UPDATE log_daily SET rows = rows - 1, quota = quota - OLD.quota, prompt_tokens = prompt_tokens - OLD.prompt_tokens,
        completion_tokens = completion_tokens - OLD.completion_tokens
    WHERE day = OLD.created_at - OLD.created_at % 86400 AND type = OLD.type AND user_id = OLD.user_id
      AND username = OLD.username AND token_name = OLD.token_name AND model_name = OLD.model_name
      AND channel_id = OLD.channel_id AND "group" = OLD."group";
    UPDATE log_daily_type SET rows = rows - 1, quota = quota - OLD.quota, prompt_tokens = prompt_tokens - OLD.prompt_tokens,
        completion_tokens = completion_tokens - OLD.completion_tokens
    WHERE day = OLD.created_at - OLD.created_at % 86400 AND type = OLD.type;
    UPDATE log_weekly SET rows = rows - 1, quota = quota - OLD.quota, prompt_tokens = prompt_tokens - OLD.prompt_tokens,
        completion_tokens = completion_tokens - OLD.completion_tokens
    WHERE week = OLD.created_at - OLD.created_at % 604800 AND type = OLD.type AND user_id = OLD.user_id
      AND username = OLD.username AND token_name = OLD.token_name AND model_name = OLD.model_name
      AND channel_id = OLD.channel_id AND "group" = OLD."group";
    INSERT INTO log_daily(day, type, user_id, username, token_name, model_name, channel_id, "group", rows, quota, prompt_tokens, completion_tokens)
    VALUES (NEW.created_at - NEW.created_at % 86400, NEW.type, NEW.user_id, NEW.username, NEW.token_name, NEW.model_name,
            NEW.channel_id, NEW."group", 1, NEW.quota, NEW.prompt_tokens, NEW.completion_tokens)
    ON CONFLICT DO UPDATE SET rows = rows + 1, quota = quota + excluded.quota,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens;
    INSERT INTO log_weekly(week, type, user_id, username, token_name, model_name, channel_id, "group", rows, quota, prompt_tokens, completion_tokens)
    VALUES (NEW.created_at - NEW.created_at % 604800, NEW.type, NEW.user_id, NEW.username, NEW.token_name, NEW.model_name,
            NEW.channel_id, NEW."group", 1, NEW.quota, NEW.prompt_tokens, NEW.completion_tokens)
    ON CONFLICT DO UPDATE SET rows = rows + 1, quota = quota + excluded.quota,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens;
    INSERT INTO log_daily_type(day, type, rows, quota, prompt_tokens, completion_tokens)
    VALUES (NEW.created_at - NEW.created_at % 86400, NEW.type, 1, NEW.quota, NEW.prompt_tokens, NEW.completion_tokens)
    ON CONFLICT DO UPDATE SET rows = rows + 1, quota = quota + excluded.quota,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens;
END;
