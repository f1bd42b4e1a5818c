using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage.Channels;
using NewApi.Storage.QuotaData;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

/// <summary>/api/data/*: dashboard aggregates over quota_data, in New API's row shapes.</summary>
public sealed class DataTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private static readonly string[] QuotaDataKeys =
        ["id", "user_id", "username", "model_name", "created_at", "use_group", "token_id", "channel_id", "node_name", "token_used", "count", "quota"];

    private Task AddAsync(params QuotaDataRow[] rows) => gw.Services.GetRequiredService<QuotaDataRepository>().AddAsync(rows);

    private static List<JsonElement> Rows(JsonElement body)
    {
        JsonAssert.Success(body);
        return body.GetProperty("data").EnumerateArray().ToList();
    }

    private static string Key(JsonElement r, params string[] names) =>
        string.Join("|", names.Select(n => r.TryGetProperty(n, out var v) ? v.ToString() : "-"));

    [Fact]
    public async Task All_PerModelAndHour_OrPerUserModelHourForAUsername()
    {
        const long H = 1_700_002_800;   // an hour boundary
        await AddAsync(
            new QuotaDataRow { UserId = 1, Username = "alice", ModelName = "gpt", CreatedAt = H + 5, UseGroup = "default", TokenId = 1, ChannelId = 1, Count = 2, Quota = 10, TokenUsed = 100 },
            new QuotaDataRow { UserId = 2, Username = "bob", ModelName = "gpt", CreatedAt = H, UseGroup = "vip", TokenId = 2, ChannelId = 2, Count = 1, Quota = 5, TokenUsed = 50 },
            new QuotaDataRow { UserId = 1, Username = "alice", ModelName = "claude", CreatedAt = H, UseGroup = "default", TokenId = 1, ChannelId = 1, Count = 1, Quota = 3, TokenUsed = 30 },
            new QuotaDataRow { UserId = 1, Username = "alice", ModelName = "gpt", CreatedAt = H + 3600, UseGroup = "default", TokenId = 1, ChannelId = 1, Count = 4, Quota = 40, TokenUsed = 400 },
            new QuotaDataRow { UserId = 1, Username = "alice", ModelName = "gpt", CreatedAt = H, UseGroup = "", TokenId = 1, ChannelId = 1, Count = 1, Quota = 1, TokenUsed = 10 });
        // The same bucket again adds up (the relay's flush is additive).
        await AddAsync(new QuotaDataRow { UserId = 1, Username = "alice", ModelName = "gpt", CreatedAt = H, UseGroup = "default", TokenId = 1, ChannelId = 1, Count = 1, Quota = 1, TokenUsed = 1 });
        var root = await gw.RootAsync();

        var all = Rows(await root.GetAsync($"/api/data/?start_timestamp={H}&end_timestamp={H + 3600}"));
        Assert.All(all, r => Assert.Equal(QuotaDataKeys, r.EnumerateObject().Select(p => p.Name)));
        Assert.Equal([$"claude|{H}|1|3|30", $"gpt|{H}|5|17|161", $"gpt|{H + 3600}|4|40|400"],
            all.Select(r => Key(r, "model_name", "created_at", "count", "quota", "token_used")));
        Assert.All(all, r => Assert.Equal("0|||0", Key(r, "user_id", "username", "use_group", "channel_id")));
        Assert.Equal(2, Rows(await root.GetAsync($"/api/data/?start_timestamp={H}&end_timestamp={H}")).Count);   // end inclusive
        Assert.Empty(Rows(await root.GetAsync("/api/data/")));                                                   // 0..0

        var alice = Rows(await root.GetAsync($"/api/data/?start_timestamp={H}&end_timestamp={H + 3600}&username=alice"));
        Assert.Equal([$"1|alice|claude|{H}|1|3", $"1|alice|gpt|{H}|4|12", $"1|alice|gpt|{H + 3600}|4|40"],
            alice.Select(r => Key(r, "user_id", "username", "model_name", "created_at", "count", "quota")));

        var users = Rows(await root.GetAsync($"/api/data/users?start_timestamp={H}&end_timestamp={H + 3600}"));
        Assert.Equal([$"alice|{H}|5|15", $"bob|{H}|1|5", $"alice|{H + 3600}|4|40"],
            users.Select(r => Key(r, "username", "created_at", "count", "quota")));
        Assert.All(users, r => Assert.Equal("", r.GetProperty("model_name").GetString()));
    }

    [Fact]
    public async Task Self_OwnRowsOnly_WithinThirtyDays()
    {
        const long H = 1_710_000_000 - 1_710_000_000 % 3600;
        using var me = await gw.UserAsync("data_self");
        await AddAsync(
            new QuotaDataRow { UserId = me.UserId, Username = "data_self", ModelName = "m", CreatedAt = H, UseGroup = "g", Count = 2, Quota = 8 },
            new QuotaDataRow { UserId = me.UserId, Username = "data_self", ModelName = "m", CreatedAt = H, UseGroup = "h", ChannelId = 3, Count = 1, Quota = 2 },
            new QuotaDataRow { UserId = me.UserId + 1000, Username = "someone", ModelName = "m", CreatedAt = H, Count = 9, Quota = 90 });
        var rows = Rows(await me.GetAsync($"/api/data/self?start_timestamp={H}&end_timestamp={H + 2592000}"));
        Assert.Equal([$"{me.UserId}|data_self|m|{H}|3|10"], rows.Select(r => Key(r, "user_id", "username", "model_name", "created_at", "count", "quota")));
        var tooLong = await me.GetAsync($"/api/data/self?start_timestamp={H}&end_timestamp={H + 2592001}");
        JsonAssert.Failure(tooLong);
        Assert.Equal("时间跨度不能超过 1 个月", tooLong.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Flow_ShapesPerRole_BiggestQuotaFirst()
    {
        const long H = 1_720_000_800;
        using var admin = await gw.UserAsync("data_admin", Role.Admin);
        using var owner = await gw.UserAsync("data_flow");
        JsonAssert.Success(await owner.PostAsync("/api/token/", new { name = "flow-key", unlimited_quota = true }));
        var tokenId = (await owner.GetAsync("/api/token/")).GetProperty("data").GetProperty("items")[0].GetProperty("id").GetInt64();
        var channelId = (await gw.Services.GetRequiredService<ChannelRepository>().InsertManyAsync([new ChannelRow { Name = "flow-ch", Models = "m" }]))[0];
        await AddAsync(
            new QuotaDataRow { UserId = owner.UserId, Username = "data_flow", ModelName = "m1", CreatedAt = H, UseGroup = "default", TokenId = tokenId, ChannelId = channelId, NodeName = "n1", Count = 1, Quota = 5, TokenUsed = 7 },
            new QuotaDataRow { UserId = owner.UserId, Username = "data_flow", ModelName = "m1", CreatedAt = H + 3600, UseGroup = "default", TokenId = tokenId, ChannelId = channelId, NodeName = "n1", Count = 2, Quota = 6, TokenUsed = 8 },
            new QuotaDataRow { UserId = owner.UserId, Username = "data_flow", ModelName = "m2", CreatedAt = H, UseGroup = "vip", TokenId = 777_777, ChannelId = 888_888, Count = 1, Quota = 50, TokenUsed = 1 },
            new QuotaDataRow { UserId = owner.UserId, Username = "data_flow", ModelName = "m3", CreatedAt = H, UseGroup = "", TokenId = tokenId, Count = 1, Quota = 1000 });
        var range = $"start_timestamp={H}&end_timestamp={H + 7200}";

        var asAdmin = Rows(await admin.GetAsync($"/api/data/flow?{range}&username=data_flow"));
        Assert.Equal(["user_id", "username", "use_group", "channel_id", "channel_name", "model_name", "token_used", "count", "quota"],
            asAdmin[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["vip|m2|channel-888888|50", "default|m1|flow-ch|11"], asAdmin.Select(r => Key(r, "use_group", "model_name", "channel_name", "quota")));

        var root = await gw.RootAsync();
        var asRoot = Rows(await root.GetAsync($"/api/data/flow?{range}&username=data_flow"));
        Assert.Equal(["user_id", "username", "node_name", "token_id", "token_name", "use_group", "channel_id", "channel_name", "model_name", "token_used", "count", "quota"],
            asRoot[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal($"-|777777|-", Key(asRoot[0], "node_name", "token_id", "token_name"));   // deleted token: id without name
        Assert.Equal($"n1|{tokenId}|flow-key", Key(asRoot[1], "node_name", "token_id", "token_name"));

        var mine = Rows(await owner.GetAsync($"/api/data/flow/self?{range}"));
        Assert.Equal(["token_id", "use_group", "model_name", "token_used", "count", "quota"], mine[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["token_id", "token_name", "use_group", "model_name", "token_used", "count", "quota"], mine[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["vip|m2|50|1", "default|m1|11|3"], mine.Select(r => Key(r, "use_group", "model_name", "quota", "count")));
    }

    [Theory]
    [InlineData("", "invalid start_timestamp")]
    [InlineData("start_timestamp=10", "invalid end_timestamp")]
    [InlineData("start_timestamp=10&end_timestamp=abc", "invalid end_timestamp")]
    [InlineData("start_timestamp=10&end_timestamp=9", "invalid time range")]
    [InlineData("start_timestamp=1&end_timestamp=2592002", "时间跨度不能超过 1 个月")]
    public async Task FlowSelf_ValidatesTheRange(string query, string message)
    {
        using var me = await gw.UserAsync("flow_range_" + Math.Abs(query.GetHashCode(StringComparison.Ordinal)));
        var body = await me.GetAsync("/api/data/flow/self?" + query);
        JsonAssert.Failure(body);
        Assert.Equal(message, body.GetProperty("message").GetString());
    }
}
