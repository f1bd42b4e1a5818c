using System.Diagnostics;
using NewApi.Common;

namespace NewApi.Hosting.Front;

/// <summary>
/// Whether the front loops may poll busily after an event (server.front_spin_us), decided for all of them every 100 ms
/// by the first loop. A loop that sleeps in epoll_wait is woken by the kernel on every hop of a relayed call (client to
/// gateway, upstream to gateway); on a virtual machine each wake-up costs tens of microseconds of CPU and latency.
/// Polling is allowed only while no task waits for a CPU more than a quarter of the time (CPU pressure,
/// /proc/pressure/cpu): under a load that fills the CPUs it would take time from the upstream and the clients, so the
/// loops sleep. Without pressure information they always sleep.
/// </summary>
internal sealed class FrontSpin(int micros)
{
    private const double MaxStalledShare = 0.25;
    private static readonly long CheckEvery = Stopwatch.Frequency / 10;

    private readonly CpuPressure? _pressure = micros > 0 ? new CpuPressure() : null;
    private long _nextCheck;
    private volatile bool _allowed;

    /// <summary>How long one poll lasts after an event, in Stopwatch ticks.</summary>
    public long Ticks { get; } = micros * Stopwatch.Frequency / 1_000_000;

    public bool Allowed => _allowed;

    /// <summary>On the first loop, after each wait: every 100 ms, whether polling stays allowed.</summary>
    public void Check()
    {
        if (_pressure is null) return;
        var now = Stopwatch.GetTimestamp();
        if (now < _nextCheck) return;
        _nextCheck = now + CheckEvery;
        if (_pressure.TryStalledShare(out var stalled)) _allowed = stalled < MaxStalledShare;
    }
}
