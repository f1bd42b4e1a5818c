using NewApi.Hosting;

namespace NewApi.Tests.Unit.Hosting;

/// <summary>The idle trim runs once traffic that allocated enough has stopped, never under steady traffic or at rest.</summary>
public sealed class IdleTrimTests
{
    [Theory]
    [InlineData(64L << 20, 0, true)]              // a burst, then silence
    [InlineData(IdleTrim.MinAllocatedSinceTrim, IdleTrim.MaxAllocatedWhileQuiet, true)]
    [InlineData(64L << 20, 4L << 20, false)]      // still busy
    [InlineData(64L << 20, IdleTrim.MaxAllocatedWhileQuiet + 1, false)]
    [InlineData(IdleTrim.MinAllocatedSinceTrim - 1, 0, false)] // nothing worth giving back
    [InlineData(0, 0, false)]
    public void Trims_OnlyAfterABurstWhenQuiet(long sinceTrim, long lastInterval, bool expected) =>
        Assert.Equal(expected, IdleTrim.ShouldTrim(sinceTrim, lastInterval));

    [Fact]
    public void QuietIntervals_NeverAddUpToATrim()
    {
        // A day of timer ticks just under the quiet bound: nothing counts as busy, so no trim ever runs.
        var busy = 0L;
        for (var tick = 0; tick < 43_200; tick++)
        {
            busy += IdleTrim.Busy(IdleTrim.MaxAllocatedWhileQuiet);
            Assert.False(IdleTrim.ShouldTrim(busy, IdleTrim.MaxAllocatedWhileQuiet));
        }
        // An operator's set-up (a cache reload: one busy interval of a few MB), then quiet: one trim.
        busy += IdleTrim.Busy(3L << 20);
        Assert.False(IdleTrim.ShouldTrim(busy, 3L << 20));
        Assert.True(IdleTrim.ShouldTrim(busy, 0));
    }
}
