using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>Claude <c>count_tokens</c> ⇄ Gemini <c>countTokens</c> ⇄ Responses <c>input_tokens</c>.</summary>
public sealed class CountTokensTests
{
    private const string ClaudeCount = """
        {"model":"claude-sonnet-4-5","system":"Be terse.","messages":[{"role":"user","content":"Hello, world"}],
         "tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]}
        """;

    [Fact]
    public void ClaudeCountTokens_ToGemini_WrapsAGenerateContentRequest()
    {
        var converted = FormatConverter.ConvertCountTokensRequest(WireFamily.Claude, WireFamily.Gemini, Obj(ClaudeCount), new RequestOptions { Model = "gemini-2.5-pro" });
        var inner = converted.Body["generateContentRequest"]!;
        Assert.Equal("models/gemini-2.5-pro", inner["model"]!.GetValue<string>());
        Assert.Equal("Hello, world", inner["contents"]![0]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("Be terse.", inner["systemInstruction"]!["parts"]![0]!["text"]!.GetValue<string>());
        Assert.NotNull(inner["tools"]);
        Assert.Null(inner["generationConfig"]);
    }

    [Fact]
    public void GeminiCountTokens_ToClaude_KeepsOnlyCountFields()
    {
        var converted = FormatConverter.ConvertCountTokensRequest(WireFamily.Gemini, WireFamily.Claude,
            Obj("""{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}"""), new RequestOptions { Model = "claude-haiku-4-5" });
        SameJson("""{"model":"claude-haiku-4-5","messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}""", converted.Body.ToJsonString());
        Assert.False(converted.Stream);
    }

    [Fact]
    public void ClaudeCountTokens_ToResponses_DropsStreaming()
    {
        var body = FormatConverter.ConvertCountTokensRequest(WireFamily.Claude, WireFamily.Responses, Obj(ClaudeCount)).Body;
        Assert.Null(body["stream"]);
        Assert.Equal("Be terse.", body["instructions"]!.GetValue<string>());
    }

    [Fact]
    public void OpenAiChat_HasNoCountEndpoint()
    {
        Assert.Throws<ConversionException>(() => FormatConverter.ConvertCountTokensRequest(WireFamily.Claude, WireFamily.OpenAiChat, Obj(ClaudeCount)));
    }

    [Theory]
    [InlineData(WireFamily.Gemini, """{"totalTokens":31,"promptTokensDetails":[{"modality":"TEXT","tokenCount":31}]}""", WireFamily.Claude, """{"input_tokens":31}""")]
    [InlineData(WireFamily.Claude, """{"input_tokens":2095}""", WireFamily.Gemini, """{"totalTokens":2095}""")]
    [InlineData(WireFamily.Responses, """{"object":"response.input_tokens","input_tokens":11}""", WireFamily.Claude, """{"input_tokens":11}""")]
    [InlineData(WireFamily.Claude, """{"input_tokens":7}""", WireFamily.Responses, """{"object":"response.input_tokens","input_tokens":7}""")]
    public void CountResponses_AreConverted(WireFamily upstream, string body, WireFamily client, string expected) =>
        SameJson(expected, FormatConverter.ConvertCountTokensResponse(upstream, client, Obj(body)).ToJsonString());
}
