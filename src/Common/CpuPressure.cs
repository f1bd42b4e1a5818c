using System.Diagnostics;

namespace NewApi.Common;

/// <summary>
/// Linux pressure stall information for the CPU (/proc/pressure/cpu, "some ... total=N"): the share of wall time in
/// which at least one runnable task waited for a CPU, between two calls. Near zero while the CPUs keep up; most of the
/// time under a load that fills them. Unavailable on kernels without PSI and outside Linux.
/// </summary>
public sealed class CpuPressure(string path = "/proc/pressure/cpu") : IDisposable
{
    private readonly ProcFile _file = new(path, 256);
    private long _stalled = -1, _at;

    public bool Available => _file.Available;

    /// <summary>The stalled share of the time since the previous call (false on the first call or when unavailable).</summary>
    public bool TryStalledShare(out double share)
    {
        share = 0;
        if (!_file.TryRead(out var text) || !ParseSomeTotal(text, out var stalled)) return false;
        var now = Stopwatch.GetTimestamp();
        var first = _stalled < 0;
        var elapsedUs = (now - _at) * 1_000_000.0 / Stopwatch.Frequency;
        if (!first && elapsedUs > 0) share = (stalled - _stalled) / elapsedUs;
        (_stalled, _at) = (stalled, now);
        return !first && elapsedUs > 0;
    }

    /// <summary>The "total=" of the "some" line, in microseconds.</summary>
    internal static bool ParseSomeTotal(ReadOnlySpan<byte> text, out long totalUs)
    {
        totalUs = 0;
        if (!text.StartsWith("some "u8)) return false;
        var end = text.IndexOf((byte)'\n');
        var line = end < 0 ? text : text[..end];
        var at = line.IndexOf("total="u8);
        if (at < 0) return false;
        var digits = line[(at + 6)..];
        if (digits.IsEmpty || digits[0] is < (byte)'0' or > (byte)'9') return false;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9') break;
            totalUs = totalUs * 10 + (b - '0');
        }
        return true;
    }

    public void Dispose() => _file.Dispose();
}
