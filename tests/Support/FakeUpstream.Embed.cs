using System.Globalization;
using System.Text.Json.Nodes;

namespace NewApi.Tests.Support;

/// <summary>Gemini's embedContent / batchEmbedContents on the fake provider.</summary>
public sealed partial class FakeUpstream
{
    /// <summary>When set, Gemini embed answers carry <c>usageMetadata.promptTokenCount</c> (real Gemini answers report none).</summary>
    public int? GeminiEmbedPromptTokens { get; set; }

    private static bool IsGeminiEmbed(string path) =>
        path.EndsWith(":embedContent", StringComparison.Ordinal) || path.EndsWith(":batchEmbedContents", StringComparison.Ordinal);

    /// <summary>One vector per request; its length is the request's outputDimensionality (3 when absent).</summary>
    private string GeminiEmbedBody(string path, JsonNode? request)
    {
        var usage = GeminiEmbedPromptTokens is { } p ? $$""","usageMetadata":{"promptTokenCount":{{p}},"totalTokenCount":{{p}} }""" : "";
        if (path.EndsWith(":embedContent", StringComparison.Ordinal))
            return $$"""{"embedding":{"values":{{Vector(request)}} }{{usage}} }""";
        var items = request?["requests"] as JsonArray ?? [];
        return $$"""{"embeddings":[{{string.Join(",", items.Select(r => $$"""{"values":{{Vector(r)}} }"""))}}]{{usage}} }""";
    }

    private static string Vector(JsonNode? request)
    {
        var n = request?["outputDimensionality"]?.GetValue<int>() ?? 3;
        return "[" + string.Join(",", Enumerable.Range(1, n).Select(i => (i / 10.0).ToString(CultureInfo.InvariantCulture))) + "]";
    }
}
