namespace NewApi.Config;

/// <summary>
/// Settings read once at start. Precedence: command-line flags &gt; environment &gt; config.toml &gt; defaults.
/// Adding a key: a property with a default here, a rule in <see cref="ConfigValidator"/>, a commented line in
/// config.example.toml (with its environment name) and, where New API has one, the env mapping in <see cref="ConfigLoader"/>.
/// </summary>
public sealed class GatewayConfig
{
    public ServerSection Server { get; set; } = new();
    public DatabaseSection Database { get; set; } = new();
    public SecuritySection Security { get; set; } = new();
    public RateLimitSection RateLimit { get; set; } = new();
    public RelaySection Relay { get; set; } = new();
    public LogSection Log { get; set; } = new();
}

public sealed class ServerSection
{
    /// <summary>Address and port; PORT sets 0.0.0.0:PORT like New API's container default.</summary>
    public string Listen { get; set; } = "127.0.0.1:3000";
    public string DataDir { get; set; } = "data";
    /// <summary>Proxies (IPs or CIDRs) whose X-Forwarded-For / X-Real-IP is believed. Empty: nobody's.</summary>
    public List<string> TrustedProxies { get; set; } = [];
    public string NodeName { get; set; } = "";
    /// <summary>Seconds a graceful shutdown waits for running requests.</summary>
    public int ShutdownTimeout { get; set; } = 30;
    /// <summary>Time zone used for day boundaries (TZ).</summary>
    public string TimeZone { get; set; } = "";
    public bool GenerateDefaultToken { get; set; }
    /// <summary>
    /// Relay calls run on the socket engine threads that received them (no hand-off to the thread pool per request or
    /// per upstream answer): ~60 µs less added latency on a small machine. Everything else, and relay calls with large
    /// or chunked bodies, still runs on the pool; SQLite work always does.
    /// </summary>
    public bool InlineIo { get; set; } = true;
    /// <summary>
    /// Linux: the server's own epoll loops in front of Kestrel serve relay calls with modest bodies (no Kestrel pipes,
    /// connection middleware or empty receives); every other connection is handed to Kestrel with the bytes read so far.
    /// </summary>
    public bool FrontIo { get; set; } = true;
    /// <summary>
    /// Microseconds a front loop keeps polling without sleeping after its last event, while the CPUs have room (at least
    /// 30 % idle, its own polling counted as idle); 0 = always sleep. Sleeping and being woken again costs tens of
    /// microseconds of CPU and latency per hop on a virtual machine; under a load that fills the CPUs the loops sleep.
    /// </summary>
    public int FrontSpinUs { get; set; } = 100;
}

public sealed class DatabaseSection
{
    /// <summary>SQLite file; empty = &lt;data_dir&gt;/newapi.db (SQLITE_PATH).</summary>
    public string SqlitePath { get; set; } = "";
    /// <summary>SQL_DSN; only SQLite is supported in this build, any other DSN is refused at start.</summary>
    public string Dsn { get; set; } = "";
    public int BusyTimeoutMs { get; set; } = 5000;
}

public sealed class SecuritySection
{
    /// <summary>Signs/encrypts session cookies (SESSION_SECRET). Generated into the data dir when empty.</summary>
    public string SessionSecret { get; set; } = "";
    /// <summary>Encrypts stored keys and keys the lookup HMAC (CRYPTO_SECRET). Generated when empty.</summary>
    public string CryptoSecret { get; set; } = "";
    /// <summary>Mark the session cookie Secure (SESSION_COOKIE_SECURE); also set automatically behind HTTPS.</summary>
    public bool SessionCookieSecure { get; set; }
    public int SessionDays { get; set; } = 30;
    /// <summary>PBKDF2-SHA256 iterations for new password hashes (never below 600000 in production).</summary>
    public int PasswordIterations { get; set; } = 600_000;
}

public sealed class RateLimitSection
{
    public bool GlobalApiEnabled { get; set; } = true;
    public int GlobalApi { get; set; } = 360;
    public int GlobalApiDuration { get; set; } = 180;
    public bool GlobalWebEnabled { get; set; } = true;
    public int GlobalWeb { get; set; } = 120;
    public int GlobalWebDuration { get; set; } = 180;
    public bool CriticalEnabled { get; set; } = true;
    public int Critical { get; set; } = 20;
    public int CriticalDuration { get; set; } = 1200;
    public bool SearchEnabled { get; set; } = true;
    public int Search { get; set; } = 10;
    public int SearchDuration { get; set; } = 60;
}

public sealed class RelaySection
{
    public int MaxRequestBodyMb { get; set; } = 128;
    public int AnonymousRequestBodyLimitKb { get; set; } = 512;
    /// <summary>Seconds of silence allowed between two upstream stream chunks (STREAMING_TIMEOUT).</summary>
    public int StreamingTimeout { get; set; } = 300;
    /// <summary>Whole-request upstream timeout in seconds, 0 = none (RELAY_TIMEOUT).</summary>
    public int RelayTimeout { get; set; }
    /// <summary>Seconds to wait for upstream response headers.</summary>
    public int FirstByteTimeout { get; set; } = 300;
    public int ConnectTimeout { get; set; } = 10;
    public bool ForceStreamOption { get; set; } = true;
    public bool CountToken { get; set; } = true;
    /// <summary>Seconds between flushes of batched quota and log writes (BATCH_UPDATE_INTERVAL).</summary>
    public double BatchInterval { get; set; } = 0.5;
    /// <summary>Most operations one batch transaction holds: under load a batch fills before its interval ends; larger batches
    /// rewrite the log indexes' hot pages less often (500 → 4000: ~8 % more requests/s in bench/run.sh).</summary>
    public int BatchSize { get; set; } = 4000;
    /// <summary>Consume rows the writer may leave outside the log indexes while the CPU is busy (LOG_INDEX_DEFER_ROWS);
    /// they are indexed when it has room, and beyond this many right after each batch. 0 = index every batch at once.</summary>
    public int LogIndexDeferRows { get; set; } = 500_000;
    public int ChannelUpdateFrequency { get; set; }
    public int SyncFrequency { get; set; } = 60;
    public bool ErrorLogEnabled { get; set; }
    public int TaskTimeoutMinutes { get; set; } = 1440;
}

public sealed class LogSection
{
    public string Level { get; set; } = "info";
    public bool AccessLog { get; set; }
}
