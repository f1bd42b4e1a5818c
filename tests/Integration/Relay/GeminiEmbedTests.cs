using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Tokens;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// Gemini's embedContent / batchEmbedContents and OpenAI's /v1/embeddings across Gemini and OpenAI channels: the exact
/// upstream request, the answer in the client's shape, billing on prompt tokens × model ratio 2 (the upstream's count
/// when it reports one, else the local estimate), validation errors in Gemini's shape, and nothing billed on failure.
/// </summary>
public sealed class GeminiEmbedTests(GeminiEmbedTests.Fixture fx) : IClassFixture<GeminiEmbedTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("RetryTimes", "1");
            await SetOptionAsync("AutomaticDisableChannelEnabled", "true");
            await SetOptionAsync("ModelRatio", """{"gem-embed":2,"gem-alias":2,"oai-embed":2,"gem-embed-429":2,"oai-embed-400":2,"claude-embed":2,"gem-retry":2}""");
            await CreateChannelAsync("gem-embed", key: "key-gemini", type: ChannelType.Gemini);
            await CreateChannelAsync("gem-alias", key: "key-gemini", type: ChannelType.Gemini,
                edit: c => c with { ModelMapping = """{"gem-alias":"text-embedding-004"}""" });
            await CreateChannelAsync("oai-embed", key: "key-openai");
            await CreateChannelAsync("gem-embed-429", key: "key-429", type: ChannelType.Gemini);
            await CreateChannelAsync("oai-embed-400", key: "key-400");
            await CreateChannelAsync("claude-embed", key: "key-claude", type: ChannelType.Anthropic);
            Revoked = await CreateChannelAsync("gem-retry", key: "key-401", priority: 10, type: ChannelType.Gemini);
            Serving = await CreateChannelAsync("gem-retry", key: "key-gemini", priority: 0, type: ChannelType.Gemini);
        }

        public long Revoked, Serving;
    }

    private const double Ratio = 2;

    private async Task<(long User, HttpClient Http)> CallerAsync()
    {
        var user = await fx.CreateUserAsync(fx.Unique("emb"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        return (user, fx.Client(key));
    }

    /// <summary>The gateway's own prompt estimate of a request (what is billed when the upstream reports no usage).</summary>
    private int Estimate(RouteKind kind, string model, string body)
    {
        var (request, error) = RelayRequest.Parse(kind, Encoding.UTF8.GetBytes(body), kind == RouteKind.Embeddings ? null : new PathFacts(model, false));
        Assert.Null(error);
        using (request) return fx.Services.GetRequiredService<PromptEstimator>().Estimate(request!);
    }

    private async Task BilledAsync(long user, long promptTokens, string[]? conversion)
    {
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        var quota = (long)(promptTokens * Ratio);
        Assert.Equal(quota, log.Quota);
        Assert.Equal(promptTokens, log.PromptTokens);
        Assert.Equal(0, log.CompletionTokens);
        var other = RelayAssert.Other(log.Other);
        if (conversion is null) Assert.False(other.TryGetProperty("request_conversion", out _));
        else Assert.Equal(conversion, other.GetProperty("request_conversion").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal((100_000 - quota, quota, 1), await fx.UserAsync(user));
    }

    private RecordedRequest LastUpstream() => fx.Upstream.Requests.Last();

    private static async Task<JsonElement> OkAsync(HttpResponseMessage resp)
    {
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.StatusCode == HttpStatusCode.OK, text);
        return RelayFixture.Parse(text);
    }

    [Fact]
    public async Task GeminiClient_ToGeminiChannel_EmbedContent_IsSentAsIs_AndBilledOnTheEstimate()
    {
        var (user, http) = await CallerAsync();
        const string body = """{"content":{"parts":[{"text":"hello world, embed me please"}]},"taskType":"RETRIEVAL_DOCUMENT","title":"A title","outputDimensionality":4}""";
        var json = await OkAsync(await http.PostAsync("/v1beta/models/gem-embed:embedContent", RelayFixture.Json(body)));
        Assert.Equal(new[] { "embedding" }, json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4, json.GetProperty("embedding").GetProperty("values").GetArrayLength());
        var up = LastUpstream();
        Assert.Equal("/v1beta/models/gem-embed:embedContent", up.PathAndQuery);
        Assert.Equal("key-gemini", up.Header("x-goog-api-key"));
        Assert.Null(up.Header("Authorization"));
        Assert.Equal("hello world, embed me please", up.Json.GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("RETRIEVAL_DOCUMENT", up.Json.GetProperty("taskType").GetString());
        Assert.Equal("A title", up.Json.GetProperty("title").GetString());
        Assert.Equal(4, up.Json.GetProperty("outputDimensionality").GetInt32());
        var estimate = Estimate(RouteKind.GeminiEmbed, "gem-embed", body);
        Assert.True(estimate > 3);
        await BilledAsync(user, estimate, null);
    }

    [Fact]
    public async Task GeminiClient_ToGeminiChannel_Batch_MapsTheModel_AndBillsTheReportedUsage()
    {
        var (user, http) = await CallerAsync();
        fx.Upstream.GeminiEmbedPromptTokens = 7;
        try
        {
            const string body = """{"requests":[{"model":"models/gem-alias","content":{"parts":[{"text":"first"}]}},{"model":"models/gem-alias","content":{"parts":[{"text":"second"}]},"outputDimensionality":2}]}""";
            var json = await OkAsync(await http.PostAsync("/v1/models/gem-alias:batchEmbedContents", RelayFixture.Json(body)));
            var embeddings = json.GetProperty("embeddings");
            Assert.Equal(2, embeddings.GetArrayLength());
            Assert.Equal(3, embeddings[0].GetProperty("values").GetArrayLength());
            Assert.Equal(2, embeddings[1].GetProperty("values").GetArrayLength());
            var up = LastUpstream();
            Assert.Equal("/v1beta/models/text-embedding-004:batchEmbedContents", up.PathAndQuery);
            var requests = up.Json.GetProperty("requests");
            Assert.All(requests.EnumerateArray(), r => Assert.Equal("models/text-embedding-004", r.GetProperty("model").GetString()));
            Assert.Equal("second", requests[1].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
            await BilledAsync(user, 7, null);
        }
        finally
        {
            fx.Upstream.GeminiEmbedPromptTokens = null;
        }
    }

    [Fact]
    public async Task GeminiClient_ToOpenAiChannel_SingleAndBatch_AreConvertedBothWays()
    {
        var (user, http) = await CallerAsync();
        var json = await OkAsync(await http.PostAsync("/v1beta/models/oai-embed:embedContent",
            RelayFixture.Json("""{"content":{"parts":[{"text":"hello"},{"text":"world"}]},"taskType":"RETRIEVAL_DOCUMENT","title":"T","outputDimensionality":8}""")));
        Assert.Equal(new[] { "embedding" }, json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { 0.1, 0.2, 0.3 }, json.GetProperty("embedding").GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
        var up = LastUpstream();
        Assert.Equal("/v1/embeddings", up.PathAndQuery);
        Assert.Equal("Bearer key-openai", up.Header("Authorization"));
        Assert.Null(up.Header("x-goog-api-key"));
        Assert.Equal(new[] { "model", "input", "dimensions" }, up.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("oai-embed", up.Json.GetProperty("model").GetString());
        Assert.Equal("hello\nworld", up.Json.GetProperty("input").GetString());
        Assert.Equal(8, up.Json.GetProperty("dimensions").GetInt32());
        await BilledAsync(user, 12, ["Gemini", "OpenAI Compatible"]);   // the fake reports 12 prompt tokens

        var (user2, http2) = await CallerAsync();
        var batch = await OkAsync(await http2.PostAsync("/v1beta/models/oai-embed:batchEmbedContents",
            RelayFixture.Json("""{"requests":[{"model":"models/oai-embed","content":{"parts":[{"text":"a"}]}},{"model":"models/oai-embed","content":{"parts":[{"text":"b"}]}}]}""")));
        Assert.Equal(2, batch.GetProperty("embeddings").GetArrayLength());
        Assert.Equal(3, batch.GetProperty("embeddings")[1].GetProperty("values").GetArrayLength());
        var input = LastUpstream().Json.GetProperty("input");
        Assert.Equal(new[] { "a", "b" }, input.EnumerateArray().Select(e => e.GetString()));
        Assert.False(LastUpstream().Json.TryGetProperty("dimensions", out _));
        await BilledAsync(user2, 12, ["Gemini", "OpenAI Compatible"]);
    }

    [Fact]
    public async Task OpenAiClient_ToGeminiChannel_GoesThroughBatchEmbedContents()
    {
        var (user, http) = await CallerAsync();
        const string body = """{"model":"gem-embed","input":["first text","second text"],"dimensions":5}""";
        var json = await OkAsync(await http.PostAsync("/v1/embeddings", RelayFixture.Json(body)));
        var up = LastUpstream();
        Assert.Equal("/v1beta/models/gem-embed:batchEmbedContents", up.PathAndQuery);
        Assert.Equal("key-gemini", up.Header("x-goog-api-key"));
        var requests = up.Json.GetProperty("requests");
        Assert.Equal(2, requests.GetArrayLength());
        Assert.Equal("""{"model":"models/gem-embed","content":{"parts":[{"text":"second text"}]},"outputDimensionality":5}""", requests[1].GetRawText());
        var estimate = Estimate(RouteKind.Embeddings, "gem-embed", body);
        Assert.Equal("list", json.GetProperty("object").GetString());
        Assert.Equal("gem-embed", json.GetProperty("model").GetString());
        var data = json.GetProperty("data");
        Assert.Equal(2, data.GetArrayLength());
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("embedding", data[i].GetProperty("object").GetString());
            Assert.Equal(i, data[i].GetProperty("index").GetInt32());
            Assert.Equal(5, data[i].GetProperty("embedding").GetArrayLength());
        }
        Assert.Equal(estimate, json.GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(estimate, json.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        await BilledAsync(user, estimate, ["OpenAI Compatible", "Gemini"]);

        var (user2, http2) = await CallerAsync();
        var single = await OkAsync(await http2.PostAsync("/v1/embeddings", RelayFixture.Json("""{"model":"gem-embed","input":"just one"}""")));
        Assert.Equal(1, single.GetProperty("data").GetArrayLength());
        var one = Assert.Single(LastUpstream().Json.GetProperty("requests").EnumerateArray());
        Assert.False(one.TryGetProperty("outputDimensionality", out _));
        await BilledAsync(user2, Estimate(RouteKind.Embeddings, "gem-embed", """{"model":"gem-embed","input":"just one"}"""), ["OpenAI Compatible", "Gemini"]);
    }

    [Theory]
    [InlineData("/v1beta/models/gem-embed:embedContent", """{"taskType":"RETRIEVAL_QUERY"}""", "content is required")]
    [InlineData("/v1beta/models/gem-embed:embedContent", """{"content":{"parts":[]}}""", "content.parts is required")]
    [InlineData("/v1/models/gem-embed:batchEmbedContents", """{"requests":[]}""", "requests is required")]
    [InlineData("/v1beta/models/gem-embed:batchEmbedContents", """{"requests":[{"content":{"parts":[{"text":"a"}]}},{"model":"models/gem-embed"}]}""",
        "requests[1].content is required")]
    public async Task InvalidGeminiBodies_Are400s_InGeminiShape_AndReachNoChannel(string path, string body, string message)
    {
        var (user, http) = await CallerAsync();
        var before = fx.Upstream.Requests.Count;
        var resp = await http.PostAsync(path, RelayFixture.Json(body));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        var error = RelayFixture.Parse(text).GetProperty("error");
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("status").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString());
        Assert.Equal(before, fx.Upstream.Requests.Count);
        Assert.Equal((100_000L, 0L, 0L), await fx.UserAsync(user));
    }

    [Fact]
    public async Task UpstreamErrors_ReachTheClientInItsShape_AndBillNothing()
    {
        var (user, http) = await CallerAsync();
        var gemini = await http.PostAsync("/v1beta/models/gem-embed-429:embedContent", RelayFixture.Json("""{"content":{"parts":[{"text":"hi"}]}}"""));
        Assert.Equal(HttpStatusCode.TooManyRequests, gemini.StatusCode);
        var ge = RelayFixture.Parse(await gemini.Content.ReadAsStringAsync()).GetProperty("error");
        Assert.Equal("RESOURCE_EXHAUSTED", ge.GetProperty("status").GetString());
        Assert.Contains("Rate limit reached", ge.GetProperty("message").GetString());

        var openAi = await http.PostAsync("/v1beta/models/oai-embed-400:batchEmbedContents",
            RelayFixture.Json("""{"requests":[{"content":{"parts":[{"text":"hi"}]}}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, openAi.StatusCode);
        Assert.Contains("bad parameter", RelayFixture.Parse(await openAi.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("message").GetString());

        var claude = await http.PostAsync("/v1/embeddings", RelayFixture.Json("""{"model":"claude-embed","input":"hi"}"""));
        // New API: 500 invalid_api_type; here the caller's 400 (its model's channel cannot serve the route).
        await RelayAssert.ErrorAsync(claude, HttpStatusCode.BadRequest, "cannot serve");

        await fx.WaitReleasedAsync(user);
        Assert.Equal((100_000L, 0L, 0L), await fx.UserAsync(user));
        Assert.Empty(await RelayAssert.LogsAsync(fx, user, 0));
    }

    [Fact]
    public async Task ARevokedGeminiKey_IsDisabled_AndTheNextTierServesTheRequest()
    {
        var (user, http) = await CallerAsync();
        fx.Upstream.Reset();
        const string body = """{"content":{"parts":[{"text":"retry me"}]}}""";
        var json = await OkAsync(await http.PostAsync("/v1beta/models/gem-retry:embedContent", RelayFixture.Json(body)));
        Assert.Equal(3, json.GetProperty("embedding").GetProperty("values").GetArrayLength());
        Assert.Equal(new[] { "key-401", "key-gemini" }, fx.Upstream.Requests.Select(r => r.Header("x-goog-api-key") ?? ""));
        Assert.Equal(ChannelStatus.AutoDisabled, (await fx.ChannelAsync(fx.Revoked)).Status);
        await BilledAsync(user, Estimate(RouteKind.GeminiEmbed, "gem-retry", body), null);
        Assert.Equal(fx.Serving, Assert.Single(await RelayAssert.LogsAsync(fx, user)).ChannelId);
    }

    [Fact]
    public async Task TokenArrays_CannotBeSentToAGeminiChannel()
    {
        var (user, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/embeddings", RelayFixture.Json("""{"model":"gem-embed","input":[[1,2,3]]}"""));
        var error = await RelayAssert.ErrorAsync(resp, HttpStatusCode.BadRequest, "embeds text only");
        Assert.Equal("convert_request_failed", error.GetProperty("code").GetString());
        await fx.WaitReleasedAsync(user);
        Assert.Equal((100_000L, 0L, 0L), await fx.UserAsync(user));
    }
}
