using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using NewApi.Hosting;

namespace NewApi.Tests.Unit.Hosting;

public sealed partial class RequestIdTests
{
    [GeneratedRegex("^[0-9]{23}[0-9a-f]{8}[0-9A-Za-z]{8}$")]
    private static partial Regex Shape();

    [Fact]
    public void Ids_AreUtcSecondsThenNanosecondsThenBuildThenRandom_AndFollowTheClockAcrossSeconds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 15, 24, 19, TimeSpan.Zero).AddTicks(8_133_393));
        var first = RequestIds.New(time);
        Assert.Matches(Shape(), first);
        Assert.StartsWith("20261203152419813339300", first);
        var again = RequestIds.New(time);
        Assert.Equal(first[..31], again[..31]);   // same instant and build; the random tail differs
        Assert.NotEqual(first, again);
        time.Advance(TimeSpan.FromSeconds(1) + TimeSpan.FromTicks(1));
        Assert.StartsWith("20261203152420813339400", RequestIds.New(time));   // the once-a-second prefix moved on
        time.SetUtcNow(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.StartsWith("20270101000000000000000", RequestIds.New(time));
    }
}
