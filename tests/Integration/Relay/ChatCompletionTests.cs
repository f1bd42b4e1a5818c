using System.Net;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay;

/// <summary>/v1/chat/completions end to end against the fake provider, with the exact billing outcome.</summary>
public sealed class ChatCompletionTests(ChatCompletionTests.Fixture fx) : IClassFixture<ChatCompletionTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"test-model":2,"other-model":1}""");
            await SetOptionAsync("CompletionRatio", """{"test-model":3}""");
            await CreateChannelAsync("test-model,other-model");
        }
    }

    // prompt 12 + completion 5 × 3 = 27 tokens × ratio 2 = 54
    private const long Expected = 54;

    [Fact]
    public async Task NonStream_RelaysTheBody_AndBillsTheReportedUsage()
    {
        var user = await fx.CreateUserAsync(fx.Unique("chat"), 100_000);
        var (tokenId, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"test-model","messages":[{"role":"user","content":"hi"}]}"""));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal("Hello from the fake upstream", RelayFixture.Parse(text).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        // The fake upstream (Kestrel) names itself in Server; the gateway does not pass the provider's software on.
        Assert.False(resp.Headers.Contains("Server"));
        await fx.FlushAsync();
        Assert.Equal((100_000 - Expected, Expected, 1), await fx.UserAsync(user));
        Assert.Equal(Expected, (await fx.TokenAsync(tokenId)).Used);
        var log = Assert.Single(await fx.LogsAsync(user));
        Assert.Equal(Expected, log.Quota);
        Assert.Equal(12, log.PromptTokens);
        Assert.Equal(5, log.CompletionTokens);
        Assert.Equal("test-model", log.ModelName);
        Assert.False(log.IsStream);
        Assert.Equal("upstream-req-1", log.UpstreamRequestId);
        Assert.Equal(0, await fx.ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
    }

    [Fact]
    public async Task Stream_RelaysEveryChunk_EndsWithDone_AndBillsTheUsageChunk()
    {
        var user = await fx.CreateUserAsync(fx.Unique("chat"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"test-model","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Equal("text/event-stream", resp.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\" the\"", text);
        Assert.Contains("\"usage\"", text);   // new-api: no stream_options → the client still gets usage
        Assert.EndsWith("data: [DONE]\n\n", text);
        var upstream = fx.Upstream.Requests.Last();
        Assert.True(upstream.Json.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        await fx.FlushAsync();
        Assert.Equal((100_000 - Expected, Expected, 1), await fx.UserAsync(user));
        var log = Assert.Single(await fx.LogsAsync(user));
        Assert.True(log.IsStream);
        Assert.Contains("\"end_reason\":\"done\"", log.Other);
    }
}
