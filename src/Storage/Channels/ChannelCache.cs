using System.Collections.Frozen;
using NewApi.Common;

namespace NewApi.Storage.Channels;

/// <summary>
/// Immutable routing snapshot: channels by id and, per (group, model), the enabled channels grouped into priority tiers
/// (highest first). The relay reads <see cref="Current"/> with no lock and no query; every channel write swaps in a
/// new snapshot built from the database.
/// </summary>
public sealed class ChannelCache
{
    private readonly ChannelRepository _repo;
    private ChannelSnapshot _current = ChannelSnapshot.Empty;
    private readonly SemaphoreSlim _rebuild = new(1, 1);

    public ChannelCache(ChannelRepository repo)
    {
        _repo = repo;
        _repo.AfterWrite = RefreshAsync;
    }

    public ChannelSnapshot Current => Volatile.Read(ref _current);

    public async Task RefreshAsync(CancellationToken ct = default)
    {
        await _rebuild.WaitAsync(ct);
        try
        {
            var channels = await _repo.ListAllAsync(ct);
            var abilities = await _repo.ListAbilitiesAsync(ct);
            Volatile.Write(ref _current, ChannelSnapshot.Build(channels, abilities));
        }
        finally
        {
            _rebuild.Release();
        }
    }
}

public sealed class ChannelSnapshot
{
    public static readonly ChannelSnapshot Empty = Build([], []);

    /// <summary>One priority tier: channels with equal priority, chosen among by weight.</summary>
    public sealed record Tier(long Priority, IReadOnlyList<ChannelRow> Channels, long TotalWeight);

    public FrozenDictionary<long, ChannelRow> ById { get; }
    /// <summary>Key "group\u0000model" → tiers ordered by priority descending. Only enabled channels and abilities.</summary>
    public FrozenDictionary<string, IReadOnlyList<Tier>> Routes { get; }
    /// <summary>Group → distinct enabled model names.</summary>
    public FrozenDictionary<string, IReadOnlyList<string>> ModelsByGroup { get; }

    private ChannelSnapshot(FrozenDictionary<long, ChannelRow> byId, FrozenDictionary<string, IReadOnlyList<Tier>> routes,
        FrozenDictionary<string, IReadOnlyList<string>> models)
    {
        ById = byId;
        Routes = routes;
        ModelsByGroup = models;
        _routesBySpan = routes.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private readonly FrozenDictionary<string, IReadOnlyList<Tier>>.AlternateLookup<ReadOnlySpan<char>> _routesBySpan;

    public static string RouteKey(string group, string model) => string.Concat(group, "\u0000", model);

    /// <summary>The tiers serving <paramref name="model"/> in <paramref name="group"/>; the key is built on the stack (every
    /// relayed request looks one up).</summary>
    public IReadOnlyList<Tier> Find(string group, string model)
    {
        var length = group.Length + 1 + model.Length;
        if (length > 512) return Routes.TryGetValue(RouteKey(group, model), out var found) ? found : [];
        Span<char> key = stackalloc char[length];
        group.CopyTo(key);
        key[group.Length] = '\u0000';
        model.CopyTo(key[(group.Length + 1)..]);
        return _routesBySpan.TryGetValue(key, out var tiers) ? tiers : [];
    }

    public static ChannelSnapshot Build(IReadOnlyList<ChannelRow> channels, IReadOnlyList<AbilityRow> abilities)
    {
        var byId = channels.ToFrozenDictionary(c => c.Id);
        var routes = new Dictionary<string, List<ChannelRow>>(StringComparer.Ordinal);
        var models = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var a in abilities)
        {
            if (!a.Enabled || !byId.TryGetValue(a.ChannelId, out var ch) || ch.Status != ChannelStatus.Enabled) continue;
            var key = RouteKey(a.Group, a.Model);
            if (!routes.TryGetValue(key, out var list)) routes[key] = list = [];
            list.Add(ch);
            if (!models.TryGetValue(a.Group, out var set)) models[a.Group] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.Add(a.Model);
        }
        var tiers = routes.ToFrozenDictionary(kv => kv.Key, kv => (IReadOnlyList<Tier>)kv.Value
            .GroupBy(c => c.Priority).OrderByDescending(g => g.Key)
            .Select(g => new Tier(g.Key, g.OrderBy(c => c.Id).ToList(), g.Sum(c => Math.Max(0, c.Weight)))).ToList(), StringComparer.Ordinal);
        return new ChannelSnapshot(byId, tiers, models.ToFrozenDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.ToList(), StringComparer.Ordinal));
    }
}
