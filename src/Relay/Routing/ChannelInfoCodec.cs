using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;

namespace NewApi.Relay.Routing;

/// <summary>channel_info and other_info JSON columns.</summary>
public static class ChannelInfoCodec
{
    public static ChannelInfoData Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new ChannelInfoData();
        try
        {
            return JsonSerializer.Deserialize(json, ChannelJson.Default.ChannelInfoData) ?? new ChannelInfoData();
        }
        catch (JsonException)
        {
            return new ChannelInfoData();
        }
    }

    public static string Serialize(ChannelInfoData info) => JsonSerializer.Serialize(info, ChannelJson.Default.ChannelInfoData);

    /// <summary>Sets other_info.status_reason and status_time, keeping any other keys (New API's console reads both).</summary>
    public static string WithStatusReason(string? otherInfo, string reason, long time)
    {
        JsonObject obj;
        try
        {
            obj = (string.IsNullOrWhiteSpace(otherInfo) ? null : JsonNode.Parse(otherInfo) as JsonObject) ?? new JsonObject();
        }
        catch (JsonException)
        {
            obj = new JsonObject();
        }
        obj["status_reason"] = reason;
        obj["status_time"] = time;
        return Compact(obj);
    }

    /// <summary>JSON text with non-ASCII kept readable (Go's encoder does not escape it either; reasons are often Chinese).</summary>
    public static string Compact(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            node.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Status of key <paramref name="index"/>: absent from the list means enabled.</summary>
    public static int KeyStatus(ChannelInfoData info, int index) =>
        info.MultiKeyStatusList is { } list && list.TryGetValue(index, out var s) ? s : 1;
}
