using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Storage.Channels;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Admin;

/// <summary>Helpers shared by the channel route tests.</summary>
internal static class ChannelTestKit
{
    /// <summary>Creates one channel (mode single unless given) and returns its id, found by its unique name.</summary>
    public static async Task<long> CreateAsync(TestClient c, string name, string key, JsonObject? fields = null, string mode = "single",
        object? extra = null)
    {
        var channel = new JsonObject
        {
            ["name"] = name, ["type"] = 1, ["key"] = key, ["models"] = "gpt-4o-mini,gpt-4o", ["group"] = "default",
        };
        foreach (var (k, v) in fields ?? []) channel[k] = v?.DeepClone();
        var body = new JsonObject { ["mode"] = mode, ["channel"] = channel };
        if (extra is JsonObject more) foreach (var (k, v) in more) body[k] = v?.DeepClone();
        var created = await c.PostAsync("/api/channel/", body);
        JsonAssert.Success(created);
        return await IdOfAsync(c, name);
    }

    public static async Task<long> IdOfAsync(TestClient c, string name)
    {
        var found = await c.GetAsync("/api/channel/search?keyword=" + Uri.EscapeDataString(name));
        return found.GetProperty("data").GetProperty("items").EnumerateArray()
            .First(i => i.GetProperty("name").GetString() == name).GetProperty("id").GetInt64();
    }

    public static async Task<JsonElement> GetAsync(TestClient c, long id)
    {
        var body = await c.GetAsync($"/api/channel/{id}");
        JsonAssert.Success(body);
        return body.GetProperty("data");
    }

    /// <summary>Ids of the enabled channels the routing snapshot offers for (group, model).</summary>
    public static List<long> Routed(GatewayFixture gw, string group, string model) =>
        [.. gw.Services.GetRequiredService<ChannelCache>().Current.Find(group, model).SelectMany(t => t.Channels).Select(c => c.Id)];

    public static void NoKey(JsonElement body, params string[] keys)
    {
        var text = body.GetRawText();
        foreach (var key in keys) Assert.DoesNotContain(key, text, StringComparison.Ordinal);
    }
}
