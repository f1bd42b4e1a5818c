using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Responses;

/// <summary>OpenAI Responses <c>response</c> objects ⇄ <see cref="ConvResponse"/>; the writer also builds the objects the stream events carry.</summary>
internal static class ResponsesResponseCodec
{
    public static ConvResponse Read(JsonObject body)
    {
        var r = new ConvResponse { Id = J.Str(body, "id"), Model = J.Str(body, "model"), Created = J.Long(body, "created_at") ?? 0 };
        foreach (var node in J.Arr(body, "output") ?? [])
            if (node is JsonObject item) ReadItem(r.Content, item);
        r.Stop = StopReasons.FromResponses(J.Str(body, "status"), J.Str(J.Obj(body, "incomplete_details"), "reason"), r.HasToolCalls);
        r.Usage = UsageCodec.FromResponses(J.Obj(body, "usage"));
        return r;
    }

    public static void ReadItem(List<ConvPart> content, JsonObject item)
    {
        switch (J.Str(item, "type"))
        {
            case "message":
                foreach (var node in J.Arr(item, "content") ?? [])
                {
                    var p = node as JsonObject;
                    var text = J.Str(p, "text") ?? J.Str(p, "refusal");
                    if (text is not null) content.Add(new TextPart(text) { ItemId = J.Str(item, "id") });
                }
                break;
            case "function_call":
                content.Add(new ToolCallPart(J.Str(item, "call_id") ?? Ids.New("call_"), J.Str(item, "name") ?? "", J.Str(item, "arguments") ?? "{}")
                {
                    ItemId = J.Str(item, "id"),
                });
                break;
            case "reasoning":
                var summary = (J.Arr(item, "summary") ?? []).Concat(J.Arr(item, "content") ?? []).Select(s => J.Str(s as JsonObject, "text"));
                content.Add(new ThinkingPart(string.Join("\n", summary.Where(s => s is not null)))
                {
                    Signature = J.Str(item, "encrypted_content"),
                    ItemId = J.Str(item, "id"),
                });
                break;
        }
    }

    /// <summary>The full response object. <paramref name="status"/> overrides the one derived from the stop reason (stream start).</summary>
    public static JsonObject Write(ConvResponse r, ResponseOptions o, string? status = null)
    {
        var incomplete = StopReasons.ResponsesIncompleteReason(r.Stop);
        var echo = o.ClientRequest;
        var body = new JsonObject
        {
            ["id"] = r.Id = r.Id is { } id && id.StartsWith("resp_", StringComparison.Ordinal) ? id : Ids.New("resp_"),
            ["object"] = "response",
            ["created_at"] = r.Created > 0 ? r.Created : o.NowUnixSeconds,
            ["status"] = status ?? (incomplete is null ? "completed" : "incomplete"),
            ["error"] = null,
            ["incomplete_details"] = status is null && incomplete is not null ? new JsonObject { ["reason"] = incomplete } : null,
            ["instructions"] = J.Clone(J.Get(echo, "instructions")),
            ["max_output_tokens"] = J.Clone(J.Get(echo, "max_output_tokens")),
            ["model"] = o.Model ?? r.Model ?? J.Str(echo, "model") ?? "",
            ["output"] = Output(r.Content),
            ["parallel_tool_calls"] = J.Bool(echo, "parallel_tool_calls") ?? true,
            ["previous_response_id"] = null,
            ["reasoning"] = J.Clone(J.Get(echo, "reasoning")) ?? new JsonObject { ["effort"] = null, ["summary"] = null },
            ["store"] = J.Bool(echo, "store") ?? false,
            ["temperature"] = J.Clone(J.Get(echo, "temperature")),
            ["text"] = J.Clone(J.Get(echo, "text")) ?? new JsonObject { ["format"] = new JsonObject { ["type"] = "text" } },
            ["tool_choice"] = J.Clone(J.Get(echo, "tool_choice")) ?? "auto",
            ["tools"] = J.Clone(J.Get(echo, "tools")) ?? new JsonArray(),
            ["top_p"] = J.Clone(J.Get(echo, "top_p")),
            ["truncation"] = J.Str(echo, "truncation") ?? "disabled",
            ["usage"] = status is null ? UsageCodec.ToResponses(r.Usage) : null,
            ["user"] = J.Str(echo, "user"),
            ["metadata"] = J.Clone(J.Get(echo, "metadata")) ?? new JsonObject(),
        };
        return body;
    }

    private static JsonArray Output(List<ConvPart> content)
    {
        var output = new JsonArray();
        JsonObject? message = null;
        foreach (var p in content)
        {
            switch (p)
            {
                case TextPart or MediaPart:
                    var text = p is TextPart t ? t.Text : ResponseText.Markdown((MediaPart)p);
                    if (message is null || (p.ItemId is not null && p.ItemId != J.Str(message, "id")))
                    {
                        message = MessageItem(p.ItemId ??= Ids.New("msg_"), "completed");
                        ((JsonArray)message["content"]!).Add((JsonNode)TextContent(""));
                        output.Add((JsonNode)message);
                    }
                    var part = (JsonObject)((JsonArray)message["content"]!)[0]!;
                    part["text"] = J.Str(part, "text") + text;
                    break;
                case ThinkingPart th:
                    message = null;
                    output.Add((JsonNode)ReasoningItem(th));
                    break;
                case ToolCallPart c:
                    message = null;
                    output.Add((JsonNode)FunctionCallItem(c, "completed"));
                    break;
            }
        }
        return output;
    }

    public static JsonObject MessageItem(string id, string status) => new()
    {
        ["id"] = id,
        ["type"] = "message",
        ["status"] = status,
        ["role"] = "assistant",
        ["content"] = new JsonArray(),
    };

    public static JsonObject TextContent(string text) => new()
    {
        ["type"] = "output_text",
        ["text"] = text,
        ["annotations"] = new JsonArray(),
        ["logprobs"] = new JsonArray(),
    };

    public static JsonObject ReasoningItem(ThinkingPart th)
    {
        var summary = new JsonArray();
        if (th.Text.Length > 0) summary.Add((JsonNode)SummaryPart(th.Text));
        var item = new JsonObject { ["id"] = th.ItemId ??= Ids.New("rs_"), ["type"] = "reasoning", ["summary"] = summary };
        J.SetIf(item, "encrypted_content", th.Signature is { Length: > 0 } ? th.Signature : th.RedactedData);
        return item;
    }

    public static JsonObject SummaryPart(string text) => new() { ["type"] = "summary_text", ["text"] = text };

    public static JsonObject FunctionCallItem(ToolCallPart c, string status) => new()
    {
        ["id"] = c.ItemId ??= Ids.New("fc_"),
        ["type"] = "function_call",
        ["status"] = status,
        ["arguments"] = c.Arguments,
        ["call_id"] = c.Id,
        ["name"] = c.Name,
    };
}
