using System.Text.Json.Nodes;
using NewApi.Relay.Convert;
using static NewApi.Tests.Unit.Relay.Convert.ConvertKit;

namespace NewApi.Tests.Unit.Relay.Convert;

/// <summary>Each dialect's golden request converted to every other dialect keeps what it asks for.</summary>
public sealed class RequestConversionTests
{
    internal static readonly Dictionary<WireFamily, string> Requests = new()
    {
        [WireFamily.OpenAiChat] = "openai/chat_request_tools.json",
        [WireFamily.Claude] = "claude/messages_request_claude_code.json",
        [WireFamily.Gemini] = "gemini/generate_request.json",
        [WireFamily.Responses] = "responses/request.json",
    };

    public static TheoryData<WireFamily, WireFamily> Pairs() => CrossPairs();

    internal static ConvertedRequest Convert(WireFamily client, WireFamily upstream, RequestOptions? options = null) =>
        FormatConverter.ConvertRequest(client, upstream, Golden(Requests[client]),
            options ?? (client == WireFamily.Gemini ? new RequestOptions { Model = "gemini-2.5-flash", Stream = false } : null));

    [Theory]
    [MemberData(nameof(Pairs))]
    public void GoldenRequest_KeepsConversationToolsAndImages(WireFamily client, WireFamily upstream)
    {
        var source = RequestProbe.Of(client, Golden(Requests[client]));
        var converted = Convert(client, upstream);
        var target = RequestProbe.Of(upstream, Wire(converted.Body));

        Assert.Equal(Squash(source.System), Squash(target.System));
        Assert.Equal(source.Conversation, target.Conversation);
        Assert.Equal(source.Tools, target.Tools);
        Assert.Equal(source.Calls.Select(c => c.Name), target.Calls.Select(c => c.Name));
        for (var i = 0; i < source.Calls.Count; i++) SameJson(source.Calls[i].Args, target.Calls[i].Args);
        Assert.Equal(source.Results.Count, target.Results.Count);
        for (var i = 0; i < source.Results.Count; i++) SameText(source.Results[i].Text, target.Results[i].Text);
        Assert.Equal(Images(source), Images(target) + converted.RemoteMedia.Count - (upstream is WireFamily.Claude or WireFamily.Gemini ? target.ImageUrls.Count : 0));

        if (upstream != WireFamily.Gemini)
        {
            var callIds = target.Calls.Select(c => c.Id).ToHashSet();
            Assert.All(target.Results, r => Assert.Contains(r.Id, callIds));
        }
        if (client != WireFamily.Gemini && upstream != WireFamily.Gemini)
            Assert.Equal(source.Calls.Select(c => c.Id), target.Calls.Select(c => c.Id));
        else if (upstream == WireFamily.Gemini)
            Assert.Equal(target.Calls.Select(c => c.Name), target.Results.Select(r => r.Name));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void GoldenRequest_KeepsModelAndStreamFlag(WireFamily client, WireFamily upstream)
    {
        var converted = Convert(client, upstream);
        var expectedModel = client == WireFamily.Gemini ? "gemini-2.5-flash" : Golden(Requests[client])["model"]!.GetValue<string>();
        Assert.Equal(expectedModel, converted.Model);
        if (upstream != WireFamily.Gemini) Assert.Equal(expectedModel, converted.Body["model"]!.GetValue<string>());
        else Assert.Null(converted.Body["model"]);
        Assert.Equal(client == WireFamily.Claude, converted.Stream);
    }

    [Fact]
    public void SameDialect_PassesBodyThroughWithMappedModel()
    {
        var body = Golden(Requests[WireFamily.Claude]);
        var converted = FormatConverter.ConvertRequest(WireFamily.Claude, WireFamily.Claude, body, new RequestOptions { Model = "claude-upstream" });
        Assert.Same(body, converted.Body);
        Assert.Equal("claude-upstream", body["model"]!.GetValue<string>());
        Assert.True(converted.Stream);
    }

    private static int Images(RequestProbe p) => p.InlineImages + p.ImageUrls.Count + p.Results.Sum(r => r.Images);

    private static string Squash(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));

    private static void SameText(string expected, string actual)
    {
        if (JsonNode.Parse("[]") is not null && TryJson(expected) is { } e && TryJson(actual) is { } a) Assert.True(JsonNode.DeepEquals(e, a), $"{expected} vs {actual}");
        else Assert.Equal(expected, actual);
    }

    private static JsonNode? TryJson(string s)
    {
        try { return s.TrimStart().StartsWith('{') ? JsonNode.Parse(s) : null; }
        catch (System.Text.Json.JsonException) { return null; }
    }
}
