using System.Text;
using System.Text.Json;
using NewApi.Relay.Pipeline;

namespace NewApi.Tests.Unit.Relay;

/// <summary>The one-pass read of a request's top-level fields answers as a lookup by name on the document would.</summary>
public sealed class RootFieldsTests
{
    private static readonly (string Name, Func<RootFields, JsonValueKind> Get)[] Kinds =
    [
        ("model", f => f.Model), ("stream", f => f.Stream), ("stream_options", f => f.StreamOptions), ("max_tokens", f => f.MaxTokens),
        ("generationConfig", f => f.GenerationConfig), ("messages", f => f.Messages), ("prefix", f => f.Prefix), ("suffix", f => f.Suffix),
        ("prompt", f => f.Prompt), ("input", f => f.Input), ("contents", f => f.Contents),
    ];

    private static readonly (string Name, RootField Flag)[] Flags =
    [
        ("stream_options", RootField.StreamOptions), ("service_tier", RootField.ServiceTier),
        ("safety_identifier", RootField.SafetyIdentifier), ("store", RootField.Store),
    ];

    private static long Whole(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : 0;

    [Theory]
    [InlineData("""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi","model":"decoy","max_tokens":99}]}""")]
    [InlineData("""{"model":"first","model":"second","stream":false,"stream":true}""")]
    [InlineData("""{"\u006dodel":"escaped","m\u0061x_tokens":7,"stre\u0061m":true,"st\u006fre":false}""")]
    [InlineData("""{"model":null,"messages":null,"prompt":null,"input":null,"stream_options":null,"service_tier":null}""")]
    [InlineData("""{"max_tokens":1,"max_completion_tokens":2,"max_output_tokens":3,"generationConfig":{"maxOutputTokens":4},"contents":[]}""")]
    [InlineData("""{"max_tokens":1.5,"max_completion_tokens":"2","max_output_tokens":99999999999999999999,"generationConfig":{"maxOutputTokens":{"x":1}}}""")]
    [InlineData("""{"prefix":"a","suffix":"b","safety_identifier":"x","store":true,"service_tier":"flex","stream_options":{"include_usage":true}}""")]
    [InlineData("""{"stream_options":{"include_usage":true,"include_usage":false},"generationConfig":{"maxOutputTokens":5,"maxOutputTokens":6}}""")]
    [InlineData("""{"stream_options":{"include_usage":true},"stream_options":{"other":[1,{"include_usage":true}]}}""")]
    [InlineData("""{"stream_options":[{"include_usage":true}],"generationConfig":[{"maxOutputTokens":3}],"model":"after arrays"}""")]
    [InlineData("""{"generationConfig":{"maxOutputTokens":8},"generationConfig":"text","model":"m"}""")]
    [InlineData("""{"Model":"case","MODEL":"differs","models":"longer","mode":"shorter","stream_option":1,"a_very_long_property_name_that_is_none":1}""")]
    [InlineData("""{"mödel":"non-ascii","\u00e9":1,"\u006d\u006f\u0064\u0065\u006c\u005f\u0078\u0078\u0078\u0078\u0078\u0078\u0078\u0078\u0078\u0078\u0078\u0078\u0078\u0078\u0078\u0078":2,"model":"ok"}""")]
    [InlineData("""{}""")]
    public void EveryField_IsWhatTryGetPropertyFinds(string json)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        using var doc = JsonDocument.Parse(utf8);
        var root = doc.RootElement;
        Assert.True(RootFields.TryRead(utf8, out var fields));
        foreach (var (name, get) in Kinds)
            Assert.Equal(root.TryGetProperty(name, out var expected) ? expected.ValueKind : JsonValueKind.Undefined, get(fields));
        foreach (var (name, flag) in Flags)
            Assert.Equal(root.TryGetProperty(name, out _), (fields.Present & flag) != 0);
        Assert.Equal(root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null, fields.ModelText);
        Assert.Equal(Whole(root, "max_tokens"), fields.MaxTokensValue);
        Assert.Equal(Whole(root, "max_completion_tokens"), fields.MaxCompletionTokens);
        Assert.Equal(Whole(root, "max_output_tokens"), fields.MaxOutputTokens);
        Assert.Equal(root.TryGetProperty("generationConfig", out var gc) ? Whole(gc, "maxOutputTokens") : 0, fields.GenerationMaxOutputTokens);
        var usage = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        Assert.Equal(usage, fields.IncludeUsage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("""{"model":"m",}""")]
    [InlineData("""{"model":"m"} {}""")]
    [InlineData("""{"model":"m"} x""")]
    [InlineData("""[1,2""")]
    [InlineData("""{"a":[1,2}""")]
    [InlineData("""{"model":"m"/* comment */}""")]
    public void NotJson_IsRefused_AsTheDocumentParserRefusesIt(string json)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(utf8).Dispose());
        Assert.ThrowsAny<JsonException>(() => RootFields.TryRead(utf8, out _));
        var (request, error) = RelayRequest.Parse(RouteKind.ChatCompletions, utf8);
        Assert.Null(request);
        Assert.Equal("invalid request body: not valid JSON", error!.Message);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void AnotherValue_IsNotAnObject(string json)
    {
        var (request, error) = RelayRequest.Parse(RouteKind.ChatCompletions, Encoding.UTF8.GetBytes(json));
        Assert.Null(request);
        Assert.Equal("invalid request body: a JSON object is required", error!.Message);
    }

    [Fact]
    public void Document_IsParsedOnlyWhenAsked_AndIsTheBody()
    {
        var (request, error) = RelayRequest.Parse(RouteKind.ChatCompletions, Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"x"}]}"""));
        Assert.Null(error);
        using (request)
        {
            var first = request!.Document;
            Assert.Same(first, request.Document);
            Assert.Equal("x", request.Root.GetProperty("messages")[0].GetProperty("content").GetString());
        }
    }

    [Fact]
    public void RoutesWithoutRules_AreThoseCheckAnswersNullFor()
    {
        // A body that breaks every route rule: a route Checks leaves out must not have one.
        using var doc = JsonDocument.Parse("""{"model":5,"input":null,"query":"","documents":[],"size":"1×1","voice":3,"language":1}""");
        foreach (var kind in Enum.GetValues<RouteKind>())
            Assert.Equal(RouteValidation.Checks(kind), RouteValidation.Check(kind, doc.RootElement) is not null);
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
