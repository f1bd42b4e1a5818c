using System.Text;
using System.Text.Json;
using NewApi.Relay.Pipeline;

namespace NewApi.Tests.Unit.Relay;

/// <summary>The one-pass read of a request's top-level fields answers as a lookup by name on the document would.</summary>
public sealed class RootFieldsTests
{
    private static readonly (string Name, Func<RootFields, JsonElement> Get)[] Read =
    [
        ("model", f => f.Model), ("stream", f => f.Stream), ("stream_options", f => f.StreamOptions), ("max_tokens", f => f.MaxTokens),
        ("max_completion_tokens", f => f.MaxCompletionTokens), ("max_output_tokens", f => f.MaxOutputTokens),
        ("generationConfig", f => f.GenerationConfig), ("messages", f => f.Messages), ("prefix", f => f.Prefix), ("suffix", f => f.Suffix),
        ("prompt", f => f.Prompt), ("input", f => f.Input), ("contents", f => f.Contents),
    ];

    private static readonly (string Name, RootField Flag)[] Flags =
    [
        ("stream_options", RootField.StreamOptions), ("service_tier", RootField.ServiceTier),
        ("safety_identifier", RootField.SafetyIdentifier), ("store", RootField.Store),
    ];

    [Theory]
    [InlineData("""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi","model":"decoy"}]}""")]
    [InlineData("""{"model":"first","model":"second","stream":false,"stream":true}""")]
    [InlineData("""{"\u006dodel":"escaped","m\u0061x_tokens":7,"stre\u0061m":true,"st\u006fre":false}""")]
    [InlineData("""{"model":null,"messages":null,"prompt":null,"input":null,"stream_options":null,"service_tier":null}""")]
    [InlineData("""{"max_tokens":1,"max_completion_tokens":2,"max_output_tokens":3,"generationConfig":{"maxOutputTokens":4},"contents":[]}""")]
    [InlineData("""{"prefix":"a","suffix":"b","safety_identifier":"x","store":true,"service_tier":"flex","stream_options":{"include_usage":true}}""")]
    [InlineData("""{"Model":"case","MODEL":"differs","models":"longer","mode":"shorter","stream_option":1,"a_very_long_property_name_that_is_none":1}""")]
    [InlineData("""{"mödel":"non-ascii","\u00e9":1,"model":"ok"}""")]
    [InlineData("""{}""")]
    public void EveryField_IsWhatTryGetPropertyFinds(string json)
    {
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetBytes(json));
        var root = doc.RootElement;
        var fields = RootFields.Read(root);
        foreach (var (name, get) in Read)
        {
            var found = root.TryGetProperty(name, out var expected);
            var got = get(fields);
            Assert.Equal(found ? expected.ValueKind : JsonValueKind.Undefined, got.ValueKind);
            if (found) Assert.Equal(expected.GetRawText(), got.GetRawText());
        }
        foreach (var (name, flag) in Flags)
            Assert.Equal(root.TryGetProperty(name, out _), (fields.Present & flag) != 0);
    }

    [Fact]
    public void ParsedRequest_TakesItsFactsFromTheLastOfRepeatedFields()
    {
        var (request, error) = RelayRequest.Parse(RouteKind.ChatCompletions,
            Encoding.UTF8.GetBytes("""{"model":"a","model":"b","stream":false,"stream":true,"max_tokens":5,"max_tokens":9,"messages":[]}"""));
        Assert.Null(error);
        using (request)
        {
            Assert.Equal("b", request!.Model);
            Assert.True(request.Stream);
            Assert.Equal(9, request.MaxTokens);
            Assert.Equal(RootField.None, request.Present);
        }
    }

    [Theory]
    [InlineData("""{"model":1,"messages":[]}""", "model must be a string")]
    [InlineData("""{"model":"m","messages":null}""", "field messages is required")]
    [InlineData("""{"model":"m","messages":{}}""", "field messages is required")]
    [InlineData("""{"model":"m","m\u0065ssages":"text"}""", "field messages is required")]
    public void ChatValidation_ReadsTheSameFields(string json, string message)
    {
        var (request, error) = RelayRequest.Parse(RouteKind.ChatCompletions, Encoding.UTF8.GetBytes(json));
        Assert.Null(request);
        Assert.Equal(message, error!.Message);
    }

    [Fact]
    public void ChatValidation_AcceptsAPrefixOrSuffixInsteadOfMessages()
    {
        foreach (var json in new[] { """{"model":"m","prefix":"p"}""", """{"model":"m","su\u0066fix":"s"}""" })
        {
            var (request, error) = RelayRequest.Parse(RouteKind.ChatCompletions, Encoding.UTF8.GetBytes(json));
            Assert.Null(error);
            request!.Dispose();
        }
    }
}
