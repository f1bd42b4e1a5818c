using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Relay.Routing;
using NewApi.Relay.Streaming;
using NewApi.Relay.Upstream;
using NewApi.Storage.Options;

namespace NewApi.Tests.Unit.Relay;

public sealed class RelayPiecesTests
{
    [Fact]
    public void SseLineReader_SplitsLines_WithEitherEnding_AcrossSegments()
    {
        var bytes = Encoding.UTF8.GetBytes("data: {\"a\":1}\r\n\r\ndata: [DONE]\n\npartial");
        var buffer = new ReadOnlySequence<byte>(bytes);
        var lines = new List<string>();
        while (SseLineReader.TryReadLine(ref buffer, out var line)) lines.Add(Encoding.UTF8.GetString(line.ToArray()));
        Assert.Equal(["data: {\"a\":1}", "", "data: [DONE]", ""], lines);
        Assert.Equal("partial", Encoding.UTF8.GetString(buffer.ToArray()));
        Assert.True(SseLineReader.TryGetData("data:x"u8, out var p) && p.SequenceEqual("x"u8));
        Assert.False(SseLineReader.TryGetData("event: ping"u8, out _));
    }

    [Theory]
    [InlineData("sk-abc", "abc", null)]
    [InlineData("abc-12", "abc", "12")]
    [InlineData("sk-abc-12-extra", "abc", "12")]
    public void KeyExtractor_SplitsThePinnedChannel(string key, string token, string? channel) =>
        Assert.Equal(new PresentedKey(token, channel), KeyExtractor.Split(key));

    [Fact]
    public void KeyExtractor_Precedence()
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Path = "/v1beta/openai/models";
        ctx.Request.Headers.Authorization = "Bearer sk-bearer";
        ctx.Request.QueryString = new QueryString("?key=query");
        Assert.Equal("query", KeyExtractor.Extract(ctx.Request).Key);
        ctx.Request.Headers["x-goog-api-key"] = "goog";
        Assert.Equal("goog", KeyExtractor.Extract(ctx.Request).Key);
        var chat = new DefaultHttpContext();
        chat.Request.Path = "/v1/chat/completions";
        chat.Request.Headers.Authorization = "Bearer midjourney-proxy";
        chat.Request.Headers["mj-api-secret"] = "sk-mj";
        Assert.Equal("mj", KeyExtractor.Extract(chat.Request).Key);
    }

    [Fact]
    public void Scrubber_RemovesKeysHostsAddressesAndKeyLikeStrings()
    {
        var text = MessageScrubber.Scrub("bad key k-secret-1 at https://up.example.com/v1/x from 10.0.0.5:8080, api_key: zzz, other sk-abcdefghijkl",
            ["k-secret-1"], "https://up.example.com");
        Assert.DoesNotContain("k-secret-1", text);
        Assert.DoesNotContain("up.example.com", text);
        Assert.DoesNotContain("10.0.0.5", text);
        Assert.DoesNotContain("zzz", text);
        Assert.DoesNotContain("sk-abcdefghijkl", text);
    }

    [Fact]
    public void UpstreamErrorParser_ReadsEveryShape()
    {
        var openAi = UpstreamErrorParser.Parse(400, """{"error":{"message":"m","type":"t","code":"c"}}"""u8);
        Assert.Equal(("m", "t", "c", true), (openAi.Message, openAi.Type, openAi.Code, openAi.FromUpstream));
        Assert.Equal("flat", UpstreamErrorParser.Parse(500, """{"message":"flat"}"""u8).Message);
        Assert.Equal("s", UpstreamErrorParser.Parse(500, """{"error":"s"}"""u8).Message);
        Assert.Equal("deep", UpstreamErrorParser.Parse(500, """{"response":{"error":{"message":"deep"}}}"""u8).Message);
        Assert.Equal("bad response status code 502", UpstreamErrorParser.Parse(502, "<html>"u8).Message);
    }

    [Fact]
    public void ModelMapping_IsChained_AndCyclesAreChannelErrors()
    {
        var map = new Dictionary<string, string> { ["a"] = "b", ["b"] = "c", ["x"] = "y", ["y"] = "x", ["s"] = "s" }.ToFrozenDictionary();
        Assert.Equal("c", ModelMapper.Map("a", map, false).Model);
        Assert.Equal("s", ModelMapper.Map("s", map, false).Model);
        var (_, error) = ModelMapper.Map("x", map, false);
        Assert.Equal("channel:model_mapped_error", error!.Code);
        Assert.True(error.SkipRetry);
    }

    [Fact]
    public void ParamOverride_LegacyAndOperations()
    {
        var body = (JsonObject)JsonNode.Parse("""{"model":"m","temperature":1,"messages":[{"role":"user","content":"hi"}]}""")!;
        var spec = (JsonObject)JsonNode.Parse("""
            {"top_p":0.5,"operations":[
              {"path":"temperature","mode":"delete"},
              {"path":"messages.-1.content","mode":"prepend","value":"[x] "},
              {"path":"max_tokens","mode":"set","value":9,"conditions":[{"path":"model","mode":"prefix","value":"m"}]},
              {"path":"seed","mode":"set","value":1,"conditions":[{"path":"model","mode":"full","value":"other"}]}
            ]}
            """)!;
        Assert.Null(ParamOverride.Apply(body, spec, false, "m"));
        Assert.Equal("""{"model":"m","messages":[{"role":"user","content":"[x] hi"}],"top_p":0.5,"max_tokens":9}""", body.ToJsonString());
        var reject = (JsonObject)JsonNode.Parse("""{"operations":[{"mode":"return_error","value":{"message":"no","status_code":422}}]}""")!;
        Assert.Equal(422, ParamOverride.Apply(body, reject, false, "m")!.Status);
    }

    [Fact]
    public void SystemPrompt_PrependsOrOverrides()
    {
        var none = (JsonObject)JsonNode.Parse("""{"messages":[{"role":"user","content":"q"}]}""")!;
        Assert.False(SystemPrompt.Apply(none, "be brief", false));
        Assert.Equal("system", none["messages"]![0]!["role"]!.GetValue<string>());
        var existing = (JsonObject)JsonNode.Parse("""{"messages":[{"role":"system","content":"orig"}]}""")!;
        Assert.True(SystemPrompt.Apply(existing, "be brief", true));
        Assert.Equal("be brief\norig", existing["messages"]![0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public void RetryAndDisableRules_FollowNewApi()
    {
        var rules = RelayPolicy.Rules.From(new OptionsSnapshot(OptionDefaults.All.ToFrozenDictionary(), 1)) with { AutoDisable = true };
        RelayError Up(int status, string message = "x", string code = "") => new() { Status = status, UpstreamStatus = status, Message = message, Code = code };
        Assert.True(rules.ShouldRetry(Up(429)));
        Assert.True(rules.ShouldRetry(Up(500)));
        Assert.False(rules.ShouldRetry(Up(400)));
        Assert.False(rules.ShouldRetry(Up(408)));
        Assert.False(rules.ShouldRetry(Up(504)));
        Assert.False(rules.ShouldRetry(Up(200)));
        Assert.True(rules.ShouldRetry(RelayError.Local(500, "no key", "channel:no_available_key", skipRetry: true)));
        Assert.False(rules.ShouldRetry(RelayError.Local(500, "local")));
        Assert.True(rules.ShouldDisable(Up(401), channelAutoBan: true));
        Assert.False(rules.ShouldDisable(Up(401), channelAutoBan: false));
        Assert.True(rules.ShouldDisable(Up(400, "You exceeded your current quota, please check"), true));
        Assert.False(rules.ShouldDisable(Up(500), true));
    }
}
