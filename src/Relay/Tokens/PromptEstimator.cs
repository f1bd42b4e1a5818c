using System.Text;
using System.Text.Json;
using NewApi.Billing.Tokens;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Tokens;

/// <summary>
/// Local prompt estimate of an OpenAI-format request (relay.md §3.3): the text of every message (role, name, text
/// parts), completion prompts and embedding inputs (Gemini's: titles and text parts), tool names, descriptions and parameter schemas; plus New API's
/// framing constants (3 per message, 3 per name, 8 per tool, 3 fixed for chat). Images: <see cref="ImageTokens"/>.
/// </summary>
public sealed class PromptEstimator(TokenCounter counter)
{
    private const int PerMessage = 3;
    private const int PerName = 3;
    private const int PerTool = 8;
    private const int ChatPriming = 3;
    private const int PerImage = ImageTokens.OtherModels;

    /// <summary>This request's estimate would load a tokenizer vocabulary first (see <see cref="TokenCounter.NeedsLoad"/>).</summary>
    public bool NeedsVocabulary(RelayRequest request) => counter.NeedsLoad(request.Model);

    public int Estimate(RelayRequest request)
    {
        var root = request.Root;
        var text = new StringBuilder();
        var extra = 0;
        switch (request.Kind)
        {
            case RouteKind.ChatCompletions:
                extra = Messages(root, text, request.Model, request.Stream) + Tools(root, text) + ChatPriming;
                break;
            case RouteKind.ClaudeMessages or RouteKind.GeminiGenerate:
                extra = Walk(root, text, 0, null) + ChatPriming;
                break;
            case RouteKind.Responses when root.TryGetProperty("input"u8, out var input) && input.ValueKind == JsonValueKind.Array:
                extra = Walk(input, text, 0, request) + Walk(root, "instructions", text) + Walk(root, "tools", text);
                break;
            case RouteKind.GeminiEmbed or RouteKind.GeminiBatchEmbed:
                foreach (var t in Formats.EmbeddingConverter.GeminiTexts(request.Kind, root)) text.Append(t).Append('\n');
                break;
            case RouteKind.Completions:
                AppendStrings(root, "prompt", text);
                AppendStrings(root, "suffix", text);
                break;
            default:
                AppendStrings(root, "input", text);
                break;
        }
        return counter.Count(request.Model, text.ToString()) + extra;
    }

    private static int Messages(JsonElement root, StringBuilder text, string model, bool stream)
    {
        if (!root.TryGetProperty("messages"u8, out var messages) || messages.ValueKind != JsonValueKind.Array) return 0;
        var extra = 0;
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object) continue;
            extra += PerMessage;
            Append(text, m, "role");
            if (m.TryGetProperty("name"u8, out var name) && name.ValueKind == JsonValueKind.String)
            {
                extra += PerName;
                text.Append(name.GetString()).Append('\n');
            }
            if (!m.TryGetProperty("content"u8, out var content)) continue;
            if (content.ValueKind == JsonValueKind.String) text.Append(content.GetString()).Append('\n');
            else if (content.ValueKind == JsonValueKind.Array)
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object) continue;
                    if (part.TryGetProperty("text"u8, out var t) && t.ValueKind == JsonValueKind.String) text.Append(t.GetString()).Append('\n');
                    else if (part.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("image_url")) extra += ImageTokens.Estimate(model, part, stream);
                }
        }
        return extra;
    }

    private static int Tools(JsonElement root, StringBuilder text)
    {
        if (!root.TryGetProperty("tools"u8, out var tools) || tools.ValueKind != JsonValueKind.Array) return 0;
        var extra = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("function"u8, out var f) || f.ValueKind != JsonValueKind.Object) continue;
            extra += PerTool;
            Append(text, f, "name");
            Append(text, f, "description");
            if (f.TryGetProperty("parameters"u8, out var p) && p.ValueKind == JsonValueKind.Object) text.Append(p.GetRawText()).Append('\n');
        }
        return extra;
    }

    /// <summary>
    /// Claude and Gemini bodies (and Responses input items): every text a model reads, schemas as written, 520 per image
    /// (a Responses <c>input_image</c> is sized like a chat image part: <paramref name="responses"/> is that request).
    /// </summary>
    private static int Walk(JsonElement node, StringBuilder text, int depth, RelayRequest? responses)
    {
        if (depth > 64) return 0;
        var extra = 0;
        switch (node.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in node.EnumerateArray()) extra += Walk(item, text, depth + 1, responses);
                break;
            case JsonValueKind.Object:
                if (node.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String)
                {
                    if (type.ValueEquals("input_image") && responses is not null) return ImageTokens.Estimate(responses.Model, node, responses.Stream);
                    if (type.ValueEquals("image") || type.ValueEquals("input_image")) return PerImage;
                }
                foreach (var p in node.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "inlineData" or "fileData" or "image_url": extra += PerImage; continue;
                        case "data" or "signature" or "thoughtSignature" or "thought_signature" or "cache_control" or "generationConfig"
                            or "safetySettings" or "metadata" or "model" or "stream" or "max_tokens" or "temperature" or "top_p" or "top_k": continue;
                        case "input_schema" or "parameters" or "parametersJsonSchema" or "responseSchema":
                            if (p.Value.ValueKind == JsonValueKind.Object) text.Append(p.Value.GetRawText()).Append('\n');
                            continue;
                    }
                    if (p.Value.ValueKind == JsonValueKind.String)
                    {
                        if (p.Name is "text" or "system" or "content" or "thinking" or "name" or "description" or "instructions" or "arguments" or "output")
                            text.Append(p.Value.GetString()).Append('\n');
                    }
                    else extra += Walk(p.Value, text, depth + 1, responses);
                }
                if (node.TryGetProperty("role"u8, out _)) extra += PerMessage;
                break;
        }
        return extra;
    }

    private static int Walk(JsonElement root, string name, StringBuilder text) =>
        root.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? Append(text, v) : Walk(v, text, 0, null) : 0;

    private static int Append(StringBuilder text, JsonElement value)
    {
        text.Append(value.GetString()).Append('\n');
        return 0;
    }

    private static void AppendStrings(JsonElement root, string name, StringBuilder text)
    {
        if (!root.TryGetProperty(name, out var v)) return;
        if (v.ValueKind == JsonValueKind.String) text.Append(v.GetString()).Append('\n');
        else if (v.ValueKind == JsonValueKind.Array)
            foreach (var item in v.EnumerateArray())
                if (item.ValueKind == JsonValueKind.String) text.Append(item.GetString()).Append('\n');
    }

    private static void Append(StringBuilder text, JsonElement obj, string name)
    {
        if (obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String) text.Append(v.GetString()).Append('\n');
    }
}
