using System.Net;
using System.Net.Http.Json;
using NewApi.Config;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

public sealed class RateLimitFixture : GatewayFixture
{
    protected override void ConfigureConfig(GatewayConfig config)
    {
        config.RateLimit.GlobalApi = 1000;
        config.RateLimit.Critical = 3;
        config.RateLimit.CriticalDuration = 1200;
    }
}

public sealed class RateLimitTests(RateLimitFixture gw) : IClassFixture<RateLimitFixture>
{
    [Fact]
    public async Task CriticalLimiter_RefusesTheFourthLoginWith429AndEmptyBody()
    {
        using var anon = gw.Anonymous();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await anon.PostAsJsonAsync("/api/user/login", new { username = "x", password = "yyyyyyyy" })).StatusCode);
        var refused = await anon.PostAsJsonAsync("/api/user/login", new { username = "x", password = "yyyyyyyy" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnonymousBodyLimit_Is413()
    {
        using var anon = gw.Anonymous();
        var big = new string('a', 600 * 1024);
        var resp = await anon.PostAsync("/api/setup", new StringContent($"{{\"username\":\"{big}\"}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, resp.StatusCode);
    }
}
