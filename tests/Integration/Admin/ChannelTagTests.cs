using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage.Channels;
using NewApi.Storage.Options;
using NewApi.Tests.Support;
using static NewApi.Tests.Integration.Admin.ChannelTestKit;

namespace NewApi.Tests.Integration.Admin;

public sealed class ChannelTagTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private async Task<TestClient> AdminAsync() => await gw.UserAsync("tag_admin_" + Guid.NewGuid().ToString("N")[..8], Role.Admin);

    [Fact]
    public async Task TagEnableDisable_TogglesEveryChannelOfTheTagAndTheirRoutes()
    {
        using var admin = await AdminAsync();
        var a = await CreateAsync(admin, "tg-a", "k-tg-a", new JsonObject { ["tag"] = "team-red", ["models"] = "tg-m" });
        var b = await CreateAsync(admin, "tg-b", "k-tg-b", new JsonObject { ["tag"] = "team-red", ["models"] = "tg-m" });
        var other = await CreateAsync(admin, "tg-c", "k-tg-c", new JsonObject { ["tag"] = "team-blue", ["models"] = "tg-m" });

        JsonAssert.Success(await admin.PostAsync("/api/channel/tag/disabled", new { tag = "team-red" }));
        Assert.Equal([other], Routed(gw, "default", "tg-m"));
        Assert.Equal(2, (await GetAsync(admin, a)).GetProperty("status").GetInt32());
        JsonAssert.Success(await admin.PostAsync("/api/channel/tag/enabled", new { tag = "team-red" }));
        Assert.Equal([a, b, other], Routed(gw, "default", "tg-m").Order().ToList());
        var missing = await admin.PostAsync("/api/channel/tag/enabled", new { tag = "" });
        JsonAssert.Failure(missing);
        Assert.Equal("参数错误", missing.GetProperty("message").GetString());
    }

    [Fact]
    public async Task EditTag_RewritesFieldsAndRebuildsAbilities()
    {
        using var admin = await AdminAsync();
        var a = await CreateAsync(admin, "et-a", "k-et-a", new JsonObject { ["tag"] = "edit-me", ["models"] = "et-old" });
        var b = await CreateAsync(admin, "et-b", "k-et-b", new JsonObject { ["tag"] = "edit-me", ["models"] = "et-old" });
        var body = new { tag = "edit-me", new_tag = "edited", priority = 3, weight = 4, models = "et-new1,et-new2", groups = "default,vip",
            model_mapping = "{\"et-new1\":\"upstream-1\"}", param_override = "{\"temperature\":0}" };
        JsonAssert.Success(await admin.PutAsync("/api/channel/tag", body));
        var row = await GetAsync(admin, a);
        Assert.Equal("edited", row.GetProperty("tag").GetString());
        Assert.Equal(3, row.GetProperty("priority").GetInt64());
        Assert.Equal(4, row.GetProperty("weight").GetInt64());
        Assert.Equal("default,vip", row.GetProperty("group").GetString());
        Assert.Empty(Routed(gw, "default", "et-old"));
        Assert.Equal([a, b], Routed(gw, "vip", "et-new2").Order().ToList());
        var tier = gw.Services.GetRequiredService<ChannelCache>().Current.Find("default", "et-new1")[0];
        Assert.Equal(3, tier.Priority);
        var abilities = await gw.Services.GetRequiredService<ChannelRepository>().ListAbilitiesAsync();
        Assert.All(abilities.Where(x => x.ChannelId == a), x => Assert.Equal("edited", x.Tag));

        JsonAssert.Failure(await admin.PutAsync("/api/channel/tag", new { tag = "" }));
        var bad = await admin.PutAsync("/api/channel/tag", new { tag = "edited", header_override = "{nope" });
        Assert.Equal("请求头覆盖必须是合法的 JSON 格式", bad.GetProperty("message").GetString());
    }

    [Fact]
    public async Task BatchTag_SetsAndClearsTags_TagModelsReturnsTheLongestList()
    {
        using var admin = await AdminAsync();
        var a = await CreateAsync(admin, "bt-a", "k-bt-a", new JsonObject { ["models"] = "x1,x2,x3" });
        var b = await CreateAsync(admin, "bt-b", "k-bt-b", new JsonObject { ["models"] = "x1" });
        var set = await admin.PostAsync("/api/channel/batch/tag", new { ids = new[] { a, b }, tag = "bt" });
        Assert.Equal(2, set.GetProperty("data").GetInt32());
        Assert.Equal("x1,x2,x3", (await admin.GetAsync("/api/channel/tag/models?tag=bt")).GetProperty("data").GetString());
        var abilities = await gw.Services.GetRequiredService<ChannelRepository>().ListAbilitiesAsync();
        Assert.All(abilities.Where(x => x.ChannelId == b), x => Assert.Equal("bt", x.Tag));

        JsonAssert.Success(await admin.PostAsync("/api/channel/batch/tag", new { ids = new[] { b }, tag = (string?)null }));
        Assert.Equal(JsonValueKind.Null, (await GetAsync(admin, b)).GetProperty("tag").ValueKind);
        JsonAssert.Failure(await admin.PostAsync("/api/channel/batch/tag", new { ids = Array.Empty<long>(), tag = "x" }));
        var noTag = await admin.Http.GetAsync("/api/channel/tag/models");
        Assert.Equal(HttpStatusCode.BadRequest, noTag.StatusCode);
        JsonAssert.Failure(await TestClient.ReadAsync(noTag));
    }

    [Fact]
    public async Task Fix_RebuildsLostAbilities()
    {
        using var admin = await AdminAsync();
        var id = await CreateAsync(admin, "fix-a", "k-fix", new JsonObject { ["models"] = "fix-m" });
        var db = gw.Services.GetRequiredService<NewApi.Storage.SqliteDb>();
        await db.WriteAsync((conn, tx) => NewApi.Storage.SqlExtensions.ExecuteAsync(conn, "DELETE FROM abilities WHERE channel_id = $id", tx, default, ("$id", id)));
        await gw.Services.GetRequiredService<ChannelCache>().RefreshAsync();
        Assert.Empty(Routed(gw, "default", "fix-m"));
        var fixedBody = await admin.PostAsync("/api/channel/fix", new { });
        JsonAssert.Success(fixedBody);
        Assert.True(fixedBody.GetProperty("data").GetProperty("success").GetInt32() >= 1);
        Assert.Equal(0, fixedBody.GetProperty("data").GetProperty("fails").GetInt32());
        Assert.Equal([id], Routed(gw, "default", "fix-m"));
    }

    [Fact]
    public async Task ModelLists_CatalogueEnabledModelsAndOps()
    {
        using var admin = await AdminAsync();
        var catalogue = (await admin.GetAsync("/api/channel/models")).GetProperty("data");
        var gpt = catalogue.EnumerateArray().First(m => m.GetProperty("id").GetString() == "gpt-4o");
        Assert.Equal("model", gpt.GetProperty("object").GetString());
        Assert.Equal(1626777600, gpt.GetProperty("created").GetInt64());
        Assert.Equal("openai", gpt.GetProperty("owned_by").GetString());
        Assert.Contains(catalogue.EnumerateArray(), m => m.GetProperty("owned_by").GetString() == "claude");

        var on = await CreateAsync(admin, "me-on", "k-me-on", new JsonObject { ["models"] = "me-enabled" });
        var off = await CreateAsync(admin, "me-off", "k-me-off", new JsonObject { ["models"] = "me-disabled", ["status"] = 2 });
        var enabled = (await admin.GetAsync("/api/channel/models_enabled")).GetProperty("data").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("me-enabled", enabled);
        Assert.DoesNotContain("me-disabled", enabled);
        Assert.True(on > 0 && off > 0);

        await gw.Services.GetRequiredService<OptionsStore>().SetAsync("RetryTimes", "3");
        Assert.Equal(3, (await admin.GetAsync("/api/channel/ops")).GetProperty("data").GetProperty("retry_times").GetInt64());
    }

    [Fact]
    public async Task MultiKeyManage_EveryAction()
    {
        using var admin = await AdminAsync();
        var body = new JsonObject
        {
            ["mode"] = "multi_to_single",
            ["channel"] = new JsonObject { ["name"] = "mk-manage", ["type"] = 1, ["key"] = "sk-manage-key-0000\nsk-manage-key-1111\nsk-manage-key-2222", ["models"] = "mk-m" },
        };
        JsonAssert.Success(await admin.PostAsync("/api/channel/", body));
        var id = await IdOfAsync(admin, "mk-manage");
        async Task<JsonElement> Manage(object req) => await admin.PostAsync("/api/channel/multi_key/manage", req);

        var status = await Manage(new { channel_id = id, action = "get_key_status" });
        NoKey(status, "sk-manage-key-0000", "sk-manage-key-1111", "sk-manage-key-2222");
        var data = status.GetProperty("data");
        Assert.Equal(3, data.GetProperty("total").GetInt32());
        Assert.Equal(3, data.GetProperty("enabled_count").GetInt32());
        Assert.Equal(50, data.GetProperty("page_size").GetInt32());
        Assert.Equal("sk-manage...", data.GetProperty("keys")[0].GetProperty("key_preview").GetString());

        Assert.Equal("密钥已禁用", (await Manage(new { channel_id = id, action = "disable_key", key_index = 1 })).GetProperty("message").GetString());
        JsonAssert.Failure(await Manage(new { channel_id = id, action = "disable_key", key_index = 7 }));
        JsonAssert.Failure(await Manage(new { channel_id = id, action = "disable_key" }));
        data = (await Manage(new { channel_id = id, action = "get_key_status", status = 2 })).GetProperty("data");
        Assert.Equal(1, data.GetProperty("total").GetInt32());
        Assert.Equal(1, data.GetProperty("keys")[0].GetProperty("index").GetInt32());
        Assert.Equal("manual operation", data.GetProperty("keys")[0].GetProperty("reason").GetString());
        // The list view strips per-key reasons and times, like New API.
        Assert.False((await GetAsync(admin, id)).GetProperty("channel_info").TryGetProperty("multi_key_disabled_reason", out _));

        JsonAssert.Success(await Manage(new { channel_id = id, action = "enable_key", key_index = 1 }));
        Assert.Equal("已禁用 3 个密钥", (await Manage(new { channel_id = id, action = "disable_all_keys" })).GetProperty("message").GetString());
        JsonAssert.Failure(await Manage(new { channel_id = id, action = "disable_all_keys" }));
        Assert.Equal("已启用 3 个密钥", (await Manage(new { channel_id = id, action = "enable_all_keys" })).GetProperty("message").GetString());

        JsonAssert.Success(await Manage(new { channel_id = id, action = "delete_key", key_index = 0 }));
        var repo = gw.Services.GetRequiredService<ChannelRepository>();
        var box = gw.Services.GetRequiredService<NewApi.Auth.SecretBox>();
        Assert.Equal("sk-manage-key-1111\nsk-manage-key-2222", box.Decrypt((await repo.FindAsync(id))!.KeyEnc));
        Assert.Equal(2, (await GetAsync(admin, id)).GetProperty("channel_info").GetProperty("multi_key_size").GetInt32());

        JsonAssert.Failure(await Manage(new { channel_id = id, action = "delete_disabled_keys" }));
        await gw.Services.GetRequiredService<NewApi.Relay.Routing.ChannelDisabler>().DisableAsync(id, 1, "quota", default);
        var deleted = await Manage(new { channel_id = id, action = "delete_disabled_keys" });
        Assert.Equal(1, deleted.GetProperty("data").GetInt32());
        Assert.Equal("sk-manage-key-1111", box.Decrypt((await repo.FindAsync(id))!.KeyEnc));
        Assert.Equal("不能删除最后一个密钥", (await Manage(new { channel_id = id, action = "delete_key", key_index = 0 })).GetProperty("message").GetString());
        Assert.Equal("不支持的操作", (await Manage(new { channel_id = id, action = "explode" })).GetProperty("message").GetString());

        var single = await CreateAsync(admin, "mk-single", "k-single");
        Assert.Equal("该渠道不是多密钥模式", (await Manage(new { channel_id = single, action = "get_key_status" })).GetProperty("message").GetString());
        Assert.Equal("渠道不存在", (await Manage(new { channel_id = 999999, action = "get_key_status" })).GetProperty("message").GetString());
    }
}
