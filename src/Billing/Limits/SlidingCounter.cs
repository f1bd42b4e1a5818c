namespace NewApi.Billing.Limits;

/// <summary>
/// A lock-free count over a sliding window, kept in fixed slots (one per <c>window / slots</c>). Adds and reads are
/// Interlocked operations; a slot that rolls over is reset by whoever sees it first, so a hit racing with that
/// reset can be lost. Good enough for rate limits, which is all it is used for.
/// </summary>
internal sealed class SlidingCounter
{
    private readonly long[] _counts;
    private readonly long[] _epochs;
    private readonly long _slotTicks;

    public SlidingCounter(TimeSpan window, int slots, long ticksPerSecond)
    {
        _counts = new long[slots];
        _epochs = new long[slots];
        _slotTicks = Math.Max(1, (long)(window.TotalSeconds * ticksPerSecond / slots));
    }

    /// <summary>Timestamp of the last add, for idle sweeps.</summary>
    public long LastTouched;

    public void Add(long timestamp, long amount)
    {
        var epoch = timestamp / _slotTicks;
        var i = (int)(epoch % _counts.Length);
        var seen = Volatile.Read(ref _epochs[i]);
        if (seen != epoch && Interlocked.CompareExchange(ref _epochs[i], epoch, seen) == seen) Interlocked.Exchange(ref _counts[i], 0);
        Interlocked.Add(ref _counts[i], amount);
        Volatile.Write(ref LastTouched, timestamp);
    }

    public long Sum(long timestamp)
    {
        var epoch = timestamp / _slotTicks;
        long total = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            var e = Volatile.Read(ref _epochs[i]);
            if (e > epoch - _counts.Length && e <= epoch) total += Volatile.Read(ref _counts[i]);
        }
        return total;
    }
}
