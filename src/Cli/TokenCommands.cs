using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Admin.Tokens;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage;
using NewApi.Storage.Options;
using NewApi.Storage.Tokens;
using NewApi.Storage.Users;

namespace NewApi.Cli;

public static class TokenCommands
{
    public static Command Create()
    {
        var cmd = new Command("token", "API keys (sk-…): create, list, revoke");
        cmd.Subcommands.Add(CreateCommand());
        cmd.Subcommands.Add(ListCommand());
        cmd.Subcommands.Add(RevokeCommand());
        return cmd;
    }

    private static Command CreateCommand()
    {
        var user = new Option<string>("--user", "-u") { Description = "Owner's username", Required = true };
        var name = new Option<string>("--name", "-n") { Description = "Token name", Required = true };
        var quota = new Option<string?>("--quota", "-q") { Description = "Quota in points, or $USD (e.g. $5)" };
        var unlimited = new Option<bool>("--unlimited") { Description = "No quota limit" };
        var expires = new Option<string?>("--expires") { Description = "Lifetime: 30d, 12h, 90m, or never (default)" };
        var models = new Option<string?>("--models") { Description = "Comma-separated allowed models" };
        var subnet = new Option<string[]>("--subnet") { Description = "Allowed client IP or CIDR (repeatable)", AllowMultipleArgumentsPerToken = true };
        var group = new Option<string?>("--group") { Description = "Group override" };
        var cmd = new Command("create", "Create a key and print it once");
        foreach (var o in new Option[] { user, name, quota, unlimited, expires, models, subnet, group }) cmd.Options.Add(o);
        cmd.SetAction(async (result, ct) =>
        {
            await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct);
            var owner = await sp.GetRequiredService<UserRepository>().FindByUsernameAsync(result.GetValue(user)!, ct);
            if (owner is null) return await FailAsync($"no user '{result.GetValue(user)}'", ExitCodes.NotFound);
            if (result.GetValue(unlimited) && result.GetValue(quota) is not null) return await FailAsync("--quota and --unlimited exclude each other", ExitCodes.Usage);
            long? points = null;
            if (result.GetValue(quota) is { } q)
            {
                points = ParseQuota(q, sp.GetRequiredService<OptionsStore>().Current.QuotaPerUnit);
                if (points is null) return await FailAsync($"--quota: '{q}' is not a number of points or $USD", ExitCodes.Usage);
            }
            long expiry = -1;
            if (result.GetValue(expires) is { } e && e != "never")
            {
                if (ParseDuration(e) is not { } span) return await FailAsync($"--expires: '{e}' is not like 30d, 12h or 90m", ExitCodes.Usage);
                expiry = TimeProvider.System.GetUtcNow().Add(span).ToUnixTimeSeconds();
            }
            var modelList = result.GetValue(models);
            var request = new TokenRequest
            {
                Name = result.GetValue(name), RemainQuota = points ?? 0, UnlimitedQuota = result.GetValue(unlimited) || points is null,
                ExpiredTime = expiry, ModelLimitsEnabled = !string.IsNullOrWhiteSpace(modelList), ModelLimits = modelList,
                AllowIps = string.Join('\n', result.GetValue(subnet) ?? []), Group = result.GetValue(group),
            };
            var (row, key, error) = await sp.GetRequiredService<TokenService>().CreateAsync(owner.Id, request, ct);
            if (error is not null) return await FailAsync(error, ExitCodes.Usage);
            await sp.GetRequiredService<CacheEpoch>().BumpAsync(ct);
            Console.WriteLine($"sk-{key}");
            await Console.Error.WriteLineAsync($"token #{row!.Id} '{row.Name}' created for {owner.Username}; the key is shown only once");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command ListCommand()
    {
        var user = new Option<string?>("--user", "-u") { Description = "Only this user's tokens" };
        var cmd = new Command("list", "List tokens (keys masked)");
        cmd.Options.Add(user);
        cmd.SetAction(async (result, ct) =>
        {
            await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct);
            var users = sp.GetRequiredService<UserRepository>();
            var tokens = sp.GetRequiredService<TokenRepository>();
            var service = sp.GetRequiredService<TokenService>();
            var owners = result.GetValue(user) is { } name
                ? (await users.FindByUsernameAsync(name, ct) is { } u ? [u] : [])
                : await users.ListAsync(0, 100_000, ct);
            if (owners.Count == 0) return await FailAsync("no such user", ExitCodes.NotFound);
            Console.WriteLine($"{"ID",6}  {"USER",-16} {"NAME",-20} {"KEY",-20} {"STATUS",-9} {"QUOTA",14} {"EXPIRES",-20}");
            foreach (var o in owners)
                foreach (var t in await tokens.ListAllForUserAsync(o.Id, ct))
                    Console.WriteLine($"{t.Id,6}  {o.Username,-16} {t.Name,-20} {"sk-" + Secrets.MaskKey(service.Reveal(t)),-20} {t.Status,-9} " +
                                      $"{(t.UnlimitedQuota ? "unlimited" : t.RemainQuota.ToString(CultureInfo.InvariantCulture)),14} " +
                                      $"{(t.ExpiredTime == -1 ? "never" : DateTimeOffset.FromUnixTimeSeconds(t.ExpiredTime).ToString("u")),-20}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command RevokeCommand()
    {
        var id = new Argument<long>("id") { Description = "Token id" };
        var cmd = new Command("revoke", "Disable a token at once (running servers pick it up within a second)");
        cmd.Arguments.Add(id);
        cmd.SetAction(async (result, ct) =>
        {
            await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct);
            var tokens = sp.GetRequiredService<TokenRepository>();
            var token = await tokens.FindAnyAsync(result.GetValue(id), ct);
            if (token is null) return await FailAsync($"no token #{result.GetValue(id)}", ExitCodes.NotFound);
            await tokens.MarkStatusAsync(token.Id, TokenStatus.Disabled, ct);
            await sp.GetRequiredService<CacheEpoch>().BumpAsync(ct);
            Console.WriteLine($"token #{token.Id} '{token.Name}' revoked");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    public static long? ParseQuota(string s, double quotaPerUnit)
    {
        if (s.StartsWith('$'))
            return double.TryParse(s[1..], NumberStyles.Float, CultureInfo.InvariantCulture, out var usd) && usd >= 0 ? (long)Math.Round(usd * quotaPerUnit) : null;
        return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p >= 0 ? p : null;
    }

    public static TimeSpan? ParseDuration(string s)
    {
        if (s.Length < 2 || !int.TryParse(s.AsSpan(0, s.Length - 1), out var n) || n <= 0) return null;
        return s[^1] switch { 'd' => TimeSpan.FromDays(n), 'h' => TimeSpan.FromHours(n), 'm' => TimeSpan.FromMinutes(n), _ => null };
    }

    internal static async Task<int> FailAsync(string message, int code)
    {
        await Console.Error.WriteLineAsync("newapi: " + message);
        return code;
    }
}
