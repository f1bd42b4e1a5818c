using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Gemini;

/// <summary>Gemini <c>GenerateContentResponse</c> objects ⇄ <see cref="ConvResponse"/>. Only the first candidate is converted.</summary>
internal static class GeminiResponseCodec
{
    public static ConvResponse Read(JsonObject body)
    {
        var r = new ConvResponse { Id = J.Str(body, "responseId", "response_id"), Model = J.Str(body, "modelVersion", "model_version") };
        var candidate = (J.Arr(body, "candidates") is { Count: > 0 } c ? c[0] : null) as JsonObject;
        foreach (var node in J.Arr(J.Obj(candidate, "content"), "parts") ?? [])
            if (node is JsonObject part && ReadPart(part) is { } conv) r.Content.Add(conv);
        r.Stop = StopReasons.FromGemini(J.Str(candidate, "finishReason", "finish_reason"));
        if (candidate is null && J.Str(J.Obj(body, "promptFeedback", "prompt_feedback"), "blockReason", "block_reason") is not null)
            r.Stop = StopReason.ContentFilter;
        if (r.Stop == StopReason.EndTurn && r.HasToolCalls) r.Stop = StopReason.ToolUse;
        r.Usage = UsageCodec.FromGemini(J.Obj(body, "usageMetadata", "usage_metadata"));
        return r;
    }

    /// <summary>One response part; shared with the stream decoder.</summary>
    public static ConvPart? ReadPart(JsonObject part)
    {
        if (J.Str(part, "text") is { } text)
            return J.Bool(part, "thought") == true
                ? new ThinkingPart(text) { Signature = J.Str(part, "thoughtSignature", "thought_signature") }
                : new TextPart(text);
        if (J.Obj(part, "functionCall", "function_call") is { } call)
            return new ToolCallPart(J.Str(call, "id") ?? Ids.New("call_"), J.Str(call, "name") ?? "", J.ToJson(J.Get(call, "args") ?? new JsonObject()))
            {
                ThoughtSignature = J.Str(part, "thoughtSignature", "thought_signature"),
            };
        if (J.Obj(part, "inlineData", "inline_data") is { } inline)
        {
            var mime = J.Str(inline, "mimeType", "mime_type");
            return new MediaPart(GeminiRequestReader.KindOf(mime)) { MimeType = mime, Data = J.Str(inline, "data") };
        }
        if (J.Obj(part, "executableCode", "executable_code") is { } code)
            return new TextPart("```" + (J.Str(code, "language")?.ToLowerInvariant() ?? "") + "\n" + J.Str(code, "code") + "\n```\n");
        if (J.Obj(part, "codeExecutionResult", "code_execution_result") is { } output)
            return new TextPart("```output\n" + J.Str(output, "output") + "\n```\n");
        return null;
    }

    public static JsonObject Write(ConvResponse r, ResponseOptions o)
    {
        var parts = new JsonArray();
        foreach (var p in r.Content)
            if (WritePart(p) is { } part) parts.Add((JsonNode)part);
        var candidate = new JsonObject
        {
            ["content"] = new JsonObject { ["role"] = "model", ["parts"] = parts },
            ["finishReason"] = StopReasons.ToGemini(r.Stop),
            ["index"] = 0,
        };
        var body = new JsonObject
        {
            ["candidates"] = new JsonArray(candidate),
            ["usageMetadata"] = UsageCodec.ToGemini(r.Usage),
            ["modelVersion"] = o.Model ?? r.Model ?? "",
        };
        J.SetIf(body, "responseId", r.Id);
        return body;
    }

    /// <summary>One part in Gemini form; shared with the stream encoder.</summary>
    public static JsonObject? WritePart(ConvPart p)
    {
        switch (p)
        {
            case TextPart t when t.Text.Length > 0:
                return new JsonObject { ["text"] = t.Text };
            case ThinkingPart th when th.Text.Length > 0:
                return new JsonObject { ["text"] = th.Text, ["thought"] = true };
            case ToolCallPart c:
                var call = new JsonObject { ["id"] = c.Id, ["name"] = c.Name, ["args"] = J.TryParse(c.Arguments) as JsonObject ?? new JsonObject() };
                var part = new JsonObject { ["functionCall"] = call };
                J.SetIf(part, "thoughtSignature", c.ThoughtSignature);
                return part;
            case MediaPart { Data: not null } m:
                return new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = m.MimeType ?? "image/png", ["data"] = m.Data } };
            case MediaPart m:
                return new JsonObject { ["text"] = ResponseText.Markdown(m) };
            default:
                return null;
        }
    }
}
