using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Shared;
using NewApi.Relay.Convert.Streaming;

namespace NewApi.Relay.Convert.Claude;

/// <summary>
/// Claude Messages event stream → canonical blocks. Usage starts from <c>message_start</c> and is overwritten by the
/// non-null values of <c>message_delta</c> (relay.md §3.10); server-tool blocks (web search) are not forwarded.
/// </summary>
internal sealed class ClaudeStreamDecoder : IStreamDecoder
{
    private readonly Dictionary<long, StreamBlock?> _blocks = [];
    private readonly JsonObject _usage = new();

    public void Decode(StreamCore core, JsonObject evt)
    {
        switch (J.Str(evt, "type"))
        {
            case "message_start":
                var message = J.Obj(evt, "message");
                core.Start(J.Str(message, "id"), J.Str(message, "model"));
                MergeUsage(core, J.Obj(message, "usage"));
                break;
            case "content_block_start":
                BlockStart(core, J.Long(evt, "index") ?? 0, J.Obj(evt, "content_block"));
                break;
            case "content_block_delta":
                if (_blocks.GetValueOrDefault(J.Long(evt, "index") ?? 0) is { } block) Delta(core, block, J.Obj(evt, "delta"));
                break;
            case "content_block_stop":
                if (_blocks.GetValueOrDefault(J.Long(evt, "index") ?? 0) is { } done) core.Close(done);
                break;
            case "message_delta":
                MergeUsage(core, J.Obj(evt, "usage"));
                var d = J.Obj(evt, "delta");
                if (J.Str(d, "stop_reason") is { } reason) core.Finish(StopReasons.FromClaude(reason), J.Str(d, "stop_sequence"));
                break;
            case "message_stop":
                core.End();
                break;
            case "error":
                if (ErrorConverter.FromJson(WireFamily.Claude, 0, evt) is { } error) core.Fail(error);
                break;
        }
    }

    private void BlockStart(StreamCore core, long index, JsonObject? b)
    {
        StreamBlock? block = null;
        switch (J.Str(b, "type"))
        {
            case "text":
                block = core.Open(BlockKind.Text);
                if (J.Str(b, "text") is { Length: > 0 } text) core.Append(block, text);
                break;
            case "thinking":
                block = core.Open(BlockKind.Thinking);
                if (J.Str(b, "thinking") is { Length: > 0 } thinking) core.Append(block, thinking);
                if (J.Str(b, "signature") is { Length: > 0 } signature) core.Signature(block, signature);
                break;
            case "redacted_thinking":
                block = core.Open(BlockKind.RedactedThinking);
                if (J.Str(b, "data") is { Length: > 0 } data) core.Signature(block, data);
                break;
            case "tool_use":
                block = core.Open(BlockKind.ToolUse, J.Str(b, "id") ?? Ids.New("toolu_"), J.Str(b, "name") ?? "");
                if (J.Obj(b, "input") is { Count: > 0 } input) core.Append(block, J.ToJson(input));
                break;
        }
        _blocks[index] = block;
    }

    private static void Delta(StreamCore core, StreamBlock block, JsonObject? delta)
    {
        switch (J.Str(delta, "type"))
        {
            case "text_delta":
                core.Append(block, J.Str(delta, "text") ?? "");
                break;
            case "thinking_delta":
                core.Append(block, J.Str(delta, "thinking") ?? "");
                break;
            case "signature_delta":
                core.Signature(block, J.Str(delta, "signature") ?? "");
                break;
            case "input_json_delta":
                core.Append(block, J.Str(delta, "partial_json") ?? "");
                break;
        }
    }

    /// <summary>Later usage objects overwrite earlier fields they carry with a non-null value (Bedrock omits input fields).</summary>
    private void MergeUsage(StreamCore core, JsonObject? usage)
    {
        if (usage is null) return;
        foreach (var (key, value) in usage)
            if (value is not null) _usage[key] = value.DeepClone();
        core.SetUsage(UsageCodec.FromClaude(_usage));
    }
}
