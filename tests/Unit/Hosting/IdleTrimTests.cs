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
    [InlineData(IdleTrim.MinAllocatedSinceTrim - 1, 0, false)] // nothing worth giving back (timers alone never trigger it)
    [InlineData(0, 0, false)]
    public void Trims_OnlyAfterABurstWhenQuiet(long sinceTrim, long lastInterval, bool expected) =>
        Assert.Equal(expected, IdleTrim.ShouldTrim(sinceTrim, lastInterval));
}
