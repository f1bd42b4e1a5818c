using System.Net;
using System.Text.Json;
using NewApi.Storage;
using NewApi.Storage.Tokens;

namespace NewApi.Tests.Integration.Relay;

/// <summary>GET /dashboard/billing/subscription and /usage (and under /v1): token or user amounts in the display currency.</summary>
public sealed class DashboardBillingTests(DashboardBillingTests.Fixture fx) : IClassFixture<DashboardBillingTests.Fixture>
{
    public sealed class Fixture : RelayFixture;

    private async Task<(long User, HttpClient Http)> CallerAsync(Func<TokenRow, TokenRow> token, long userQuota = 1_500_000)
    {
        var user = await fx.CreateUserAsync(fx.Unique("bill"), userQuota);
        var (id, key) = await fx.CreateTokenAsync(user, edit: token);
        var used = token(new TokenRow()).UsedQuota;   // the repository inserts new tokens with nothing used
        await fx.Db.WriteAsync((conn, tx) => conn.ExecuteAsync("UPDATE tokens SET used_quota = $u WHERE id = $id", tx, default, ("$u", used), ("$id", id)));
        return (user, fx.Client(key));
    }

    private static TokenRow Limited(TokenRow t) => t with { UnlimitedQuota = false, RemainQuota = 750_000, UsedQuota = 250_000, ExpiredTime = 1_900_000_000 };

    private static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        var resp = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("application/json", resp.Content.Headers.ContentType?.MediaType);
        return RelayFixture.Parse(await resp.Content.ReadAsStringAsync());
    }

    private async Task DisplayAsync(string type, string tokenStats = "true")
    {
        await fx.SetOptionAsync("general_setting.quota_display_type", type);
        await fx.SetOptionAsync("USDExchangeRate", "7");
        await fx.SetOptionAsync("DisplayTokenStatEnabled", tokenStats);
    }

    [Theory]
    [InlineData("/dashboard/billing")]
    [InlineData("/v1/dashboard/billing")]
    public async Task TokenStats_InUsd(string prefix)
    {
        await DisplayAsync("USD");
        var (_, http) = await CallerAsync(Limited);
        var sub = await GetAsync(http, prefix + "/subscription");
        Assert.Equal("billing_subscription", sub.GetProperty("object").GetString());
        Assert.True(sub.GetProperty("has_payment_method").GetBoolean());
        Assert.Equal(2, sub.GetProperty("soft_limit_usd").GetDouble());   // (750 000 + 250 000) / 500 000
        Assert.Equal(2, sub.GetProperty("hard_limit_usd").GetDouble());
        Assert.Equal(2, sub.GetProperty("system_hard_limit_usd").GetDouble());
        Assert.Equal(1_900_000_000, sub.GetProperty("access_until").GetInt64());
        var usage = await GetAsync(http, prefix + "/usage");
        Assert.Equal("list", usage.GetProperty("object").GetString());
        Assert.Equal(50, usage.GetProperty("total_usage").GetDouble());   // $0.5 × 100
    }

    [Fact]
    public async Task UnlimitedToken_Reports100Million_AndNeverExpiringIsZero()
    {
        await DisplayAsync("USD");
        var (_, http) = await CallerAsync(t => t with { UnlimitedQuota = true, UsedQuota = 100_000 });
        var sub = await GetAsync(http, "/dashboard/billing/subscription");
        Assert.Equal(100_000_000, sub.GetProperty("hard_limit_usd").GetDouble());
        Assert.Equal(0, sub.GetProperty("access_until").GetInt64());
        Assert.Equal(20, (await GetAsync(http, "/dashboard/billing/usage")).GetProperty("total_usage").GetDouble());
    }

    [Fact]
    public async Task CnyAndTokens_FollowTheDisplayType()
    {
        var (_, http) = await CallerAsync(Limited);
        await DisplayAsync("CNY");
        Assert.Equal(14, (await GetAsync(http, "/dashboard/billing/subscription")).GetProperty("soft_limit_usd").GetDouble());
        Assert.Equal(350, (await GetAsync(http, "/dashboard/billing/usage")).GetProperty("total_usage").GetDouble());
        await DisplayAsync("TOKENS");
        Assert.Equal(1_000_000, (await GetAsync(http, "/dashboard/billing/subscription")).GetProperty("soft_limit_usd").GetDouble());
        Assert.Equal(25_000_000, (await GetAsync(http, "/dashboard/billing/usage")).GetProperty("total_usage").GetDouble());
        await DisplayAsync("CUSTOM");   // New API treats CUSTOM as USD here
        Assert.Equal(2, (await GetAsync(http, "/dashboard/billing/subscription")).GetProperty("soft_limit_usd").GetDouble());
    }

    [Fact]
    public async Task WithoutTokenStats_TheOwnersQuotaIsShown()
    {
        await DisplayAsync("USD", tokenStats: "false");
        var (_, http) = await CallerAsync(t => t with { UnlimitedQuota = true }, userQuota: 1_500_000);
        var sub = await GetAsync(http, "/v1/dashboard/billing/subscription");
        Assert.Equal(3, sub.GetProperty("soft_limit_usd").GetDouble());   // user quota 1 500 000, unlimited token ignored
        Assert.Equal(0, sub.GetProperty("access_until").GetInt64());
        Assert.Equal(0, (await GetAsync(http, "/v1/dashboard/billing/usage")).GetProperty("total_usage").GetDouble());
        await DisplayAsync("USD");
    }

    [Fact]
    public async Task InvalidKey_Is401()
    {
        using var http = fx.Client("sk-not-a-key");
        await RelayAssert.ErrorAsync(await http.GetAsync("/dashboard/billing/subscription"), HttpStatusCode.Unauthorized, "Invalid token");
        await RelayAssert.ErrorAsync(await http.GetAsync("/v1/dashboard/billing/usage"), HttpStatusCode.Unauthorized, "Invalid token");
    }
}
