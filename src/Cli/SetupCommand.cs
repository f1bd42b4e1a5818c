using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Admin.Site;
using NewApi.Storage.Setup;

namespace NewApi.Cli;

public static class SetupCommand
{
    public static Command Create()
    {
        var username = new Option<string?>("--username", "-u") { Description = "Root user name (asked when omitted)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (one line)" };
        var cmd = new Command("setup", "Create the root account and mark the system initialised (refuses when already set up)");
        cmd.Options.Add(username);
        cmd.Options.Add(passwordStdin);
        cmd.SetAction(async (result, ct) =>
        {
            var config = CliApp.LoadConfig(result);
            await using var sp = await CliServices.OpenAsync(config, ct);
            if (await sp.GetRequiredService<SetupRepository>().IsInitialisedAsync(ct))
            {
                await Console.Error.WriteLineAsync("newapi: already set up");
                return ExitCodes.Conflict;
            }
            var name = result.GetValue(username);
            string? password;
            if (result.GetValue(passwordStdin))
            {
                if (string.IsNullOrEmpty(name))
                {
                    await Console.Error.WriteLineAsync("newapi: --password-stdin needs --username");
                    return ExitCodes.Usage;
                }
                password = (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n');
            }
            else
            {
                if (Console.IsInputRedirected)
                {
                    await Console.Error.WriteLineAsync("newapi: no terminal; use --username U --password-stdin");
                    return ExitCodes.Usage;
                }
                if (string.IsNullOrEmpty(name))
                {
                    Console.Write("Root username: ");
                    name = Console.ReadLine()?.Trim();
                }
                password = Prompt.ReadSecret("Password (min 8 characters): ");
                var confirm = Prompt.ReadSecret("Repeat password: ");
                if (password != confirm)
                {
                    await Console.Error.WriteLineAsync("newapi: passwords differ");
                    return ExitCodes.Usage;
                }
            }
            var error = await sp.GetRequiredService<SetupService>().SetupAsync(name ?? "", password ?? "", password ?? "", false, false, ct);
            if (error is not null)
            {
                await Console.Error.WriteLineAsync("newapi: " + error);
                return ExitCodes.Usage;
            }
            Console.WriteLine($"root user '{name}' created; the system is set up");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}

internal static class Prompt
{
    public static string ReadSecret(string label)
    {
        Console.Write(label);
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (sb.Length > 0) sb.Length--; continue; }
            sb.Append(key.KeyChar);
        }
        Console.WriteLine();
        return sb.ToString();
    }
}
