-- NewApi schema, New API column names and meanings (so a New API database can be imported).
-- Soft-deletable tables keep deleted_at (NULL = live). Timestamps are Unix seconds unless noted.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    role INTEGER NOT NULL DEFAULT 1,
    status INTEGER NOT NULL DEFAULT 1,
    email TEXT NOT NULL DEFAULT '',
    github_id TEXT NOT NULL DEFAULT '',
    discord_id TEXT NOT NULL DEFAULT '',
    oidc_id TEXT NOT NULL DEFAULT '',
    wechat_id TEXT NOT NULL DEFAULT '',
    telegram_id TEXT NOT NULL DEFAULT '',
    linux_do_id TEXT NOT NULL DEFAULT '',
    access_token TEXT UNIQUE,               -- SHA-256 hex of the system access token; the token itself is shown once
    quota INTEGER NOT NULL DEFAULT 0,
    used_quota INTEGER NOT NULL DEFAULT 0,
    request_count INTEGER NOT NULL DEFAULT 0,
    "group" TEXT NOT NULL DEFAULT 'default',
    aff_code TEXT UNIQUE,
    aff_count INTEGER NOT NULL DEFAULT 0,
    aff_quota INTEGER NOT NULL DEFAULT 0,
    aff_history INTEGER NOT NULL DEFAULT 0,
    inviter_id INTEGER NOT NULL DEFAULT 0,
    setting TEXT NOT NULL DEFAULT '',
    remark TEXT NOT NULL DEFAULT '',
    stripe_customer TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    last_login_at INTEGER NOT NULL DEFAULT 0,
    deleted_at TEXT
);
CREATE INDEX idx_users_display_name ON users(display_name);
CREATE INDEX idx_users_email ON users(email);
CREATE INDEX idx_users_github_id ON users(github_id);
CREATE INDEX idx_users_discord_id ON users(discord_id);
CREATE INDEX idx_users_oidc_id ON users(oidc_id);
CREATE INDEX idx_users_wechat_id ON users(wechat_id);
CREATE INDEX idx_users_telegram_id ON users(telegram_id);
CREATE INDEX idx_users_linux_do_id ON users(linux_do_id);
CREATE INDEX idx_users_inviter_id ON users(inviter_id);
CREATE INDEX idx_users_stripe_customer ON users(stripe_customer);
CREATE INDEX idx_users_deleted_at ON users(deleted_at);

CREATE TABLE tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    "key" TEXT NOT NULL UNIQUE,             -- HMAC-SHA256 (CRYPTO_SECRET) of the 48-char key: lookup only
    key_enc TEXT NOT NULL DEFAULT '',       -- the key, AES-GCM encrypted under CRYPTO_SECRET, for the owner to copy
    status INTEGER NOT NULL DEFAULT 1,
    name TEXT NOT NULL DEFAULT '',
    created_time INTEGER NOT NULL DEFAULT 0,
    accessed_time INTEGER NOT NULL DEFAULT 0,
    expired_time INTEGER NOT NULL DEFAULT -1,
    remain_quota INTEGER NOT NULL DEFAULT 0,
    unlimited_quota INTEGER NOT NULL DEFAULT 0,
    model_limits_enabled INTEGER NOT NULL DEFAULT 0,
    model_limits TEXT NOT NULL DEFAULT '',
    allow_ips TEXT DEFAULT '',
    used_quota INTEGER NOT NULL DEFAULT 0,
    "group" TEXT NOT NULL DEFAULT '',
    cross_group_retry INTEGER NOT NULL DEFAULT 0,
    rpm_limit INTEGER NOT NULL DEFAULT 0,   -- NewApi: requests per minute, 0 = none
    tpm_limit INTEGER NOT NULL DEFAULT 0,   -- NewApi: tokens per minute, 0 = none
    concurrency_limit INTEGER NOT NULL DEFAULT 0, -- NewApi: concurrent requests, 0 = none
    deleted_at TEXT
);
CREATE INDEX idx_tokens_user_id ON tokens(user_id);
CREATE INDEX idx_tokens_name ON tokens(name);
CREATE INDEX idx_tokens_deleted_at ON tokens(deleted_at);

CREATE TABLE channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type INTEGER NOT NULL DEFAULT 0,
    "key" TEXT NOT NULL DEFAULT '',         -- AES-GCM encrypted upstream key(s)
    openai_organization TEXT,
    test_model TEXT,
    status INTEGER NOT NULL DEFAULT 1,
    name TEXT NOT NULL DEFAULT '',
    weight INTEGER NOT NULL DEFAULT 0,
    created_time INTEGER NOT NULL DEFAULT 0,
    test_time INTEGER NOT NULL DEFAULT 0,
    response_time INTEGER NOT NULL DEFAULT 0,
    base_url TEXT DEFAULT '',
    other TEXT NOT NULL DEFAULT '',
    balance REAL NOT NULL DEFAULT 0,
    balance_updated_time INTEGER NOT NULL DEFAULT 0,
    models TEXT NOT NULL DEFAULT '',
    "group" TEXT NOT NULL DEFAULT 'default',
    used_quota INTEGER NOT NULL DEFAULT 0,
    model_mapping TEXT,
    status_code_mapping TEXT DEFAULT '',
    priority INTEGER DEFAULT 0,
    auto_ban INTEGER DEFAULT 1,
    other_info TEXT NOT NULL DEFAULT '',
    tag TEXT,
    setting TEXT,
    param_override TEXT,
    header_override TEXT,
    remark TEXT DEFAULT '',
    channel_info TEXT NOT NULL DEFAULT '{}',
    settings TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_channels_name ON channels(name);
CREATE INDEX idx_channels_tag ON channels(tag);

CREATE TABLE abilities (
    "group" TEXT NOT NULL,
    model TEXT NOT NULL,
    channel_id INTEGER NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    priority INTEGER DEFAULT 0,
    weight INTEGER NOT NULL DEFAULT 0,
    tag TEXT,
    PRIMARY KEY ("group", model, channel_id)
);
CREATE INDEX idx_abilities_channel_id ON abilities(channel_id);
CREATE INDEX idx_abilities_priority ON abilities(priority);
CREATE INDEX idx_abilities_weight ON abilities(weight);
CREATE INDEX idx_abilities_tag ON abilities(tag);

CREATE TABLE logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL DEFAULT 0,
    type INTEGER NOT NULL DEFAULT 0,
    content TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL DEFAULT '',
    token_name TEXT NOT NULL DEFAULT '',
    model_name TEXT NOT NULL DEFAULT '',
    quota INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    use_time INTEGER NOT NULL DEFAULT 0,
    is_stream INTEGER NOT NULL DEFAULT 0,
    channel_id INTEGER NOT NULL DEFAULT 0,
    token_id INTEGER NOT NULL DEFAULT 0,
    "group" TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    upstream_request_id TEXT NOT NULL DEFAULT '',
    other TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_logs_created_at_id ON logs(created_at, id);
CREATE INDEX idx_logs_user_id_id ON logs(user_id, id);
CREATE INDEX idx_logs_created_at_type ON logs(created_at, type);
CREATE INDEX idx_logs_model_name_username ON logs(model_name, username);
CREATE INDEX idx_logs_username ON logs(username);
CREATE INDEX idx_logs_token_name ON logs(token_name);
CREATE INDEX idx_logs_channel_id ON logs(channel_id);
CREATE INDEX idx_logs_token_id ON logs(token_id);
CREATE INDEX idx_logs_group ON logs("group");
CREATE INDEX idx_logs_ip ON logs(ip);
CREATE INDEX idx_logs_request_id ON logs(request_id);
CREATE INDEX idx_logs_upstream_request_id ON logs(upstream_request_id);

CREATE TABLE options (
    "key" TEXT PRIMARY KEY,
    value TEXT NOT NULL DEFAULT ''
);

CREATE TABLE redemptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL DEFAULT 0,
    "key" TEXT NOT NULL UNIQUE,
    status INTEGER NOT NULL DEFAULT 1,
    name TEXT NOT NULL DEFAULT '',
    quota INTEGER NOT NULL DEFAULT 100,
    created_time INTEGER NOT NULL DEFAULT 0,
    redeemed_time INTEGER NOT NULL DEFAULT 0,
    used_user_id INTEGER NOT NULL DEFAULT 0,
    expired_time INTEGER NOT NULL DEFAULT 0,
    deleted_at TEXT
);
CREATE INDEX idx_redemptions_name ON redemptions(name);
CREATE INDEX idx_redemptions_deleted_at ON redemptions(deleted_at);

CREATE TABLE top_ups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL DEFAULT 0,
    amount INTEGER NOT NULL DEFAULT 0,
    money REAL NOT NULL DEFAULT 0,
    trade_no TEXT NOT NULL UNIQUE,
    payment_method TEXT NOT NULL DEFAULT '',
    payment_provider TEXT NOT NULL DEFAULT '',
    create_time INTEGER NOT NULL DEFAULT 0,
    complete_time INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX idx_top_ups_user_id ON top_ups(user_id);

CREATE TABLE midjourneys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code INTEGER NOT NULL DEFAULT 0,
    user_id INTEGER NOT NULL DEFAULT 0,
    action TEXT NOT NULL DEFAULT '',
    mj_id TEXT NOT NULL DEFAULT '',
    prompt TEXT NOT NULL DEFAULT '',
    prompt_en TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    submit_time INTEGER NOT NULL DEFAULT 0,
    start_time INTEGER NOT NULL DEFAULT 0,
    finish_time INTEGER NOT NULL DEFAULT 0,
    image_url TEXT NOT NULL DEFAULT '',
    video_url TEXT NOT NULL DEFAULT '',
    video_urls TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    progress TEXT NOT NULL DEFAULT '',
    fail_reason TEXT NOT NULL DEFAULT '',
    channel_id INTEGER NOT NULL DEFAULT 0,
    quota INTEGER NOT NULL DEFAULT 0,
    buttons TEXT NOT NULL DEFAULT '',
    properties TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_midjourneys_user_id ON midjourneys(user_id);
CREATE INDEX idx_midjourneys_action ON midjourneys(action);
CREATE INDEX idx_midjourneys_mj_id ON midjourneys(mj_id);
CREATE INDEX idx_midjourneys_submit_time ON midjourneys(submit_time);
CREATE INDEX idx_midjourneys_start_time ON midjourneys(start_time);
CREATE INDEX idx_midjourneys_finish_time ON midjourneys(finish_time);
CREATE INDEX idx_midjourneys_status ON midjourneys(status);
CREATE INDEX idx_midjourneys_progress ON midjourneys(progress);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0,
    task_id TEXT NOT NULL DEFAULT '',
    platform TEXT NOT NULL DEFAULT '',
    user_id INTEGER NOT NULL DEFAULT 0,
    "group" TEXT NOT NULL DEFAULT '',
    channel_id INTEGER NOT NULL DEFAULT 0,
    quota INTEGER NOT NULL DEFAULT 0,
    action TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    fail_reason TEXT NOT NULL DEFAULT '',
    submit_time INTEGER NOT NULL DEFAULT 0,
    start_time INTEGER NOT NULL DEFAULT 0,
    finish_time INTEGER NOT NULL DEFAULT 0,
    progress TEXT NOT NULL DEFAULT '',
    properties TEXT NOT NULL DEFAULT '',
    private_data TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_tasks_created_at ON tasks(created_at);
CREATE INDEX idx_tasks_task_id ON tasks(task_id);
CREATE INDEX idx_tasks_platform ON tasks(platform);
CREATE INDEX idx_tasks_user_id ON tasks(user_id);
CREATE INDEX idx_tasks_channel_id ON tasks(channel_id);
CREATE INDEX idx_tasks_action ON tasks(action);
CREATE INDEX idx_tasks_status ON tasks(status);
CREATE INDEX idx_tasks_submit_time ON tasks(submit_time);
CREATE INDEX idx_tasks_start_time ON tasks(start_time);
CREATE INDEX idx_tasks_finish_time ON tasks(finish_time);
CREATE INDEX idx_tasks_progress ON tasks(progress);

CREATE TABLE vendors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    icon TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL DEFAULT 1,
    created_time INTEGER NOT NULL DEFAULT 0,
    updated_time INTEGER NOT NULL DEFAULT 0,
    deleted_at TEXT
);
CREATE UNIQUE INDEX uk_vendors_name_live ON vendors(name) WHERE deleted_at IS NULL;

CREATE TABLE models (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    icon TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    vendor_id INTEGER NOT NULL DEFAULT 0,
    endpoints TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL DEFAULT 1,
    sync_official INTEGER NOT NULL DEFAULT 1,
    name_rule INTEGER NOT NULL DEFAULT 0,
    created_time INTEGER NOT NULL DEFAULT 0,
    updated_time INTEGER NOT NULL DEFAULT 0,
    deleted_at TEXT
);
CREATE UNIQUE INDEX uk_models_name_live ON models(model_name) WHERE deleted_at IS NULL;
CREATE INDEX idx_models_vendor_id ON models(vendor_id);

CREATE TABLE prefill_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    items TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT '',
    created_time INTEGER NOT NULL DEFAULT 0,
    updated_time INTEGER NOT NULL DEFAULT 0,
    deleted_at TEXT
);
CREATE UNIQUE INDEX uk_prefill_groups_name_live ON prefill_groups(name) WHERE deleted_at IS NULL;
CREATE INDEX idx_prefill_groups_type ON prefill_groups(type);

CREATE TABLE setups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL,
    initialized_at INTEGER NOT NULL
);

CREATE TABLE quota_data (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL DEFAULT 0,
    username TEXT NOT NULL DEFAULT '',
    model_name TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,   -- hour bucket
    use_group TEXT NOT NULL DEFAULT '',
    token_id INTEGER NOT NULL DEFAULT 0,
    channel_id INTEGER NOT NULL DEFAULT 0,
    node_name TEXT NOT NULL DEFAULT '',
    token_used INTEGER NOT NULL DEFAULT 0,
    count INTEGER NOT NULL DEFAULT 0,
    quota INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX uk_quota_data_bucket ON quota_data(user_id, model_name, created_at, use_group, token_id, channel_id, node_name);
CREATE INDEX idx_quota_data_model_user ON quota_data(model_name, username);
CREATE INDEX idx_quota_data_created_at ON quota_data(created_at);
CREATE INDEX idx_quota_data_use_group ON quota_data(use_group);
CREATE INDEX idx_quota_data_token_id ON quota_data(token_id);
CREATE INDEX idx_quota_data_channel_id ON quota_data(channel_id);
CREATE INDEX idx_quota_data_node_name ON quota_data(node_name);

CREATE TABLE two_fas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL UNIQUE,
    secret TEXT NOT NULL DEFAULT '',         -- AES-GCM encrypted base32 secret
    is_enabled INTEGER NOT NULL DEFAULT 0,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    last_used_at TEXT,
    last_used_step INTEGER NOT NULL DEFAULT 0, -- NewApi: a TOTP step is accepted once
    created_at TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL DEFAULT '',
    deleted_at TEXT
);

CREATE TABLE two_fa_backup_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    code_hash TEXT NOT NULL,
    is_used INTEGER NOT NULL DEFAULT 0,
    used_at TEXT,
    created_at TEXT NOT NULL DEFAULT '',
    deleted_at TEXT
);
CREATE INDEX idx_two_fa_backup_codes_user_id ON two_fa_backup_codes(user_id);

CREATE TABLE passkey_credentials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL UNIQUE,
    credential_id TEXT NOT NULL UNIQUE,
    public_key TEXT NOT NULL DEFAULT '',
    attestation_type TEXT NOT NULL DEFAULT '',
    aaguid TEXT NOT NULL DEFAULT '',
    sign_count INTEGER NOT NULL DEFAULT 0,
    clone_warning INTEGER NOT NULL DEFAULT 0,
    user_present INTEGER NOT NULL DEFAULT 0,
    user_verified INTEGER NOT NULL DEFAULT 0,
    backup_eligible INTEGER NOT NULL DEFAULT 0,
    backup_state INTEGER NOT NULL DEFAULT 0,
    transports TEXT NOT NULL DEFAULT '',
    attachment TEXT NOT NULL DEFAULT '',
    last_used_at TEXT,
    created_at TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL DEFAULT '',
    deleted_at TEXT
);

CREATE TABLE checkins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    checkin_date TEXT NOT NULL,
    quota_awarded INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, checkin_date)
);

CREATE TABLE subscription_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL DEFAULT '',
    subtitle TEXT NOT NULL DEFAULT '',
    price_amount REAL NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'USD',
    duration_unit TEXT NOT NULL DEFAULT 'month',
    duration_value INTEGER NOT NULL DEFAULT 1,
    custom_seconds INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    sort_order INTEGER NOT NULL DEFAULT 0,
    allow_balance_pay INTEGER NOT NULL DEFAULT 0,
    allow_wallet_overflow INTEGER NOT NULL DEFAULT 0,
    stripe_price_id TEXT NOT NULL DEFAULT '',
    creem_product_id TEXT NOT NULL DEFAULT '',
    waffo_product_id TEXT NOT NULL DEFAULT '',
    max_purchase_per_user INTEGER NOT NULL DEFAULT 0,
    upgrade_group TEXT NOT NULL DEFAULT '',
    downgrade_group TEXT NOT NULL DEFAULT '',
    total_amount INTEGER NOT NULL DEFAULT 0,
    quota_reset_period TEXT NOT NULL DEFAULT 'never',
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE subscription_orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL DEFAULT 0,
    plan_id INTEGER NOT NULL DEFAULT 0,
    money REAL NOT NULL DEFAULT 0,
    trade_no TEXT NOT NULL UNIQUE,
    payment_method TEXT NOT NULL DEFAULT '',
    payment_provider TEXT NOT NULL DEFAULT '',
    provider_payload TEXT NOT NULL DEFAULT '',
    create_time INTEGER NOT NULL DEFAULT 0,
    complete_time INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX idx_subscription_orders_user_id ON subscription_orders(user_id);

CREATE TABLE user_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    plan_id INTEGER NOT NULL DEFAULT 0,
    amount_total INTEGER NOT NULL DEFAULT 0,
    amount_used INTEGER NOT NULL DEFAULT 0,
    start_time INTEGER NOT NULL DEFAULT 0,
    end_time INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active',
    source TEXT NOT NULL DEFAULT '',
    source_order_id INTEGER NOT NULL DEFAULT 0,
    last_reset_time INTEGER NOT NULL DEFAULT 0,
    next_reset_time INTEGER NOT NULL DEFAULT 0,
    upgrade_group TEXT NOT NULL DEFAULT '',
    previous_group TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_user_subscriptions_user_id ON user_subscriptions(user_id);

CREATE TABLE subscription_pre_consume_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL DEFAULT 0,
    user_subscription_id INTEGER NOT NULL DEFAULT 0,
    pre_consumed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE custom_oauth_providers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL DEFAULT '',
    slug TEXT NOT NULL UNIQUE,
    icon TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 0,
    client_id TEXT NOT NULL DEFAULT '',
    client_secret TEXT NOT NULL DEFAULT '',
    authorization_endpoint TEXT NOT NULL DEFAULT '',
    token_endpoint TEXT NOT NULL DEFAULT '',
    user_info_endpoint TEXT NOT NULL DEFAULT '',
    scopes TEXT NOT NULL DEFAULT 'openid profile email',
    user_id_field TEXT NOT NULL DEFAULT 'sub',
    username_field TEXT NOT NULL DEFAULT 'preferred_username',
    display_name_field TEXT NOT NULL DEFAULT 'name',
    email_field TEXT NOT NULL DEFAULT 'email',
    auth_style INTEGER NOT NULL DEFAULT 0,
    access_policy TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE user_oauth_bindings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    provider_id INTEGER NOT NULL,
    provider_user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, provider_id),
    UNIQUE (provider_id, provider_user_id)
);

CREATE TABLE perf_metrics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model_name TEXT NOT NULL DEFAULT '',
    "group" TEXT NOT NULL DEFAULT '',
    bucket INTEGER NOT NULL DEFAULT 0,
    request_count INTEGER NOT NULL DEFAULT 0,
    success_count INTEGER NOT NULL DEFAULT 0,
    total_latency_ms INTEGER NOT NULL DEFAULT 0,
    total_ttft_ms INTEGER NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0,
    UNIQUE (model_name, "group", bucket)
);

CREATE TABLE system_instances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    node_name TEXT NOT NULL UNIQUE,
    version TEXT NOT NULL DEFAULT '',
    started_at INTEGER NOT NULL DEFAULT 0,
    heartbeat_at INTEGER NOT NULL DEFAULT 0,
    info TEXT NOT NULL DEFAULT ''
);

CREATE TABLE system_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    params TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE system_task_locks (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL DEFAULT '',
    expires_at INTEGER NOT NULL DEFAULT 0
);

-- NewApi: quota held for requests in flight. A row left by a crash is refunded at the next start.
CREATE TABLE quota_reservations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL DEFAULT '',
    user_id INTEGER NOT NULL,
    token_id INTEGER NOT NULL DEFAULT 0,
    amount INTEGER NOT NULL,
    token_unlimited INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL DEFAULT 0
);

-- NewApi: e-mail verification and reset codes survive restarts and are single-use (New API kept them in memory).
CREATE TABLE verification_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    purpose TEXT NOT NULL,
    subject TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_verification_codes_subject ON verification_codes(purpose, subject);

-- NewApi: bumped by any writer outside the server (the CLI), so running servers drop their in-memory caches.
CREATE TABLE cache_epochs (
    name TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL DEFAULT 0
);
INSERT INTO cache_epochs(name, epoch) VALUES ('global', 0);
