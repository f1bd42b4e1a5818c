using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage.Logs;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

/// <summary>/api/log/self and /api/log/self/stat: own rows only, by user id, in New API's redacted user view.</summary>
public sealed class LogSelfTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private const long T = 1_700_000_000;

    private async Task InsertAsync(params LogRow[] rows)
    {
        var repo = gw.Services.GetRequiredService<LogRepository>();
        foreach (var r in rows) await repo.InsertAsync(r);
    }

    private static JsonElement Items(JsonElement body) => body.GetProperty("data").GetProperty("items");

    [Fact]
    public async Task Self_SeesOnlyOwnRows_WhateverTheQueryString()
    {
        using var me = await gw.UserAsync("self_me");
        using var other = await gw.UserAsync("self_other");
        await InsertAsync(
            new LogRow { UserId = me.UserId, Username = "self_me", CreatedAt = T, Type = LogType.Consume, TokenName = "t", ChannelId = 3, Quota = 1 },
            new LogRow { UserId = other.UserId, Username = "self_other", CreatedAt = T + 1, Type = LogType.Consume, TokenName = "t", ChannelId = 3, Quota = 50 },
            // A row written under the caller's name but another id (a renamed or re-created account) is not the caller's.
            new LogRow { UserId = other.UserId, Username = "self_me", CreatedAt = T + 2, Type = LogType.Consume, TokenName = "t", Quota = 70 });
        // type=2: the login itself wrote a login row for the caller.
        foreach (var query in new[] { "?type=2", "?type=2&username=self_other", "?type=2&username=self_%25", "?type=2&channel=3", $"?type=2&user_id={other.UserId}" })
        {
            var body = await me.GetAsync("/api/log/self" + query);
            JsonAssert.Success(body);
            Assert.Equal(1, body.GetProperty("data").GetProperty("total").GetInt64());
            Assert.Equal(me.UserId, Items(body)[0].GetProperty("user_id").GetInt64());
            var stat = (await me.GetAsync("/api/log/self/stat" + query)).GetProperty("data");
            Assert.Equal(1, stat.GetProperty("quota").GetInt64());
        }
    }

    /// <summary>NewApi: New API's self stat filtered by username LIKE, so a user named "x%" summed other users' quota.</summary>
    [Fact]
    public async Task SelfStat_UsernameWithWildcard_DoesNotSumOtherUsers()
    {
        using var sly = await gw.UserAsync("leak%");
        using var victim = await gw.UserAsync("leakvictim");
        await InsertAsync(
            new LogRow { UserId = sly.UserId, Username = "leak%", CreatedAt = T, Type = LogType.Consume, Quota = 2 },
            new LogRow { UserId = victim.UserId, Username = "leakvictim", CreatedAt = T, Type = LogType.Consume, Quota = 9_999 });
        var stat = (await sly.GetAsync("/api/log/self/stat")).GetProperty("data");
        Assert.Equal(2, stat.GetProperty("quota").GetInt64());
        Assert.Equal(1, (await sly.GetAsync("/api/log/self?type=2")).GetProperty("data").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Self_RedactsAdminFields_AndNumbersRowsByPosition()
    {
        using var me = await gw.UserAsync("self_view");
        const string other = """{"model_ratio":1.5,"admin_info":{"use_channel":["3"]},"audit_info":{"path":"/x"},"stream_status":{"status":"ok"},"frt":120,"note":"模型"}""";
        await InsertAsync(Enumerable.Range(0, 25).Select(i => new LogRow
        {
            UserId = me.UserId, Username = "self_view", CreatedAt = T + i, Type = LogType.Consume, ChannelId = 5, TokenName = "v",
            Other = i == 24 ? other : i == 23 ? "" : "not json",
        }).ToArray());
        var page1 = await me.GetAsync("/api/log/self?page_size=10&token_name=v");
        Assert.Equal(25, page1.GetProperty("data").GetProperty("total").GetInt64());
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), Items(page1).EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        var newest = Items(page1)[0];
        Assert.Equal(T + 24, newest.GetProperty("created_at").GetInt64());
        Assert.Equal("", newest.GetProperty("channel_name").GetString());
        Assert.Equal(5, newest.GetProperty("channel").GetInt64());
        var redacted = JsonDocument.Parse(newest.GetProperty("other").GetString()!).RootElement;
        Assert.Equal(["model_ratio", "frt", "note"], redacted.EnumerateObject().Select(p => p.Name));
        Assert.Equal("模型", redacted.GetProperty("note").GetString());
        Assert.Equal("null", Items(page1)[1].GetProperty("other").GetString());   // New API re-encodes a non-object as null
        Assert.Equal("null", Items(page1)[2].GetProperty("other").GetString());

        var page3 = await me.GetAsync("/api/log/self?p=3&page_size=10&token_name=v");
        Assert.Equal([21L, 22, 23, 24, 25], Items(page3).EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal(T, Items(page3)[4].GetProperty("created_at").GetInt64());
    }

    [Fact]
    public async Task Self_FiltersByTypeTimeTokenModelGroupAndRequestIds()
    {
        using var me = await gw.UserAsync("self_filters");
        await InsertAsync(
            new LogRow { UserId = me.UserId, CreatedAt = T + 1, Type = LogType.Consume, TokenName = "a", ModelName = "gpt-4o", Group = "g", RequestId = "q1", UpstreamRequestId = "u1" },
            new LogRow { UserId = me.UserId, CreatedAt = T + 2, Type = LogType.Error, TokenName = "b", ModelName = "gpt-4o-mini", Group = "h", RequestId = "q2" },
            new LogRow { UserId = me.UserId, CreatedAt = T + 3, Type = LogType.Consume, TokenName = "a", ModelName = "claude", Group = "g", RequestId = "q3" });
        async Task<long[]> Times(string q) => Items(await me.GetAsync("/api/log/self?" + q)).EnumerateArray()
            .Select(i => i.GetProperty("created_at").GetInt64() - T).ToArray();
        Assert.Equal(new long[] { 3, 1 }, await Times("type=2"));
        Assert.Equal(new long[] { 2 }, await Times($"start_timestamp={T + 2}&end_timestamp={T + 2}"));
        Assert.Equal(new long[] { 3, 1 }, await Times("token_name=a"));
        Assert.Equal(new long[] { 1 }, await Times("model_name=gpt-4o"));
        Assert.Equal(new long[] { 2, 1 }, await Times("model_name=gpt%25"));
        Assert.Equal(new long[] { 2 }, await Times("group=h"));
        Assert.Equal(new long[] { 3 }, await Times("request_id=q3"));
        Assert.Equal(new long[] { 1 }, await Times("upstream_request_id=u1"));
        var bad = await me.GetAsync("/api/log/self?model_name=%25%25");
        JsonAssert.Failure(bad);
    }

    [Fact]
    public async Task SelfStat_ShapeAndRpm()
    {
        using var me = await gw.UserAsync("self_stat");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await InsertAsync(
            new LogRow { UserId = me.UserId, CreatedAt = now - 10, Type = LogType.Consume, Quota = 7, PromptTokens = 3, CompletionTokens = 4, TokenName = "k" },
            new LogRow { UserId = me.UserId, CreatedAt = now - 10, Type = LogType.Error, Quota = 100, TokenName = "k" },
            new LogRow { UserId = me.UserId, CreatedAt = T, Type = LogType.Consume, Quota = 5, TokenName = "j" });
        var body = await me.GetAsync("/api/log/self/stat");
        JsonAssert.Success(body);
        Assert.Equal(["quota", "rpm", "tpm"], body.GetProperty("data").EnumerateObject().Select(p => p.Name));
        Assert.Equal(12, body.GetProperty("data").GetProperty("quota").GetInt64());
        Assert.Equal(1, body.GetProperty("data").GetProperty("rpm").GetInt64());
        Assert.Equal(7, body.GetProperty("data").GetProperty("tpm").GetInt64());
        Assert.Equal(5, (await me.GetAsync("/api/log/self/stat?token_name=j")).GetProperty("data").GetProperty("quota").GetInt64());
    }
}
