-- Dashboard reads (/api/data/*) aggregate quota_data over a time range: one covering index in (created_at, username)
-- order answers every range aggregation without reading the table (and per user and hour without sorting); the
-- per-user reads start from the user. created_at alone is a prefix of the covering index.
DROP INDEX IF EXISTS idx_quota_data_created_at;

CREATE INDEX idx_quota_data_created_user ON quota_data(created_at, username, user_id, model_name, use_group, token_id, channel_id,
    node_name, count, quota, token_used);
CREATE INDEX idx_quota_data_username_created ON quota_data(username, created_at);
CREATE INDEX idx_quota_data_user_created ON quota_data(user_id, created_at);

-- The admin chart per model and hour (GET /api/data/ without username) from a rollup kept exact by triggers: one row per
-- (hour, model) instead of one per user, group, key, channel and node. `rows` counts the quota_data rows behind it, so an
-- hour/model pair is listed exactly when New API's GROUP BY would list it.
CREATE TABLE quota_data_model_hour (
    created_at INTEGER NOT NULL,
    model_name TEXT NOT NULL,
    rows INTEGER NOT NULL,
    count INTEGER NOT NULL,
    quota INTEGER NOT NULL,
    token_used INTEGER NOT NULL,
    PRIMARY KEY (created_at, model_name)
) WITHOUT ROWID;

INSERT INTO quota_data_model_hour(created_at, model_name, rows, count, quota, token_used)
SELECT created_at, model_name, count(*), sum(count), sum(quota), sum(token_used) FROM quota_data GROUP BY created_at, model_name;

CREATE TRIGGER trg_quota_data_rollup_insert AFTER INSERT ON quota_data
BEGIN
    INSERT INTO quota_data_model_hour(created_at, model_name, rows, count, quota, token_used)
    VALUES (NEW.created_at, NEW.model_name, 1, NEW.count, NEW.quota, NEW.token_used)
    ON CONFLICT DO UPDATE SET rows = rows + 1, count = count + excluded.count, quota = quota + excluded.quota,
        token_used = token_used + excluded.token_used;
END;

CREATE TRIGGER trg_quota_data_rollup_delete AFTER DELETE ON quota_data
BEGIN
    UPDATE quota_data_model_hour SET rows = rows - 1, count = count - OLD.count, quota = quota - OLD.quota, token_used = token_used - OLD.token_used
    WHERE created_at = OLD.created_at AND model_name = OLD.model_name;
END;

CREATE TRIGGER trg_quota_data_rollup_update AFTER UPDATE OF created_at, model_name, count, quota, token_used ON quota_data
BEGIN
    UPDATE quota_data_model_hour SET rows = rows - 1, count = count - OLD.count, quota = quota - OLD.quota, token_used = token_used - OLD.token_used
    WHERE created_at = OLD.created_at AND model_name = OLD.model_name;
    INSERT INTO quota_data_model_hour(created_at, model_name, rows, count, quota, token_used)
    VALUES (NEW.created_at, NEW.model_name, 1, NEW.count, NEW.quota, NEW.token_used)
    ON CONFLICT DO UPDATE SET rows = rows + 1, count = count + excluded.count, quota = quota + excluded.quota,
        token_used = token_used + excluded.token_used;
END;
