using System.Text.Json;
using NewApi.Relay.Convert.Shared;
using NewApi.Relay.Convert.Streaming;

namespace NewApi.Relay.Convert.OpenAi;

/// <summary>
/// Canonical blocks → OpenAI chunk stream: a role chunk first, content / reasoning_content / tool_calls deltas, a
/// finish_reason chunk, the usage chunk (relay.md §2.9) and <c>data: [DONE]</c>.
/// </summary>
internal sealed class OpenAiStreamEncoder : StreamEncoder
{
    private string _id = "";

    public override void OnStart(StreamCore core)
    {
        _id = core.Id ?? Ids.New("chatcmpl-");
        var w = Begin(core);
        w.WriteString("role", "assistant");
        w.WriteString("content", "");
        End(core, null);
    }

    public override void OnBlockStart(StreamCore core, StreamBlock block)
    {
        if (block.Kind == BlockKind.Thinking && core.Options.ThinkingToContent)
        {
            Content(core, "content", "<think>\n");
            return;
        }
        if (block.Kind != BlockKind.ToolUse) return;
        var w = Begin(core);
        w.WriteStartArray("tool_calls");
        w.WriteStartObject();
        w.WriteNumber("index", block.ToolIndex);
        w.WriteString("id", block.ToolId);
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", block.ToolName);
        w.WriteString("arguments", "");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        End(core, null);
    }

    public override void OnDelta(StreamCore core, StreamBlock block, string delta)
    {
        switch (block.Kind)
        {
            case BlockKind.Text:
                Content(core, "content", delta);
                break;
            case BlockKind.Thinking:
                Content(core, core.Options.ThinkingToContent ? "content" : "reasoning_content", delta);
                break;
            case BlockKind.ToolUse:
                var w = Begin(core);
                w.WriteStartArray("tool_calls");
                w.WriteStartObject();
                w.WriteNumber("index", block.ToolIndex);
                w.WriteStartObject("function");
                w.WriteString("arguments", delta);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                End(core, null);
                break;
        }
    }

    public override void OnBlockStop(StreamCore core, StreamBlock block)
    {
        if (block.Kind == BlockKind.Thinking && core.Options.ThinkingToContent) Content(core, "content", "\n</think>\n");
    }

    public override void OnFinish(StreamCore core)
    {
        Begin(core);
        End(core, StopReasons.ToOpenAi(core.Stop));
    }

    public override void OnEnd(StreamCore core)
    {
        if (core.Options.IncludeUsage)
        {
            var w = core.Sse.Begin(null);
            Envelope(w, core);
            w.WriteStartArray("choices");
            w.WriteEndArray();
            w.WritePropertyName("usage");
            UsageCodec.ToOpenAi(core.Usage).WriteTo(w);
            w.WriteEndObject();
            core.Sse.End();
        }
        core.Sse.Write("data: [DONE]\n\n"u8);
    }

    public override void OnError(StreamCore core, UpstreamError error) =>
        core.Sse.Node(null, ErrorConverter.ToBody(WireFamily.OpenAiChat, error));

    private void Content(StreamCore core, string field, string text)
    {
        var w = Begin(core);
        w.WriteString(field, text);
        End(core, null);
    }

    /// <summary>Opens a chunk up to inside <c>choices[0].delta</c>.</summary>
    private Utf8JsonWriter Begin(StreamCore core)
    {
        var w = core.Sse.Begin(null);
        Envelope(w, core);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        return w;
    }

    private void Envelope(Utf8JsonWriter w, StreamCore core)
    {
        w.WriteStartObject();
        w.WriteString("id", _id.Length > 0 ? _id : _id = core.Id ?? Ids.New("chatcmpl-"));
        w.WriteString("object", "chat.completion.chunk");
        w.WriteNumber("created", core.Created);
        w.WriteString("model", core.ShownModel);
    }

    /// <summary>Closes the delta and the chunk opened by <see cref="Begin"/>.</summary>
    private static void End(StreamCore core, string? finishReason)
    {
        var w = core.Sse.Current;
        w.WriteEndObject();
        w.WriteNull("logprobs");
        if (finishReason is null) w.WriteNull("finish_reason");
        else w.WriteString("finish_reason", finishReason);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        core.Sse.End();
    }
}
