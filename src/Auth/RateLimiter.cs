using System.Collections.Concurrent;

namespace NewApi.Auth;

/// <summary>
/// In-memory sliding-window limiter (New API's semantics: at most N hits in any window of D seconds per key).
/// One ring of N timestamps per key; keys idle for 20 minutes are swept.
/// </summary>
public sealed class RateLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _lastSweep;

    /// <summary>Records a hit and returns true when it is within the limit.</summary>
    public bool TryAcquire(string key, int limit, int durationSeconds)
    {
        if (limit <= 0) return true;
        var now = time.GetTimestamp();
        var window = _windows.GetOrAdd(key, static (_, n) => new Window(n), limit);
        var ok = window.TryHit(now, (long)(durationSeconds * (double)time.TimestampFrequency), limit);
        MaybeSweep(now);
        return ok;
    }

    /// <summary>Seconds until the oldest hit leaves the window (for "wait N seconds" messages).</summary>
    public int SecondsUntilFree(string key, int durationSeconds)
    {
        if (!_windows.TryGetValue(key, out var w)) return 0;
        var age = (time.GetTimestamp() - w.Oldest) / (double)time.TimestampFrequency;
        return Math.Max(0, (int)Math.Ceiling(durationSeconds - age));
    }

    private void MaybeSweep(long now)
    {
        var idle = 20 * 60 * time.TimestampFrequency;
        var last = Interlocked.Read(ref _lastSweep);
        if (now - last < 60 * time.TimestampFrequency || Interlocked.CompareExchange(ref _lastSweep, now, last) != last) return;
        foreach (var (k, w) in _windows)
            if (now - w.Latest > idle) _windows.TryRemove(k, out _);
    }

    private sealed class Window(int capacity)
    {
        private long[] _ring = new long[capacity];
        private int _count;
        private int _head;   // index of the oldest hit
        public long Latest;
        public long Oldest => _count == 0 ? 0 : _ring[_head];

        public bool TryHit(long now, long span, int limit)
        {
            lock (this)
            {
                if (_ring.Length != limit) { _ring = new long[limit]; _count = 0; _head = 0; }
                while (_count > 0 && now - _ring[_head] >= span) { _head = (_head + 1) % _ring.Length; _count--; }
                Latest = now;
                if (_count >= limit) return false;
                _ring[(_head + _count) % _ring.Length] = now;
                _count++;
                return true;
            }
        }
    }
}
