using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NewApi.Storage;
using NewApi.Storage.Channels;
using NewApi.Storage.Options;

namespace NewApi.Relay.Auth;

/// <summary>
/// Once a second, one indexed read of <see cref="CacheEpoch"/>: when another process (the CLI) wrote tokens, users,
/// channels or options, drop the relay's identity cache and reload the routing and options snapshots.
/// </summary>
internal sealed class CacheEpochWatcher(CacheEpoch epoch, RelayIdentityCache identities, ChannelCache channels, OptionsStore options,
    TimeProvider time, ILogger<CacheEpochWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long _initial;

    /// <summary>The starting epoch is read before the server listens, so a bump that lands early is never missed.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _initial = await epoch.ReadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WatchAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, or the host is being disposed after a failed start (a port in use): not an error.
        }
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        var seen = _initial;
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var current = await epoch.ReadAsync(stoppingToken);
                if (current == seen) continue;
                identities.Clear();
                await channels.RefreshAsync(stoppingToken);
                await options.ReloadAsync(stoppingToken);
                seen = current;   // only once everything reloaded: a failed reload is retried on the next tick
                RelayLog.CachesReloaded(logger, current);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                RelayLog.EpochReadFailed(logger, e);
            }
        }
    }
}
