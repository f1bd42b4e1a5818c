using Microsoft.Extensions.Hosting;

namespace NewApi.Hosting;

/// <summary>
/// Returns memory a burst of traffic left behind once the server goes quiet: the GC keeps the generation space a burst
/// touched (tens of MB after a load test, a few MB after an operator's set-up) until allocation resumes. Every
/// <see cref="Interval"/>, when the busy intervals since the last trim allocated at least <see cref="MinAllocatedSinceTrim"/>
/// and the last interval almost nothing, one compacting collection gives the space back. Quiet intervals (timers) never
/// add up to a trim; under steady traffic it never runs; after activity it runs once.
/// </summary>
public sealed class IdleTrim(TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    public const long MinAllocatedSinceTrim = 1L << 20;
    public const long MaxAllocatedWhileQuiet = 64L << 10;

    /// <summary>One blocking, compacting collection that gives free space back to the system (also run after start-up).</summary>
    public static void Compact() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>Whether the allocation history says: busy before (busy intervals only), quiet now.</summary>
    public static bool ShouldTrim(long busyAllocatedSinceTrim, long allocatedLastInterval) =>
        busyAllocatedSinceTrim >= MinAllocatedSinceTrim && allocatedLastInterval <= MaxAllocatedWhileQuiet;

    /// <summary>What the last interval adds to the busy total: all of it when it was busy, nothing when it was quiet.</summary>
    public static long Busy(long allocatedLastInterval) => allocatedLastInterval > MaxAllocatedWhileQuiet ? allocatedLastInterval : 0;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var busy = 0L;
        var atLastTick = GC.GetTotalAllocatedBytes();
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = GC.GetTotalAllocatedBytes();
                var last = now - atLastTick;
                busy += Busy(last);
                if (ShouldTrim(busy, last))
                {
                    Compact();
                    now = GC.GetTotalAllocatedBytes();
                    busy = 0;
                }
                atLastTick = now;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
