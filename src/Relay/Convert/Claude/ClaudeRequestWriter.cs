using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Claude;

/// <summary><see cref="ConvRequest"/> → Claude Messages request (relay.md §4.2).</summary>
internal static class ClaudeRequestWriter
{
    public static JsonObject Write(ConvRequest req, WriteContext ctx)
    {
        var body = new JsonObject();
        J.SetIf(body, "model", ctx.Model);
        body["max_tokens"] = req.MaxTokens ?? ctx.Options.ClaudeDefaultMaxTokens;
        if (req.System.Count > 0) body["system"] = System(req.System);
        body["messages"] = Messages(req, ctx);
        WriteSampling(req, body, ctx);
        ClaudeTools.Write(req, body);
        ClaudeThinking.Write(req, body, ctx);
        if (req.ResponseFormat is { Kind: FormatKind.JsonSchema } rf)
            body["output_config"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "json_schema", ["schema"] = J.Clone(rf.Schema) } };
        else if (req.ResponseFormat is { Kind: FormatKind.JsonObject })
            ctx.Note("dropped response_format json_object");
        if (req.User is not null) body["metadata"] = new JsonObject { ["user_id"] = req.User };
        if (req.Stream) body["stream"] = true;
        return body;
    }

    private static JsonNode System(List<TextPart> system)
    {
        if (system.Count == 1 && system[0].CacheControl is null) return system[0].Text;
        var arr = new JsonArray();
        foreach (var t in system) arr.Add((JsonNode)Text(t));
        return arr;
    }

    private static void WriteSampling(ConvRequest req, JsonObject body, WriteContext ctx)
    {
        if (req.Temperature is { } temperature)
        {
            // Claude's range is 0..1; OpenAI clients may send up to 2.
            if (temperature > 1) ctx.Note("temperature clamped to 1");
            body["temperature"] = Math.Clamp(temperature, 0, 1);
        }
        // Recent Claude models reject temperature and top_p together; temperature is the one clients mean.
        if (req.TopP is not null && req.Temperature is not null) ctx.Note("dropped top_p (temperature given)");
        else J.SetIf(body, "top_p", req.TopP);
        J.SetIf(body, "top_k", req.TopK);
        if (req.Stop.Count > 0) body["stop_sequences"] = J.StringArray(req.Stop);
        if (req.N is > 1) ctx.Note("dropped n");
        if (req.Seed is not null || req.PresencePenalty is not null || req.FrequencyPenalty is not null) ctx.Note("dropped seed/penalties");
    }

    private static JsonArray Messages(ConvRequest req, WriteContext ctx)
    {
        var messages = new JsonArray();
        foreach (var m in req.Messages)
        {
            var blocks = new JsonArray();
            // Claude wants tool_result blocks before anything else in a user turn.
            var ordered = m.Role == ConvRole.User ? m.Parts.OrderBy(p => p is ToolResultPart ? 0 : 1) : m.Parts.AsEnumerable();
            foreach (var part in ordered)
                if (Block(part, ctx) is { } block) blocks.Add((JsonNode)block);
            if (blocks.Count == 0) continue;
            if (messages.Count == 0 && m.Role == ConvRole.Assistant)
                messages.Add((JsonNode)new JsonObject { ["role"] = "user", ["content"] = "..." });
            messages.Add((JsonNode)new JsonObject { ["role"] = m.Role == ConvRole.User ? "user" : "assistant", ["content"] = blocks });
        }
        return messages;
    }

    private static JsonObject? Block(ConvPart part, WriteContext ctx)
    {
        switch (part)
        {
            case TextPart t:
                return t.Text.Length == 0 ? null : Text(t);
            case MediaPart media:
                return ClaudeMedia.Block(media, ctx);
            case ThinkingPart { RedactedData: { } data }:
                return new JsonObject { ["type"] = "redacted_thinking", ["data"] = data };
            case ThinkingPart th:
                // Claude rejects thinking it did not sign: reasoning from other vendors cannot be replayed.
                if (string.IsNullOrEmpty(th.Signature)) return null;
                return new JsonObject { ["type"] = "thinking", ["thinking"] = th.Text, ["signature"] = th.Signature };
            case ToolCallPart call:
                var input = J.TryParse(call.Arguments) as JsonObject;
                if (input is null && !string.IsNullOrWhiteSpace(call.Arguments)) ctx.Note("unparsable tool arguments replaced by {}");
                var use = new JsonObject { ["type"] = "tool_use", ["id"] = Ids.ClaudeSafe(call.Id), ["name"] = call.Name, ["input"] = input ?? new JsonObject() };
                if (call.CacheControl is not null) use["cache_control"] = J.Clone(call.CacheControl);
                return use;
            case ToolResultPart r:
                return ToolResult(r, ctx);
            default:
                return null;
        }
    }

    private static JsonObject ToolResult(ToolResultPart r, WriteContext ctx)
    {
        var result = new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = Ids.ClaudeSafe(r.CallId) };
        if (r.Content.TrueForAll(p => p is TextPart { CacheControl: null }))
        {
            result["content"] = r.JoinedText();
        }
        else
        {
            var content = new JsonArray();
            foreach (var p in r.Content)
                if (Block(p, ctx) is { } b) content.Add((JsonNode)b);
            result["content"] = content;
        }
        if (r.IsError) result["is_error"] = true;
        if (r.CacheControl is not null) result["cache_control"] = J.Clone(r.CacheControl);
        return result;
    }

    public static JsonObject Text(TextPart t)
    {
        var o = new JsonObject { ["type"] = "text", ["text"] = t.Text };
        if (t.CacheControl is not null) o["cache_control"] = J.Clone(t.CacheControl);
        return o;
    }
}
