using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Shared;
using NewApi.Relay.Convert.Streaming;

namespace NewApi.Relay.Convert.Gemini;

/// <summary>
/// Canonical blocks → Gemini stream: one <c>GenerateContentResponse</c> per upstream event with the parts it produced
/// (a function call is written whole when its block ends), and a last one with <c>finishReason</c> and
/// <c>usageMetadata</c>. Framed as SSE <c>data:</c> lines, or as one JSON array for callers without <c>alt=sse</c>.
/// </summary>
internal sealed class GeminiStreamEncoder : StreamEncoder
{
    private readonly JsonArray _pending = [];
    private bool _wroteAny;

    public override void OnDelta(StreamCore core, StreamBlock block, string delta)
    {
        if (!block.Open) return;
        var thought = block.Kind == BlockKind.Thinking;
        if (block.Kind is not (BlockKind.Text or BlockKind.Thinking)) return;
        if (_pending.Count > 0 && _pending[^1] is JsonObject last && last["functionCall"] is null && (J.Bool(last, "thought") == true) == thought)
        {
            last["text"] = J.Str(last, "text") + delta;
            return;
        }
        var part = new JsonObject { ["text"] = delta };
        if (thought) part["thought"] = true;
        _pending.Add((JsonNode)part);
    }

    public override void OnBlockStop(StreamCore core, StreamBlock block)
    {
        if (block.Kind == BlockKind.ToolUse && GeminiResponseCodec.WritePart(block.ToPart()) is { } part) _pending.Add((JsonNode)part);
    }

    public override void OnEventDone(StreamCore core)
    {
        if (_pending.Count > 0 && !core.Ended) Chunk(core, null);
    }

    public override void OnEnd(StreamCore core)
    {
        if (_pending.Count == 0) _pending.Add((JsonNode)new JsonObject { ["text"] = "" });
        Chunk(core, core);
        if (core.Options.GeminiJsonArray) core.Sse.Write("]"u8);
    }

    public override void OnError(StreamCore core, UpstreamError error)
    {
        Frame(core, ErrorConverter.ToBody(WireFamily.Gemini, error));
        if (core.Options.GeminiJsonArray) core.Sse.Write("]"u8);
    }

    /// <summary>Writes the pending parts; with <paramref name="final"/> also the finish reason and usage.</summary>
    private void Chunk(StreamCore core, StreamCore? final)
    {
        var items = _pending.ToArray();
        _pending.Clear();
        var parts = new JsonArray(items);
        var candidate = new JsonObject { ["content"] = new JsonObject { ["role"] = "model", ["parts"] = parts }, ["index"] = 0 };
        var chunk = new JsonObject { ["candidates"] = new JsonArray(candidate) };
        if (final is not null)
        {
            candidate["finishReason"] = StopReasons.ToGemini(final.Stop);
            chunk["usageMetadata"] = UsageCodec.ToGemini(final.Usage);
        }
        chunk["modelVersion"] = core.ShownModel;
        J.SetIf(chunk, "responseId", core.Id);
        Frame(core, chunk);
    }

    private void Frame(StreamCore core, JsonObject json)
    {
        if (!core.Options.GeminiJsonArray)
        {
            core.Sse.Node(null, json);
            return;
        }
        core.Sse.Write(_wroteAny ? ",\r\n"u8 : "["u8);
        _wroteAny = true;
        json.WriteTo(core.Sse.BeginBare());
        core.Sse.EndBare();
    }
}
