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

public sealed class GlobalApiLimitFixture : GatewayFixture
{
    protected override void ConfigureConfig(GatewayConfig config) => config.RateLimit.GlobalApi = 40;
}

public sealed class GlobalApiLimitTests(GlobalApiLimitFixture gw) : IClassFixture<GlobalApiLimitFixture>
{
    [Fact]
    public async Task GlobalApiLimiter_Refuses_With429_InTheEnvelope()
    {
        using var anon = gw.Anonymous();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 100 && refused is null; i++)
        {
            var r = await anon.GetAsync("/api/status");
            if (r.StatusCode == HttpStatusCode.TooManyRequests) refused = r;
            else Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        Assert.NotNull(refused);
        using var doc = System.Text.Json.JsonDocument.Parse(await refused!.Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
    }
}

public sealed class RateLimitTests(RateLimitFixture gw) : IClassFixture<RateLimitFixture>
{
    [Fact]
    public async Task CriticalLimiter_RefusesTheFourthLoginWith429_InTheEnvelope()
    {
        // New API answers an empty body; a caller that reads every /api answer as the envelope failed on it.
        using var anon = gw.Anonymous();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await anon.PostAsJsonAsync("/api/user/login", new { username = "x", password = "yyyyyyyy" })).StatusCode);
        var refused = await anon.PostAsJsonAsync("/api/user/login", new { username = "x", password = "yyyyyyyy" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        using var doc = System.Text.Json.JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
        Assert.Contains("频繁", doc.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task AnonymousBodyLimit_Is413()
    {
        using var anon = gw.Anonymous();
        var big = new string('a', 600 * 1024);
        var resp = await anon.PostAsync("/api/setup", new StringContent($"{{\"username\":\"{big}\"}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, resp.StatusCode);
        using var doc = System.Text.Json.JsonDocument.Parse(await resp.Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
    }
}
