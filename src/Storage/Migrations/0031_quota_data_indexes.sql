-- Dashboard reads (/api/data/*) aggregate quota_data over a time range: one covering index in (created_at, model_name)
-- order answers every range aggregation without reading the table (and per model and hour without sorting); the
-- per-user reads start from the user. created_at alone is a prefix of the covering index.
DROP INDEX IF EXISTS idx_quota_data_created_at;

CREATE INDEX idx_quota_data_created_model ON quota_data(created_at, model_name, username, user_id, use_group, token_id, channel_id,
    node_name, count, quota, token_used);
CREATE INDEX idx_quota_data_username_created ON quota_data(username, created_at);
CREATE INDEX idx_quota_data_user_created ON quota_data(user_id, created_at);
