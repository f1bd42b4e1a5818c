using System.Globalization;
using System.Text.Json;
using NewApi.Billing.Prices;

namespace NewApi.Relay.Pipeline;

/// <summary>
/// Body rules of the upload, image, audio, rerank and Responses routes (relay.md §1.2, §5), checked before anything is
/// routed or billed: a broken body is a 400 in OpenAI's shape (New API answered most of these with a 500). Multipart
/// forms arrive here as their text fields in a JSON object, so numbers may be numeric strings.
/// </summary>
public static class RouteValidation
{
    public const string ModerationDefaultModel = "text-moderation-stable";
    public const string TranscriptionDefaultModel = "whisper-1";

    /// <summary>The model a request is routed and billed under: the route's default when the body has none, the compact price key for /responses/compact.</summary>
    public static string RoutingModel(RouteKind kind, string model) => kind switch
    {
        RouteKind.Moderations when model.Length == 0 => ModerationDefaultModel,
        RouteKind.AudioTranscription or RouteKind.AudioTranslation when model.Length == 0 => TranscriptionDefaultModel,
        RouteKind.ResponsesCompact when model.Length > 0 => model + PriceTables.CompactSuffix,
        _ => model,
    };

    /// <summary>The routes <see cref="Check"/> has rules for (it answers null for every other one).</summary>
    public static bool Checks(RouteKind kind) => kind is RouteKind.Rerank or RouteKind.ImageGenerations or RouteKind.ImageEdits
        or RouteKind.Responses or RouteKind.ResponsesCompact or RouteKind.GeminiEmbed or RouteKind.GeminiBatchEmbed or RouteKind.AudioSpeech
        or RouteKind.AudioTranscription or RouteKind.AudioTranslation;

    public static string? Check(RouteKind kind, JsonElement root) => kind switch
    {
        RouteKind.Rerank => Rerank(root),
        RouteKind.ImageGenerations or RouteKind.ImageEdits => Image(root),
        RouteKind.Responses => !NonEmpty(root, "model") ? "model is required" : !Present(root, "input") ? "input is required" : null,
        RouteKind.ResponsesCompact => !NonEmpty(root, "model") ? "model is required" : null,
        RouteKind.GeminiEmbed or RouteKind.GeminiBatchEmbed => Formats.EmbeddingConverter.Validate(kind, root),
        RouteKind.AudioSpeech => !NonEmpty(root, "model") ? "model is required" : !NonEmpty(root, "input") ? "input is required" : Strings(root, "voice", "response_format", "stream_format"),
        RouteKind.AudioTranscription or RouteKind.AudioTranslation => Strings(root, "response_format", "language", "prompt"),
        _ => null,
    };

    private static string? Rerank(JsonElement root)
    {
        if (!NonEmpty(root, "query")) return "query is empty";
        if (!root.TryGetProperty("documents"u8, out var docs) || docs.ValueKind != JsonValueKind.Array || docs.GetArrayLength() == 0) return "documents is empty";
        return root.TryGetProperty("top_n"u8, out var n) && n.ValueKind is not (JsonValueKind.Null or JsonValueKind.Number) ? "top_n must be an integer" : null;
    }

    /// <summary>New API's image checks: model required, ASCII 'x' in sizes, the DALL·E size lists, a non-negative whole n.</summary>
    private static string? Image(JsonElement root)
    {
        if (Strings(root, "model", "size", "quality", "prompt", "response_format") is { } typeError) return typeError;
        if (!NonEmpty(root, "model")) return "model is required";
        var model = root.GetProperty("model"u8).GetString()!;
        var size = Str(root, "size");
        if (size.Contains('×')) return "size an unexpected error occurred in the parameter, please use 'x' instead of the multiplication sign '×'";
        if (model is "dall-e-2" or "dall-e" && size is not ("" or "256x256" or "512x512" or "1024x1024"))
            return "size must be one of 256x256, 512x512, or 1024x1024 for dall-e-2 or dall-e";
        if (model == "dall-e-3" && size is not ("" or "1024x1024" or "1024x1792" or "1792x1024"))
            return "size must be one of 1024x1024, 1024x1792 or 1792x1024 for dall-e-3";
        return ImageCount(root) < 0 ? "n must be a non-negative integer" : null;
    }

    /// <summary>The n of an image request: 1 when absent or 0, −1 when it is not a whole non-negative number.</summary>
    public static long ImageCount(JsonElement root)
    {
        if (!root.TryGetProperty("n"u8, out var n) || n.ValueKind == JsonValueKind.Null) return 1;
        long value;
        if (n.ValueKind == JsonValueKind.Number) { if (!n.TryGetInt64(out value)) return -1; }
        else if (n.ValueKind != JsonValueKind.String || !long.TryParse(n.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value)) return -1;
        return value < 0 ? -1 : value == 0 ? 1 : value;
    }

    public static string Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static string? Strings(JsonElement root, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
            if (root.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)) return $"{name} must be a string";
        return null;
    }

    private static bool NonEmpty(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0;

    private static bool Present(JsonElement root, string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;
}
