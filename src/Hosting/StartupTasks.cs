using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NewApi.Storage;
using NewApi.Common;
using NewApi.Storage.Options;

namespace NewApi.Hosting;

/// <summary>Before the server listens: migrate (backup first when needed), then load the in-memory snapshots.</summary>
public static class StartupTasks
{
    public static async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("NewApi.Startup");
        var time = services.GetRequiredService<TimeProvider>();
        var (applied, backup) = await services.GetRequiredService<Migrator>().MigrateAsync(time, ct);
        if (applied > 0) HostingLog.Migrated(log, applied, backup ?? "(new database)");
        await services.GetRequiredService<OptionsStore>().ReloadAsync(ct);
        foreach (var task in services.GetServices<IStartupTask>()) await task.RunAsync(ct);
    }
}

