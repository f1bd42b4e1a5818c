using System.CommandLine;
using NewApi.Config;

namespace NewApi.Cli;

/// <summary>`newapi` command tree. Without a subcommand it serves.</summary>
public static class CliApp
{
    public static readonly Option<string?> ConfigOption = new("--config", "-c")
    {
        Description = "Path to config.toml (default: ./config.toml if present; env NEWAPI_CONFIG)",
        Recursive = true,
    };

    public static readonly Option<string?> DataDirOption = new("--data-dir")
    {
        Description = "Data directory: database, generated secrets (default ./data; env NEWAPI_DATA_DIR)",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("NewApi: a unified LLM API gateway (OpenAI, Claude, Gemini and more) with keys, quotas and a console.");
        root.Options.Add(ConfigOption);
        root.Options.Add(DataDirOption);
        var serve = ServeCommand.Create();
        root.Subcommands.Add(serve);
        root.Subcommands.Add(SetupCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(TokenCommands.Create());
        root.Subcommands.Add(UserCommands.Create());
        root.Subcommands.Add(ConfigCommands.Create());
        root.Subcommands.Add(VersionCommand.Create());
        foreach (var o in serve.Options) if (o != ConfigOption && o != DataDirOption) root.Options.Add(o);
        root.SetAction((result, ct) => ServeCommand.RunAsync(result, ct));
        try
        {
            // SIGTERM is left to the host's lifetime (graceful drain + flush), not to System.CommandLine's 2-second kill.
            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors) await Console.Error.WriteLineAsync("newapi: " + error.Message);
                await Console.Error.WriteLineAsync("Run 'newapi --help' for usage.");
                return ExitCodes.Usage;
            }
            return await parsed.InvokeAsync(invocation);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync("newapi: " + e.Message);
            return ExitCodes.Config;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            await Console.Error.WriteLineAsync("newapi: database error: " + e.Message);
            return ExitCodes.Database;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync("newapi: " + e.Message);
            return ExitCodes.Failure;
        }
    }

    public static GatewayConfig LoadConfig(ParseResult result, int? port = null, string? listen = null) =>
        ConfigLoader.Load(new ConfigLoader.Overrides(result.GetValue(ConfigOption), port, result.GetValue(DataDirOption), listen));
}
