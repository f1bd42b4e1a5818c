using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Shared;
using NewApi.Relay.Convert.Streaming;

namespace NewApi.Relay.Convert.OpenAi;

/// <summary>
/// OpenAI <c>chat.completion.chunk</c> stream → canonical blocks (relay.md §4.5): reasoning, text and tool calls become
/// blocks, a switch of kind closes the open block, each tool call (by <c>index</c>) is its own block. Only choice 0 is read.
/// </summary>
internal sealed class OpenAiStreamDecoder : IStreamDecoder
{
    private readonly Dictionary<int, StreamBlock> _tools = [];

    public void Decode(StreamCore core, JsonObject evt)
    {
        if (J.Get(evt, "error") is not null && ErrorConverter.FromJson(WireFamily.OpenAiChat, 0, evt) is { } error)
        {
            core.Fail(error);
            return;
        }
        core.Start(J.Str(evt, "id"), J.Str(evt, "model"), J.Long(evt, "created") ?? 0);
        var choice = (J.Arr(evt, "choices") is { Count: > 0 } choices ? choices[0] : null) as JsonObject;
        if (J.Obj(choice, "delta") is { } delta)
        {
            if ((J.Str(delta, "reasoning_content") ?? J.Str(delta, "reasoning")) is { Length: > 0 } reasoning) core.Thinking(reasoning);
            if (J.Str(delta, "content") is { Length: > 0 } content) core.Text(content);
            if (J.Str(delta, "refusal") is { Length: > 0 } refusal) core.Text(refusal);
            if (J.Arr(delta, "tool_calls") is { } calls) ToolCalls(core, calls);
        }
        if (J.Str(choice, "finish_reason") is { } finish) core.Finish(StopReasons.FromOpenAi(finish));
        if (J.Obj(evt, "usage") is { } usage) core.SetUsage(UsageCodec.FromOpenAi(usage));
    }

    private void ToolCalls(StreamCore core, JsonArray calls)
    {
        for (var i = 0; i < calls.Count; i++)
        {
            if (calls[i] is not JsonObject call) continue;
            var index = J.Int(call, "index") ?? i;
            var fn = J.Obj(call, "function");
            var id = J.Str(call, "id");
            var name = J.Str(fn, "name");
            var known = _tools.TryGetValue(index, out var block);
            // A new call announces itself with an id and/or a name; some vendors repeat the id on every fragment.
            if (!known || (id is { Length: > 0 } && id != block!.ToolId) || (!string.IsNullOrEmpty(name) && block!.Buffer.Length > 0 && name != block.ToolName))
            {
                block = core.Open(BlockKind.ToolUse, string.IsNullOrEmpty(id) ? Ids.New("call_") : id, name ?? "");
                _tools[index] = block;
            }
            else if (string.IsNullOrEmpty(block!.ToolName) && !string.IsNullOrEmpty(name))
            {
                block.ToolName = name;
            }
            if (J.Str(fn, "arguments") is { Length: > 0 } args) core.Append(block!, args);
        }
    }
}
