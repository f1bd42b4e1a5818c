using NewApi.Billing.Prices;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Routing;

/// <summary>
/// Channel choice (relay.md §2.4) on the immutable routing snapshot: priority tiers, highest first; attempt r starts
/// at tier r (the lowest tier once r runs past them); weighted random inside a tier (all weights 0 → 100 each; an
/// average weight under 10 → ×100, proportions kept). NewApi: channels already tried by this request are skipped
/// (New API could pick the failed channel again); when a tier has none left the next lower tier serves, then higher ones.
/// </summary>
public sealed class ChannelSelector(IRandomSource random)
{
    public ChannelRow? Select(ChannelSnapshot snapshot, string group, string model, int attempt, IReadOnlyCollection<long> tried)
    {
        var tiers = Tiers(snapshot, group, model);
        if (tiers.Count == 0) return null;
        var start = Math.Min(attempt, tiers.Count - 1);
        for (var i = 0; i < tiers.Count; i++)
        {
            var tier = tiers[(start + i) % tiers.Count];
            if (PickInTier(tier, tried) is { } channel) return channel;
        }
        return null;
    }

    /// <summary>True when any enabled channel serves (group, model), exact or normalised name.</summary>
    public static bool Serves(ChannelSnapshot snapshot, string group, string model) => Tiers(snapshot, group, model).Count > 0;

    private static IReadOnlyList<ChannelSnapshot.Tier> Tiers(ChannelSnapshot snapshot, string group, string model)
    {
        var tiers = snapshot.Find(group, model);
        if (tiers.Count > 0) return tiers;
        var normalised = ModelNames.Normalise(model);
        return normalised == model ? tiers : snapshot.Find(group, normalised);
    }

    private ChannelRow? PickInTier(ChannelSnapshot.Tier tier, IReadOnlyCollection<long> tried)
    {
        var channels = tier.Channels;
        long total = 0;
        var candidates = 0;
        foreach (var c in channels)
            if (!tried.Contains(c.Id)) { total += Math.Max(0, c.Weight); candidates++; }
        if (candidates == 0) return null;
        var scale = total == 0 ? 0 : total < 10L * candidates ? 100 : 1;   // all zero → 100 each; average < 10 → ×100
        var sum = scale == 0 ? 100L * candidates : total * scale;
        var pick = random.Next(sum);
        foreach (var c in channels)
        {
            if (tried.Contains(c.Id)) continue;
            pick -= scale == 0 ? 100 : Math.Max(0, c.Weight) * scale;
            if (pick < 0) return c;
        }
        return channels.Last(c => !tried.Contains(c.Id));
    }
}
