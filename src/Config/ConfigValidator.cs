using System.Net;

namespace NewApi.Config;

public static class ConfigValidator
{
    public static IReadOnlyList<string> Validate(GatewayConfig c)
    {
        var errors = new List<string>();
        if (!TryParseListen(c.Server.Listen, out _, out _))
            errors.Add($"server.listen (PORT/NEWAPI_LISTEN): '{c.Server.Listen}' is not host:port with a port in 0-65535");
        if (string.IsNullOrWhiteSpace(c.Server.DataDir)) errors.Add("server.data_dir: must not be empty");
        foreach (var p in c.Server.TrustedProxies)
            if (!IPNetwork.TryParse(p.Contains('/') ? p : p + (p.Contains(':') ? "/128" : "/32"), out _))
                errors.Add($"server.trusted_proxies: '{p}' is not an IP address or CIDR");
        if (c.Server.ShutdownTimeout is < 0 or > 3600) errors.Add("server.shutdown_timeout: must be 0-3600 seconds");
        if (c.Database.Dsn.Length > 0 && !IsSqliteDsn(c.Database.Dsn))
            errors.Add("database.dsn (SQL_DSN): only SQLite is supported by this build; unset SQL_DSN to use the embedded SQLite database (SQLITE_PATH)");
        if (c.Database.BusyTimeoutMs is < 0 or > 600_000) errors.Add("database.busy_timeout_ms: must be 0-600000");
        if (c.Security.SessionSecret == "random_string")
            errors.Add("security.session_secret (SESSION_SECRET): 'random_string' is the documented placeholder; set a real secret");
        if (c.Security.PasswordIterations < 1000) errors.Add("security.password_iterations: must be at least 1000 (600000 recommended)");
        if (c.Security.SessionDays is < 1 or > 365) errors.Add("security.session_days: must be 1-365");
        var r = c.RateLimit;
        Positive(errors, "rate_limit.global_api (GLOBAL_API_RATE_LIMIT)", r.GlobalApi);
        Positive(errors, "rate_limit.global_api_duration (GLOBAL_API_RATE_LIMIT_DURATION)", r.GlobalApiDuration);
        Positive(errors, "rate_limit.global_web (GLOBAL_WEB_RATE_LIMIT)", r.GlobalWeb);
        Positive(errors, "rate_limit.global_web_duration (GLOBAL_WEB_RATE_LIMIT_DURATION)", r.GlobalWebDuration);
        Positive(errors, "rate_limit.critical (CRITICAL_RATE_LIMIT)", r.Critical);
        Positive(errors, "rate_limit.critical_duration (CRITICAL_RATE_LIMIT_DURATION)", r.CriticalDuration);
        Positive(errors, "rate_limit.search (SEARCH_RATE_LIMIT)", r.Search);
        Positive(errors, "rate_limit.search_duration (SEARCH_RATE_LIMIT_DURATION)", r.SearchDuration);
        var rl = c.Relay;
        Positive(errors, "relay.max_request_body_mb (MAX_REQUEST_BODY_MB)", rl.MaxRequestBodyMb);
        Positive(errors, "relay.anonymous_request_body_limit_kb (ANONYMOUS_REQUEST_BODY_LIMIT_KB)", rl.AnonymousRequestBodyLimitKb);
        Positive(errors, "relay.streaming_timeout (STREAMING_TIMEOUT)", rl.StreamingTimeout);
        if (rl.RelayTimeout < 0) errors.Add("relay.relay_timeout (RELAY_TIMEOUT): must be 0 (none) or positive");
        Positive(errors, "relay.first_byte_timeout", rl.FirstByteTimeout);
        Positive(errors, "relay.connect_timeout", rl.ConnectTimeout);
        if (rl.BatchInterval is <= 0 or > 60) errors.Add("relay.batch_interval (BATCH_UPDATE_INTERVAL): must be in (0, 60] seconds");
        Positive(errors, "relay.batch_size", rl.BatchSize);
        if (c.Server.FrontSpinUs is < 0 or > 10_000) errors.Add("server.front_spin_us (NEWAPI_FRONT_SPIN_US): must be in [0, 10000] microseconds");
        if (rl.LogIndexDeferRows < 0) errors.Add("relay.log_index_defer_rows (LOG_INDEX_DEFER_ROWS): must be 0 or more");
        if (rl.SyncFrequency < 1) errors.Add("relay.sync_frequency (SYNC_FREQUENCY): must be at least 1 second");
        if (c.Log.Level.ToLowerInvariant() is not ("trace" or "debug" or "info" or "information" or "warn" or "warning" or "error" or "none"))
            errors.Add($"log.level (LOG_LEVEL): '{c.Log.Level}' is not one of trace, debug, info, warn, error, none");
        return errors;
    }

    public static void ThrowIfInvalid(GatewayConfig c)
    {
        var errors = Validate(c);
        if (errors.Count > 0) throw new ConfigException("invalid configuration:\n  " + string.Join("\n  ", errors));
    }

    public static bool TryParseListen(string listen, out IPAddress address, out int port)
    {
        address = IPAddress.Loopback;
        port = 0;
        var idx = listen.LastIndexOf(':');
        if (idx <= 0 || !int.TryParse(listen.AsSpan(idx + 1), out port) || port is < 0 or > 65535) return false;
        var host = listen[..idx].Trim('[', ']');
        if (host is "localhost") { address = IPAddress.Loopback; return true; }
        if (host is "*" or "0.0.0.0" or "") { address = IPAddress.Any; return true; }
        return IPAddress.TryParse(host, out address!);
    }

    private static bool IsSqliteDsn(string dsn) =>
        dsn.StartsWith("sqlite", StringComparison.OrdinalIgnoreCase) || dsn.StartsWith("local", StringComparison.OrdinalIgnoreCase);

    private static void Positive(List<string> errors, string key, double value)
    {
        if (value <= 0) errors.Add($"{key}: must be positive");
    }
}
