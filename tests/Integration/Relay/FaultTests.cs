using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Billing.Tokens;
using NewApi.Common;
using NewApi.Config;
using NewApi.Relay.Tokens;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// Every way an upstream can fail, with the exact balances afterwards: nothing is charged for a failure before the
/// first byte, a started stream is billed for what was delivered, and no reservation is ever left behind.
/// Pricing: ratio 2, completion ratio 3; the fake reports 12 prompt + 5 completion tokens (54 quota).
/// </summary>
public sealed class FaultTests(FaultTests.Fixture fx) : IClassFixture<FaultTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        protected override void ConfigureConfig(GatewayConfig config)
        {
            config.Relay.FirstByteTimeout = 1;
            config.Relay.StreamingTimeout = 1;
            config.Relay.ErrorLogEnabled = true;
        }

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Upstream.SlowDelay = TimeSpan.FromSeconds(5);
            await SetOptionAsync("ModelRatio", """{"m-500":2,"m-429":2,"m-401":2,"m-slow":2,"m-stall":2,"m-cut":2,"m-malformed":2,"m-retry":2,"m-tier":2}""");
            await SetOptionAsync("CompletionRatio", """{"m-500":3,"m-429":3,"m-401":3,"m-slow":3,"m-stall":3,"m-cut":3,"m-malformed":3,"m-retry":3,"m-tier":3}""");
            await SetOptionAsync("AutomaticDisableChannelEnabled", "true");
            foreach (var fault in new[] { "500", "429", "401", "slow", "stall", "cut", "malformed" })
                await CreateChannelAsync("m-" + fault, key: "key-" + fault);
        }
    }

    private async Task<(long User, long Token, HttpClient Http)> CallerAsync()
    {
        var user = await fx.CreateUserAsync(fx.Unique("fault"), 100_000);
        var (token, key) = await fx.CreateTokenAsync(user, remain: 50_000, unlimited: false);
        return (user, token, fx.Client(key));
    }

    private static StringContent Chat(string model, bool stream = false) =>
        RelayFixture.Json($$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""");

    /// <summary>No charge, no counters, no consume row; the failed attempt left its type-5 error row (ERROR_LOG_ENABLED).</summary>
    private async Task AssertUntouchedAsync(long user, long token)
    {
        await fx.WaitReleasedAsync(user);
        Assert.Equal((100_000L, 0L, 0L), await fx.UserAsync(user));
        Assert.Equal((50_000L, 0L), await fx.TokenAsync(token));
        var log = Assert.Single(await fx.LogsAsync(user));
        Assert.Equal(NewApi.Common.LogType.Error, log.Type);
        Assert.Equal(0, log.Quota);
        Assert.StartsWith("status_code=", log.Content);
        Assert.DoesNotContain("key-", log.Content);
    }

    /// <summary>Expected quota for a stream billed on the local estimate: (prompt estimate + delivered × 3) × 2.</summary>
    private long EstimatedQuota(string model, string delivered, out long prompt, out long completion)
    {
        var estimator = fx.Services.GetRequiredService<PromptEstimator>();
        using var req = NewApi.Relay.Pipeline.RelayRequest.Parse(NewApi.Relay.Pipeline.RouteKind.ChatCompletions,
            System.Text.Encoding.UTF8.GetBytes($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""")).Request!;
        prompt = estimator.Estimate(req);
        completion = fx.Services.GetRequiredService<TokenCounter>().Count(model, delivered);
        return (prompt + completion * 3) * 2;
    }

    [Fact]
    public async Task Upstream500_IsRelayedScrubbed_AndNothingIsCharged()
    {
        var (user, token, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/chat/completions", Chat("m-500"));
        var body = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, resp.StatusCode);
        Assert.Contains("upstream exploded", body);
        Assert.DoesNotContain("10.1.2.3", body);
        Assert.DoesNotContain(fx.Upstream.Url, body);
        await AssertUntouchedAsync(user, token);
    }

    [Fact]
    public async Task Upstream429_IsRelayed_AndNothingIsCharged()
    {
        var (user, token, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/chat/completions", Chat("m-429", stream: true));
        Assert.Equal(HttpStatusCode.TooManyRequests, resp.StatusCode);
        Assert.Equal("rate_limit_exceeded", RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("code").GetString());
        await AssertUntouchedAsync(user, token);
    }

    [Fact]
    public async Task Upstream401_DisablesTheChannel_AndTheEchoedKeyNeverReachesTheCaller()
    {
        var (user, token, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/chat/completions", Chat("m-401"));
        var body = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, resp.StatusCode);
        // NewApi: New API relayed "Incorrect API key provided: <channel key>" to the caller.
        Assert.DoesNotContain("key-401", body);
        await AssertUntouchedAsync(user, token);
        var channel = (await fx.Services.GetRequiredService<NewApi.Storage.Channels.ChannelRepository>().ListAllAsync())
            .Single(c => c.Models == "m-401");
        Assert.Equal(ChannelStatus.AutoDisabled, channel.Status);
        Assert.Contains("status_reason", channel.OtherInfo);
        var again = await http.PostAsync("/v1/chat/completions", Chat("m-401"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);   // no channel left for the model
        // New API's 503, but SDKs are told not to retry a missing channel (Claude Code retried it for minutes).
        Assert.Equal("false", again.Headers.GetValues("x-should-retry").Single());
        using var claudeReq = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("""{"model":"m-401","max_tokens":5,"messages":[{"role":"user","content":"x"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        claudeReq.Headers.Add("anthropic-version", "2023-06-01");
        var claude = await http.SendAsync(claudeReq);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, claude.StatusCode);
        Assert.Equal("false", claude.Headers.GetValues("x-should-retry").Single());
        var claudeError = RelayFixture.Parse(await claude.Content.ReadAsStringAsync());
        Assert.Equal("not_found_error", claudeError.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task SlowFirstByte_TimesOut_AndNothingIsCharged()
    {
        var (user, token, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/chat/completions", Chat("m-slow"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, resp.StatusCode);
        await AssertUntouchedAsync(user, token);
    }

    [Fact]
    public async Task JsonAnswerCutMidBody_Is502InTheCallersFormat_AndNothingIsCharged()
    {
        // It used to escape as an unhandled exception: a 500 "internal error".
        var (user, token, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/chat/completions", Chat("m-cut"));
        Assert.Equal(HttpStatusCode.BadGateway, resp.StatusCode);
        var error = RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("error");
        Assert.Equal("read_response_body_failed", error.GetProperty("code").GetString());
        await AssertUntouchedAsync(user, token);

        var (claudeUser, claudeToken, claudeHttp) = await CallerAsync();
        claudeHttp.DefaultRequestHeaders.Add("x-api-key", claudeHttp.DefaultRequestHeaders.Authorization!.Parameter);
        var converted = await claudeHttp.PostAsync("/v1/messages",
            RelayFixture.Json("""{"model":"m-cut","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.BadGateway, converted.StatusCode);
        Assert.Equal("error", RelayFixture.Parse(await converted.Content.ReadAsStringAsync()).GetProperty("type").GetString());
        await AssertUntouchedAsync(claudeUser, claudeToken);
    }

    [Fact]
    public async Task StreamCutMidway_EndsWithAnErrorEvent_AndBillsWhatWasDelivered()
    {
        var (user, token, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/chat/completions", Chat("m-cut", stream: true));
        var body = await resp.Content.ReadAsStringAsync();
        Assert.Contains("\"stream_interrupted\"", body);
        Assert.DoesNotContain("[DONE]", body);
        await fx.WaitSettledAsync(user, 1);
        var expected = EstimatedQuota("m-cut", "Hello from", out var prompt, out var completion);
        Assert.Equal((100_000 - expected, expected, 1), await fx.UserAsync(user));
        Assert.Equal((50_000 - expected, expected), await fx.TokenAsync(token));
        var log = Assert.Single(await fx.LogsAsync(user), l => l.Type == NewApi.Common.LogType.Consume);
        Assert.Equal((prompt, completion, expected), (log.PromptTokens, log.CompletionTokens, log.Quota));
        Assert.Contains("\"status\":\"error\"", log.Other);
    }

    [Fact]
    public async Task StreamStall_HitsTheIdleTimeout_AndBillsWhatWasDelivered()
    {
        var (user, _, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/chat/completions", Chat("m-stall", stream: true));
        var body = await resp.Content.ReadAsStringAsync();
        Assert.Contains("timed out", body);
        Assert.DoesNotContain("[DONE]", body);
        await fx.WaitSettledAsync(user, 1);
        var expected = EstimatedQuota("m-stall", "Hello from", out _, out _);
        Assert.Equal(100_000 - expected, (await fx.UserAsync(user)).Quota);
        Assert.Contains("\"end_reason\":\"timeout\"", Assert.Single(await fx.LogsAsync(user)).Other);
    }

    [Fact]
    public async Task ClientAbort_CancelsTheUpstreamAtOnce_AndBillsWhatWasDelivered()
    {
        var (user, _, http) = await CallerAsync();
        fx.Upstream.Reset();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Chat("m-stall", stream: true) };
        var resp = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await resp.Content.ReadAsStreamAsync();
        var seen = "";
        var buffer = new byte[4096];
        while (!seen.Contains(" from", StringComparison.Ordinal))
            seen += System.Text.Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer));
        resp.Dispose();
        http.Dispose();
        await fx.Upstream.WaitForAbortAsync(TimeSpan.FromSeconds(10));
        await fx.WaitSettledAsync(user, 1);
        var expected = EstimatedQuota("m-stall", "Hello from", out _, out _);
        Assert.Equal(100_000 - expected, (await fx.UserAsync(user)).Quota);
        var other = Assert.Single(await fx.LogsAsync(user)).Other;
        Assert.True(other.Contains("\"end_reason\":\"client_gone\"", StringComparison.Ordinal), other);
    }

    [Fact]
    public async Task MalformedFrame_IsPassedOn_AndTheStreamIsBilledOnTheDeliveredText()
    {
        var (user, _, http) = await CallerAsync();
        var resp = await http.PostAsync("/v1/chat/completions", Chat("m-malformed", stream: true));
        var body = await resp.Content.ReadAsStringAsync();
        Assert.Contains("broken", body);
        Assert.Contains("\"usage\"", body);   // synthesised: the upstream sent none
        Assert.EndsWith("data: [DONE]\n\n", body);
        await fx.WaitSettledAsync(user, 1);
        var expected = EstimatedQuota("m-malformed", "Hello from the fake upstream", out _, out _);
        Assert.Equal(100_000 - expected, (await fx.UserAsync(user)).Quota);
    }
}

/// <summary>An exception thrown after the hold (here by an injected random source, inside channel selection) still releases it.</summary>
public sealed class ExceptionPathTests(ExceptionPathTests.Fixture fx) : IClassFixture<ExceptionPathTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        private sealed class Exploding : NewApi.Relay.Routing.IRandomSource
        {
            public long Next(long maxExclusive) => throw new InvalidOperationException("injected failure");
        }

        protected override void ConfigureServices(IServiceCollection services) =>
            services.AddSingleton<NewApi.Relay.Routing.IRandomSource>(new Exploding());

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"boom":2}""");
            await CreateChannelAsync("boom");
        }
    }

    [Fact]
    public async Task UnexpectedException_Answers500_AndReleasesTheHold()
    {
        var user = await fx.CreateUserAsync("boom-user", 100_000);
        var (token, key) = await fx.CreateTokenAsync(user, remain: 50_000, unlimited: false);
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"boom","messages":[]}"""));
        Assert.Equal(HttpStatusCode.InternalServerError, resp.StatusCode);
        Assert.DoesNotContain("injected", await resp.Content.ReadAsStringAsync());
        await fx.WaitReleasedAsync(user);
        Assert.Equal((100_000L, 0L, 0L), await fx.UserAsync(user));
        Assert.Equal((50_000L, 0L), await fx.TokenAsync(token));
    }
}

/// <summary>Multi-key channels: a failing key is disabled alone; the channel keeps serving with the others.</summary>
public sealed class MultiKeyTests(MultiKeyTests.Fixture fx) : IClassFixture<MultiKeyTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public long Channel;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"multi":1}""");
            await SetOptionAsync("AutomaticDisableChannelEnabled", "true");
            Channel = await CreateChannelAsync("multi", key: "key-401\nkey-ok",
                edit: c => c with { ChannelInfo = """{"is_multi_key":true,"multi_key_size":2,"multi_key_mode":"polling"}""" });
        }
    }

    [Fact]
    public async Task FailingKey_IsDisabled_TheChannelStaysEnabled()
    {
        var user = await fx.CreateUserAsync("multi-user", 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            statuses.Add((await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"multi","messages":[]}"""))).StatusCode);
        Assert.Single(statuses, s => s == HttpStatusCode.Unauthorized);
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        var channel = await fx.ChannelAsync(fx.Channel);
        Assert.Equal(ChannelStatus.Enabled, channel.Status);
        Assert.Contains("\"multi_key_status_list\":{\"0\":3}", channel.ChannelInfo);
    }
}
