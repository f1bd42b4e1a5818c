using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Shared;
using NewApi.Relay.Convert.Streaming;

namespace NewApi.Relay.Convert.Responses;

/// <summary>
/// OpenAI Responses semantic events → canonical blocks: message text parts, reasoning summaries and function calls each
/// become a block; <c>response.completed</c> / <c>incomplete</c> / <c>failed</c> carry the usage and end the stream.
/// </summary>
internal sealed class ResponsesStreamDecoder : IStreamDecoder
{
    private readonly Dictionary<string, StreamBlock> _blocks = new(StringComparer.Ordinal);

    public void Decode(StreamCore core, JsonObject evt)
    {
        var type = J.Str(evt, "type");
        switch (type)
        {
            case "response.created" or "response.in_progress":
                var created = J.Obj(evt, "response");
                core.Start(J.Str(created, "id"), J.Str(created, "model"), J.Long(created, "created_at") ?? 0);
                break;
            case "response.output_item.added":
                ItemAdded(core, J.Obj(evt, "item"));
                break;
            case "response.content_part.added":
                _blocks[Key(evt)] = core.Open(BlockKind.Text);
                break;
            case "response.output_text.delta" or "response.refusal.delta":
                Append(core, Key(evt), BlockKind.Text, J.Str(evt, "delta"));
                break;
            case "response.reasoning_summary_text.delta" or "response.reasoning_text.delta":
                Append(core, J.Str(evt, "item_id") ?? "", BlockKind.Thinking, J.Str(evt, "delta"));
                break;
            case "response.reasoning_summary_part.added" when J.Long(evt, "summary_index") is > 0:
                Append(core, J.Str(evt, "item_id") ?? "", BlockKind.Thinking, "\n\n");
                break;
            case "response.function_call_arguments.delta":
                Append(core, J.Str(evt, "item_id") ?? "", BlockKind.ToolUse, J.Str(evt, "delta"));
                break;
            case "response.output_item.done":
                ItemDone(core, J.Obj(evt, "item"));
                break;
            case "response.completed" or "response.incomplete" or "response.failed":
                Completed(core, J.Obj(evt, "response"), type);
                break;
            case "error":
                if (ErrorConverter.FromJson(WireFamily.Responses, 0, evt) is { } error) core.Fail(error);
                break;
        }
    }

    private void ItemAdded(StreamCore core, JsonObject? item)
    {
        var id = J.Str(item, "id") ?? "";
        switch (J.Str(item, "type"))
        {
            case "function_call":
                var block = core.Open(BlockKind.ToolUse, J.Str(item, "call_id") ?? Ids.New("call_"), J.Str(item, "name") ?? "");
                _blocks[id] = block;
                if (J.Str(item, "arguments") is { Length: > 0 } args) core.Append(block, args);
                break;
            case "reasoning":
                _blocks[id] = core.Open(BlockKind.Thinking);
                break;
        }
    }

    private void ItemDone(StreamCore core, JsonObject? item)
    {
        var id = J.Str(item, "id") ?? "";
        if (!_blocks.TryGetValue(id, out var block)) block = null;
        switch (J.Str(item, "type"))
        {
            case "reasoning" when block is not null:
                if (J.Str(item, "encrypted_content") is { Length: > 0 } encrypted) core.Signature(block, encrypted);
                core.Close(block);
                break;
            case "function_call" when block is not null:
                if (block.Buffer.Length == 0 && J.Str(item, "arguments") is { Length: > 0 } args) core.Append(block, args);
                core.Close(block);
                break;
            case "message":
                foreach (var (key, b) in _blocks)
                    if (key.StartsWith(id + ":", StringComparison.Ordinal)) core.Close(b);
                break;
        }
    }

    private void Append(StreamCore core, string key, BlockKind kind, string? delta)
    {
        if (string.IsNullOrEmpty(delta)) return;
        if (!_blocks.TryGetValue(key, out var block)) _blocks[key] = block = core.Open(kind);
        core.Append(block, delta);
    }

    private static string Key(JsonObject evt) => J.Str(evt, "item_id") + ":" + (J.Long(evt, "content_index") ?? 0);

    private static void Completed(StreamCore core, JsonObject? response, string type)
    {
        if (type == "response.failed")
        {
            var error = J.Obj(response, "error");
            core.Fail(new UpstreamError(500, J.Str(error, "message") ?? "response failed", J.Str(error, "code") ?? "api_error",
                J.Str(error, "code"), null, WireFamily.Responses));
            return;
        }
        core.SetUsage(UsageCodec.FromResponses(J.Obj(response, "usage")));
        var hasTools = core.Blocks.Exists(b => b.Kind == BlockKind.ToolUse);
        core.Finish(StopReasons.FromResponses(J.Str(response, "status"), J.Str(J.Obj(response, "incomplete_details"), "reason"), hasTools));
        core.End();
    }
}
