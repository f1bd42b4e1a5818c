using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Channels;
using NewApi.Storage.Logs;

namespace NewApi.Admin.Logs;

/// <summary>Log rows as the admin and the owner see them.</summary>
public sealed class LogFormatter(ChannelCache channels)
{
    /// <summary>Keys of <c>other</c> only admins see: operator/node details, request audit, stream diagnostics.</summary>
    private static readonly string[] AdminOnlyKeys = ["admin_info", "audit_info", "stream_status"];

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every field, plus the channel's current name (empty when the channel is gone).</summary>
    public List<LogView> ForAdmin(IReadOnlyList<LogRow> rows)
    {
        var byId = channels.Current.ById;
        var list = new List<LogView>(rows.Count);
        foreach (var r in rows)
            list.Add(ToView(r) with { ChannelName = r.ChannelId != 0 && byId.TryGetValue(r.ChannelId, out var ch) ? ch.Name : "" });
        return list;
    }

    /// <summary>
    /// New API's user view: <c>id</c> becomes the row's position in the listing (<paramref name="offset"/> + 1, …) so row
    /// ids (and with them the site's request volume) stay private; admin-only keys are removed from <c>other</c>; no
    /// channel name.
    /// </summary>
    public static List<LogView> ForUser(IReadOnlyList<LogRow> rows, long offset)
    {
        var list = new List<LogView>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
            list.Add(ToView(rows[i]) with { Id = offset + i + 1, Other = RedactOther(rows[i].Other) });
        return list;
    }

    /// <summary>
    /// <c>other</c> without the admin-only keys. Like New API (which decodes into a map and encodes it again), anything
    /// that is not a JSON object (empty text included) comes out as <c>null</c>.
    /// </summary>
    public static string RedactOther(string other)
    {
        if (other.Length == 0) return "null";
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(other);
        }
        catch (JsonException)
        {
            return "null";
        }
        if (node is not JsonObject obj) return "null";
        foreach (var key in AdminOnlyKeys) obj.Remove(key);
        using var buffer = new MemoryStream(other.Length);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) obj.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static LogView ToView(LogRow r) => new()
    {
        Id = r.Id, UserId = r.UserId, CreatedAt = r.CreatedAt, Type = (int)r.Type, Content = r.Content, Username = r.Username,
        TokenName = r.TokenName, ModelName = r.ModelName, Quota = r.Quota, PromptTokens = r.PromptTokens,
        CompletionTokens = r.CompletionTokens, UseTime = r.UseTime, IsStream = r.IsStream, Channel = r.ChannelId, TokenId = r.TokenId,
        Group = r.Group, Ip = r.Ip, RequestId = r.RequestId.Length > 0 ? r.RequestId : null,
        UpstreamRequestId = r.UpstreamRequestId.Length > 0 ? r.UpstreamRequestId : null, Other = r.Other,
    };
}
