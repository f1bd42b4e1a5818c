using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Config;
using NewApi.Storage.Options;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

public sealed class DefaultTokenFixture : GatewayFixture
{
    protected override void ConfigureConfig(GatewayConfig config) => config.Server.GenerateDefaultToken = true;
}

/// <summary>GENERATE_DEFAULT_TOKEN: a registration also creates the user's first key.</summary>
public sealed class AccountDefaultTokenTests(DefaultTokenFixture gw) : IClassFixture<DefaultTokenFixture>
{
    [Fact]
    public async Task Register_CreatesAnUnlimitedNeverExpiringKey_InAutoWhenConfigured()
    {
        await gw.Services.GetRequiredService<OptionsStore>().SetAsync("DefaultUseAutoGroup", "true");
        using var anon = gw.Anonymous();
        var reply = await TestClient.ReadAsync(await anon.PostAsJsonAsync("/api/user/register",
            new { username = "用户名用户名用户名用户名用户名", password = "password-123" }));
        JsonAssert.Success(reply);
        using var user = await gw.LoginAsync("用户名用户名用户名用户名用户名", "password-123");
        var tokens = (await user.GetAsync("/api/token/")).GetProperty("data").GetProperty("items");
        var id = Assert.Single(tokens.EnumerateArray()).GetProperty("id").GetInt64();
        var token = (await user.GetAsync($"/api/token/{id}")).GetProperty("data");
        Assert.EndsWith("的初始令牌", token.GetProperty("name").GetString());
        Assert.True(token.GetProperty("unlimited_quota").GetBoolean());
        Assert.Equal(-1, token.GetProperty("expired_time").GetInt64());
        Assert.Equal("auto", token.GetProperty("group").GetString());
    }
}
