using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewApi.Common;
using NewApi.Config;
using NewApi.Hosting;

namespace NewApi.Cli;

public static class ServeCommand
{
    private static readonly Option<int?> PortOption = new("--port", "-p") { Description = "Port to listen on (env PORT; default 3000)" };
    private static readonly Option<string?> ListenOption = new("--listen") { Description = "host:port to bind (default 127.0.0.1:3000; env NEWAPI_LISTEN)" };

    public static Command Create()
    {
        var cmd = new Command("serve", "Run the gateway (default command)");
        cmd.Options.Add(PortOption);
        cmd.Options.Add(ListenOption);
        cmd.SetAction(RunAsync);
        return cmd;
    }

    public static async Task<int> RunAsync(ParseResult result, CancellationToken ct)
    {
        GatewayConfig config;
        try
        {
            config = CliApp.LoadConfig(result, result.GetValue(PortOption), result.GetValue(ListenOption));
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync("newapi: " + e.Message);
            return ExitCodes.Config;
        }
        var files = FileLimit.RaiseToHardLimit();
        WebApplication app;
        try
        {
            app = await GatewayApp.BuildAsync(config, ct: ct);
        }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync("newapi: cannot start: " + e.Message);
            return ExitCodes.Database;
        }
        await using (app)
        {
            await app.StartAsync(ct);
            var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("NewApi");
            HostingLog.Listening(log, BuildInfo.Version, GatewayApp.BoundAddress(app));
            if (files is var (before, after) && after > before) HostingLog.FileLimitRaised(log, before, after);
            // Start-up garbage (migrations, snapshot loads, route building) returned to the system before the first request.
            IdleTrim.Compact();
            var (data, code) = StartupImage.ReleaseStartupOnlyData();
            HostingLog.StartupImageReleased(log, data, code);
            await app.WaitForShutdownAsync(ct);
        }
        return ExitCodes.Ok;
    }
}
