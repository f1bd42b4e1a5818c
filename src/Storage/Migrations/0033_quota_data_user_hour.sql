-- The admin chart per user and hour (GET /api/data/users) from a rollup kept exact by triggers: one row per (hour,
-- username) instead of one per model, group, key, channel and node. `rows` counts the quota_data rows behind it, so an
-- hour/username pair is listed exactly when New API's GROUP BY would list it.
CREATE TABLE quota_data_user_hour (
    created_at INTEGER NOT NULL,
    username TEXT NOT NULL,
    rows INTEGER NOT NULL,
    count INTEGER NOT NULL,
    quota INTEGER NOT NULL,
    token_used INTEGER NOT NULL,
    PRIMARY KEY (created_at, username)
) WITHOUT ROWID;

INSERT INTO quota_data_user_hour(created_at, username, rows, count, quota, token_used)
SELECT created_at, username, count(*), sum(count), sum(quota), sum(token_used) FROM quota_data GROUP BY created_at, username;

CREATE TRIGGER trg_quota_data_user_hour_insert AFTER INSERT ON quota_data
BEGIN
    INSERT INTO quota_data_user_hour(created_at, username, rows, count, quota, token_used)
    VALUES (NEW.created_at, NEW.username, 1, NEW.count, NEW.quota, NEW.token_used)
    ON CONFLICT DO UPDATE SET rows = rows + 1, count = count + excluded.count, quota = quota + excluded.quota,
        token_used = token_used + excluded.token_used;
END;

CREATE TRIGGER trg_quota_data_user_hour_delete AFTER DELETE ON quota_data
BEGIN
    UPDATE quota_data_user_hour SET rows = rows - 1, count = count - OLD.count, quota = quota - OLD.quota, token_used = token_used - OLD.token_used
    WHERE created_at = OLD.created_at AND username = OLD.username;
END;

-- The relay's additive upsert rewrites username (a renamed user's next flush moves its bucket).
CREATE TRIGGER trg_quota_data_user_hour_update AFTER UPDATE OF created_at, username, count, quota, token_used ON quota_data
BEGIN
    UPDATE quota_data_user_hour SET rows = rows - 1, count = count - OLD.count, quota = quota - OLD.quota, token_used = token_used - OLD.token_used
    WHERE created_at = OLD.created_at AND username = OLD.username;
    INSERT INTO quota_data_user_hour(created_at, username, rows, count, quota, token_used)
    VALUES (NEW.created_at, NEW.username, 1, NEW.count, NEW.quota, NEW.token_used)
    ON CONFLICT DO UPDATE SET rows = rows + 1, count = count + excluded.count, quota = quota + excluded.quota,
        token_used = token_used + excluded.token_used;
END;
