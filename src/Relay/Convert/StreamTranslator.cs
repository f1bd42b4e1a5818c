using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Shared;
using NewApi.Relay.Convert.Streaming;

namespace NewApi.Relay.Convert;

/// <summary>
/// Translates one upstream stream into the client's stream. Feed it each upstream SSE <c>data:</c> payload (or each
/// element of a Gemini JSON-array stream) in order, then call <see cref="Complete"/> when the upstream body ends. Bytes
/// for the client are appended to the given <see cref="IBufferWriter{T}"/>, already framed for the client's dialect.
/// Not thread-safe: one instance per response.
/// </summary>
public sealed class StreamTranslator
{
    private readonly IStreamDecoder _decoder;
    private readonly StreamCore _core;
    private readonly bool _passthrough;

    internal StreamTranslator(WireFamily upstream, WireFamily client, IStreamDecoder decoder, StreamEncoder encoder, ResponseOptions options)
    {
        Upstream = upstream;
        Client = client;
        _decoder = decoder;
        _core = new StreamCore(encoder, options);
        _passthrough = encoder is PassthroughEncoder;
    }

    public WireFamily Upstream { get; }
    public WireFamily Client { get; }

    /// <summary>True once the upstream ended the stream (terminal event, <c>[DONE]</c>, error, or <see cref="Complete"/>).</summary>
    public bool IsCompleted => _core.Ended;

    /// <summary>Usage reported by the upstream so far (the final usage once completed); <see cref="TokenUsage.Empty"/> when none.</summary>
    public TokenUsage Usage => _core.Usage;

    /// <summary>Whether the upstream reported usage; when false the pipeline estimates (relay.md §3.10).</summary>
    public bool HasUpstreamUsage => _core.HasUsage;

    public StopReason StopReason => _core.Stop;

    /// <summary>The error the upstream reported inside the stream, if any (already written to the client).</summary>
    public UpstreamError? Error => _core.Error;

    public string? ResponseId => _core.Id;
    public string? Model => _core.Model;

    /// <summary>Whether any content block (text, reasoning, tool call) was received.</summary>
    public bool HasContent => _core.Blocks.Count > 0;

    public int ToolCallCount => _core.Blocks.Count(b => b.Kind == BlockKind.ToolUse);

    /// <summary>Text, reasoning and tool names/arguments received, for completion estimates when usage is missing.</summary>
    public string CompletionText => _core.CompletionText();

    /// <summary>
    /// One upstream payload: the data of one SSE event (UTF-8 JSON or <c>[DONE]</c>). A whole SSE frame (<c>event:</c> /
    /// <c>data:</c> lines) and a JSON array of events are accepted too; comments and anything not JSON are ignored.
    /// </summary>
    public void Feed(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        data = Trim(data);
        if (data.IsEmpty || _core.Ended) return;
        if (data[0] is not ((byte)'{' or (byte)'[') && !data.SequenceEqual("[DONE]"u8))
        {
            FeedFrame(data, output);
            return;
        }
        _core.Sse.Output = output;
        if (data.SequenceEqual("[DONE]"u8))
        {
            if (_passthrough) _core.Raw(data, null);
            _core.End();
            return;
        }
        if (data[0] == (byte)'[')
        {
            foreach (var item in J.TryParseArray(data) ?? [])
                if (item is JsonObject element) Feed(element, output);
            return;
        }
        var json = J.TryParseObject(data);
        if (json is null) return;
        if (_passthrough) _core.Raw(data, J.Str(json, "type"));
        Decode(json);
    }

    /// <summary>An SSE frame given whole: its <c>data:</c> lines joined (SSE allows a payload over several lines).</summary>
    private void FeedFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
    {
        var payload = new List<byte>();
        foreach (var range in frame.Split((byte)'\n'))
        {
            var line = Trim(frame[range]);
            if (!line.StartsWith("data:"u8)) continue;
            if (payload.Count > 0) payload.Add((byte)'\n');
            payload.AddRange(Trim(line[5..]));
        }
        if (payload.Count > 0) Feed(payload.ToArray(), output);
    }

    /// <summary>One upstream event already parsed.</summary>
    public void Feed(JsonObject evt, IBufferWriter<byte> output)
    {
        if (_core.Ended) return;
        _core.Sse.Output = output;
        if (_passthrough) _core.Raw(Encoding.UTF8.GetBytes(J.ToJson(evt)), J.Str(evt, "type"));
        Decode(evt);
    }

    /// <summary>The upstream body ended: closes open blocks and writes the client's closing events (idempotent).</summary>
    public void Complete(IBufferWriter<byte> output)
    {
        _core.Sse.Output = output;
        _core.End();
    }

    /// <summary>Everything received, as one non-stream response body in the client's dialect (streamed upstream, non-stream client).</summary>
    public JsonObject BuildResponse() => ResponseConverter.Write(Client, _core.ToResponse(), _core.Options);

    private void Decode(JsonObject json)
    {
        _decoder.Decode(_core, json);
        _core.EventDone();
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && (data[0] == ' ' || data[0] == '\r' || data[0] == '\n' || data[0] == '\t')) data = data[1..];
        while (!data.IsEmpty && (data[^1] == ' ' || data[^1] == '\r' || data[^1] == '\n' || data[^1] == '\t')) data = data[..^1];
        return data;
    }
}
