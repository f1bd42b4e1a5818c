using Microsoft.Extensions.Hosting;

namespace NewApi.Hosting;

/// <summary>
/// Returns memory a burst of traffic left behind once the server goes quiet: the GC keeps the generation space a burst
/// touched (tens of MB after a load test) until allocation resumes. Every <see cref="Interval"/>, when at least
/// <see cref="MinAllocatedSinceTrim"/> was allocated since the last trim and almost nothing during the last interval,
/// one compacting collection gives the space back. Under steady traffic it never runs; at idle it runs once.
/// </summary>
public sealed class IdleTrim(TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    public const long MinAllocatedSinceTrim = 8L << 20;
    public const long MaxAllocatedWhileQuiet = 256L << 10;

    /// <summary>One blocking, compacting collection that gives free space back to the system (also run after start-up).</summary>
    public static void Compact() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>Whether the allocation history says: busy before, quiet now.</summary>
    public static bool ShouldTrim(long allocatedSinceTrim, long allocatedLastInterval) =>
        allocatedSinceTrim >= MinAllocatedSinceTrim && allocatedLastInterval <= MaxAllocatedWhileQuiet;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var atTrim = GC.GetTotalAllocatedBytes();
        var atLastTick = atTrim;
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = GC.GetTotalAllocatedBytes();
                if (ShouldTrim(now - atTrim, now - atLastTick))
                {
                    Compact();
                    now = GC.GetTotalAllocatedBytes();
                    atTrim = now;
                }
                atLastTick = now;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
