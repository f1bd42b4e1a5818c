using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
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
    /// <c>other</c> without the admin-only keys, other members copied byte for byte. Like New API (which decodes into a
    /// map and encodes it again), anything that is not one JSON object (empty text included) comes out as <c>null</c>.
    /// </summary>
    public static string RedactOther(string other)
    {
        if (other.Length == 0) return "null";
        var bytes = Encoding.UTF8.GetBytes(other);
        var output = new ArrayBufferWriter<byte>(bytes.Length);
        try
        {
            var reader = new Utf8JsonReader(bytes);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "null";
            using (var writer = new Utf8JsonWriter(output, WriterOptions))
            {
                writer.WriteStartObject();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var keep = !IsAdminOnly(ref reader);
                    if (keep) writer.WritePropertyName(reader.GetString()!);
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    if (keep) writer.WriteRawValue(bytes.AsSpan(start, (int)reader.BytesConsumed - start), skipInputValidation: true);
                }
                writer.WriteEndObject();
            }
            if (reader.Read()) return "null";   // trailing content (the reader throws on anything but whitespace)
        }
        catch (JsonException)
        {
            return "null";
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static bool IsAdminOnly(ref Utf8JsonReader reader)
    {
        foreach (var key in AdminOnlyKeys)
            if (reader.ValueTextEquals(key)) return true;
        return false;
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
