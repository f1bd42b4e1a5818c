using NewApi.Relay.Routing;
using System.Collections.Frozen;
using System.Text.Json;
using NewApi.Admin.Channels;
using NewApi.Common;
using NewApi.Relay.Probe;
using NewApi.Storage.Channels;
using NewApi.Storage.Options;

namespace NewApi.Tests.Unit.Admin;

public sealed class ChannelLogicTests
{
    private static OptionsSnapshot Options(params (string Key, string Value)[] values)
    {
        var all = new Dictionary<string, string>(OptionDefaults.All, StringComparer.Ordinal);
        foreach (var (k, v) in values) all[k] = v;
        return new OptionsSnapshot(all.ToFrozenDictionary(StringComparer.Ordinal), 1);
    }

    [Fact]
    public void ChannelInfo_ParsesNewApiJson_AndKeepsDefaultsForAbsentKeys()
    {
        var empty = ChannelInfoCodec.Parse("{}");
        Assert.Equal("", empty.MultiKeyMode);
        Assert.False(empty.IsMultiKey);
        var info = ChannelInfoCodec.Parse("""{"is_multi_key":true,"multi_key_size":3,"multi_key_status_list":{"1":3},"multi_key_disabled_reason":{"1":"quota"},"multi_key_mode":"polling"}""");
        Assert.Equal(3, ChannelInfoCodec.KeyStatus(info, 1));
        Assert.Equal(1, ChannelInfoCodec.KeyStatus(info, 0));
        Assert.Equal("quota", info.MultiKeyDisabledReason![1]);
        Assert.Contains("\"multi_key_status_list\":{\"1\":3}", ChannelInfoCodec.Serialize(info));
        Assert.Equal(new NewApi.Json.Contracts.Admin.ChannelInfoData().MultiKeyMode, ChannelInfoCodec.Parse("not json").MultiKeyMode);
    }

    [Fact]
    public void Keys_SplitLinesOrJsonArrays()
    {
        Assert.Equal(["a", "b"], ChannelKeys.Split(" a \n\n b\n"));
        Assert.Equal(["{\"k\":1}", "x"], ChannelKeys.Split("[{\"k\": 1}, \"x\"]"));
        Assert.Equal(["[not json"], ChannelKeys.Split("[not json"));
        Assert.Equal("a", ChannelKeys.First("a\nb"));
        Assert.Equal("", ChannelKeys.First(""));
    }

    [Theory]
    [InlineData("sk-0123456789abcdefghij", "sk-0123456...")]
    [InlineData("sk-short", "sk-s...")]
    [InlineData("ab", "a...")]
    public void Keys_PreviewShowsAtMostHalfAndAtMostTenCharacters(string key, string preview) =>
        Assert.Equal(preview, ChannelKeys.Preview(key));

    [Fact]
    public void Policy_DisablesOnListedStatusDeadKeyCodesAndKeywords()
    {
        var o = NewApi.Relay.Routing.RelayPolicy.Rules.From(Options());
        Assert.True(DisablePolicy.ShouldDisable(o, ProbeOutcome.Failure("x", "bad_response_status_code", 401)));
        Assert.False(DisablePolicy.ShouldDisable(o, ProbeOutcome.Failure("x", "bad_response_status_code", 500)));
        Assert.True(DisablePolicy.ShouldDisable(o, ProbeOutcome.Failure("x", "invalid_api_key", 400)));
        Assert.True(DisablePolicy.ShouldDisable(o, ProbeOutcome.Failure("x", "c", 400, "insufficient_quota")));
        Assert.True(DisablePolicy.ShouldDisable(o, ProbeOutcome.Failure("status code 429: You exceeded your current quota, please…", "c", 429)));
        Assert.False(DisablePolicy.ShouldDisable(o, ProbeOutcome.Failure("Midjourney channel test is not supported", "channel_test_unsupported")));
        Assert.False(DisablePolicy.ShouldDisable(o, ProbeOutcome.Success(1, 1)));
    }

    [Fact]
    public void ModelMapping_ChainsStopsOnSelfAndDetectsCycles()
    {
        Assert.Equal(("c", null), ChannelTester.MapModel("""{"a":"b","b":"c"}""", "a"));
        Assert.Equal(("a", null), ChannelTester.MapModel("""{"a":"a"}""", "a"));
        Assert.Equal(("z", null), ChannelTester.MapModel("", "z"));
        Assert.Equal("model_mapping_contains_cycle", ChannelTester.MapModel("""{"a":"b","b":"a"}""", "a").Error);
        Assert.Equal("unmarshal_model_mapping_failed", ChannelTester.MapModel("{bad", "a").Error);
    }

    [Fact]
    public void TestModelAndEndpoint_AreResolvedLikeNewApi()
    {
        var ch = new ChannelRow { Models = "m1,m2", TestModel = null };
        Assert.Equal("q", ChannelTester.ResolveModel(ch, "q"));
        Assert.Equal("m1", ChannelTester.ResolveModel(ch, null));
        Assert.Equal("t", ChannelTester.ResolveModel(ch with { TestModel = "t" }, ""));
        Assert.Equal("gpt-4o-mini", ChannelTester.ResolveModel(ch with { Models = "" }, null));
        Assert.Equal(ProbeKind.Embeddings, ChannelTester.ResolveKind(ch, "text-embedding-3-small", null));
        Assert.Equal(ProbeKind.Embeddings, ChannelTester.ResolveKind(ch, "bge-m3", null));
        Assert.Equal(ProbeKind.Rerank, ChannelTester.ResolveKind(ch, "jina-reranker-v2", null));
        Assert.Equal(ProbeKind.Responses, ChannelTester.ResolveKind(ch, "gpt-5-codex", null));
        Assert.Equal(ProbeKind.Image, ChannelTester.ResolveKind(ch with { Type = ChannelType.VolcEngine }, "doubao-seedream-3", null));
        Assert.Equal(ProbeKind.Chat, ChannelTester.ResolveKind(ch, "text-embedding-3-small", "openai"));
        Assert.Equal(ProbeKind.Image, ChannelTester.ResolveKind(ch, "x", "image-generation"));
    }

    [Fact]
    public void ProbeBodies_TokenLimitsFollowTheModelFamily()
    {
        Assert.Equal(16, (int?)ProbeBodies.OpenAiChat("gpt-4o", false)["max_tokens"]);
        Assert.Equal(16, (int?)ProbeBodies.OpenAiChat("o3-mini", false)["max_completion_tokens"]);
        Assert.Equal(50, (int?)ProbeBodies.OpenAiChat("qwen-thinking", false)["max_tokens"]);
        Assert.Null(ProbeBodies.OpenAiChat("claude-3-7-sonnet-thinking", false)["max_tokens"]);
        Assert.Equal(3000, (int?)ProbeBodies.OpenAiChat("gemini-2.5-pro", false)["max_tokens"]);
        Assert.True((bool?)ProbeBodies.OpenAiChat("gpt-4o", true)["stream_options"]!["include_usage"]);
    }

    [Theory]
    [InlineData("""{"usage":{"prompt_tokens":3,"completion_tokens":4}}""", 3, 4)]
    [InlineData("""{"usage":{"input_tokens":5,"output_tokens":6}}""", 5, 6)]
    [InlineData("""{"type":"message_start","message":{"usage":{"input_tokens":7,"output_tokens":1}}}""", 7, 1)]
    [InlineData("""{"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":2,"thoughtsTokenCount":1}}""", 8, 3)]
    public void ProbeBodies_ReadUsageOfEveryDialect(string json, long prompt, long completion)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.Equal((prompt, completion), ProbeBodies.Usage(doc.RootElement));
    }

    [Fact]
    public void ProbeBodies_ReadErrorsOfEveryDialect()
    {
        using var openai = JsonDocument.Parse("""{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}""");
        Assert.Equal(("bad key", "invalid_api_key", "invalid_request_error"), ProbeBodies.Error(openai.RootElement));
        using var gemini = JsonDocument.Parse("""{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}""");
        Assert.Equal(("denied", "403", "PERMISSION_DENIED"), ProbeBodies.Error(gemini.RootElement));
        using var none = JsonDocument.Parse("""{"error":null,"choices":[]}""");
        Assert.Null(ProbeBodies.Error(none.RootElement));
    }

    [Fact]
    public void ProbeStream_NeedsAnEventAndNoError()
    {
        Assert.True(ProbeStream.Interpret("data: {\"choices\":[]}\n\ndata: [DONE]\n").Ok);
        Assert.False(ProbeStream.Interpret(": keep-alive\n\ndata: [DONE]\n").Ok);
        Assert.False(ProbeStream.Interpret("data: {\"error\":{\"message\":\"x\"}}\n").Ok);
    }

    [Fact]
    public void TestQuota_UsesPriceOrRatios_UnknownModelsCostNothing()
    {
        var o = Options(("ModelRatio", """{"m":2}"""), ("CompletionRatio", """{"m":4}"""), ("ModelPrice", """{"p":0.01}"""),
            ("GroupRatio", """{"default":1,"vip":0.5}"""));
        Assert.Equal(2 * (10 + 5 * 4), TestQuota.Compute(o, "m", "default", 10, 5).Quota);
        Assert.Equal(30, TestQuota.Compute(o, "m", "vip", 10, 5).Quota);
        Assert.Equal(5000, TestQuota.Compute(o, "p", "default", 10, 5).Quota);
        Assert.Equal(0, TestQuota.Compute(o, "unknown", "default", 10, 5).Quota);
    }

    [Fact]
    public void Profiles_DefaultBaseUrls()
    {
        Assert.Equal("https://api.openai.com", ChannelProfiles.BaseUrl(ChannelType.OpenAI, ""));
        Assert.Equal("http://host:1/x", ChannelProfiles.BaseUrl(ChannelType.OpenAI, " http://host:1/x/ "));
        Assert.Equal("https://openrouter.ai/api", ChannelProfiles.BaseUrl(ChannelType.OpenRouter, null));
        Assert.Equal(ProbeFamily.Claude, ChannelProfiles.For(ChannelType.Anthropic).Family);
        Assert.All(Enum.GetValues<ChannelType>(), t => Assert.Equal(t, ChannelProfiles.For(t).Type));
    }

    [Theory]
    [InlineData("true", false, true)]
    [InlineData("T", false, true)]
    [InlineData("0", true, false)]
    [InlineData("yes", true, true)]
    [InlineData(null, false, false)]
    public void GoParseBool(string? s, bool fallback, bool expected) => Assert.Equal(expected, ChannelQuery.ParseBool(s, fallback));
}
