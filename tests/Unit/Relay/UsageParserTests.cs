using System.Text;
using System.Text.Json;
using NewApi.Billing;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Streaming;

namespace NewApi.Tests.Unit.Relay;

public sealed class UsageParserTests
{
    /// <summary>Both entry points (a document's element and the raw text) read the same object.</summary>
    private static UsageCounts Parse(string json, RouteKind kind = RouteKind.ChatCompletions)
    {
        using var doc = JsonDocument.Parse(json);
        var fromElement = UsageParser.FromOpenAi(doc.RootElement, kind);
        var fromText = UsageParser.FromOpenAi(Encoding.UTF8.GetBytes(json), kind);
        Assert.Equal(fromElement, fromText);
        return fromText;
    }

    [Fact]
    public void EveryOpenAiField_IsRead()
    {
        var u = Parse("""
            {"prompt_tokens":100,"completion_tokens":40,"total_tokens":140,
             "prompt_tokens_details":{"cached_tokens":30,"cached_creation_tokens":5,"image_tokens":7,"audio_tokens":9,"text_tokens":1},
             "completion_tokens_details":{"audio_tokens":11,"reasoning_tokens":13,"accepted_prediction_tokens":2}}
            """);
        Assert.Equal(new UsageCounts
        {
            PromptTokens = 100, CompletionTokens = 40, CachedTokens = 30, CacheWriteTokens = 5, ImageTokens = 7,
            AudioInputTokens = 9, AudioOutputTokens = 11, ReasoningTokens = 13,
        }, u);
    }

    [Fact]
    public void ResponsesStyleNames_AreTheFallback()
    {
        var u = Parse("""{"input_tokens":8,"output_tokens":4,"input_tokens_details":{"cached_tokens":3}}""");
        Assert.Equal((8L, 4L, 3L), (u.PromptTokens, u.CompletionTokens, u.CachedTokens));
        // OpenAI's names win when they are there.
        u = Parse("""{"input_tokens":8,"output_tokens":4,"prompt_tokens":5,"completion_tokens":1}""");
        Assert.Equal((5L, 1L), (u.PromptTokens, u.CompletionTokens));
    }

    [Fact]
    public void PromptDetails_ThatAreNotAnObject_FallBackToInputDetails()
    {
        Assert.Equal(6, Parse("""{"prompt_tokens":9,"prompt_tokens_details":null,"input_tokens_details":{"cached_tokens":6}}""").CachedTokens);
        Assert.Equal(2, Parse("""{"prompt_tokens":9,"prompt_tokens_details":{"cached_tokens":2},"input_tokens_details":{"cached_tokens":6}}""").CachedTokens);
    }

    [Theory]
    [InlineData("""{"prompt_tokens":9,"prompt_cache_hit_tokens":4}""", 4)]                                        // DeepSeek
    [InlineData("""{"prompt_tokens":9,"cached_tokens":5}""", 5)]                                                  // top-level variant
    [InlineData("""{"prompt_tokens":9,"prompt_tokens_details":{"cached_tokens":0},"prompt_cache_hit_tokens":4,"cached_tokens":5}""", 4)]
    public void CacheReads_FollowTheVendorOrder(string json, long cached) => Assert.Equal(cached, Parse(json).CachedTokens);

    [Fact]
    public void Embeddings_FallBackToTheTotal()
    {
        Assert.Equal(12, Parse("""{"total_tokens":12}""", RouteKind.Embeddings).PromptTokens);
        Assert.Equal(0, Parse("""{"total_tokens":12}""").PromptTokens);
    }

    [Theory]
    [InlineData("""{"prompt_tokens":3,"prompt_tokens":7}""", 7)]                  // a duplicate counts with its last value
    [InlineData("""{"prompt_tokens":7,"prompt_tokens":"9"}""", 0)]                // ... even when that one is not a number
    [InlineData("""{"prompt_tokens":7.5}""", 0)]                                  // not an integer
    [InlineData("""{"prompt_tokens":99999999999999999999}""", 0)]                 // out of range
    [InlineData("""{"prompt\u005ftokens":7}""", 7)]                               // an escaped name
    [InlineData("""{"x":{"prompt_tokens":1},"y":[{"prompt_tokens":2}],"prompt_tokens":7}""", 7)]   // nested decoys are skipped
    public void OddValues_ReadAsADocumentLookupWould(string json, long prompt) => Assert.Equal(prompt, Parse(json).PromptTokens);

    [Fact]
    public void TheReader_IsLeftOnTheUsageObjectsEnd()
    {
        var json = """{"usage":{"prompt_tokens":2,"extra":{"a":[1,2]},"completion_tokens":1},"after":true}"""u8;
        var reader = new Utf8JsonReader(json);
        reader.Read(); reader.Read(); reader.Read();   // {, "usage", {
        var u = UsageParser.FromOpenAi(ref reader, RouteKind.ChatCompletions);
        Assert.Equal((2L, 1L), (u.PromptTokens, u.CompletionTokens));
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.True(reader.Read());
        Assert.True(reader.ValueTextEquals("after"u8));
    }

    [Fact]
    public void NotAnObject_CountsNothing()
    {
        Assert.Equal(default, UsageParser.FromOpenAi("[1]"u8, RouteKind.ChatCompletions));
        using var doc = JsonDocument.Parse("null");
        Assert.Equal(default, UsageParser.FromOpenAi(doc.RootElement, RouteKind.ChatCompletions));
    }
}
