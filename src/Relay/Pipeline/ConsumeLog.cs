using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NewApi.Billing;
using NewApi.Common;
using NewApi.Relay.Streaming;
using NewApi.Storage.Channels;
using NewApi.Storage.Logs;

namespace NewApi.Relay.Pipeline;

/// <summary>Facts about the attempt that served a request, for its consume log row.</summary>
public sealed record ServedBy(ChannelRow Channel, string UpstreamModel, bool SystemPromptOverwritten, long FirstByteMs, AttemptOutcome Outcome,
    bool UsageEstimated)
{
    /// <summary>The key of a multi-key channel that served the request (−1 when unknown).</summary>
    public int KeyIndex { get; init; } = -1;
    /// <summary>Client and upstream dialect names when the request was converted (other.request_conversion); null otherwise.</summary>
    public IReadOnlyList<string>? Conversion { get; init; }
    /// <summary>The final upstream format was Claude Messages (other.claude).</summary>
    public bool ClaudeUpstream { get; init; }
}

/// <summary>The consume log row of relay.md §3.11: every column, pricing and cache/reasoning details in <c>other</c>.</summary>
public static class ConsumeLog
{
    public const string NoUsageNote = "上游没有返回计费信息，无法扣费（可能是上游超时）";

    public static LogRow Build(RelayContext rc, ServedBy served, in UsageCounts usage, long quota, long nowUnix, long nowTimestamp, TimeProvider time,
        string clientIp)
    {
        var caller = rc.Caller;
        return new LogRow
        {
            UserId = caller.User.Id, CreatedAt = nowUnix, Type = LogType.Consume, Username = caller.User.Username,
            TokenName = caller.Token.Row.Name, TokenId = caller.Token.Id, ModelName = rc.Request.Model, Quota = quota,
            PromptTokens = usage.PromptTokens, CompletionTokens = usage.CompletionTokens,
            UseTime = (long)time.GetElapsedTime(rc.StartTimestamp, nowTimestamp).TotalSeconds, IsStream = rc.Request.Stream,
            ChannelId = served.Channel.Id, Group = rc.Group, Ip = caller.User.RecordIpLog ? clientIp : "", RequestId = rc.RequestId,
            UpstreamRequestId = served.Outcome.UpstreamRequestId,
            Content = JoinNotes(rc.Request.Rule?.LogContent, usage.Total == 0 ? NoUsageNote : served.UsageEstimated ? "上游无计费信息" : ""),
            OtherUtf8 = Other(rc, served, usage),
        };
    }

    // One buffer and writer per thread, reset per row: building `other` never awaits, so nothing else can interleave.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    private static byte[] Other(RelayContext rc, ServedBy served, in UsageCounts u)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer);
        w.Reset(buffer);
        {
            var p = rc.Pricing;
            w.WriteStartObject();
            WriteRatio(w, Names.ModelRatio, p.ModelRatio);
            WriteRatio(w, Names.GroupRatio, rc.GroupPricing.Ratio);
            WriteRatio(w, Names.CompletionRatio, p.CompletionRatio);
            w.WriteNumber("cache_tokens"u8, u.CachedTokens);
            WriteRatio(w, Names.CacheRatio, p.CacheRatio);
            WriteRatio(w, Names.ModelPrice, p.UsePrice ? p.ModelPrice : -1);
            WriteRatio(w, Names.UserGroupRatio, rc.GroupPricing.UserGroupRatio);
            w.WriteNumber("frt"u8, served.FirstByteMs);
            if (u.CacheWriteTokens > 0)
            {
                w.WriteNumber("cache_creation_tokens"u8, u.CacheWriteTokens);
                WriteRatio(w, Names.CacheCreationRatio, p.CreateCacheRatio);
            }
            if (u.ReasoningTokens > 0) w.WriteNumber("reasoning_tokens"u8, u.ReasoningTokens);
            if (u.WebSearchCalls > 0)
            {
                w.WriteBoolean("web_search"u8, true);
                w.WriteNumber("web_search_call_count"u8, u.WebSearchCalls);
                w.WriteNumber("web_search_price"u8, 10);
            }
            if (u.ImageTokens > 0)
            {
                w.WriteBoolean("image"u8, true);
                WriteRatio(w, Names.ImageRatio, p.ImageRatio);
                w.WriteNumber("image_output"u8, u.ImageTokens);
            }
            if (served.UpstreamModel != rc.Request.Model)
            {
                w.WriteBoolean("is_model_mapped"u8, true);
                w.WriteString("upstream_model_name"u8, served.UpstreamModel);
            }
            if (served.SystemPromptOverwritten) w.WriteBoolean("is_system_prompt_overwritten"u8, true);
            rc.Request.Rule?.WriteLogOther(w, rc, u);
            w.WriteString("request_path"u8, rc.Path);
            if (served.Conversion is { } conversion)
            {
                w.WriteStartArray("request_conversion"u8);
                foreach (var step in conversion) w.WriteStringValue(step);
                w.WriteEndArray();
            }
            if (served.ClaudeUpstream) w.WriteBoolean("claude"u8, true);
            w.WriteStartObject("admin_info"u8);
            w.WriteStartArray("use_channel"u8);
            foreach (var id in rc.Tried) w.WriteStringValue(id.ToString(CultureInfo.InvariantCulture));
            w.WriteEndArray();
            if (served.UsageEstimated) w.WriteBoolean("local_count_tokens"u8, true);
            w.WriteEndObject();
            if (served.Outcome.StreamEnd is { } end) WriteStreamStatus(w, end);
            w.WriteString("billing_source"u8, "wallet");
            w.WriteEndObject();
        }
        w.Flush();
        var other = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 64 * 1024) t_buffer = null;   // an unusually large row does not pin its buffer
        return other;
    }

    private static class Names
    {
        public static readonly JsonEncodedText ModelRatio = JsonEncodedText.Encode("model_ratio"), GroupRatio = JsonEncodedText.Encode("group_ratio"),
            CompletionRatio = JsonEncodedText.Encode("completion_ratio"), CacheRatio = JsonEncodedText.Encode("cache_ratio"),
            ModelPrice = JsonEncodedText.Encode("model_price"), UserGroupRatio = JsonEncodedText.Encode("user_group_ratio"),
            CacheCreationRatio = JsonEncodedText.Encode("cache_creation_ratio"), ImageRatio = JsonEncodedText.Encode("image_ratio");
    }

    // The same few ratios go into every row, and formatting a double (shortest round trip) was the costliest part of
    // building one: each thread keeps the text of the last values it formatted, by value, formatted by the writer itself.
    [ThreadStatic] private static long[]? t_ratioKeys;
    [ThreadStatic] private static byte[]?[]? t_ratioText;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_ratioBuffer;
    [ThreadStatic] private static Utf8JsonWriter? t_ratioWriter;

    internal static void WriteRatio(Utf8JsonWriter w, JsonEncodedText name, double value)
    {
        var keys = t_ratioKeys ??= new long[16];
        var texts = t_ratioText ??= new byte[]?[16];
        var bits = BitConverter.DoubleToInt64Bits(value);
        var slot = (int)((ulong)bits * 0x9E3779B97F4A7C15UL >> 60);
        var text = texts[slot];
        if (text is null || keys[slot] != bits)
        {
            var buffer = t_ratioBuffer ??= new ArrayBufferWriter<byte>(32);
            buffer.ResetWrittenCount();
            var scratch = t_ratioWriter ??= new Utf8JsonWriter(buffer);
            scratch.Reset(buffer);
            scratch.WriteNumberValue(value);
            scratch.Flush();
            texts[slot] = text = buffer.WrittenSpan.ToArray();
            keys[slot] = bits;
        }
        w.WritePropertyName(name);
        w.WriteRawValue(text, skipInputValidation: true);
    }

    private static string JoinNotes(string? route, string note) =>
        string.IsNullOrEmpty(route) ? note : note.Length == 0 ? route : route + ", " + note;

    private static void WriteStreamStatus(Utf8JsonWriter w, StreamEnd end)
    {
        w.WriteStartObject("stream_status"u8);
        w.WriteString("status"u8, end is StreamEnd.Done or StreamEnd.Eof ? "ok" : "error");
        w.WriteString("end_reason"u8, end switch
        {
            StreamEnd.Done => "done",
            StreamEnd.Eof => "eof",
            StreamEnd.Timeout => "timeout",
            StreamEnd.ClientGone => "client_gone",
            _ => "scanner_error",
        });
        w.WriteEndObject();
    }
}
