using System.Globalization;
using Tomlyn;

namespace NewApi.Config;

public static class ConfigLoader
{
    /// <summary>Flags the CLI passes on top of everything else.</summary>
    public sealed record Overrides(string? ConfigPath = null, int? Port = null, string? DataDir = null, string? Listen = null);

    public static GatewayConfig Load(Overrides flags, IReadOnlyDictionary<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
        var path = flags.ConfigPath ?? Get(env, "NEWAPI_CONFIG");
        var explicitPath = path is not null;
        path ??= "config.toml";
        GatewayConfig config;
        if (File.Exists(path)) config = Parse(File.ReadAllText(path), path);
        else if (explicitPath) throw new ConfigException($"{path}: file not found");
        else config = new GatewayConfig();

        ApplyEnvironment(config, env);
        if (flags.DataDir is { Length: > 0 } dir) config.Server.DataDir = dir;
        if (flags.Listen is { Length: > 0 } listen) config.Server.Listen = listen;
        if (flags.Port is { } port) config.Server.Listen = ReplacePort(config.Server.Listen, port);
        ConfigValidator.ThrowIfInvalid(config);
        return config;
    }

    public static GatewayConfig Parse(string toml, string source)
    {
        try
        {
            return TomlSerializer.Deserialize(toml, ConfigTomlContext.Default.GatewayConfig) ?? new GatewayConfig();
        }
        catch (TomlException e)
        {
            throw new ConfigException($"{source}: {e.Message}");
        }
    }

    /// <summary>New API's environment names, applied by name (no reflection).</summary>
    public static void ApplyEnvironment(GatewayConfig c, IReadOnlyDictionary<string, string?> env)
    {
        if (Get(env, "NEWAPI_LISTEN") is { } listen) c.Server.Listen = listen;
        if (Get(env, "PORT") is { } port) c.Server.Listen = "0.0.0.0:" + Int(port, "PORT");
        if (Get(env, "NEWAPI_DATA_DIR") is { } dataDir) c.Server.DataDir = dataDir;
        if (Get(env, "TRUSTED_PROXIES") is { } proxies)
            c.Server.TrustedProxies = [.. proxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        if (Get(env, "NODE_NAME") is { } node) c.Server.NodeName = node;
        if (Get(env, "TZ") is { } tz) c.Server.TimeZone = tz;
        if (Get(env, "NEWAPI_INLINE_IO") is { } inlineIo) c.Server.InlineIo = Bool(inlineIo, "NEWAPI_INLINE_IO");
        if (Get(env, "NEWAPI_FRONT_IO") is { } frontIo) c.Server.FrontIo = Bool(frontIo, "NEWAPI_FRONT_IO");
        if (Get(env, "NEWAPI_FRONT_SPIN_US") is { } spin) c.Server.FrontSpinUs = Int(spin, "NEWAPI_FRONT_SPIN_US");
        if (Get(env, "GENERATE_DEFAULT_TOKEN") is { } gdt) c.Server.GenerateDefaultToken = Bool(gdt, "GENERATE_DEFAULT_TOKEN");
        if (Get(env, "SQLITE_PATH") is { } sqlite) c.Database.SqlitePath = sqlite;
        if (Get(env, "NEWAPI_DATABASE_PATH") is { } dbPath) c.Database.SqlitePath = dbPath;
        if (Get(env, "SQL_DSN") is { } dsn) c.Database.Dsn = dsn;
        if (Get(env, "SESSION_SECRET") is { } ss) c.Security.SessionSecret = ss;
        if (Get(env, "NEWAPI_SESSION_SECRET") is { } nss) c.Security.SessionSecret = nss;
        if (Get(env, "CRYPTO_SECRET") is { } cs) c.Security.CryptoSecret = cs;
        if (Get(env, "SESSION_COOKIE_SECURE") is { } scs) c.Security.SessionCookieSecure = Bool(scs, "SESSION_COOKIE_SECURE");
        if (Get(env, "PASSWORD_ITERATIONS") is { } pi) c.Security.PasswordIterations = Int(pi, "PASSWORD_ITERATIONS");
        var r = c.RateLimit;
        if (Get(env, "GLOBAL_API_RATE_LIMIT_ENABLE") is { } a1) r.GlobalApiEnabled = Bool(a1, "GLOBAL_API_RATE_LIMIT_ENABLE");
        if (Get(env, "GLOBAL_API_RATE_LIMIT") is { } a2) r.GlobalApi = Int(a2, "GLOBAL_API_RATE_LIMIT");
        if (Get(env, "GLOBAL_API_RATE_LIMIT_DURATION") is { } a3) r.GlobalApiDuration = Int(a3, "GLOBAL_API_RATE_LIMIT_DURATION");
        if (Get(env, "GLOBAL_WEB_RATE_LIMIT_ENABLE") is { } w1) r.GlobalWebEnabled = Bool(w1, "GLOBAL_WEB_RATE_LIMIT_ENABLE");
        if (Get(env, "GLOBAL_WEB_RATE_LIMIT") is { } w2) r.GlobalWeb = Int(w2, "GLOBAL_WEB_RATE_LIMIT");
        if (Get(env, "GLOBAL_WEB_RATE_LIMIT_DURATION") is { } w3) r.GlobalWebDuration = Int(w3, "GLOBAL_WEB_RATE_LIMIT_DURATION");
        if (Get(env, "CRITICAL_RATE_LIMIT_ENABLE") is { } c1) r.CriticalEnabled = Bool(c1, "CRITICAL_RATE_LIMIT_ENABLE");
        if (Get(env, "CRITICAL_RATE_LIMIT") is { } c2) r.Critical = Int(c2, "CRITICAL_RATE_LIMIT");
        if (Get(env, "CRITICAL_RATE_LIMIT_DURATION") is { } c3) r.CriticalDuration = Int(c3, "CRITICAL_RATE_LIMIT_DURATION");
        if (Get(env, "SEARCH_RATE_LIMIT_ENABLE") is { } s1) r.SearchEnabled = Bool(s1, "SEARCH_RATE_LIMIT_ENABLE");
        if (Get(env, "SEARCH_RATE_LIMIT") is { } s2) r.Search = Int(s2, "SEARCH_RATE_LIMIT");
        if (Get(env, "SEARCH_RATE_LIMIT_DURATION") is { } s3) r.SearchDuration = Int(s3, "SEARCH_RATE_LIMIT_DURATION");
        var rl = c.Relay;
        if (Get(env, "MAX_REQUEST_BODY_MB") is { } mb) rl.MaxRequestBodyMb = Int(mb, "MAX_REQUEST_BODY_MB");
        if (Get(env, "ANONYMOUS_REQUEST_BODY_LIMIT_KB") is { } kb) rl.AnonymousRequestBodyLimitKb = Int(kb, "ANONYMOUS_REQUEST_BODY_LIMIT_KB");
        if (Get(env, "STREAMING_TIMEOUT") is { } st) rl.StreamingTimeout = Int(st, "STREAMING_TIMEOUT");
        if (Get(env, "RELAY_TIMEOUT") is { } rt) rl.RelayTimeout = Int(rt, "RELAY_TIMEOUT");
        if (Get(env, "FORCE_STREAM_OPTION") is { } fso) rl.ForceStreamOption = Bool(fso, "FORCE_STREAM_OPTION");
        if (Get(env, "COUNT_TOKEN") is { } ct) rl.CountToken = Bool(ct, "COUNT_TOKEN");
        if (Get(env, "BATCH_UPDATE_INTERVAL") is { } bi) rl.BatchInterval = Dbl(bi, "BATCH_UPDATE_INTERVAL");
        if (Get(env, "LOG_INDEX_DEFER_ROWS") is { } lid) rl.LogIndexDeferRows = Int(lid, "LOG_INDEX_DEFER_ROWS");
        if (Get(env, "CHANNEL_UPDATE_FREQUENCY") is { } cuf) rl.ChannelUpdateFrequency = Int(cuf, "CHANNEL_UPDATE_FREQUENCY");
        if (Get(env, "SYNC_FREQUENCY") is { } sf) rl.SyncFrequency = Int(sf, "SYNC_FREQUENCY");
        if (Get(env, "ERROR_LOG_ENABLED") is { } ele) rl.ErrorLogEnabled = Bool(ele, "ERROR_LOG_ENABLED");
        if (Get(env, "TASK_TIMEOUT_MINUTES") is { } ttm) rl.TaskTimeoutMinutes = Int(ttm, "TASK_TIMEOUT_MINUTES");
        if (Get(env, "LOG_LEVEL") is { } ll) c.Log.Level = ll;
    }

    /// <summary>Database file path after defaults: &lt;data_dir&gt;/newapi.db.</summary>
    public static string DatabasePath(GatewayConfig c) =>
        string.IsNullOrEmpty(c.Database.SqlitePath) ? Path.Combine(c.Server.DataDir, "newapi.db") : c.Database.SqlitePath;

    private static string? Get(IReadOnlyDictionary<string, string?> env, string name) =>
        env.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    private static int Int(string v, string name) =>
        int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
            : throw new ConfigException($"{name}: '{v}' is not an integer");

    private static double Dbl(string v, string name) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
            : throw new ConfigException($"{name}: '{v}' is not a number");

    private static bool Bool(string v, string name) => v.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => throw new ConfigException($"{name}: '{v}' is not a boolean"),
    };

    private static string ReplacePort(string listen, int port)
    {
        var idx = listen.LastIndexOf(':');
        var host = idx > 0 ? listen[..idx] : "127.0.0.1";
        return host + ":" + port.ToString(CultureInfo.InvariantCulture);
    }
}
