using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;
using NewApi.Relay.Convert.Streaming;

namespace NewApi.Relay.Convert.Responses;

/// <summary>
/// Canonical blocks → Responses semantic events: <c>response.created</c>, <c>response.in_progress</c>, per block an output
/// item (message with output_text, reasoning with a summary, function_call) with its added / delta / done events, and
/// <c>response.completed</c> (or <c>response.incomplete</c>) carrying the whole response and its usage. Every event has
/// a <c>sequence_number</c>.
/// </summary>
internal sealed class ResponsesStreamEncoder : StreamEncoder
{
    private int _sequence;
    private int _outputs;
    private string? _responseId;

    public override void OnStart(StreamCore core)
    {
        var response = Snapshot(core, "in_progress");
        Emit(core, "response.created", new JsonObject { ["response"] = response });
        Emit(core, "response.in_progress", new JsonObject { ["response"] = Snapshot(core, "in_progress") });
    }

    public override void OnBlockStart(StreamCore core, StreamBlock block)
    {
        block.OutputIndex = _outputs++;
        switch (block.Kind)
        {
            case BlockKind.Text:
                block.ItemId = Ids.New("msg_");
                Emit(core, "response.output_item.added", Item(block, ResponsesResponseCodec.MessageItem(block.ItemId, "in_progress")));
                Emit(core, "response.content_part.added", Part(block, ResponsesResponseCodec.TextContent("")));
                break;
            case BlockKind.Thinking or BlockKind.RedactedThinking:
                block.ItemId = Ids.New("rs_");
                Emit(core, "response.output_item.added", Item(block, new JsonObject { ["id"] = block.ItemId, ["type"] = "reasoning", ["summary"] = new JsonArray() }));
                if (block.Kind == BlockKind.Thinking)
                    Emit(core, "response.reasoning_summary_part.added", Summary(block, ResponsesResponseCodec.SummaryPart("")));
                break;
            default:
                block.ItemId = Ids.New("fc_");
                var call = new ToolCallPart(block.ToolId ?? "", block.ToolName ?? "", "") { ItemId = block.ItemId };
                Emit(core, "response.output_item.added", Item(block, ResponsesResponseCodec.FunctionCallItem(call, "in_progress")));
                break;
        }
    }

    public override void OnDelta(StreamCore core, StreamBlock block, string delta)
    {
        if (!block.Open) return;
        switch (block.Kind)
        {
            case BlockKind.Text:
                var text = Located(block, withContentIndex: true);
                text["delta"] = delta;
                text["logprobs"] = new JsonArray();
                Emit(core, "response.output_text.delta", text);
                break;
            case BlockKind.Thinking:
                var summary = Located(block, withContentIndex: false);
                summary["summary_index"] = 0;
                summary["delta"] = delta;
                Emit(core, "response.reasoning_summary_text.delta", summary);
                break;
            case BlockKind.ToolUse:
                var args = Located(block, withContentIndex: false);
                args["delta"] = delta;
                Emit(core, "response.function_call_arguments.delta", args);
                break;
        }
    }

    public override void OnBlockStop(StreamCore core, StreamBlock block)
    {
        var part = block.ToPart();
        var value = block.Buffer.ToString();
        switch (block.Kind)
        {
            case BlockKind.Text:
                var done = Located(block, withContentIndex: true);
                done["text"] = value;
                done["logprobs"] = new JsonArray();
                Emit(core, "response.output_text.done", done);
                Emit(core, "response.content_part.done", Part(block, ResponsesResponseCodec.TextContent(value)));
                var message = ResponsesResponseCodec.MessageItem(block.ItemId!, "completed");
                ((JsonArray)message["content"]!).Add((JsonNode)ResponsesResponseCodec.TextContent(value));
                Emit(core, "response.output_item.done", Item(block, message));
                break;
            case BlockKind.Thinking or BlockKind.RedactedThinking:
                if (block.Kind == BlockKind.Thinking)
                {
                    var text = Located(block, withContentIndex: false);
                    text["summary_index"] = 0;
                    text["text"] = value;
                    Emit(core, "response.reasoning_summary_text.done", text);
                    Emit(core, "response.reasoning_summary_part.done", Summary(block, ResponsesResponseCodec.SummaryPart(value)));
                }
                Emit(core, "response.output_item.done", Item(block, ResponsesResponseCodec.ReasoningItem((ThinkingPart)part)));
                break;
            default:
                var args = Located(block, withContentIndex: false);
                args["name"] = block.ToolName;
                args["arguments"] = ((ToolCallPart)part).Arguments;
                Emit(core, "response.function_call_arguments.done", args);
                Emit(core, "response.output_item.done", Item(block, ResponsesResponseCodec.FunctionCallItem((ToolCallPart)part, "completed")));
                break;
        }
    }

    public override void OnEnd(StreamCore core)
    {
        var r = core.ToResponse();
        r.Id = ResponseId(core);
        var response = ResponsesResponseCodec.Write(r, core.Options);
        var type = J.Str(response, "status") == "incomplete" ? "response.incomplete" : "response.completed";
        Emit(core, type, new JsonObject { ["response"] = response });
        core.Options.OnResponse?.Invoke(response);
    }

    public override void OnError(StreamCore core, UpstreamError error)
    {
        Emit(core, "error", new JsonObject { ["code"] = error.Code ?? error.Type, ["message"] = error.Message, ["param"] = error.Param });
        var response = Snapshot(core, "failed");
        response["error"] = new JsonObject { ["code"] = error.Code ?? "server_error", ["message"] = error.Message };
        Emit(core, "response.failed", new JsonObject { ["response"] = response });
    }

    private JsonObject Snapshot(StreamCore core, string status)
    {
        var r = new ConvResponse { Id = ResponseId(core), Model = core.Model, Created = core.Created };
        return ResponsesResponseCodec.Write(r, core.Options, status);
    }

    private string ResponseId(StreamCore core) => _responseId ??= core.Id is { } id && id.StartsWith("resp_", StringComparison.Ordinal) ? id : Ids.New("resp_");

    private static JsonObject Item(StreamBlock block, JsonObject item) => new() { ["output_index"] = block.OutputIndex, ["item"] = item };

    private static JsonObject Part(StreamBlock block, JsonObject part)
    {
        var o = Located(block, withContentIndex: true);
        o["part"] = part;
        return o;
    }

    private static JsonObject Summary(StreamBlock block, JsonObject part)
    {
        var o = Located(block, withContentIndex: false);
        o["summary_index"] = 0;
        o["part"] = part;
        return o;
    }

    private static JsonObject Located(StreamBlock block, bool withContentIndex)
    {
        var o = new JsonObject { ["item_id"] = block.ItemId, ["output_index"] = block.OutputIndex };
        if (withContentIndex) o["content_index"] = 0;
        return o;
    }

    /// <summary>Writes <c>event: type</c> with the payload, adding <c>type</c> first and <c>sequence_number</c>.</summary>
    private void Emit(StreamCore core, string type, JsonObject payload)
    {
        var w = core.Sse.Begin(type);
        w.WriteStartObject();
        w.WriteString("type", type);
        foreach (var (key, value) in payload)
        {
            w.WritePropertyName(key);
            if (value is null) w.WriteNullValue();
            else value.WriteTo(w);
        }
        w.WriteNumber("sequence_number", _sequence++);
        w.WriteEndObject();
        core.Sse.End();
    }
}
