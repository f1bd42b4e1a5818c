using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

public sealed class TokenTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private static async Task<JsonElement> CreateAndGetAsync(TestClient c, object body)
    {
        JsonAssert.Success(await c.PostAsync("/api/token/", body));
        return (await c.GetAsync("/api/token/?p=1&page_size=1")).GetProperty("data").GetProperty("items")[0];
    }

    [Fact]
    public async Task Create_ReturnsNoKey_ListMasks_RevealGivesTheFullKeyToTheOwnerOnly()
    {
        using var owner = await gw.UserAsync("tok_owner", Role.User);
        var created = await owner.PostAsync("/api/token/", new { name = "first", remain_quota = 1000, expired_time = -1 });
        JsonAssert.Success(created);
        Assert.False(created.TryGetProperty("data", out _));   // new-api returns neither key nor id
        var item = (await owner.GetAsync("/api/token/")).GetProperty("data").GetProperty("items")[0];
        var masked = item.GetProperty("key").GetString()!;
        foreach (var field in new[] { "created_time", "remain_quota", "unlimited_quota", "model_limits_enabled", "expired_time", "used_quota" })
            Assert.True(item.TryGetProperty(field, out _), "token JSON lacks snake_case field " + field);
        Assert.Matches(@"^[0-9A-Za-z]{4}\*{10}[0-9A-Za-z]{4}$", masked);
        var id = item.GetProperty("id").GetInt64();
        var full = (await owner.PostAsync($"/api/token/{id}/key", new { })).GetProperty("data").GetProperty("key").GetString()!;
        Assert.Matches("^[0-9A-Za-z]{48}$", full);
        Assert.StartsWith(masked[..4], full);
        Assert.EndsWith(masked[^4..], full);

        using var other = await gw.UserAsync("tok_other", Role.User);
        JsonAssert.Failure(await other.PostAsync($"/api/token/{id}/key", new { }));
        JsonAssert.Failure(await other.GetAsync($"/api/token/{id}"));
        Assert.Equal(0, (await other.GetAsync("/api/token/")).GetProperty("data").GetProperty("total").GetInt64());

        var batch = await owner.PostAsync("/api/token/batch/keys", new { ids = new[] { id } });
        Assert.Equal(full, batch.GetProperty("data").GetProperty("keys").GetProperty(id.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetString());
    }

    [Fact]
    public async Task KeysAreNotStoredInPlaintext()
    {
        using var owner = await gw.UserAsync("tok_plain", Role.User);
        var item = await CreateAndGetAsync(owner, new { name = "secret", unlimited_quota = true });
        var id = item.GetProperty("id").GetInt64();
        var full = (await owner.PostAsync($"/api/token/{id}/key", new { })).GetProperty("data").GetProperty("key").GetString()!;
        var db = gw.Services.GetRequiredService<SqliteDb>();
        await using var conn = await db.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT \"key\" || key_enc FROM tokens WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        var stored = (string)(await cmd.ExecuteScalarAsync())!;
        Assert.DoesNotContain(full, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_RefusesBadQuotaNamesIpsAndPastExpiry()
    {
        using var u = await gw.UserAsync("tok_valid", Role.User);
        JsonAssert.Failure(await u.PostAsync("/api/token/", new { name = "neg", remain_quota = -1 }));
        JsonAssert.Failure(await u.PostAsync("/api/token/", new { name = new string('x', 51) }));
        JsonAssert.Failure(await u.PostAsync("/api/token/", new { name = "ip", allow_ips = "not-an-ip" }));
        JsonAssert.Failure(await u.PostAsync("/api/token/", new { name = "past", expired_time = 1000 }));
        JsonAssert.Failure(await u.PostAsync("/api/token/", new { name = "huge", remain_quota = long.MaxValue }));
        var bad = await u.Http.PostAsync("/api/token/", new StringContent("{\"name\": 5", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        JsonAssert.Failure(await TestClient.ReadAsync(bad));
        JsonAssert.Success(await u.PostAsync("/api/token/", new { name = "cidr", allow_ips = "10.0.0.0/8\n192.168.1.1" }));
    }

    [Fact]
    public async Task Update_StatusOnly_AndReEnablingAnExhaustedTokenIsRefused()
    {
        using var u = await gw.UserAsync("tok_update", Role.User);
        var t = await CreateAndGetAsync(u, new { name = "upd", remain_quota = 0 });
        var id = t.GetProperty("id").GetInt64();
        var disabled = await u.PutAsync("/api/token/?status_only=1", new { id, status = 2 });
        JsonAssert.Success(disabled);
        Assert.Equal(2, disabled.GetProperty("data").GetProperty("status").GetInt32());
        JsonAssert.Failure(await u.PutAsync("/api/token/?status_only=1", new { id, status = 1 }));   // remain 0, not unlimited
        var edited = await u.PutAsync("/api/token/", new { id, name = "renamed", remain_quota = 500 });
        JsonAssert.Success(edited);
        Assert.Equal("renamed", edited.GetProperty("data").GetProperty("name").GetString());
        Assert.Equal(2, edited.GetProperty("data").GetProperty("status").GetInt32());   // a plain edit leaves status alone
        JsonAssert.Success(await u.PutAsync("/api/token/?status_only=1", new { id, status = 1 }));
    }

    [Fact]
    public async Task Search_ExactAndValidatedWildcard_AndByFullKey()
    {
        using var u = await gw.UserAsync("tok_search", Role.User);
        await CreateAndGetAsync(u, new { name = "alpha-one" });
        var beta = await CreateAndGetAsync(u, new { name = "beta-two" });
        Assert.Equal(0, (await u.GetAsync("/api/token/search?keyword=alpha")).GetProperty("data").GetProperty("total").GetInt64());
        Assert.Equal(1, (await u.GetAsync("/api/token/search?keyword=alpha-one")).GetProperty("data").GetProperty("total").GetInt64());
        Assert.Equal(1, (await u.GetAsync("/api/token/search?keyword=alph%25")).GetProperty("data").GetProperty("total").GetInt64());
        JsonAssert.Failure(await u.GetAsync("/api/token/search?keyword=%25%25"));
        JsonAssert.Failure(await u.GetAsync("/api/token/search?keyword=a%25"));
        var key = (await u.PostAsync($"/api/token/{beta.GetProperty("id").GetInt64()}/key", new { })).GetProperty("data").GetProperty("key").GetString();
        var byKey = await u.GetAsync($"/api/token/search?token=sk-{key}");
        Assert.Equal("beta-two", byKey.GetProperty("data").GetProperty("items")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Delete_AndBatchDelete_OnlyTouchOwnTokens()
    {
        using var a = await gw.UserAsync("tok_del_a", Role.User);
        using var b = await gw.UserAsync("tok_del_b", Role.User);
        var t1 = (await CreateAndGetAsync(a, new { name = "d1" })).GetProperty("id").GetInt64();
        var t2 = (await CreateAndGetAsync(a, new { name = "d2" })).GetProperty("id").GetInt64();
        JsonAssert.Failure(await b.DeleteAsync($"/api/token/{t1}"));
        Assert.Equal(0, (await b.PostAsync("/api/token/batch", new { ids = new[] { t1, t2 } })).GetProperty("data").GetInt32());
        JsonAssert.Success(await a.DeleteAsync($"/api/token/{t1}"));
        Assert.Equal(1, (await a.PostAsync("/api/token/batch", new { ids = new[] { t1, t2 } })).GetProperty("data").GetInt32());
        Assert.Equal(0, (await a.GetAsync("/api/token/")).GetProperty("data").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task PerUserCap_IsEnforced()
    {
        var root = await gw.RootAsync();
        JsonAssert.Success(await root.PutAsync("/api/option/", new { key = "token_setting.max_user_tokens", value = "2" }));
        try
        {
            using var u = await gw.UserAsync("tok_cap", Role.User);
            JsonAssert.Success(await u.PostAsync("/api/token/", new { name = "c1" }));
            JsonAssert.Success(await u.PostAsync("/api/token/", new { name = "c2" }));
            var third = await u.PostAsync("/api/token/", new { name = "c3" });
            JsonAssert.Failure(third);
            Assert.Contains("(2)", third.GetProperty("message").GetString());
        }
        finally
        {
            JsonAssert.Success(await root.PutAsync("/api/option/", new { key = "token_setting.max_user_tokens", value = "1000" }));
        }
    }

    [Fact]
    public async Task UsageToken_ReadsByKey_InNewApisShape_AndRefusesDisabledKeys()
    {
        using var u = await gw.UserAsync("tok_usage", Role.User);
        var t = await CreateAndGetAsync(u, new { name = "usage", remain_quota = 777, model_limits_enabled = true, model_limits = "gpt-4o,gpt-4o-mini" });
        var id = t.GetProperty("id").GetInt64();
        var key = (await u.PostAsync($"/api/token/{id}/key", new { })).GetProperty("data").GetProperty("key").GetString();
        using var anon = gw.Anonymous();
        anon.DefaultRequestHeaders.Add("Authorization", $"Bearer sk-{key}");
        var body = await TestClient.ReadAsync(await anon.GetAsync("/api/usage/token/"));
        Assert.True(body.GetProperty("code").GetBoolean());
        Assert.Equal("ok", body.GetProperty("message").GetString());
        var data = body.GetProperty("data");
        Assert.Equal("token_usage", data.GetProperty("object").GetString());
        Assert.Equal(777, data.GetProperty("total_available").GetInt64());
        Assert.True(data.GetProperty("model_limits").GetProperty("gpt-4o").GetBoolean());
        Assert.Equal(0, data.GetProperty("expires_at").GetInt64());

        JsonAssert.Success(await u.PutAsync("/api/token/?status_only=1", new { id, status = 2 }));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.GetAsync("/api/usage/token/")).StatusCode);
        using var nokey = gw.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await nokey.GetAsync("/api/usage/token/")).StatusCode);
    }
}
