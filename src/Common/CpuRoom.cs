namespace NewApi.Common;

/// <summary>
/// Whether the machine's CPUs had room since the last look: the idle share of all CPU time between two readings of
/// /proc/stat (idle + iowait over every state). Background work that can wait (the log indexer) runs only then, so it
/// never takes CPU from requests under load. Where /proc/stat cannot be read, there is never room by this measure and
/// the caller falls back on its own sign of quiet.
/// </summary>
public sealed class CpuRoom(double idleShare = 0.3)
{
    /// <summary>Readings closer than this reuse the last verdict: a few clock ticks say nothing.</summary>
    private const long MinSpanTicks = 10;

    private readonly ProcFile _stat = new("/proc/stat", 512);
    private long _idle = -1, _total;
    private bool _room;

    /// <summary>False once /proc/stat could not be read (not Linux, or no /proc).</summary>
    public bool Measures { get; private set; } = true;

    /// <summary>True when at least the configured share of CPU time was idle since the previous call.</summary>
    public bool HadRoom()
    {
        if (!Measures) return false;
        if (!TryRead(out var idle, out var total))
        {
            Measures = false;
            return false;
        }
        if (_idle < 0 || total - _total < MinSpanTicks)
        {
            if (_idle < 0) (_idle, _total) = (idle, total);
            return _room;
        }
        _room = (double)(idle - _idle) / (total - _total) >= idleShare;
        (_idle, _total) = (idle, total);
        return _room;
    }

    /// <summary>The first line of /proc/stat: "cpu  user nice system idle iowait irq softirq steal guest guest_nice".</summary>
    private bool TryRead(out long idle, out long total)
    {
        idle = total = 0;
        return _stat.TryRead(out var text) && Parse(text, out idle, out total);
    }

    /// <summary>Sums the first eight counters of the aggregate "cpu" line (guest time is already inside user).</summary>
    internal static bool Parse(ReadOnlySpan<byte> stat, out long idle, out long total)
    {
        idle = total = 0;
        if (!stat.StartsWith("cpu "u8)) return false;
        var i = 3;
        for (var field = 0; field < 8; field++)
        {
            while (i < stat.Length && stat[i] == (byte)' ') i++;
            if (i >= stat.Length || stat[i] is < (byte)'0' or > (byte)'9') return field >= 4;
            long v = 0;
            while (i < stat.Length && stat[i] is >= (byte)'0' and <= (byte)'9') v = v * 10 + (stat[i++] - '0');
            total += v;
            if (field is 3 or 4) idle += v;
        }
        return true;
    }
}
