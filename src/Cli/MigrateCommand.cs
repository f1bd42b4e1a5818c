using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Storage;

namespace NewApi.Cli;

public static class MigrateCommand
{
    public static Command Create()
    {
        var cmd = new Command("migrate", "Database schema: status, up (default), backup");
        var status = new Command("status", "List applied and pending migrations");
        status.SetAction(async (result, ct) =>
        {
            await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct, migrate: false);
            var s = await sp.GetRequiredService<Migrator>().GetStatusAsync(ct);
            foreach (var m in s.Applied) Console.WriteLine($"applied  {m.Version:D4}_{m.Name}");
            foreach (var m in s.Pending) Console.WriteLine($"pending  {m.Version:D4}_{m.Name}");
            Console.WriteLine($"database version {s.DatabaseVersion}, binary version {(Migrator.All.Count == 0 ? 0 : Migrator.All[^1].Version)}");
            return ExitCodes.Ok;
        });
        var up = new Command("up", "Apply pending migrations (backs the database up first)");
        up.SetAction(RunUpAsync);
        var backup = new Command("backup", "Write a consistent copy of the database next to it (VACUUM INTO)");
        backup.SetAction(async (result, ct) =>
        {
            await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct, migrate: false);
            Console.WriteLine(await sp.GetRequiredService<Migrator>().BackupAsync(TimeProvider.System, ct));
            return ExitCodes.Ok;
        });
        cmd.Subcommands.Add(status);
        cmd.Subcommands.Add(up);
        cmd.Subcommands.Add(backup);
        cmd.SetAction(RunUpAsync);
        return cmd;
    }

    private static async Task<int> RunUpAsync(ParseResult result, CancellationToken ct)
    {
        await using var sp = await CliServices.OpenAsync(CliApp.LoadConfig(result), ct, migrate: false);
        try
        {
            var (n, backupPath) = await sp.GetRequiredService<Migrator>().MigrateAsync(TimeProvider.System, ct);
            Console.WriteLine(n == 0 ? "up to date" : $"applied {n} migration(s)" + (backupPath is null ? "" : $"; backup: {backupPath}"));
            return ExitCodes.Ok;
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync("newapi: " + e.Message);
            return ExitCodes.Database;
        }
    }
}
