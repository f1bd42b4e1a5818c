using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Claude;

/// <summary>Claude <c>message</c> objects ⇄ <see cref="ConvResponse"/>.</summary>
internal static class ClaudeResponseCodec
{
    public static ConvResponse Read(JsonObject body)
    {
        var r = new ConvResponse { Id = J.Str(body, "id"), Model = J.Str(body, "model") };
        foreach (var node in J.Arr(body, "content") ?? [])
        {
            if (node is not JsonObject b) continue;
            switch (J.Str(b, "type"))
            {
                case "text":
                    r.Content.Add(new TextPart(J.Str(b, "text") ?? ""));
                    break;
                case "thinking":
                    r.Content.Add(new ThinkingPart(J.Str(b, "thinking") ?? "") { Signature = J.Str(b, "signature") });
                    break;
                case "redacted_thinking":
                    r.Content.Add(new ThinkingPart("") { RedactedData = J.Str(b, "data") });
                    break;
                case "tool_use":
                    r.Content.Add(new ToolCallPart(J.Str(b, "id") ?? Ids.New("toolu_"), J.Str(b, "name") ?? "", J.ToJson(J.Get(b, "input") ?? new JsonObject())));
                    break;
            }
        }
        r.Stop = StopReasons.FromClaude(J.Str(body, "stop_reason"));
        r.StopSequence = J.Str(body, "stop_sequence");
        r.Usage = UsageCodec.FromClaude(J.Obj(body, "usage"));
        return r;
    }

    public static JsonObject Write(ConvResponse r, ResponseOptions o)
    {
        var content = new JsonArray();
        foreach (var p in r.Content)
            if (Block(p) is { } block) content.Add((JsonNode)block);
        return new JsonObject
        {
            ["id"] = r.Id ?? Ids.New("msg_"),
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = o.Model ?? r.Model ?? "",
            ["content"] = content,
            ["stop_reason"] = StopReasons.ToClaude(r.Stop == StopReason.EndTurn && r.HasToolCalls ? StopReason.ToolUse : r.Stop),
            ["stop_sequence"] = r.StopSequence,
            ["usage"] = UsageCodec.ToClaude(r.Usage),
        };
    }

    public static JsonObject? Block(ConvPart p) => p switch
    {
        TextPart t when t.Text.Length > 0 => new JsonObject { ["type"] = "text", ["text"] = t.Text },
        MediaPart m => new JsonObject { ["type"] = "text", ["text"] = ResponseText.Markdown(m) },
        ThinkingPart { RedactedData: { } data } => new JsonObject { ["type"] = "redacted_thinking", ["data"] = data },
        ThinkingPart th => new JsonObject { ["type"] = "thinking", ["thinking"] = th.Text, ["signature"] = th.Signature ?? "" },
        ToolCallPart c => new JsonObject
        {
            ["type"] = "tool_use",
            ["id"] = c.Id,
            ["name"] = c.Name,
            ["input"] = J.TryParse(c.Arguments) as JsonObject ?? new JsonObject(),
        },
        _ => null,
    };
}
