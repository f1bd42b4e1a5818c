using Microsoft.Extensions.Time.Testing;
using NewApi.Auth;

namespace NewApi.Tests.Unit.Auth;

public sealed class RateLimiterTests
{
    [Fact]
    public void SlidingWindow_AllowsNPerWindow_ThenFreesAsHitsAge()
    {
        var time = new FakeTimeProvider();
        var limiter = new RateLimiter(time);
        for (var i = 0; i < 3; i++) { Assert.True(limiter.TryAcquire("k", 3, 60)); time.Advance(TimeSpan.FromSeconds(10)); }
        Assert.False(limiter.TryAcquire("k", 3, 60));
        Assert.True(limiter.TryAcquire("other", 3, 60));
        time.Advance(TimeSpan.FromSeconds(31));   // the first hit (t=0) is now 61 s old
        Assert.True(limiter.TryAcquire("k", 3, 60));
        Assert.False(limiter.TryAcquire("k", 3, 60));
    }

    [Fact]
    public void SecondsUntilFree_CountsDownFromTheOldestHit()
    {
        var time = new FakeTimeProvider();
        var limiter = new RateLimiter(time);
        limiter.TryAcquire("k", 1, 30);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(20, limiter.SecondsUntilFree("k", 30));
    }
}
