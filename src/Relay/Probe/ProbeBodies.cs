using System.Text.Json;
using System.Text.Json.Nodes;

namespace NewApi.Relay.Probe;

/// <summary>The tiny request bodies a channel test sends (New API's: "hi", 16 tokens) and the usage read back.</summary>
internal static class ProbeBodies
{
    public static JsonObject OpenAiChat(string model, bool stream)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
            ["stream"] = stream,
        };
        if (stream) body["stream_options"] = new JsonObject { ["include_usage"] = true };
        // new-api: o-series models take max_completion_tokens; "thinking" models need room to think; Gemini models more.
        if (IsOSeries(model)) body["max_completion_tokens"] = 16;
        else if (model.Contains("thinking", StringComparison.Ordinal)) { if (!model.Contains("claude", StringComparison.Ordinal)) body["max_tokens"] = 50; }
        else if (model.Contains("gemini", StringComparison.Ordinal)) body["max_tokens"] = 3000;
        else body["max_tokens"] = 16;
        return body;
    }

    public static JsonObject Embeddings(string model) => new() { ["model"] = model, ["input"] = new JsonArray((JsonNode)"hello world") };

    public static JsonObject Rerank(string model) => new()
    {
        ["model"] = model,
        ["query"] = "What is Deep Learning?",
        ["documents"] = new JsonArray((JsonNode)"Deep Learning is a subset of machine learning.", (JsonNode)"Machine learning is a field of artificial intelligence."),
        ["top_n"] = 2,
    };

    public static JsonObject Image(string model) => new() { ["model"] = model, ["prompt"] = "a cute cat", ["n"] = 1, ["size"] = "1024x1024" };

    public static JsonObject Responses(string model, bool stream) => new()
    {
        ["model"] = model,
        ["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
        ["stream"] = stream,
    };

    public static JsonObject ClaudeMessages(string model, bool stream) => new()
    {
        ["model"] = model,
        ["max_tokens"] = 16,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
        ["stream"] = stream,
    };

    public static JsonObject GeminiGenerate() => new()
    {
        ["contents"] = new JsonArray(new JsonObject
        {
            ["role"] = "user",
            ["parts"] = new JsonArray(new JsonObject { ["text"] = "hi" }),
        }),
        ["generationConfig"] = new JsonObject { ["maxOutputTokens"] = 3000 },
    };

    public static JsonObject GeminiEmbed() => new()
    {
        ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = "hello world" }) },
    };

    private static bool IsOSeries(string model) =>
        model.Length > 1 && model[0] == 'o' && char.IsAsciiDigit(model[1]);

    /// <summary>Reads token usage from any of the three dialects (OpenAI usage, Claude usage, Gemini usageMetadata).</summary>
    public static (long Prompt, long Completion)? Usage(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        if (root.TryGetProperty("usage"u8, out var u) && u.ValueKind == JsonValueKind.Object)
        {
            if (u.TryGetProperty("prompt_tokens"u8, out _) || u.TryGetProperty("completion_tokens"u8, out _))
                return (Num(u, "prompt_tokens"), Num(u, "completion_tokens"));
            if (u.TryGetProperty("input_tokens"u8, out _) || u.TryGetProperty("output_tokens"u8, out _))
                return (Num(u, "input_tokens"), Num(u, "output_tokens"));
            if (u.TryGetProperty("total_tokens"u8, out _)) return (Num(u, "total_tokens"), 0);
        }
        if (root.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.Object) return Usage(m);   // Claude message_start
        if (root.TryGetProperty("usageMetadata"u8, out var g) && g.ValueKind == JsonValueKind.Object)
            return (Num(g, "promptTokenCount"), Num(g, "candidatesTokenCount") + Num(g, "thoughtsTokenCount"));
        return null;
    }

    private static long Num(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

    /// <summary>The upstream error carried by a body, if any: message, code and type.</summary>
    public static (string Message, string? Code, string? Type)? Error(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error"u8, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind == JsonValueKind.String) return (e.GetString() ?? "", null, null);
        if (e.ValueKind != JsonValueKind.Object) return (e.GetRawText(), null, null);
        var message = Text(e, "message");
        if (message.Length == 0 && e.TryGetProperty("error"u8, out var inner) && inner.ValueKind == JsonValueKind.Object) message = Text(inner, "message");
        if (message.Length == 0) message = e.GetRawText();
        var code = e.TryGetProperty("code"u8, out var c) ? c.ValueKind switch
        {
            JsonValueKind.String => c.GetString(),
            JsonValueKind.Number => c.GetRawText(),
            _ => null,
        } : null;
        var type = Text(e, "type");
        if (type.Length == 0) type = Text(e, "status");   // Gemini: "PERMISSION_DENIED"
        return (message, code, type.Length == 0 ? null : type);
    }

    private static string Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
