using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json;
using NewApi.Storage.Options;

namespace NewApi.Billing.Limits;

/// <summary>
/// New API's model request rate limit (relay.md §2.2): per user, within ModelRequestRateLimitDurationMinutes, at most
/// ModelRequestRateLimitCount requests in total (0 = unlimited) and ModelRequestRateLimitSuccessCount successful ones;
/// ModelRequestRateLimitGroup overrides both per group (<c>{"vip":[total, success]}</c>).
/// </summary>
public sealed class ModelRequestLimiter
{
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, Counters> _users = new();
    private Settings _settings;

    public ModelRequestLimiter(OptionsStore options, TimeProvider time)
    {
        _time = time;
        _settings = Settings.From(options.Current);
        options.Changed += s =>
        {
            var next = Settings.From(s);
            if (next.Minutes != Volatile.Read(ref _settings).Minutes) _users.Clear();
            Volatile.Write(ref _settings, next);
        };
    }

    public enum Verdict { Allowed, TotalExceeded, SuccessExceeded }

    public readonly record struct Decision(Verdict Verdict, int Minutes, long Limit);

    public Decision TryEnter(long userId, string group)
    {
        var s = Volatile.Read(ref _settings);
        if (!s.Enabled) return new Decision(Verdict.Allowed, 0, 0);
        var (total, success) = s.Groups.TryGetValue(group, out var g) ? g : (s.Total, s.Success);
        var c = _users.GetOrAdd(userId, static (_, x) => new Counters(x.Minutes, x.Frequency), (Minutes: s.Minutes, Frequency: _time.TimestampFrequency));
        var now = _time.GetTimestamp();
        if (total > 0 && c.Total.Sum(now) >= total) return new Decision(Verdict.TotalExceeded, s.Minutes, total);
        if (success > 0 && c.Success.Sum(now) >= success) return new Decision(Verdict.SuccessExceeded, s.Minutes, success);
        c.Total.Add(now, 1);
        return new Decision(Verdict.Allowed, s.Minutes, 0);
    }

    /// <summary>Counts a request that ended with a status below 400.</summary>
    public void RecordSuccess(long userId)
    {
        if (Volatile.Read(ref _settings).Enabled && _users.TryGetValue(userId, out var c)) c.Success.Add(_time.GetTimestamp(), 1);
    }

    private sealed class Counters(int minutes, long frequency)
    {
        public readonly SlidingCounter Total = new(TimeSpan.FromMinutes(minutes), 60, frequency);
        public readonly SlidingCounter Success = new(TimeSpan.FromMinutes(minutes), 60, frequency);
    }

    private sealed record Settings(bool Enabled, int Minutes, long Total, long Success, FrozenDictionary<string, (long, long)> Groups)
    {
        public static Settings From(OptionsSnapshot o) => new(o.GetBool("ModelRequestRateLimitEnabled"),
            (int)Math.Max(1, o.GetLong("ModelRequestRateLimitDurationMinutes", 1)), o.GetLong("ModelRequestRateLimitCount"),
            o.GetLong("ModelRequestRateLimitSuccessCount", 1000), ParseGroups(o.Get("ModelRequestRateLimitGroup", "{}")));

        private static FrozenDictionary<string, (long, long)> ParseGroups(string json)
        {
            var map = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
            try
            {
                using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                    foreach (var p in doc.RootElement.EnumerateObject())
                        if (p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() == 2
                            && p.Value[0].TryGetInt64(out var t) && p.Value[1].TryGetInt64(out var s))
                            map[p.Name] = (t, s);
            }
            catch (JsonException)
            {
                // A malformed override table means no overrides; the option validator rejects it on save.
            }
            return map.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }
}
