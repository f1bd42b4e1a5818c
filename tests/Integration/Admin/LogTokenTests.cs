using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage.Logs;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

/// <summary>GET /api/log/token: an API key reads its own latest rows, user view, with CORS.</summary>
public sealed class LogTokenTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private async Task<(long Id, string Key)> CreateTokenAsync(TestClient owner, string name)
    {
        JsonAssert.Success(await owner.PostAsync("/api/token/", new { name, unlimited_quota = true }));
        var item = (await owner.GetAsync("/api/token/?p=1&page_size=1")).GetProperty("data").GetProperty("items")[0];
        var id = item.GetProperty("id").GetInt64();
        var key = (await owner.PostAsync($"/api/token/{id}/key", new { })).GetProperty("data").GetProperty("key").GetString()!;
        return (id, key);
    }

    private async Task<HttpResponseMessage> GetAsync(string? bearer)
    {
        using var anon = gw.Anonymous();
        using var req = new HttpRequestMessage(HttpMethod.Get, "/api/log/token");
        if (bearer is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        req.Headers.Add("Origin", "https://example.com");
        return await anon.SendAsync(req);
    }

    [Fact]
    public async Task Key_ReadsItsLatestRows_InTheUserView()
    {
        using var owner = await gw.UserAsync("logtoken_owner");
        var (id, key) = await CreateTokenAsync(owner, "reader");
        var (otherId, _) = await CreateTokenAsync(owner, "other");
        var repo = gw.Services.GetRequiredService<LogRepository>();
        for (var i = 0; i < 3; i++)
            await repo.InsertAsync(new LogRow { UserId = owner.UserId, TokenId = id, CreatedAt = 1_700_000_000 + i, Type = LogType.Consume,
                Quota = i, ChannelId = 2, Other = "{\"admin_info\":{},\"frt\":1}" });
        await repo.InsertAsync(new LogRow { UserId = owner.UserId, TokenId = otherId, CreatedAt = 1_700_000_100, Type = LogType.Consume });

        using var resp = await GetAsync("sk-" + key);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("*", resp.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var body = await TestClient.ReadAsync(resp);
        JsonAssert.Success(body);
        Assert.Equal("", body.GetProperty("message").GetString());
        var rows = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([1L, 2, 3], rows.Select(r => r.GetProperty("id").GetInt64()));          // display sequence
        Assert.Equal([2L, 1, 0], rows.Select(r => r.GetProperty("quota").GetInt64()));       // newest first
        Assert.All(rows, r => Assert.Equal("{\"frt\":1}", r.GetProperty("other").GetString()));
        Assert.All(rows, r => Assert.Equal("", r.GetProperty("channel_name").GetString()));
    }

    [Fact]
    public async Task Key_Missing_Unknown_OrDisabled_Is401()
    {
        using var owner = await gw.UserAsync("logtoken_disabled");
        var (id, key) = await CreateTokenAsync(owner, "off");
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("sk-" + new string('x', 48))).StatusCode);
        JsonAssert.Success(await owner.PutAsync("/api/token/?status_only=1", new { id, status = (int)TokenStatus.Disabled }));
        using var resp = await GetAsync("sk-" + key);
        Assert.Equal(HttpStatusCode.Unauthorized, resp.StatusCode);
        JsonAssert.Failure(await TestClient.ReadAsync(resp));
    }
}
