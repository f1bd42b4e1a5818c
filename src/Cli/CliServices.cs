using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewApi.Admin;
using NewApi.Auth;
using NewApi.Config;
using NewApi.Hosting;
using NewApi.Relay;
using NewApi.Storage;
using NewApi.Storage.Options;

namespace NewApi.Cli;

/// <summary>
/// The services an offline command needs, on the same database a running server may be using (WAL + busy timeout
/// make that safe). Writes bump the cache epoch so a running server drops its in-memory copies.
/// </summary>
public static class CliServices
{
    public static async Task<ServiceProvider> OpenAsync(GatewayConfig config, CancellationToken ct, bool migrate = true)
    {
        SecretBootstrap.Apply(config);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(config);
        services.AddSingleton(config.Server);
        services.AddSingleton(config.Database);
        services.AddSingleton(config.Security);
        services.AddSingleton(config.RateLimit);
        services.AddSingleton(config.Relay);
        services.AddSingleton(config.Log);
        services.AddSingleton(TimeProvider.System);
        services.AddStorage(ConfigLoader.DatabasePath(config), config.Database.BusyTimeoutMs);
        services.AddAuthServices();
        services.AddRelay();
        services.AddAdmin();
        var sp = services.BuildServiceProvider();
        if (!migrate) return sp;   // migrate/backup/status work on whatever schema is there
        await sp.GetRequiredService<Migrator>().MigrateAsync(TimeProvider.System, ct);
        await sp.GetRequiredService<OptionsStore>().ReloadAsync(ct);
        return sp;
    }
}
