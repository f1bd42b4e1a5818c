using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Formats;

/// <summary>
/// Embeddings between OpenAI's <c>/v1/embeddings</c> and Gemini's <c>:embedContent</c> / <c>:batchEmbedContents</c>
/// (relay.md §1.2, §4.1 type 24). Requests: Gemini <c>{content:{parts:[{text}]}, outputDimensionality?}</c> (one per
/// item of <c>requests</c> in a batch) ⇄ OpenAI <c>{model, input: string | [strings], dimensions?}</c>. Answers:
/// Gemini <c>{embedding:{values}}</c> / <c>{embeddings:[{values}]}</c> ⇄ OpenAI <c>{object:"list", data:[{object:
/// "embedding", index, embedding}], model, usage}</c>. Only text is embedded; the text of a content is its text parts
/// joined by newlines.
/// </summary>
public static class EmbeddingConverter
{
    public static bool IsGeminiEmbed(RouteKind kind) => kind is RouteKind.GeminiEmbed or RouteKind.GeminiBatchEmbed;

    public static bool IsEmbedding(RouteKind kind) => kind == RouteKind.Embeddings || IsGeminiEmbed(kind);

    /// <summary>Body rules of the Gemini embed routes (a 400 in Gemini's shape before anything is routed or billed).</summary>
    public static string? Validate(RouteKind kind, JsonElement root)
    {
        if (kind == RouteKind.GeminiEmbed) return ContentError(root, "content");
        if (!root.TryGetProperty("requests"u8, out var requests) || requests.ValueKind != JsonValueKind.Array || requests.GetArrayLength() == 0)
            return "requests is required";
        var i = 0;
        foreach (var item in requests.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) return $"requests[{i}] must be an object";
            if (ContentError(item, $"requests[{i}].content") is { } error) return error;
            i++;
        }
        return null;
    }

    private static string? ContentError(JsonElement holder, string name)
    {
        if (!holder.TryGetProperty("content"u8, out var content) || content.ValueKind != JsonValueKind.Object) return $"{name} is required";
        if (!content.TryGetProperty("parts"u8, out var parts) || parts.ValueKind != JsonValueKind.Array || parts.GetArrayLength() == 0)
            return $"{name}.parts is required";
        if (holder.TryGetProperty("outputDimensionality"u8, out var d) && d.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
            return $"{name[..^"content".Length]}outputDimensionality must be an integer";
        return null;
    }

    /// <summary>The texts of a Gemini embed request, one per embedding (one for embedContent).</summary>
    public static List<string> GeminiTexts(RouteKind kind, JsonElement root)
    {
        var texts = new List<string>();
        if (kind == RouteKind.GeminiEmbed) texts.Add(TextOf(root, withTitle: true));
        else if (root.TryGetProperty("requests"u8, out var requests) && requests.ValueKind == JsonValueKind.Array)
            foreach (var item in requests.EnumerateArray())
                if (item.ValueKind == JsonValueKind.Object) texts.Add(TextOf(item, withTitle: true));
        return texts;
    }

    /// <summary>The text parts of one embed request, after its title (RETRIEVAL_DOCUMENT) when <paramref name="withTitle"/>.</summary>
    private static string TextOf(JsonElement request, bool withTitle)
    {
        var text = new StringBuilder();
        if (withTitle && request.TryGetProperty("title"u8, out var title) && title.ValueKind == JsonValueKind.String) text.Append(title.GetString());
        if (request.TryGetProperty("content"u8, out var content) && content.ValueKind == JsonValueKind.Object
            && content.TryGetProperty("parts"u8, out var parts) && parts.ValueKind == JsonValueKind.Array)
            foreach (var part in parts.EnumerateArray())
                if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text"u8, out var t) && t.ValueKind == JsonValueKind.String)
                {
                    if (text.Length > 0) text.Append('\n');
                    text.Append(t.GetString());
                }
        return text.ToString();
    }

    /// <summary>
    /// Gemini client → OpenAI channel: one input per embed request (its text parts; taskType and title have no OpenAI
    /// counterpart and are not sent); outputDimensionality becomes dimensions.
    /// </summary>
    public static JsonObject GeminiToOpenAiRequest(RouteKind kind, JsonElement root, string upstreamModel)
    {
        var texts = new JsonArray();
        long? dimensions = null;
        List<JsonElement> items = kind == RouteKind.GeminiEmbed ? [root] : [.. root.GetProperty("requests"u8).EnumerateArray()];
        for (var i = 0; i < items.Count; i++)
        {
            var text = TextOf(items[i], withTitle: false);
            if (text.Length == 0) throw new ConversionException($"request {i} has no text to embed");
            texts.Add((JsonNode)JsonValue.Create(text));
            var d = Dimensionality(items[i]);
            if (i > 0 && d != dimensions) throw new ConversionException("every request of the batch must ask for the same outputDimensionality");
            dimensions = d;
        }
        var body = new JsonObject { ["model"] = JsonValue.Create(upstreamModel) };
        body["input"] = kind == RouteKind.GeminiEmbed ? texts[0]!.DeepClone() : texts;
        if (dimensions is > 0) body["dimensions"] = JsonValue.Create(dimensions.Value);
        return body;
    }

    private static long? Dimensionality(JsonElement request) =>
        request.TryGetProperty("outputDimensionality"u8, out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var v) ? v : null;

    /// <summary>OpenAI client → Gemini channel: always the batch endpoint, one request per input.</summary>
    public static JsonObject OpenAiToGeminiRequest(JsonElement root, string upstreamModel)
    {
        var inputs = new List<string>();
        var input = root.GetProperty("input"u8);
        if (input.ValueKind == JsonValueKind.String) inputs.Add(input.GetString()!);
        else if (input.ValueKind == JsonValueKind.Array)
            foreach (var item in input.EnumerateArray())
                inputs.Add(item.ValueKind == JsonValueKind.String
                    ? item.GetString()!
                    : throw new ConversionException("a Gemini channel embeds text only: input must be a string or an array of strings"));
        else throw new ConversionException("input must be a string or an array of strings");
        if (inputs.Count == 0) throw new ConversionException("input is empty");
        var dimensions = root.TryGetProperty("dimensions"u8, out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var dv) && dv > 0 ? dv : 0;
        var requests = new JsonArray();
        foreach (var text in inputs)
        {
            var request = new JsonObject
            {
                ["model"] = JsonValue.Create("models/" + upstreamModel),
                ["content"] = new JsonObject { ["parts"] = new JsonArray((JsonNode)new JsonObject { ["text"] = JsonValue.Create(text) }) },
            };
            if (dimensions > 0) request["outputDimensionality"] = JsonValue.Create(dimensions);
            requests.Add((JsonNode)request);
        }
        return new JsonObject { ["requests"] = requests };
    }

    /// <summary>Gemini client → Gemini channel: the client's body, with every batch item naming the upstream model.</summary>
    public static JsonObject GeminiNativeRequest(RouteKind kind, JsonObject body, string upstreamModel)
    {
        if (kind == RouteKind.GeminiBatchEmbed && body["requests"] is JsonArray requests)
            foreach (var item in requests)
                if (item is JsonObject request) request["model"] = JsonValue.Create("models/" + upstreamModel);
        return body;
    }

    /// <summary>OpenAI answer → Gemini client. Throws when the answer has no embeddings.</summary>
    public static JsonObject OpenAiToGeminiResponse(RouteKind kind, JsonObject answer)
    {
        if (answer["data"] is not JsonArray data || data.Count == 0) throw new ConversionException("upstream answered without embeddings");
        var vectors = data.OfType<JsonObject>().OrderBy(d => d["index"] is JsonValue v && v.TryGetValue<int>(out var i) ? i : 0)
            .Select(d => d["embedding"] as JsonArray ?? throw new ConversionException("upstream answered an embedding that is not a float array"))
            .ToList();
        if (kind == RouteKind.GeminiEmbed) return new JsonObject { ["embedding"] = Values(vectors[0]) };
        var embeddings = new JsonArray();
        foreach (var vector in vectors) embeddings.Add((JsonNode)Values(vector));
        return new JsonObject { ["embeddings"] = embeddings };
    }

    private static JsonObject Values(JsonArray vector) => new() { ["values"] = vector.DeepClone() };

    /// <summary>Gemini answer (embedContent or batchEmbedContents) → OpenAI client, with the usage that is billed.</summary>
    public static JsonObject GeminiToOpenAiResponse(JsonObject answer, string model, long promptTokens)
    {
        var vectors = new List<JsonNode?>();
        if (answer["embeddings"] is JsonArray embeddings) vectors.AddRange(embeddings.Select(e => e?["values"]));
        else if (answer["embedding"] is JsonObject one) vectors.Add(one["values"]);
        if (vectors.Count == 0 || vectors.Any(v => v is not JsonArray)) throw new ConversionException("upstream answered without embeddings");
        var data = new JsonArray();
        for (var i = 0; i < vectors.Count; i++)
            data.Add((JsonNode)new JsonObject
            {
                ["object"] = JsonValue.Create("embedding"), ["index"] = JsonValue.Create(i), ["embedding"] = vectors[i]!.DeepClone(),
            });
        return new JsonObject
        {
            ["object"] = JsonValue.Create("list"), ["data"] = data, ["model"] = JsonValue.Create(model),
            ["usage"] = new JsonObject { ["prompt_tokens"] = JsonValue.Create(promptTokens), ["total_tokens"] = JsonValue.Create(promptTokens) },
        };
    }

    /// <summary>Prompt tokens an answer reports: OpenAI <c>usage.prompt_tokens</c> (else total), Gemini <c>usageMetadata.promptTokenCount</c>; 0 = none.</summary>
    public static long ReportedPromptTokens(JsonObject answer)
    {
        if (answer["usage"] is JsonObject usage) return Long(usage["prompt_tokens"]) is > 0 and var p ? p : Long(usage["total_tokens"]);
        return answer["usageMetadata"] is JsonObject meta ? Long(meta["promptTokenCount"]) is > 0 and var g ? g : Long(meta["totalTokenCount"]) : 0;
    }

    private static long Long(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var l) ? l : 0;
}
