using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;
using NewApi.Relay.Convert.Streaming;

namespace NewApi.Relay.Convert.Gemini;

/// <summary>
/// Gemini stream (each SSE event or array element a <c>GenerateContentResponse</c>) → canonical blocks. A function call
/// arrives whole, so it opens and fills one block; the stream has no terminal event (the translator ends at end of body),
/// so a chunk's finishReason is applied there: a provider that marks every chunk does not end the client's answer early.
/// </summary>
internal sealed class GeminiStreamDecoder : IStreamDecoder
{
    public void Decode(StreamCore core, JsonObject evt)
    {
        if (J.Obj(evt, "error") is not null && ErrorConverter.FromJson(WireFamily.Gemini, 0, evt) is { } error)
        {
            core.Fail(error);
            return;
        }
        // Usage first: Gemini reports the prompt count from the first chunk, so a Claude client's message_start can carry it.
        if (J.Obj(evt, "usageMetadata", "usage_metadata") is { } usage) core.SetUsage(UsageCodec.FromGemini(usage));
        core.Start(J.Str(evt, "responseId", "response_id"), J.Str(evt, "modelVersion", "model_version"));
        var candidate = (J.Arr(evt, "candidates") is { Count: > 0 } c ? c[0] : null) as JsonObject;
        foreach (var node in J.Arr(J.Obj(candidate, "content"), "parts") ?? [])
            if (node is JsonObject part) Part(core, part);
        if (J.Str(candidate, "finishReason", "finish_reason") is { Length: > 0 } finish) core.FinishAtEnd(StopReasons.FromGemini(finish));
        else if (candidate is null && J.Str(J.Obj(evt, "promptFeedback", "prompt_feedback"), "blockReason", "block_reason") is not null)
            core.Finish(StopReason.ContentFilter);
    }

    private static void Part(StreamCore core, JsonObject json)
    {
        switch (GeminiResponseCodec.ReadPart(json))
        {
            case ThinkingPart th:
                core.Thinking(th.Text);
                if (th.Signature is { Length: > 0 } sig && core.Blocks.Count > 0 && core.Blocks[^1].Kind == BlockKind.Thinking)
                    core.Signature(core.Blocks[^1], sig);
                break;
            case TextPart t:
                core.Text(t.Text);
                break;
            case ToolCallPart call:
                var block = core.Open(BlockKind.ToolUse, call.Id, call.Name);
                core.Append(block, call.Arguments);
                break;
            case MediaPart media:
                core.Text(ResponseText.Markdown(media));
                break;
        }
    }
}
