using NewApi.Common;
using NewApi.Relay.Routing;
using NewApi.Storage.Channels;

namespace NewApi.Tests.Unit.Relay;

public sealed class ChannelSelectorTests
{
    private sealed class Scripted(params long[] values) : IRandomSource
    {
        private int _i;
        public long Next(long maxExclusive) => values[_i++ % values.Length] % maxExclusive;
    }

    private static ChannelSnapshot Snapshot(params (long Id, long Priority, long Weight)[] channels)
    {
        var rows = channels.Select(c => new ChannelRow { Id = c.Id, Priority = c.Priority, Weight = c.Weight, Models = "m", Status = ChannelStatus.Enabled }).ToList();
        var abilities = rows.Select(r => new AbilityRow("default", "m", r.Id, true, r.Priority, r.Weight, null)).ToList();
        return ChannelSnapshot.Build(rows, abilities);
    }

    [Fact]
    public void AttemptR_StartsAtTierR_AndSkipsTriedChannels()
    {
        var snap = Snapshot((1, 10, 0), (2, 5, 0), (3, 0, 0));
        var selector = new ChannelSelector(new Scripted(0));
        Assert.Equal(1, selector.Select(snap, "default", "m", 0, [])!.Id);
        Assert.Equal(2, selector.Select(snap, "default", "m", 1, [1])!.Id);
        Assert.Equal(3, selector.Select(snap, "default", "m", 2, [1, 2])!.Id);
        Assert.Equal(3, selector.Select(snap, "default", "m", 7, [1, 2])!.Id);   // past the last tier: the lowest
        Assert.Null(selector.Select(snap, "default", "m", 3, [1, 2, 3]));
    }

    [Fact]
    public void ATierWithNothingLeft_FallsToTheNextOne()
    {
        var snap = Snapshot((1, 10, 0), (2, 0, 0));
        Assert.Equal(2, new ChannelSelector(new Scripted(0)).Select(snap, "default", "m", 0, [1])!.Id);
    }

    [Fact]
    public void Weights_AreProportional_ZeroWeightsCountAsEqual()
    {
        var snap = Snapshot((1, 0, 30), (2, 0, 70));
        // sum 100 (average 50 ≥ 10, no scaling): 0..29 → 1, 30..99 → 2
        Assert.Equal(1, new ChannelSelector(new Scripted(29)).Select(snap, "default", "m", 0, [])!.Id);
        Assert.Equal(2, new ChannelSelector(new Scripted(30)).Select(snap, "default", "m", 0, [])!.Id);
        var small = Snapshot((1, 0, 1), (2, 0, 3));   // average 2 < 10: ×100 → 100 and 300
        Assert.Equal(1, new ChannelSelector(new Scripted(99)).Select(small, "default", "m", 0, [])!.Id);
        Assert.Equal(2, new ChannelSelector(new Scripted(100)).Select(small, "default", "m", 0, [])!.Id);
        var zero = Snapshot((1, 0, 0), (2, 0, 0));   // 100 each
        Assert.Equal(2, new ChannelSelector(new Scripted(150)).Select(zero, "default", "m", 0, [])!.Id);
    }
}
