using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using NewApi.Relay.Formats;
using NewApi.Relay.Pipeline;

namespace NewApi.Tests.Unit.Relay;

/// <summary>The embeddings conversions between OpenAI's and Gemini's shapes, edge cases the integration tests do not reach.</summary>
public sealed class EmbeddingConverterTests
{
    private static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement.Clone();

    [Fact]
    public void GeminiBatch_WithDifferentDimensionalities_CannotBeOneOpenAiRequest()
    {
        var root = Json("""{"requests":[{"content":{"parts":[{"text":"a"}]},"outputDimensionality":4},{"content":{"parts":[{"text":"b"}]}}]}""");
        var e = Assert.Throws<ConversionException>(() => EmbeddingConverter.GeminiToOpenAiRequest(RouteKind.GeminiBatchEmbed, root, "m"));
        Assert.Contains("outputDimensionality", e.Message);
    }

    [Fact]
    public void GeminiRequest_WithoutText_IsRefused()
    {
        var root = Json("""{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"AAAA"}}]}}""");
        Assert.Throws<ConversionException>(() => EmbeddingConverter.GeminiToOpenAiRequest(RouteKind.GeminiEmbed, root, "m"));
    }

    [Fact]
    public void OpenAiAnswer_IsOrderedByIndex_ForAGeminiBatch()
    {
        var answer = (JsonObject)JsonNode.Parse("""{"data":[{"index":1,"embedding":[2.0]},{"index":0,"embedding":[1.0]}],"usage":{"prompt_tokens":0,"total_tokens":9}}""")!;
        var gemini = EmbeddingConverter.OpenAiToGeminiResponse(RouteKind.GeminiBatchEmbed, answer);
        Assert.Equal("""{"embeddings":[{"values":[1.0]},{"values":[2.0]}]}""", gemini.ToJsonString());
        Assert.Equal(9, EmbeddingConverter.ReportedPromptTokens(answer));   // total when prompt is 0
    }

    [Fact]
    public void GeminiAnswer_WithoutEmbeddings_IsABadResponse()
    {
        var answer = (JsonObject)JsonNode.Parse("""{"embeddings":[{"nothing":true}]}""")!;
        Assert.Throws<ConversionException>(() => EmbeddingConverter.GeminiToOpenAiResponse(answer, "m", 1));
        var single = (JsonObject)JsonNode.Parse("""{"embedding":{"values":[0.5]},"usageMetadata":{"promptTokenCount":4}}""")!;
        Assert.Equal("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5]}],"model":"m","usage":{"prompt_tokens":3,"total_tokens":3}}""",
            EmbeddingConverter.GeminiToOpenAiResponse(single, "m", 3).ToJsonString());
        Assert.Equal(4, EmbeddingConverter.ReportedPromptTokens(single));
    }

    [Fact]
    public void GeminiTexts_CountTitlesAndTextParts()
    {
        var root = Json("""{"requests":[{"title":"T","content":{"parts":[{"text":"x"},{"text":"y"}]}},{"content":{"parts":[{"text":"z"}]}}]}""");
        Assert.Equal(["T\nx\ny", "z"], EmbeddingConverter.GeminiTexts(RouteKind.GeminiBatchEmbed, root));
    }
}
