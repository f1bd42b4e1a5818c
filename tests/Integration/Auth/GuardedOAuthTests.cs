using System.Text.Json.Nodes;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Auth;

/// <summary>The same in-process providers, but fetch_setting.allow_private_ip left off (the default).</summary>
public sealed class GuardedOAuthFixture : OAuthFixture
{
    protected override bool AllowPrivate => false;
}

public sealed class GuardedOAuthTests(GuardedOAuthFixture gw) : IClassFixture<GuardedOAuthFixture>
{
    [Fact]
    public async Task LoopbackProvider_IsRefused_WithoutAllowPrivateIp()
    {
        gw.Fake.AddUser("gh-ssrf", new JsonObject { ["id"] = 9300, ["login"] = "ssrf_user" });
        using var client = new TestClient(gw.BaseAddress);
        var state = (await client.GetAsync("/api/oauth/state")).GetProperty("data").GetString();
        var body = await client.GetAsync($"/api/oauth/github?code=gh-ssrf&state={state}");
        JsonAssert.Failure(body);
        Assert.Contains("Unable to connect", body.GetProperty("message").GetString());
        Assert.Empty(gw.Fake.Requests);
    }

    [Fact]
    public async Task WeChatServer_OnLoopback_IsRefused_AndNeverSeesTheToken()
    {
        using var client = new TestClient(gw.BaseAddress);
        JsonAssert.Failure(await client.GetAsync("/api/oauth/wechat?code=abc"));
        Assert.DoesNotContain(gw.Fake.Requests, r => r.Path.Contains("wechat", StringComparison.Ordinal));
    }
}
