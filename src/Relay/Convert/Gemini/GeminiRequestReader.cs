using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Gemini;

/// <summary>
/// Gemini generateContent request → <see cref="ConvRequest"/> (relay.md §4.9). Both protobuf JSON spellings are read
/// (<c>systemInstruction</c> / <c>system_instruction</c>…). Function calls without ids get <c>call_1</c>, <c>call_2</c>…
/// numbered across the whole conversation and responses are paired with them by name, in order.
/// </summary>
internal static class GeminiRequestReader
{
    public static ConvRequest Read(JsonObject body, string? model, bool stream)
    {
        var req = new ConvRequest { Model = model, Stream = stream };
        if (J.Obj(body, "systemInstruction", "system_instruction") is { } system)
            foreach (var p in J.Arr(system, "parts") ?? [])
                if (J.Str(p as JsonObject, "text") is { Length: > 0 } text) req.System.Add(new TextPart(text));
        var pairing = new CallPairing();
        foreach (var node in J.Arr(body, "contents") ?? [])
        {
            if (node is not JsonObject content) continue;
            var role = J.Str(content, "role") == "model" ? ConvRole.Assistant : ConvRole.User;
            foreach (var p in J.Arr(content, "parts") ?? [])
                if (p is JsonObject part && Part(part, pairing, req) is { } conv) req.Append(role, conv);
        }
        ReadTools(req, body);
        ReadGeneration(req, J.Obj(body, "generationConfig", "generation_config"));
        if (body.ContainsKey("cachedContent") || body.ContainsKey("cached_content")) req.Notes.Add("dropped cachedContent");
        return req;
    }

    private static ConvPart? Part(JsonObject part, CallPairing pairing, ConvRequest req)
    {
        var signature = J.Str(part, "thoughtSignature", "thought_signature");
        if (J.Str(part, "text") is { } text)
        {
            if (J.Bool(part, "thought") == true) return new ThinkingPart(text) { Signature = signature };
            return text.Length == 0 ? null : new TextPart(text);
        }
        if (J.Obj(part, "inlineData", "inline_data") is { } inline)
        {
            var mime = J.Str(inline, "mimeType", "mime_type");
            return new MediaPart(KindOf(mime)) { MimeType = mime, Data = J.Str(inline, "data") };
        }
        if (J.Obj(part, "fileData", "file_data") is { } file)
        {
            var mime = J.Str(file, "mimeType", "mime_type");
            return new MediaPart(KindOf(mime)) { MimeType = mime, Url = J.Str(file, "fileUri", "file_uri") };
        }
        if (J.Obj(part, "functionCall", "function_call") is { } call)
        {
            var name = J.Str(call, "name") ?? "";
            var args = J.Get(call, "args");
            return new ToolCallPart(pairing.Call(name, J.Str(call, "id")), name, args is null ? "{}" : J.ToJson(args)) { ThoughtSignature = signature };
        }
        if (J.Obj(part, "functionResponse", "function_response") is { } response)
        {
            var name = J.Str(response, "name") ?? "";
            var result = new ToolResultPart(pairing.Response(name, J.Str(response, "id"))) { Name = name };
            result.Content.Add(new TextPart(ResponseText(J.Get(response, "response"))));
            return result;
        }
        if (J.Obj(part, "executableCode", "executable_code") is { } code)
            return new TextPart("```" + (J.Str(code, "language")?.ToLowerInvariant() ?? "") + "\n" + J.Str(code, "code") + "\n```");
        if (J.Obj(part, "codeExecutionResult", "code_execution_result") is { } output)
            return new TextPart("```output\n" + J.Str(output, "output") + "\n```");
        req.Notes.Add("dropped unknown Gemini part");
        return null;
    }

    /// <summary>A response holding one string (<c>{"content": "…"}</c>, <c>output</c>, <c>result</c>) reads as that string, else as JSON.</summary>
    public static string ResponseText(JsonNode? response)
    {
        if (response is JsonObject { Count: 1 } o)
        {
            var (key, value) = o.First();
            if (key is "content" or "output" or "result" && J.AsString(value) is { } s) return s;
        }
        return J.AsString(response) ?? J.ToJson(response ?? new JsonObject());
    }

    public static MediaKind KindOf(string? mime) => mime switch
    {
        null => MediaKind.Image,
        _ when mime.StartsWith("image/", StringComparison.Ordinal) => MediaKind.Image,
        _ when mime.StartsWith("audio/", StringComparison.Ordinal) => MediaKind.Audio,
        _ => MediaKind.Document,
    };

    private static void ReadTools(ConvRequest req, JsonObject body)
    {
        foreach (var node in J.Arr(body, "tools") ?? [])
        {
            if (node is not JsonObject tool) continue;
            foreach (var d in J.Arr(tool, "functionDeclarations", "function_declarations") ?? [])
            {
                if (d is not JsonObject decl) continue;
                // Gemini clients write OpenAPI-style upper-case types even in the *JsonSchema fields (Gemini CLI does):
                // lower-cased for JSON Schema upstreams, which reject "OBJECT".
                var schema = SchemaCleaner.FromGemini(J.Obj(decl, "parametersJsonSchema", "parameters_json_schema") ?? J.Obj(decl, "parameters"));
                req.Tools.Add(new ConvTool(ToolKind.Function, J.Str(decl, "name") ?? "") { Description = J.Str(decl, "description"), Parameters = schema });
            }
            if (tool.ContainsKey("googleSearch") || tool.ContainsKey("google_search") || tool.ContainsKey("googleSearchRetrieval"))
                req.Tools.Add(new ConvTool(ToolKind.WebSearch, "web_search"));
            foreach (var other in (string[])["codeExecution", "code_execution", "urlContext", "url_context"])
                if (tool.ContainsKey(other)) req.Notes.Add("dropped tool " + other);
        }
        var config = J.Obj(J.Obj(body, "toolConfig", "tool_config"), "functionCallingConfig", "function_calling_config");
        if (config is null) return;
        var allowed = J.Arr(config, "allowedFunctionNames", "allowed_function_names");
        req.ToolChoice = J.Str(config, "mode") switch
        {
            "NONE" => new ConvToolChoice(ToolChoiceMode.None),
            "ANY" when allowed is { Count: 1 } => new ConvToolChoice(ToolChoiceMode.Function, J.AsString(allowed[0])),
            "ANY" => new ConvToolChoice(ToolChoiceMode.Required),
            _ => new ConvToolChoice(ToolChoiceMode.Auto),
        };
    }

    private static void ReadGeneration(ConvRequest req, JsonObject? g)
    {
        if (g is null) return;
        req.Temperature = J.Dbl(g, "temperature");
        req.TopP = J.Dbl(g, "topP", "top_p");
        req.TopK = J.Int(g, "topK", "top_k");
        req.N = J.Int(g, "candidateCount", "candidate_count");
        req.MaxTokens = J.Int(g, "maxOutputTokens", "max_output_tokens");
        req.Seed = J.Long(g, "seed");
        req.PresencePenalty = J.Dbl(g, "presencePenalty", "presence_penalty");
        req.FrequencyPenalty = J.Dbl(g, "frequencyPenalty", "frequency_penalty");
        req.Stop.AddRange(J.Strings(J.Get(g, "stopSequences", "stop_sequences")));
        if (J.Str(g, "responseMimeType", "response_mime_type") == "application/json")
        {
            var schema = SchemaCleaner.FromGemini(J.Obj(g, "responseJsonSchema", "response_json_schema") ?? J.Obj(g, "responseSchema", "response_schema"));
            req.ResponseFormat = schema is null
                ? new ConvResponseFormat(FormatKind.JsonObject)
                : new ConvResponseFormat(FormatKind.JsonSchema) { Name = "response", Schema = schema };
        }
        if (J.Obj(g, "thinkingConfig", "thinking_config") is { } t)
        {
            var budget = J.Int(t, "thinkingBudget", "thinking_budget");
            var level = J.Str(t, "thinkingLevel", "thinking_level")?.ToLowerInvariant();
            req.Reasoning = new ConvReasoning
            {
                Enabled = budget == 0 ? false : budget is not null || level is not null ? true : null,
                BudgetTokens = budget is > 0 ? budget : null,
                Dynamic = budget == -1,
                Effort = level,
                IncludeThoughts = J.Bool(t, "includeThoughts", "include_thoughts"),
            };
        }
    }

    /// <summary>Synthesises matching ids for id-less function calls and responses (fixes New API restarting ids per content).</summary>
    private sealed class CallPairing
    {
        private readonly Dictionary<string, Queue<string>> _pending = new(StringComparer.Ordinal);
        private int _counter;

        public string Call(string name, string? id)
        {
            id ??= "call_" + ++_counter;
            if (!_pending.TryGetValue(name, out var queue)) _pending[name] = queue = new Queue<string>();
            queue.Enqueue(id);
            return id;
        }

        public string Response(string name, string? id)
        {
            if (!_pending.TryGetValue(name, out var queue) || queue.Count == 0) return id ?? "call_" + ++_counter;
            if (id is null) return queue.Dequeue();
            var rest = queue.Where(p => p != id).ToList();
            queue.Clear();
            foreach (var p in rest) queue.Enqueue(p);
            return id;
        }
    }
}
