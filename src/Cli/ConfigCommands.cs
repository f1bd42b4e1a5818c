using System.CommandLine;
using System.Text;
using NewApi.Config;

namespace NewApi.Cli;

public static class ConfigCommands
{
    public static Command Create()
    {
        var cmd = new Command("config", "Configuration tools");
        var check = new Command("check", "Validate the configuration and print the effective settings (secrets redacted)");
        check.SetAction(result =>
        {
            var c = CliApp.LoadConfig(result);
            Console.Write(Describe(c));
            Console.WriteLine("configuration OK");
            return ExitCodes.Ok;
        });
        cmd.Subcommands.Add(check);
        return cmd;
    }

    public static string Describe(GatewayConfig c)
    {
        var sb = new StringBuilder();
        sb.AppendLine("[server]");
        sb.AppendLine($"listen = \"{c.Server.Listen}\"");
        sb.AppendLine($"data_dir = \"{c.Server.DataDir}\"");
        sb.AppendLine($"trusted_proxies = [{string.Join(", ", c.Server.TrustedProxies.Select(p => $"\"{p}\""))}]");
        sb.AppendLine($"node_name = \"{c.Server.NodeName}\"");
        sb.AppendLine($"shutdown_timeout = {c.Server.ShutdownTimeout}");
        sb.AppendLine("[database]");
        sb.AppendLine($"sqlite_path = \"{ConfigLoader.DatabasePath(c)}\"");
        sb.AppendLine($"dsn = \"{(c.Database.Dsn.Length > 0 ? "(set)" : "")}\"");
        sb.AppendLine("[security]");
        sb.AppendLine($"session_secret = \"{(c.Security.SessionSecret.Length > 0 ? "(set)" : "(generated in data_dir)")}\"");
        sb.AppendLine($"crypto_secret = \"{(c.Security.CryptoSecret.Length > 0 ? "(set)" : "(generated in data_dir)")}\"");
        sb.AppendLine($"session_cookie_secure = {c.Security.SessionCookieSecure.ToString().ToLowerInvariant()}");
        sb.AppendLine($"password_iterations = {c.Security.PasswordIterations}");
        var r = c.RateLimit;
        sb.AppendLine("[rate_limit]");
        sb.AppendLine($"global_api = {r.GlobalApi} per {r.GlobalApiDuration}s (enabled {r.GlobalApiEnabled.ToString().ToLowerInvariant()})");
        sb.AppendLine($"global_web = {r.GlobalWeb} per {r.GlobalWebDuration}s (enabled {r.GlobalWebEnabled.ToString().ToLowerInvariant()})");
        sb.AppendLine($"critical = {r.Critical} per {r.CriticalDuration}s (enabled {r.CriticalEnabled.ToString().ToLowerInvariant()})");
        sb.AppendLine($"search = {r.Search} per {r.SearchDuration}s (enabled {r.SearchEnabled.ToString().ToLowerInvariant()})");
        var rl = c.Relay;
        sb.AppendLine("[relay]");
        sb.AppendLine($"max_request_body_mb = {rl.MaxRequestBodyMb}");
        sb.AppendLine($"streaming_timeout = {rl.StreamingTimeout}");
        sb.AppendLine($"relay_timeout = {rl.RelayTimeout}");
        sb.AppendLine($"batch_interval = {rl.BatchInterval.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        sb.AppendLine("[log]");
        sb.AppendLine($"level = \"{c.Log.Level}\"");
        return sb.ToString();
    }
}
