using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Storage.Channels;
using NewApi.Tests.Support;
using static NewApi.Tests.Integration.Admin.ChannelTestKit;

namespace NewApi.Tests.Integration.Admin;

public sealed class ChannelCrudTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private async Task<TestClient> AdminAsync() => await gw.UserAsync("ch_admin_" + Guid.NewGuid().ToString("N")[..8], Role.Admin);

    private async Task<string> StoredKeyAsync(long id)
    {
        var row = await gw.Services.GetRequiredService<ChannelRepository>().FindAsync(id);
        return gw.Services.GetRequiredService<SecretBox>().Decrypt(row!.KeyEnc);
    }

    [Fact]
    public async Task Create_Single_KeyEncryptedAtRest_NeverReturned_AndRouted()
    {
        using var admin = await AdminAsync();
        const string key = "sk-crud-single-0123456789abcdef";
        var id = await CreateAsync(admin, "crud-single", key, new JsonObject { ["models"] = "m-single", ["group"] = "default,vip" });

        var db = gw.Services.GetRequiredService<SqliteDb>();
        await using (var conn = await db.OpenAsync())
        {
            var stored = await conn.ScalarStringAsync("SELECT \"key\" FROM channels WHERE id = $id", null, default, ("$id", id));
            Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        }
        Assert.Equal(key, await StoredKeyAsync(id));

        var got = await admin.GetAsync($"/api/channel/{id}");
        NoKey(got, key);
        Assert.Equal("", got.GetProperty("data").GetProperty("key").GetString());
        Assert.Equal("default,vip", got.GetProperty("data").GetProperty("group").GetString());
        Assert.Equal(1, got.GetProperty("data").GetProperty("status").GetInt32());
        Assert.Equal(1, got.GetProperty("data").GetProperty("auto_ban").GetInt32());
        NoKey(await admin.GetAsync("/api/channel/"), key);
        NoKey(await admin.GetAsync("/api/channel/search?keyword=crud-single"), key);

        Assert.Contains(id, Routed(gw, "default", "m-single"));
        Assert.Contains(id, Routed(gw, "vip", "m-single"));
    }

    [Fact]
    public async Task Create_Batch_MakesOneChannelPerKeyLine_WithKeyPrefixNames()
    {
        using var admin = await AdminAsync();
        var body = new JsonObject
        {
            ["mode"] = "batch", ["batch_add_set_key_prefix_2_name"] = true,
            ["channel"] = new JsonObject { ["name"] = "crud-batch", ["type"] = 1, ["key"] = "sk-batchaaaa1111\n\n  sk-batchbbbb2222  \n", ["models"] = "m-batch" },
        };
        JsonAssert.Success(await admin.PostAsync("/api/channel/", body));
        var items = (await admin.GetAsync("/api/channel/search?keyword=crud-batch")).GetProperty("data").GetProperty("items");
        var names = items.EnumerateArray().Select(i => i.GetProperty("name").GetString()).Order().ToList();
        Assert.Equal(["crud-batch sk-batch", "crud-batch sk-batch"], names);
        var keys = new List<string>();
        foreach (var i in items.EnumerateArray()) keys.Add(await StoredKeyAsync(i.GetProperty("id").GetInt64()));
        Assert.Equal(["sk-batchaaaa1111", "sk-batchbbbb2222"], keys.Order().ToList());
        Assert.Equal(2, Routed(gw, "default", "m-batch").Count);
    }

    [Fact]
    public async Task Create_MultiToSingle_MakesOneMultiKeyChannel()
    {
        using var admin = await AdminAsync();
        var body = new JsonObject
        {
            ["mode"] = "multi_to_single", ["multi_key_mode"] = "polling",
            ["channel"] = new JsonObject { ["name"] = "crud-multi", ["type"] = 1, ["key"] = " k-one \nk-two\n\nk-three\n", ["models"] = "m-multi" },
        };
        JsonAssert.Success(await admin.PostAsync("/api/channel/", body));
        var id = await IdOfAsync(admin, "crud-multi");
        var info = (await GetAsync(admin, id)).GetProperty("channel_info");
        Assert.True(info.GetProperty("is_multi_key").GetBoolean());
        Assert.Equal(3, info.GetProperty("multi_key_size").GetInt32());
        Assert.Equal("polling", info.GetProperty("multi_key_mode").GetString());
        Assert.Equal("k-one\nk-two\nk-three", await StoredKeyAsync(id));
    }

    [Theory]
    [InlineData("""{"mode":"single","channel":{"name":"v1","type":1,"key":"","models":"a"}}""", "渠道密钥不能为空")]
    [InlineData("""{"mode":"weird","channel":{"name":"v2","type":1,"key":"k","models":"a"}}""", "不支持的添加模式")]
    [InlineData("""{"mode":"single"}""", "无效的参数")]
    [InlineData("""{"mode":"single","channel":{"name":"v3","type":1,"key":"k","setting":"{not json"}}""", "渠道额外设置")]
    [InlineData("""{"mode":"single","channel":{"name":"v4","type":41,"key":"k","other":""}}""", "部署地区不能为空")]
    [InlineData("""{"mode":"single","channel":{"name":"v5","type":41,"key":"k","other":"{\"x\":1}"}}""", "default")]
    [InlineData("""{"mode":"single","channel":{"name":"v6","type":57,"key":"{\"access_token\":\"t\"}"}}""", "account_id")]
    [InlineData("""{"mode":"single","channel":{"name":"v7","type":1,"key":"k","model_mapping":"[1]"}}""", "模型映射")]
    [InlineData("""{"mode":"single","channel":{"name":"v8","type":999,"key":"k"}}""", "渠道类型")]
    [InlineData("""{"mode":"single","channel":{"name":"v9","type":1,"key":"k","base_url":"ftp://x"}}""", "Base URL")]
    [InlineData("""{"mode":"single","channel": 5""", "无效的参数")]
    public async Task Create_Validation_Refuses(string json, string message)
    {
        using var admin = await AdminAsync();
        var resp = await admin.Http.PostAsync("/api/channel/", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        var body = await TestClient.ReadAsync(resp);
        JsonAssert.Failure(body);
        Assert.Contains(message, body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_RefusesModelNamesLongerThan255()
    {
        using var admin = await AdminAsync();
        var body = await admin.PostAsync("/api/channel/", new { mode = "single", channel = new { name = "long", type = 1, key = "k", models = new string('m', 256) } });
        JsonAssert.Failure(body);
        Assert.StartsWith("模型名称过长", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task List_PagesSortsAndFilters_TypeCountsIgnoreTheTypeFilter()
    {
        using var admin = await AdminAsync();
        var a = await CreateAsync(admin, "list-a", "k-list-a", new JsonObject { ["group"] = "g-list", ["priority"] = 5 });
        var b = await CreateAsync(admin, "list-b", "k-list-b", new JsonObject { ["group"] = "g-list,other", ["priority"] = 9, ["type"] = 43 });
        var c = await CreateAsync(admin, "list-c", "k-list-c", new JsonObject { ["group"] = "g-list", ["priority"] = 1, ["status"] = 2 });

        var page = (await admin.GetAsync("/api/channel/?group=g-list&p=1&page_size=2")).GetProperty("data");
        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal(1, page.GetProperty("page").GetInt32());
        Assert.Equal(2, page.GetProperty("page_size").GetInt32());
        Assert.Equal([b, a], Ids(page));                                   // default: priority desc
        Assert.Equal([c], Ids((await admin.GetAsync("/api/channel/?group=g-list&p=2&page_size=2")).GetProperty("data")));
        Assert.Equal([c, b, a], Ids((await admin.GetAsync("/api/channel/?group=g-list&id_sort=true")).GetProperty("data")));
        Assert.Equal([a, b, c], Ids((await admin.GetAsync("/api/channel/?group=g-list&sort_by=name&sort_order=asc")).GetProperty("data")));
        Assert.Equal([b, a], Ids((await admin.GetAsync("/api/channel/?group=g-list&status=enabled")).GetProperty("data")));
        Assert.Equal([c], Ids((await admin.GetAsync("/api/channel/?group=g-list&status=0")).GetProperty("data")));

        var typed = (await admin.GetAsync("/api/channel/?group=g-list&type=43")).GetProperty("data");
        Assert.Equal([b], Ids(typed));
        Assert.Equal(2, typed.GetProperty("type_counts").GetProperty("1").GetInt64());
        Assert.Equal(1, typed.GetProperty("type_counts").GetProperty("43").GetInt64());
        Assert.Equal([b], Ids((await admin.GetAsync("/api/channel/?group=other")).GetProperty("data")));
    }

    [Fact]
    public async Task List_TagMode_PagesOverTagsAndReturnsAllTheirChannels()
    {
        using var admin = await AdminAsync();
        var x1 = await CreateAsync(admin, "tagm-x1", "k1", new JsonObject { ["group"] = "g-tagm", ["tag"] = "alpha" });
        var x2 = await CreateAsync(admin, "tagm-x2", "k2", new JsonObject { ["group"] = "g-tagm", ["tag"] = "alpha" });
        var y = await CreateAsync(admin, "tagm-y", "k3", new JsonObject { ["group"] = "g-tagm", ["tag"] = "beta" });
        await CreateAsync(admin, "tagm-none", "k4", new JsonObject { ["group"] = "g-tagm" });
        var first = (await admin.GetAsync("/api/channel/?group=g-tagm&tag_mode=true&page_size=1")).GetProperty("data");
        Assert.Equal(2, first.GetProperty("total").GetInt64());           // two tags; untagged channels are not listed
        Assert.Equal([x1, x2], Ids(first).Order().ToList());
        Assert.Equal([y], Ids((await admin.GetAsync("/api/channel/?group=g-tagm&tag_mode=true&page_size=1&p=2")).GetProperty("data")));
    }

    [Fact]
    public async Task Search_MatchesNameIdExactKeyAndBaseUrl_PagesInMemory()
    {
        using var admin = await AdminAsync();
        var a = await CreateAsync(admin, "srch-alpha", "sk-search-exact-key", new JsonObject { ["base_url"] = "https://upstream.example/srch", ["models"] = "srch-model-1" });
        var b = await CreateAsync(admin, "srch-beta", "sk-other-1\nsk-other-2", new JsonObject { ["type"] = 43, ["models"] = "srch-model-2" });

        Assert.Equal([a], SearchIds(await admin.GetAsync("/api/channel/search?keyword=sk-search-exact-key")));
        Assert.Empty(SearchIds(await admin.GetAsync("/api/channel/search?keyword=sk-search-exact")));   // key match is exact
        Assert.Equal([a], SearchIds(await admin.GetAsync($"/api/channel/search?keyword={a}")).Where(i => i == a));
        Assert.Equal([a], SearchIds(await admin.GetAsync("/api/channel/search?keyword=upstream.example")));
        Assert.Equal([b], SearchIds(await admin.GetAsync("/api/channel/search?keyword=srch&model=model-2")));
        var both = (await admin.GetAsync("/api/channel/search?keyword=SRCH&page_size=1&p=2")).GetProperty("data");
        Assert.Equal(2, both.GetProperty("total").GetInt64());
        Assert.Single(both.GetProperty("items").EnumerateArray());
        Assert.False(both.TryGetProperty("page", out _));
        Assert.Equal(1, both.GetProperty("type_counts").GetProperty("43").GetInt64());
        Assert.Equal([b], SearchIds(await admin.GetAsync("/api/channel/search?keyword=srch&type=43")));
        NoKey(await admin.GetAsync("/api/channel/search?keyword=sk-search-exact-key"), "sk-search-exact-key");
    }

    [Fact]
    public async Task Get_UnknownChannel_Fails()
    {
        using var admin = await AdminAsync();
        JsonAssert.Failure(await admin.GetAsync("/api/channel/999999"));
    }

    [Fact]
    public async Task Update_NonZeroFieldSemantics_StatusRefused_AbilitiesRebuilt()
    {
        using var admin = await AdminAsync();
        var id = await CreateAsync(admin, "upd-one", "sk-upd-old", new JsonObject
        {
            ["models"] = "upd-m1", ["priority"] = 7, ["base_url"] = "https://old.example", ["test_model"] = "upd-m1",
        });
        var refused = await admin.PutAsync("/api/channel/", new { id, status = 2 });
        JsonAssert.Failure(refused);
        Assert.Equal(1, (await GetAsync(admin, id)).GetProperty("status").GetInt32());

        var updated = await admin.PutAsync("/api/channel/", new { id, name = "", models = "upd-m2,upd-m3", priority = 0, base_url = "", type = 0, key = "" });
        JsonAssert.Success(updated);
        NoKey(updated, "sk-upd-old");
        var data = updated.GetProperty("data");
        Assert.Equal("upd-one", data.GetProperty("name").GetString());        // "" keeps the name
        Assert.Equal(0, data.GetProperty("priority").GetInt64());             // an explicit 0 is written
        Assert.Equal("", data.GetProperty("base_url").GetString());
        Assert.Equal(1, data.GetProperty("type").GetInt32());                 // type 0 keeps the type
        Assert.Equal("upd-m1", data.GetProperty("test_model").GetString());   // absent keeps
        Assert.Equal("sk-upd-old", await StoredKeyAsync(id));                 // empty key keeps the key
        Assert.DoesNotContain(id, Routed(gw, "default", "upd-m1"));
        Assert.Contains(id, Routed(gw, "default", "upd-m3"));

        JsonAssert.Success(await admin.PutAsync("/api/channel/", new { id, key = "sk-upd-new", balance = 99, used_quota = 5 }));
        Assert.Equal("sk-upd-new", await StoredKeyAsync(id));
        Assert.Equal(0, (await GetAsync(admin, id)).GetProperty("balance").GetDouble());   // read-only fields ignored

        JsonAssert.Failure(await admin.PutAsync("/api/channel/", new { id = 987654, name = "x" }));
        JsonAssert.Failure(await admin.PutAsync("/api/channel/", new { name = "no id" }));
        JsonAssert.Failure(await admin.PutAsync("/api/channel/", new { id, param_override = "{bad" }));
    }

    [Fact]
    public async Task Update_MultiKey_AppendDeduplicates_ReplaceShrinksAndDropsStatuses()
    {
        using var admin = await AdminAsync();
        var body = new JsonObject
        {
            ["mode"] = "multi_to_single",
            ["channel"] = new JsonObject { ["name"] = "upd-multi", ["type"] = 1, ["key"] = "mk-1\nmk-2\nmk-3", ["models"] = "upd-mm" },
        };
        JsonAssert.Success(await admin.PostAsync("/api/channel/", body));
        var id = await IdOfAsync(admin, "upd-multi");
        JsonAssert.Success(await admin.PostAsync("/api/channel/multi_key/manage", new { channel_id = id, action = "disable_key", key_index = 2 }));

        JsonAssert.Success(await admin.PutAsync("/api/channel/", new { id, key = "mk-2\nmk-4", key_mode = "append", multi_key_mode = "polling" }));
        Assert.Equal("mk-1\nmk-2\nmk-3\nmk-4", await StoredKeyAsync(id));
        var info = (await GetAsync(admin, id)).GetProperty("channel_info");
        Assert.Equal(4, info.GetProperty("multi_key_size").GetInt32());
        Assert.Equal("polling", info.GetProperty("multi_key_mode").GetString());
        Assert.Equal(2, info.GetProperty("multi_key_status_list").GetProperty("2").GetInt32());

        JsonAssert.Success(await admin.PutAsync("/api/channel/", new { id, key = "mk-9\nmk-8", key_mode = "replace" }));
        Assert.Equal("mk-9\nmk-8", await StoredKeyAsync(id));
        info = (await GetAsync(admin, id)).GetProperty("channel_info");
        Assert.Equal(2, info.GetProperty("multi_key_size").GetInt32());
        Assert.False(info.GetProperty("multi_key_status_list").TryGetProperty("2", out _));
    }

    [Fact]
    public async Task StatusRoutes_ChangeStatusAndRouting_RecordTheReason()
    {
        using var admin = await AdminAsync();
        var a = await CreateAsync(admin, "st-a", "k-st-a", new JsonObject { ["models"] = "st-m" });
        var b = await CreateAsync(admin, "st-b", "k-st-b", new JsonObject { ["models"] = "st-m" });

        var off = await admin.PostAsync($"/api/channel/{a}/status", new { status = 2 });
        Assert.True(off.GetProperty("data").GetBoolean());
        Assert.False((await admin.PostAsync($"/api/channel/{a}/status", new { status = 2 })).GetProperty("data").GetBoolean());
        var row = await GetAsync(admin, a);
        Assert.Equal(2, row.GetProperty("status").GetInt32());
        Assert.Contains("manual operation", row.GetProperty("other_info").GetString());
        Assert.Equal([b], Routed(gw, "default", "st-m"));

        JsonAssert.Failure(await admin.PostAsync($"/api/channel/{a}/status", new { status = 3 }));
        JsonAssert.Failure(await admin.PostAsync("/api/channel/status/batch", new { ids = Array.Empty<long>(), status = 1 }));
        var batch = await admin.PostAsync("/api/channel/status/batch", new { ids = new[] { a, b }, status = 1 });
        Assert.Equal(1, batch.GetProperty("data").GetInt32());                 // b was already enabled
        Assert.Equal([a, b], Routed(gw, "default", "st-m").Order().ToList());
        Assert.Equal(0, (await admin.PostAsync("/api/channel/status/batch", new { ids = new[] { 424242L }, status = 2 })).GetProperty("data").GetInt32());
    }

    [Fact]
    public async Task Delete_Single_Disabled_AndBatch_RemoveChannelsAndAbilities()
    {
        using var admin = await AdminAsync();
        var a = await CreateAsync(admin, "del-a", "k-del-a", new JsonObject { ["models"] = "del-m" });
        var b = await CreateAsync(admin, "del-b", "k-del-b", new JsonObject { ["models"] = "del-m" });
        var c = await CreateAsync(admin, "del-c", "k-del-c", new JsonObject { ["models"] = "del-m" });
        JsonAssert.Success(await admin.DeleteAsync($"/api/channel/{a}"));
        JsonAssert.Failure(await admin.DeleteAsync($"/api/channel/{a}"));
        Assert.Equal([b, c], Routed(gw, "default", "del-m").Order().ToList());

        JsonAssert.Success(await admin.PostAsync($"/api/channel/{b}/status", new { status = 2 }));
        var removed = await admin.DeleteAsync("/api/channel/disabled");
        Assert.True(removed.GetProperty("data").GetInt32() >= 1);
        JsonAssert.Failure(await admin.GetAsync($"/api/channel/{b}"));
        var abilities = await gw.Services.GetRequiredService<ChannelRepository>().ListAbilitiesAsync();
        // NewApi: New API kept the ability rows of channels removed by DELETE /disabled.
        Assert.DoesNotContain(abilities, x => x.ChannelId == b);

        JsonAssert.Failure(await admin.PostAsync("/api/channel/batch", new { ids = Array.Empty<long>() }));
        Assert.Equal(1, (await admin.PostAsync("/api/channel/batch", new { ids = new[] { c } })).GetProperty("data").GetInt32());
        Assert.Empty(Routed(gw, "default", "del-m"));
    }

    [Fact]
    public async Task Copy_ClonesWithKey_ResetsCounters_NeverReturnsTheKey()
    {
        using var admin = await AdminAsync();
        var id = await CreateAsync(admin, "copy-src", "sk-copy-secret", new JsonObject { ["models"] = "copy-m" });
        await gw.Services.GetRequiredService<ChannelRepository>().UpdateBalanceAsync(id, 12.5, 1000);
        var copied = await admin.PostAsync($"/api/channel/copy/{id}", new { });
        JsonAssert.Success(copied);
        NoKey(copied, "sk-copy-secret");
        var newId = copied.GetProperty("data").GetProperty("id").GetInt64();
        var clone = await GetAsync(admin, newId);
        Assert.Equal("copy-src_复制", clone.GetProperty("name").GetString());
        Assert.Equal(0, clone.GetProperty("balance").GetDouble());
        Assert.Equal("sk-copy-secret", await StoredKeyAsync(newId));
        Assert.Contains(newId, Routed(gw, "default", "copy-m"));

        var kept = await admin.PostAsync($"/api/channel/copy/{id}?suffix=-2&reset_balance=false", new { });
        Assert.Equal(12.5, (await GetAsync(admin, kept.GetProperty("data").GetProperty("id").GetInt64())).GetProperty("balance").GetDouble());
        JsonAssert.Failure(await admin.PostAsync("/api/channel/copy/777777", new { }));
    }

    private static List<long> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64())];

    private static List<long> SearchIds(JsonElement body) => Ids(body.GetProperty("data"));
}
