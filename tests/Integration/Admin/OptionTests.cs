using System.Net;
using System.Text.Json;
using NewApi.Common;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

public sealed class OptionTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task List_HidesSecrets_AndShowsDefaults()
    {
        var root = await gw.RootAsync();
        JsonAssert.Success(await root.PutAsync("/api/option/", new { key = "SMTPToken", value = "very-secret" }));
        var items = (await root.GetAsync("/api/option/")).GetProperty("data").EnumerateArray()
            .ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("value").GetString()!);
        Assert.Equal("500000", items["QuotaPerUnit"]);
        Assert.False(items.ContainsKey("SMTPToken"));
        Assert.False(items.ContainsKey("GitHubClientSecret"));
        Assert.False(items.ContainsKey("SMTPAccount"));
        Assert.DoesNotContain(items.Values, v => v == "very-secret");
    }

    [Fact]
    public async Task Update_AcceptsStringNumberAndBool_AndIsVisibleInStatus()
    {
        var root = await gw.RootAsync();
        JsonAssert.Success(await root.PutAsync("/api/option/", new { key = "SystemName", value = "My Gateway" }));
        JsonAssert.Success(await root.PutAsync("/api/option/", new { key = "RetryTimes", value = 3 }));
        JsonAssert.Success(await root.PutAsync("/api/option/", new { key = "RegisterEnabled", value = false }));
        using var anon = gw.Anonymous();
        var status = (await TestClient.ReadAsync(await anon.GetAsync("/api/status"))).GetProperty("data");
        Assert.Equal("My Gateway", status.GetProperty("system_name").GetString());
        Assert.False(status.GetProperty("register_enabled").GetBoolean());
        var items = (await root.GetAsync("/api/option/")).GetProperty("data").EnumerateArray()
            .ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("value").GetString()!);
        Assert.Equal("3", items["RetryTimes"]);
        JsonAssert.Success(await root.PutAsync("/api/option/", new { key = "RegisterEnabled", value = true }));
    }

    [Theory]
    [InlineData("NoSuchOption", "1")]
    [InlineData("RegisterEnabled", "maybe")]
    [InlineData("QuotaPerUnit", "abc")]
    [InlineData("GroupRatio", "{\"default\":-1}")]
    [InlineData("ModelRatio", "{not json")]
    [InlineData("AutomaticRetryStatusCodes", "500-400")]
    [InlineData("theme.frontend", "neon")]
    [InlineData("GitHubOAuthEnabled", "true")]
    [InlineData("ModelRequestRateLimitGroup", "{\"vip\":[10,0]}")]
    [InlineData("payment_setting.compliance_confirmed", "true")]
    public async Task Update_RefusesInvalidValuesBeforeSaving(string key, string value)
    {
        var root = await gw.RootAsync();
        var before = (await root.GetAsync("/api/option/")).GetProperty("data").EnumerateArray()
            .FirstOrDefault(e => e.GetProperty("key").GetString() == key);
        JsonAssert.Failure(await root.PutAsync("/api/option/", new { key, value }));
        var after = (await root.GetAsync("/api/option/")).GetProperty("data").EnumerateArray()
            .FirstOrDefault(e => e.GetProperty("key").GetString() == key);
        Assert.Equal(before.ValueKind == JsonValueKind.Undefined ? null : before.GetProperty("value").GetString(),
            after.ValueKind == JsonValueKind.Undefined ? null : after.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Update_UndecodableBody_Is400Envelope()
    {
        var root = await gw.RootAsync();
        var resp = await root.Http.PutAsync("/api/option/", new StringContent("{{", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        JsonAssert.Failure(await TestClient.ReadAsync(resp));
    }

    [Fact]
    public async Task AdminIsNotRoot_ForOptions()
    {
        using var admin = await gw.UserAsync("opt_admin", Role.Admin);
        var body = await admin.GetAsync("/api/option/");
        JsonAssert.Failure(body);
    }
}
