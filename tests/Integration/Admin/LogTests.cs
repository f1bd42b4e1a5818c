using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage.Channels;
using NewApi.Storage.Logs;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

/// <summary>/api/log/ (admin list), its filters and row shape, the stat routes, deprecated search and deletion.</summary>
public sealed class LogTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private const long T = 1_700_000_000;

    private async Task InsertAsync(params LogRow[] rows)
    {
        var repo = gw.Services.GetRequiredService<LogRepository>();
        foreach (var r in rows) await repo.InsertAsync(r);
    }

    private static long[] Ids(JsonElement body) =>
        body.GetProperty("data").GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToArray();

    private static long Total(JsonElement body) => body.GetProperty("data").GetProperty("total").GetInt64();

    private async Task<long[]> RowIdsAsync(string tokenName)
    {
        var root = await gw.RootAsync();
        return Ids(await root.GetAsync($"/api/log/?token_name={tokenName}&page_size=100"));
    }

    [Fact]
    public async Task List_RowShapeAndChannelName_AsNewApi()
    {
        var channels = gw.Services.GetRequiredService<ChannelRepository>();
        var channelId = (await channels.InsertManyAsync([new ChannelRow { Name = "shape-channel", Models = "m", Type = ChannelType.OpenAI }]))[0];
        await InsertAsync(
            new LogRow { UserId = 7, CreatedAt = T, Type = LogType.Consume, Content = "c", Username = "u7", TokenName = "shape", ModelName = "m",
                Quota = 3, PromptTokens = 4, CompletionTokens = 5, UseTime = 6, IsStream = true, ChannelId = channelId, TokenId = 8, Group = "g",
                Ip = "1.2.3.4", RequestId = "rid", UpstreamRequestId = "uid", Other = "{\"admin_info\":{\"x\":1}}" },
            new LogRow { UserId = 7, CreatedAt = T - 1, Type = LogType.Error, Username = "u7", TokenName = "shape", ChannelId = 999_999 });
        var root = await gw.RootAsync();
        var body = await root.GetAsync("/api/log/?token_name=shape");
        JsonAssert.Success(body);
        var data = body.GetProperty("data");
        Assert.Equal(1, data.GetProperty("page").GetInt32());
        Assert.Equal(10, data.GetProperty("page_size").GetInt32());
        Assert.Equal(2, data.GetProperty("total").GetInt64());
        var first = data.GetProperty("items")[0];
        Assert.Equal(["id", "user_id", "created_at", "type", "content", "username", "token_name", "model_name", "quota", "prompt_tokens",
            "completion_tokens", "use_time", "is_stream", "channel", "channel_name", "token_id", "group", "ip", "request_id",
            "upstream_request_id", "other"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(channelId, first.GetProperty("channel").GetInt64());
        Assert.Equal("shape-channel", first.GetProperty("channel_name").GetString());
        Assert.Equal("{\"admin_info\":{\"x\":1}}", first.GetProperty("other").GetString());   // admins see other as stored
        Assert.True(first.GetProperty("is_stream").GetBoolean());
        var second = data.GetProperty("items")[1];
        Assert.False(second.TryGetProperty("request_id", out _));              // omitempty, as New API
        Assert.False(second.TryGetProperty("upstream_request_id", out _));
        Assert.Equal("", second.GetProperty("channel_name").GetString());      // channel gone
    }

    [Fact]
    public async Task List_EveryFilter_WithNewApiSemantics()
    {
        LogRow Row(long at, LogType type, string user, string model, long channel, string group, string rid) => new()
        {
            CreatedAt = at, Type = type, Username = user, UserId = 100, TokenName = "flt", ModelName = model, ChannelId = channel, Group = group,
            RequestId = rid, UpstreamRequestId = "up-" + rid, Quota = 1,
        };
        await InsertAsync(
            Row(T + 10, LogType.Consume, "fa_1", "gpt-4o", 1, "default", "r1"),
            Row(T + 20, LogType.Error, "fa_2", "gpt-4o-mini", 2, "vip", "r2"),
            Row(T + 30, LogType.Consume, "fb%x", "claude", 1, "vip", "r3"),
            Row(T + 30, LogType.Topup, "faa1", "claude", 3, "default", "r4"),
            Row(T + 40, LogType.Consume, "fa_1", "gpt-4o", 2, "default", "r5"));
        var all = await RowIdsAsync("flt");
        Assert.Equal(5, all.Length);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First != p.Second));
        var root = await gw.RootAsync();
        async Task<string[]> Rids(string query) =>
            (await root.GetAsync("/api/log/?token_name=flt&page_size=100&" + query)).GetProperty("data").GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("request_id").GetString()!).ToArray();

        Assert.Equal(["r5", "r4", "r3", "r2", "r1"], await Rids(""));                              // created_at desc, id desc
        Assert.Equal(["r5", "r3", "r1"], await Rids("type=2"));
        Assert.Equal(["r5", "r4", "r3", "r2", "r1"], await Rids("type=0"));                        // 0 = all
        Assert.Equal(["r4", "r3", "r2"], await Rids($"start_timestamp={T + 20}&end_timestamp={T + 30}"));   // inclusive
        Assert.Equal(["r5", "r1"], await Rids("username=fa_1"));
        Assert.Empty(await Rids("username=fa1"));                                                  // '_' is literal in exact match
        Assert.Equal(["r5", "r2", "r1"], await Rids("username=fa_%25"));                           // '_' escaped in LIKE too
        Assert.Equal(["r3"], await Rids("username=fb%25x"));
        Assert.Equal(["r5", "r1"], await Rids("model_name=gpt-4o"));
        Assert.Equal(["r5", "r2", "r1"], await Rids("model_name=gpt-4o%25"));
        Assert.Equal(["r5", "r2"], await Rids("channel=2"));
        Assert.Equal(["r3", "r2"], await Rids("group=vip"));
        Assert.Equal(["r2"], await Rids("request_id=r2"));
        Assert.Equal(["r4"], await Rids("upstream_request_id=up-r4"));
        Assert.Equal(["r5", "r1"], await Rids("type=2&group=default&model_name=gpt%25"));
        Assert.Equal(["r5", "r4", "r3", "r2", "r1"], await Rids("type=abc&channel=x"));            // unparsable numbers = no filter

        var page2 = await root.GetAsync("/api/log/?token_name=flt&p=2&page_size=2");
        Assert.Equal(5, Total(page2));
        Assert.Equal(2, page2.GetProperty("data").GetProperty("page").GetInt32());
        Assert.Equal(all.Skip(2).Take(2), Ids(page2));
        Assert.Empty(Ids(await root.GetAsync("/api/log/?token_name=flt&p=9&page_size=2")));
    }

    [Theory]
    [InlineData("model_name=%25%25ab", "搜索模式无效")]
    [InlineData("model_name=%25a%25b%25", "搜索模式无效")]
    [InlineData("username=%25a", "搜索关键词过短")]
    public async Task List_InvalidLikePattern_IsRefused(string query, string message)
    {
        var root = await gw.RootAsync();
        var body = await root.GetAsync("/api/log/?" + query);
        JsonAssert.Failure(body);
        Assert.Equal(message, body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Stat_SumsConsumeQuotaOverFilters_RpmTpmOverLastMinute()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await InsertAsync(
            new LogRow { CreatedAt = T + 5, Type = LogType.Consume, Username = "st", TokenName = "stat", ModelName = "m1", Quota = 100, Group = "g1" },
            new LogRow { CreatedAt = T + 6, Type = LogType.Topup, Username = "st", TokenName = "stat", Quota = 10_000 },
            new LogRow { CreatedAt = T + 7, Type = LogType.Consume, Username = "st", TokenName = "stat", ModelName = "m2", Quota = 20, ChannelId = 4 },
            new LogRow { CreatedAt = now - 5, Type = LogType.Consume, Username = "st", TokenName = "stat", ModelName = "m1", Quota = 3,
                PromptTokens = 10, CompletionTokens = 5 },
            new LogRow { CreatedAt = now - 500, Type = LogType.Consume, Username = "st", TokenName = "stat", ModelName = "m1", Quota = 4,
                PromptTokens = 1000 });
        var root = await gw.RootAsync();
        async Task<(long Quota, long Rpm, long Tpm)> Stat(string q)
        {
            var body = await root.GetAsync("/api/log/stat?token_name=stat&" + q);
            JsonAssert.Success(body);
            var d = body.GetProperty("data");
            Assert.Equal(["quota", "rpm", "tpm"], d.EnumerateObject().Select(p => p.Name));
            return (d.GetProperty("quota").GetInt64(), d.GetProperty("rpm").GetInt64(), d.GetProperty("tpm").GetInt64());
        }
        Assert.Equal((127, 1, 15), await Stat(""));
        Assert.Equal((127, 1, 15), await Stat("type=1"));                          // type is ignored: consume only
        Assert.Equal((120, 1, 15), await Stat($"start_timestamp={T}&end_timestamp={T + 100}"));  // rpm/tpm ignore the range
        Assert.Equal((107, 1, 15), await Stat("model_name=m1"));
        Assert.Equal((20, 0, 0), await Stat("channel=4"));
        Assert.Equal((100, 0, 0), await Stat("group=g1"));
        Assert.Equal((127, 1, 15), await Stat("username=st"));
        Assert.Equal((0, 0, 0), await Stat("username=nobody"));
    }

    [Fact]
    public async Task Search_IsDeprecated_ForAdminAndUser()
    {
        var root = await gw.RootAsync();
        using var user = await gw.UserAsync("search_user");
        foreach (var body in new[] { await root.GetAsync("/api/log/search?keyword=1"), await user.GetAsync("/api/log/self/search?keyword=1") })
        {
            JsonAssert.Failure(body);
            Assert.Equal("该接口已废弃", body.GetProperty("message").GetString());
            Assert.False(body.TryGetProperty("data", out _));
        }
    }

    [Fact]
    public async Task Delete_RootOnly_RemovesOlderRowsAndKeepsCountsExact()
    {
        const long Old = 1_500_000_000;
        await InsertAsync(Enumerable.Range(0, 1234).Select(i => new LogRow
        {
            CreatedAt = Old + i * 60, Type = LogType.Consume, Username = "del", TokenName = "del", Quota = 1,
        }).ToArray());
        var root = await gw.RootAsync();
        var missing = await root.DeleteAsync("/api/log/");
        JsonAssert.Failure(missing);
        Assert.Equal("target timestamp is required", missing.GetProperty("message").GetString());
        using var admin = await gw.UserAsync("del_admin", Role.Admin);
        JsonAssert.Failure(await admin.DeleteAsync($"/api/log/?target_timestamp={Old + 1000 * 60}"));
        Assert.Equal(1234, Total(await root.GetAsync("/api/log/?token_name=del")));

        var deleted = await root.DeleteAsync($"/api/log/?target_timestamp={Old + 1000 * 60}");
        JsonAssert.Success(deleted);
        Assert.Equal(1000, deleted.GetProperty("data").GetInt64());
        Assert.Equal(234, Total(await root.GetAsync("/api/log/?token_name=del")));
        Assert.Equal(234, (await root.GetAsync("/api/log/stat?token_name=del")).GetProperty("data").GetProperty("quota").GetInt64());
        var rest = await root.GetAsync("/api/log/?token_name=del&p=24&page_size=10");
        Assert.Equal(4, Ids(rest).Length);
        Assert.Equal(Old + 1000 * 60, rest.GetProperty("data").GetProperty("items")[3].GetProperty("created_at").GetInt64());
    }

    [Fact]
    public async Task List_AnonymousAndUser_AreRefused()
    {
        using var anon = gw.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.GetAsync("/api/log/")).StatusCode);
        using var user = await gw.UserAsync("list_user");
        JsonAssert.Failure(await user.GetAsync("/api/log/"));
        JsonAssert.Failure(await user.GetAsync("/api/log/stat"));
    }
}
