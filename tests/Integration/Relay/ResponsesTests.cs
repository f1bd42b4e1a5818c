using System.Net;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// POST /v1/responses (stream and not, usage from response.completed), /v1/responses/compact (billed under the compact
/// price key, sent without it), and the stored-response routes passed to the channel that created the response.
/// </summary>
public sealed class ResponsesTests(ResponsesTests.Fixture fx) : IClassFixture<ResponsesTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"gpt-resp":2,"*-openai-compact":1}""");
            await SetOptionAsync("CompletionRatio", """{"gpt-resp":3}""");
            await CreateChannelAsync("gpt-resp,gpt-resp-openai-compact", key: "key-responses");
        }
    }

    // input 12 + output 5 × 3 = 27 × ratio 2
    private const long Expected = 54;

    private async Task<(long User, long Token, HttpClient Http)> CallerAsync()
    {
        var user = await fx.CreateUserAsync(fx.Unique("resp"), 100_000);
        var (tokenId, key) = await fx.CreateTokenAsync(user);
        return (user, tokenId, fx.Client(key));
    }

    [Fact]
    public async Task NonStream_RelaysTheResponse_AndBillsItsUsage()
    {
        var (user, token, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/responses", RelayFixture.Json("""{"model":"gpt-resp","input":"hi","max_output_tokens":100}"""));
        var body = RelayFixture.Parse(await resp.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("resp_fake1", body.GetProperty("id").GetString());
        var upstream = fx.Upstream.Requests.Last();
        Assert.EndsWith("/v1/responses", upstream.PathAndQuery);
        Assert.False(upstream.Json.TryGetProperty("stream_options", out _));
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(Expected, log.Quota);
        Assert.Equal((12, 5), (log.PromptTokens, log.CompletionTokens));
        Assert.Equal(2, RelayAssert.Other(log.Other).GetProperty("reasoning_tokens").GetInt64());
        Assert.Equal((100_000 - Expected, Expected, 1), await fx.UserAsync(user));
        Assert.Equal(Expected, (await fx.TokenAsync(token)).Used);
    }

    [Fact]
    public async Task Stream_KeepsTheEventFraming_AndBillsResponseCompleted()
    {
        var (user, _, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/responses", RelayFixture.Json("""{"model":"gpt-resp","input":"hi","stream":true}"""));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal("text/event-stream", resp.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("event: response.created\ndata: {", text);
        Assert.Contains("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_fake\",\"delta\":\" fake\"}\n\n", text);
        Assert.EndsWith("}\n\n", text);
        Assert.Contains("event: response.completed", text);
        Assert.DoesNotContain("[DONE]", text);
        Assert.False(fx.Upstream.Requests.Last().Json.TryGetProperty("stream_options", out _));
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal(Expected, log.Quota);
        Assert.True(log.IsStream);
    }

    [Fact]
    public async Task StoredResponse_IsReadAndDeleted_OnTheChannelThatMadeIt_ByItsOwnerOnly()
    {
        var (user, _, http) = await CallerAsync();
        await http.PostAsync("/v1/responses", RelayFixture.Json("""{"model":"gpt-resp","input":"hi"}"""));
        await RelayAssert.LogsAsync(fx, user);
        var get = await http.GetAsync("/v1/responses/resp_fake1?include[]=file_search_call.results");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("completed", RelayFixture.Parse(await get.Content.ReadAsStringAsync()).GetProperty("status").GetString());
        var upstream = fx.Upstream.Requests.Last();
        Assert.Equal(("GET", "/v1/responses/resp_fake1?include[]=file_search_call.results", "Bearer key-responses"),
            (upstream.Method, Uri.UnescapeDataString(upstream.PathAndQuery), upstream.Header("Authorization")));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/responses/resp_fake1/input_items")).StatusCode);
        Assert.EndsWith("/v1/responses/resp_fake1/input_items", fx.Upstream.Requests.Last().PathAndQuery);

        var (_, _, stranger) = await CallerAsync();
        await RelayAssert.ErrorAsync(await stranger.GetAsync("/v1/responses/resp_fake1"), HttpStatusCode.NotFound, "not found");
        await RelayAssert.ErrorAsync(await http.GetAsync("/v1/responses/resp_unknown"), HttpStatusCode.NotFound, "not found");

        var delete = await http.DeleteAsync("/v1/responses/resp_fake1");
        Assert.True(RelayFixture.Parse(await delete.Content.ReadAsStringAsync()).GetProperty("deleted").GetBoolean());
        Assert.Equal("DELETE", fx.Upstream.Requests.Last().Method);
        await RelayAssert.ErrorAsync(await http.GetAsync("/v1/responses/resp_fake1"), HttpStatusCode.NotFound, "not found");
        await fx.FlushAsync();
        Assert.Equal(1, (await fx.UserAsync(user)).Requests);   // reading and deleting are not billed
    }

    [Fact]
    public async Task Compact_IsBilledUnderTheCompactKey_AndSentWithoutIt()
    {
        var (user, _, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/responses/compact", RelayFixture.Json("""{"model":"gpt-resp","input":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("response.compaction", RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("object").GetString());
        var upstream = fx.Upstream.Requests.Last();
        Assert.EndsWith("/v1/responses/compact", upstream.PathAndQuery);
        Assert.Equal("gpt-resp", upstream.Json.GetProperty("model").GetString());
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal("gpt-resp-openai-compact", log.ModelName);
        Assert.Equal(12 + 5 * 2, log.Quota);   // the *-openai-compact ratio 1, gpt family completion ratio 2
    }

    [Theory]
    [InlineData("/v1/responses", """{"input":"hi"}""", "model is required")]
    [InlineData("/v1/responses", """{"model":"gpt-resp"}""", "input is required")]
    [InlineData("/v1/responses", """{"model":"gpt-resp","input":null}""", "input is required")]
    [InlineData("/v1/responses/compact", """{"input":"hi"}""", "model is required")]
    public async Task InvalidBodies_Are400(string path, string json, string message)
    {
        var (user, _, http) = await CallerAsync();
        await RelayAssert.ErrorAsync(await http.PostAsync(path, RelayFixture.Json(json)), HttpStatusCode.BadRequest, message);
        await fx.FlushAsync();
        Assert.Empty(await fx.LogsAsync(user));
    }
}
