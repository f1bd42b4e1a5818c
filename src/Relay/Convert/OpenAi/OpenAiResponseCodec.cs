using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.OpenAi;

/// <summary>OpenAI <c>chat.completion</c> objects ⇄ <see cref="ConvResponse"/>. Only the first choice is converted.</summary>
internal static class OpenAiResponseCodec
{
    public static ConvResponse Read(JsonObject body)
    {
        var r = new ConvResponse { Id = J.Str(body, "id"), Model = J.Str(body, "model"), Created = J.Long(body, "created") ?? 0 };
        var choice = (J.Arr(body, "choices") is { Count: > 0 } choices ? choices[0] : null) as JsonObject;
        var message = J.Obj(choice, "message");
        if ((J.Str(message, "reasoning_content") ?? J.Str(message, "reasoning")) is { Length: > 0 } reasoning)
            r.Content.Add(new ThinkingPart(reasoning));
        r.Content.AddRange(OpenAiRequestReader.ContentParts(J.Get(message, "content")));
        if (J.Str(message, "refusal") is { Length: > 0 } refusal) r.Content.Add(new TextPart(refusal));
        foreach (var node in J.Arr(message, "tool_calls") ?? [])
        {
            if (node is not JsonObject call) continue;
            var fn = J.Obj(call, "function");
            r.Content.Add(new ToolCallPart(J.Str(call, "id") ?? Ids.New("call_"), J.Str(fn, "name") ?? "", J.Str(fn, "arguments") ?? "{}"));
        }
        r.Stop = StopReasons.FromOpenAi(J.Str(choice, "finish_reason"));
        if (r.Stop == StopReason.EndTurn && r.HasToolCalls) r.Stop = StopReason.ToolUse;
        r.Usage = UsageCodec.FromOpenAi(J.Obj(body, "usage"));
        return r;
    }

    public static JsonObject Write(ConvResponse r, ResponseOptions o)
    {
        var message = new JsonObject { ["role"] = "assistant" };
        var text = ResponseText.Join(r.Content);
        var thinking = ResponseText.Thinking(r.Content);
        if (o.ThinkingToContent && thinking.Length > 0)
        {
            text = "<think>\n" + thinking + "\n</think>\n" + text;
            thinking = "";
        }
        var calls = r.Content.OfType<ToolCallPart>().ToList();
        message["content"] = text.Length == 0 && calls.Count > 0 ? null : text;
        if (thinking.Length > 0) message["reasoning_content"] = thinking;
        if (calls.Count > 0)
        {
            var arr = new JsonArray();
            foreach (var c in calls)
                arr.Add((JsonNode)new JsonObject
                {
                    ["id"] = c.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.Arguments },
                });
            message["tool_calls"] = arr;
        }
        var choice = new JsonObject
        {
            ["index"] = 0,
            ["message"] = message,
            ["logprobs"] = null,
            ["finish_reason"] = StopReasons.ToOpenAi(r.Stop),
        };
        return new JsonObject
        {
            ["id"] = r.Id ?? Ids.New("chatcmpl-"),
            ["object"] = "chat.completion",
            ["created"] = r.Created > 0 ? r.Created : o.NowUnixSeconds,
            ["model"] = o.Model ?? r.Model ?? "",
            ["choices"] = new JsonArray(choice),
            ["usage"] = UsageCodec.ToOpenAi(r.Usage),
        };
    }
}
