using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Shared;
using NewApi.Relay.Convert.Streaming;

namespace NewApi.Relay.Convert.Claude;

/// <summary>
/// Canonical blocks → Claude event stream: <c>message_start</c> + <c>ping</c>, <c>content_block_start/delta/stop</c>
/// (text, thinking with signature, redacted thinking, tool_use with <c>input_json_delta</c>), then <c>message_delta</c>
/// with stop reason and usage, and <c>message_stop</c> (relay.md §4.5). The closing events wait for the end of the
/// upstream stream because OpenAI-dialect upstreams send usage after the finish reason.
/// </summary>
internal sealed class ClaudeStreamEncoder : StreamEncoder
{
    public override void OnStart(StreamCore core)
    {
        var usage = core.HasUsage ? core.Usage : new TokenUsage { Prompt = core.Options.EstimatedPromptTokens };
        var message = new JsonObject
        {
            ["id"] = core.Id ?? Ids.New("msg_"),
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = core.ShownModel,
            ["content"] = new JsonArray(),
            ["stop_reason"] = null,
            ["stop_sequence"] = null,
            ["usage"] = UsageCodec.ToClaude(usage with { Completion = core.HasUsage ? usage.Completion : 0 }),
        };
        core.Sse.Node("message_start", new JsonObject { ["type"] = "message_start", ["message"] = message });
        core.Sse.Node("ping", new JsonObject { ["type"] = "ping" });
    }

    public override void OnBlockStart(StreamCore core, StreamBlock block)
    {
        var content = block.Kind switch
        {
            BlockKind.Text => new JsonObject { ["type"] = "text", ["text"] = "" },
            BlockKind.Thinking => new JsonObject { ["type"] = "thinking", ["thinking"] = "", ["signature"] = "" },
            BlockKind.RedactedThinking => new JsonObject { ["type"] = "redacted_thinking", ["data"] = block.Signature ?? "" },
            _ => new JsonObject { ["type"] = "tool_use", ["id"] = block.ToolId ?? "", ["name"] = block.ToolName, ["input"] = new JsonObject() },
        };
        core.Sse.Node("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = block.Index, ["content_block"] = content });
    }

    public override void OnDelta(StreamCore core, StreamBlock block, string delta)
    {
        var (type, field) = block.Kind switch
        {
            BlockKind.Text => ("text_delta", "text"),
            BlockKind.Thinking => ("thinking_delta", "thinking"),
            BlockKind.ToolUse => ("input_json_delta", "partial_json"),
            _ => (null, null),
        };
        if (type is null) return;
        Delta(core, block.Index, type, field!, delta);
    }

    public override void OnSignature(StreamCore core, StreamBlock block, string signature)
    {
        // Redacted thinking carries its data in the start event, which may already be written.
        if (block.Kind == BlockKind.Thinking) Delta(core, block.Index, "signature_delta", "signature", signature);
    }

    public override void OnBlockStop(StreamCore core, StreamBlock block)
    {
        var w = core.Sse.Begin("content_block_stop");
        w.WriteStartObject();
        w.WriteString("type", "content_block_stop");
        w.WriteNumber("index", block.Index);
        w.WriteEndObject();
        core.Sse.End();
    }

    public override void OnEnd(StreamCore core)
    {
        var usage = core.Usage;
        if (!core.HasUsage || usage.Prompt == 0) usage = usage with { Prompt = Math.Max(usage.Prompt, core.Options.EstimatedPromptTokens) };
        var delta = new JsonObject
        {
            ["stop_reason"] = StopReasons.ToClaude(core.Stop),
            ["stop_sequence"] = core.StopSequence,
        };
        core.Sse.Node("message_delta", new JsonObject { ["type"] = "message_delta", ["delta"] = delta, ["usage"] = UsageCodec.ToClaude(usage) });
        core.Sse.Node("message_stop", new JsonObject { ["type"] = "message_stop" });
    }

    public override void OnError(StreamCore core, UpstreamError error) =>
        core.Sse.Node("error", ErrorConverter.ToBody(WireFamily.Claude, error));

    private static void Delta(StreamCore core, int index, string type, string field, string value)
    {
        Utf8JsonWriter w = core.Sse.Begin("content_block_delta");
        w.WriteStartObject();
        w.WriteString("type", "content_block_delta");
        w.WriteNumber("index", index);
        w.WriteStartObject("delta");
        w.WriteString("type", type);
        w.WriteString(field, value);
        w.WriteEndObject();
        w.WriteEndObject();
        core.Sse.End();
    }
}
