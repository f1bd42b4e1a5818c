using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NewApi.Common;
using NewApi.Config;
using NewApi.Relay.Errors;
using NewApi.Storage.Channels;
using NewApi.Storage.Logs;

namespace NewApi.Relay.Pipeline;

/// <summary>
/// ERROR_LOG_ENABLED (relay.md §2.19): each failed attempt becomes a type-5 logs row — "status_code=N, " + the
/// scrubbed message, quota 0, and request_path, error_type, error_code, status_code and the channel in <c>other</c>.
/// </summary>
public sealed class ErrorLog(LogRepository logs, RelaySection config, TimeProvider time, ILogger<ErrorLog> logger)
{
    public async Task WriteAsync(RelayContext rc, ChannelRow channel, RelayError error, string scrubbedMessage)
    {
        if (!config.ErrorLogEnabled) return;
        var status = error.UpstreamStatus != 0 ? error.UpstreamStatus : error.Status;
        var row = new LogRow
        {
            UserId = rc.Caller.User.Id, CreatedAt = time.GetUtcNow().ToUnixTimeSeconds(), Type = LogType.Error, Username = rc.Caller.User.Username,
            TokenName = rc.Caller.Token.Row.Name, TokenId = rc.Caller.Token.Id, ModelName = rc.Request.Model, ChannelId = channel.Id, Group = rc.Group,
            IsStream = rc.Request.Stream, RequestId = rc.RequestId,
            Content = $"status_code={status.ToString(CultureInfo.InvariantCulture)}, {scrubbedMessage}",
            UseTime = (long)time.GetElapsedTime(rc.StartTimestamp).TotalSeconds, Other = Other(rc, channel, error, status),
        };
        try
        {
            await logs.InsertAsync(row);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            RelayLog.ErrorLogFailed(logger, e, rc.RequestId);
        }
    }

    private static string Other(RelayContext rc, ChannelRow channel, RelayError error, int status)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("request_path", rc.Path);
            w.WriteString("error_type", error.Type);
            w.WriteString("error_code", error.Code);
            w.WriteNumber("status_code", status);
            w.WriteNumber("channel_id", channel.Id);
            w.WriteString("channel_name", channel.Name);
            w.WriteNumber("channel_type", (int)channel.Type);
            w.WriteStartObject("admin_info");
            w.WriteStartArray("use_channel");
            foreach (var id in rc.Tried) w.WriteStringValue(id.ToString(CultureInfo.InvariantCulture));
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
