using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Storage.Options;
using NewApi.Storage.Users;

namespace NewApi.Cli;

public static class UserCommands
{
    public static Command Create()
    {
        var cmd = new Command("user", "Accounts: create, list, passwd, role, disable, enable");
        cmd.Subcommands.Add(CreateCommand());
        cmd.Subcommands.Add(ListCommand());
        cmd.Subcommands.Add(PasswdCommand());
        cmd.Subcommands.Add(RoleCommand());
        cmd.Subcommands.Add(StatusCommand("disable", UserStatus.Disabled));
        cmd.Subcommands.Add(StatusCommand("enable", UserStatus.Enabled));
        return cmd;
    }

    private static Command CreateCommand()
    {
        var name = new Option<string>("--username", "-u") { Description = "Login name (max 20 characters)", Required = true };
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input", Required = true };
        var role = new Option<string>("--role") { Description = "common, admin or root", DefaultValueFactory = _ => "common" };
        var group = new Option<string>("--group") { Description = "User group", DefaultValueFactory = _ => "default" };
        var quota = new Option<string?>("--quota") { Description = "Initial quota in points or $USD (default: QuotaForNewUser)" };
        var cmd = new Command("create", "Create a user");
        foreach (var o in new Option[] { name, stdin, role, group, quota }) cmd.Options.Add(o);
        cmd.SetAction(async (result, ct) =>
        {
            await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct);
            var users = sp.GetRequiredService<UserRepository>();
            var username = result.GetValue(name)!.Trim();
            if (username.Length is 0 or > 20) return await TokenCommands.FailAsync("username must be 1-20 characters", ExitCodes.Usage);
            if (await users.UsernameExistsAsync(username, ct)) return await TokenCommands.FailAsync($"user '{username}' exists", ExitCodes.Conflict);
            if (ParseRole(result.GetValue(role)!) is not { } r) return await TokenCommands.FailAsync("--role: common, admin or root", ExitCodes.Usage);
            var password = (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n') ?? "";
            if (password.Length is < 8 or > 128) return await TokenCommands.FailAsync("password must be 8-128 characters", ExitCodes.Usage);
            var options = sp.GetRequiredService<OptionsStore>().Current;
            long points = options.GetLong("QuotaForNewUser");
            if (result.GetValue(quota) is { } q && TokenCommands.ParseQuota(q, options.QuotaPerUnit) is not { } parsed)
                return await TokenCommands.FailAsync($"--quota: '{q}' is not a number of points or $USD", ExitCodes.Usage);
            else if (result.GetValue(quota) is { } q2) points = TokenCommands.ParseQuota(q2, options.QuotaPerUnit)!.Value;
            var hasher = sp.GetRequiredService<PasswordHasher>();
            var id = await users.InsertAsync(new UserRepository.NewUser(username, hasher.Hash(password), username, r, points,
                result.GetValue(group)!, AffCode: RandomStrings.Alnum(4)), TimeProvider.System.GetUtcNow().ToUnixTimeSeconds(), ct);
            Console.WriteLine($"user #{id} '{username}' created ({r.ToString().ToLowerInvariant()})");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command ListCommand()
    {
        var cmd = new Command("list", "List users");
        cmd.SetAction(async (result, ct) =>
        {
            await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct);
            Console.WriteLine($"{"ID",6}  {"USERNAME",-20} {"ROLE",-7} {"STATUS",-9} {"GROUP",-12} {"QUOTA",14} {"USED",14}");
            foreach (var u in await sp.GetRequiredService<UserRepository>().ListAsync(0, 100_000, ct))
                Console.WriteLine($"{u.Id,6}  {u.Username,-20} {RoleName(u.Role),-7} {u.Status,-9} {u.Group,-12} {u.Quota,14} {u.UsedQuota,14}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command PasswdCommand()
    {
        var name = new Argument<string>("username");
        var cmd = new Command("passwd", "Set a user's password, read from standard input");
        cmd.Arguments.Add(name);
        cmd.SetAction(async (result, ct) =>
        {
            await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct);
            var users = sp.GetRequiredService<UserRepository>();
            var user = await users.FindByUsernameAsync(result.GetValue(name)!, ct);
            if (user is null) return await TokenCommands.FailAsync("no such user", ExitCodes.NotFound);
            if (!Console.IsInputRedirected) Console.Write("New password: ");
            var password = Console.IsInputRedirected ? (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n') ?? "" : Prompt.ReadSecret("");
            if (password.Length is < 8 or > 128) return await TokenCommands.FailAsync("password must be 8-128 characters", ExitCodes.Usage);
            await users.UpdatePasswordAsync(user.Id, sp.GetRequiredService<PasswordHasher>().Hash(password), ct);
            await sp.GetRequiredService<CacheEpoch>().BumpAsync(ct);
            Console.WriteLine($"password of '{user.Username}' changed");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command RoleCommand()
    {
        var name = new Argument<string>("username");
        var role = new Argument<string>("role") { Description = "common, admin or root" };
        var cmd = new Command("role", "Change a user's role");
        cmd.Arguments.Add(name);
        cmd.Arguments.Add(role);
        cmd.SetAction(async (result, ct) =>
        {
            await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct);
            var users = sp.GetRequiredService<UserRepository>();
            var user = await users.FindByUsernameAsync(result.GetValue(name)!, ct);
            if (user is null) return await TokenCommands.FailAsync("no such user", ExitCodes.NotFound);
            if (ParseRole(result.GetValue(role)!) is not { } r) return await TokenCommands.FailAsync("role: common, admin or root", ExitCodes.Usage);
            await users.SetRoleAsync(user.Id, r, ct);
            await sp.GetRequiredService<CacheEpoch>().BumpAsync(ct);
            Console.WriteLine($"'{user.Username}' is now {RoleName(r)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command StatusCommand(string verb, UserStatus status)
    {
        var name = new Argument<string>("username");
        var cmd = new Command(verb, verb == "disable" ? "Disable a user (sign-in and keys stop working)" : "Re-enable a user");
        cmd.Arguments.Add(name);
        cmd.SetAction(async (result, ct) =>
        {
            await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct);
            var users = sp.GetRequiredService<UserRepository>();
            var user = await users.FindByUsernameAsync(result.GetValue(name)!, ct);
            if (user is null) return await TokenCommands.FailAsync("no such user", ExitCodes.NotFound);
            await users.SetStatusAsync(user.Id, status, ct);
            await sp.GetRequiredService<CacheEpoch>().BumpAsync(ct);
            Console.WriteLine($"'{user.Username}' {verb}d");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Role? ParseRole(string s) => s.ToLowerInvariant() switch
    {
        "common" or "user" or "1" => Role.User,
        "admin" or "10" => Role.Admin,
        "root" or "100" => Role.Root,
        _ => null,
    };

    private static string RoleName(Role r) => r switch { Role.Root => "root", Role.Admin => "admin", Role.User => "common", _ => "guest" };
}
