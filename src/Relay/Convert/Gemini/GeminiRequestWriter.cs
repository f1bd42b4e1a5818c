using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.Gemini;

/// <summary><see cref="ConvRequest"/> → Gemini generateContent request (relay.md §4.6). Model and streaming go in the URL.</summary>
internal static class GeminiRequestWriter
{
    /// <summary>Google documents this value for function calls whose real thought signature is unknown (history from another model).</summary>
    public const string PlaceholderSignature = "skip_thought_signature_validator";

    private const int MaxStop = 5;
    private static readonly string[] HarmCategories =
        ["HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT"];

    public static JsonObject Write(ConvRequest req, WriteContext ctx)
    {
        var body = new JsonObject { ["contents"] = Contents(req, ctx) };
        if (req.System.Count > 0)
            body["systemInstruction"] = new JsonObject
            {
                ["parts"] = new JsonArray(new JsonObject { ["text"] = string.Join("\n", req.System.Select(s => s.Text)) }),
            };
        WriteTools(req, body);
        body["generationConfig"] = Generation(req, ctx);
        if (ctx.Options.GeminiSafetyThreshold is { } threshold)
        {
            var settings = new JsonArray();
            foreach (var c in HarmCategories) settings.Add((JsonNode)new JsonObject { ["category"] = c, ["threshold"] = threshold });
            body["safetySettings"] = settings;
        }
        if (req.User is not null || req.Metadata is not null) ctx.Note("dropped user/metadata");
        return body;
    }

    private static JsonArray Contents(ConvRequest req, WriteContext ctx)
    {
        var contents = new JsonArray();
        foreach (var m in req.Messages)
        {
            var parts = new JsonArray();
            var signed = false;
            foreach (var p in m.Parts) AddPart(parts, p, req, ctx, ref signed);
            if (parts.Count == 0) continue;
            contents.Add((JsonNode)new JsonObject { ["role"] = m.Role == ConvRole.Assistant ? "model" : "user", ["parts"] = parts });
        }
        return contents;
    }

    private static void AddPart(JsonArray parts, ConvPart part, ConvRequest req, WriteContext ctx, ref bool signed)
    {
        switch (part)
        {
            case TextPart t when t.Text.Length > 0:
                parts.Add((JsonNode)new JsonObject { ["text"] = t.Text });
                break;
            case MediaPart media:
                if (GeminiMedia.Part(media, ctx) is { } node) parts.Add((JsonNode)node);
                break;
            case ToolCallPart call:
                if (J.TryParse(call.Arguments) is not JsonObject args)
                {
                    if (!string.IsNullOrWhiteSpace(call.Arguments)) throw new ConversionException($"tool call '{call.Name}' has arguments that are not a JSON object");
                    args = new JsonObject();
                }
                var fc = new JsonObject { ["functionCall"] = new JsonObject { ["name"] = call.Name, ["args"] = args } };
                var signature = call.ThoughtSignature ?? (!signed && ctx.Options.GeminiThoughtSignaturePlaceholder ? PlaceholderSignature : null);
                if (signature is not null) fc["thoughtSignature"] = signature;
                signed = true;
                parts.Add((JsonNode)fc);
                break;
            case ToolResultPart r:
                var response = new JsonObject { ["name"] = r.Name ?? req.ToolNameFor(r.CallId) ?? "", ["response"] = ResponseObject(r) };
                parts.Add((JsonNode)new JsonObject { ["functionResponse"] = response });
                foreach (var attachment in r.Content.OfType<MediaPart>())
                    if (GeminiMedia.Part(attachment, ctx) is { } inline) parts.Add((JsonNode)inline);
                break;
        }
    }

    /// <summary>relay.md §4.6: a JSON object as is, an array as <c>{result: […]}</c>, anything else as <c>{content: "…"}</c>.</summary>
    private static JsonObject ResponseObject(ToolResultPart r)
    {
        var text = r.JoinedText();
        if (r.IsError) return new JsonObject { ["error"] = text };
        return J.TryParse(text) switch
        {
            JsonObject o => o,
            JsonArray a => new JsonObject { ["result"] = a },
            _ => new JsonObject { ["content"] = text },
        };
    }

    private static void WriteTools(ConvRequest req, JsonObject body)
    {
        var declarations = new JsonArray();
        var tools = new JsonArray();
        foreach (var t in req.Tools)
        {
            if (t.Kind == ToolKind.WebSearch)
            {
                tools.Add((JsonNode)new JsonObject { ["googleSearch"] = new JsonObject() });
                continue;
            }
            var decl = new JsonObject { ["name"] = t.Name };
            J.SetIf(decl, "description", t.Description);
            if (SchemaCleaner.ForGemini(t.Parameters, dropEmptyObject: true) is { } schema) decl["parameters"] = schema;
            declarations.Add((JsonNode)decl);
        }
        if (declarations.Count > 0) tools.Insert(0, new JsonObject { ["functionDeclarations"] = declarations });
        if (tools.Count > 0) body["tools"] = tools;
        if (req.ToolChoice is not { } choice || declarations.Count == 0) return;
        var config = new JsonObject
        {
            ["mode"] = choice.Mode switch
            {
                ToolChoiceMode.None => "NONE",
                ToolChoiceMode.Required or ToolChoiceMode.Function => "ANY",
                _ => "AUTO",
            },
        };
        if (choice.Mode == ToolChoiceMode.Function && choice.Name is not null) config["allowedFunctionNames"] = new JsonArray((JsonNode)choice.Name);
        body["toolConfig"] = new JsonObject { ["functionCallingConfig"] = config };
    }

    private static JsonObject Generation(ConvRequest req, WriteContext ctx)
    {
        var g = new JsonObject();
        J.SetIf(g, "temperature", req.Temperature);
        if (req.TopP is > 0) g["topP"] = req.TopP.Value;
        J.SetIf(g, "topK", req.TopK);
        J.SetIf(g, "maxOutputTokens", req.MaxTokens);
        J.SetIf(g, "candidateCount", req.N);
        if (req.Seed is { } seed and not 0) g["seed"] = seed;
        J.SetIf(g, "presencePenalty", req.PresencePenalty);
        J.SetIf(g, "frequencyPenalty", req.FrequencyPenalty);
        if (req.Stop.Count > MaxStop) ctx.Note("stop sequences truncated to 5");
        if (req.Stop.Count > 0) g["stopSequences"] = J.StringArray(req.Stop.Take(MaxStop));
        if (req.ResponseFormat is { Kind: not FormatKind.Text } rf)
        {
            g["responseMimeType"] = "application/json";
            if (rf.Kind == FormatKind.JsonSchema && SchemaCleaner.ForGemini(rf.Schema, dropEmptyObject: false) is { } schema) g["responseSchema"] = schema;
        }
        if (Thinking(req.Reasoning, ctx.Model ?? "") is { } thinking) g["thinkingConfig"] = thinking;
        return g;
    }

    /// <summary>Largest thinking budget per Gemini 2.5 family (Flash / Flash-Lite 24 576, Pro 32 768).</summary>
    private static int MaxBudget(string model) => model.Contains("flash", StringComparison.OrdinalIgnoreCase) ? 24576 : 32768;

    private static JsonObject? Thinking(ConvReasoning? r, string model)
    {
        if (r is null) return null;
        var gemini3 = model.Contains("gemini-3", StringComparison.OrdinalIgnoreCase);
        var t = new JsonObject();
        if (r.Enabled == false)
        {
            // Gemini 3 and 2.5 Pro cannot switch thinking off; the lowest setting is the closest.
            if (gemini3) t["thinkingLevel"] = "low";
            else if (!model.Contains("pro", StringComparison.OrdinalIgnoreCase)) t["thinkingBudget"] = 0;
            else return null;
            return t;
        }
        if (r.Enabled is null && r.Effort is null && r.BudgetTokens is null && !r.Dynamic) return null;
        if (gemini3) t["thinkingLevel"] = ReasoningMap.GeminiLevel(r.Effort, r.BudgetTokens);
        else if (r.BudgetTokens is > 0 and var budget) t["thinkingBudget"] = Math.Min(budget, MaxBudget(model));
        else if (r.Effort is not null) t["thinkingBudget"] = ReasoningMap.GeminiBudget(r.Effort);
        else t["thinkingBudget"] = -1;
        t["includeThoughts"] = r.IncludeThoughts ?? true;
        return t;
    }
}
