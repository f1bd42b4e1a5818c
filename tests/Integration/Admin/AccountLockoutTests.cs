using System.Net;
using System.Net.Http.Json;
using NewApi.Config;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

public sealed class LockoutFixture : GatewayFixture
{
    protected override void ConfigureConfig(GatewayConfig config) => config.RateLimit.Critical = 3;
}

/// <summary>Registration and password reset share New API's critical per-IP limiter with login: 429, with the envelope.</summary>
public sealed class AccountLockoutTests(LockoutFixture gw) : IClassFixture<LockoutFixture>
{
    [Fact]
    public async Task RegisterAndReset_AreLockedOutByTheCriticalLimiter()
    {
        using var anon = gw.Anonymous();
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await anon.PostAsJsonAsync("/api/user/register", new { username = "lock" + i, password = "password-123" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anon.PostAsJsonAsync("/api/user/reset", new { email = "a@b.com", token = "x" })).StatusCode);
        var locked = await anon.PostAsJsonAsync("/api/user/register", new { username = "lock9", password = "password-123" });
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Contains("\"success\":false", await locked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, (await anon.GetAsync("/api/reset_password?email=a@b.com")).StatusCode);
    }
}
