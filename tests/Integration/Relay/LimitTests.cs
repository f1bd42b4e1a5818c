using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Config;
using NewApi.Hosting;

namespace NewApi.Tests.Integration.Relay;

/// <summary>Per-token RPM / concurrency, New API's model request rate limit, and the graceful-stop flush of the ledger.</summary>
public sealed class LimitTests(LimitTests.Fixture fx) : IClassFixture<LimitTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"limit-model":1,"slow-model":1}""");
            await CreateChannelAsync("limit-model");
            await CreateChannelAsync("slow-model", key: "key-stall");
        }
    }

    private const string Body = """{"model":"limit-model","messages":[]}""";

    [Fact]
    public async Task TokenRpm_Refuses429InOpenAiShape()
    {
        var user = await fx.CreateUserAsync(fx.Unique("rpm"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user, edit: t => t with { RpmLimit = 2 });
        using var http = fx.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
        var third = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Contains("RPM", await third.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TokenConcurrency_RefusesTheSecondRequestInFlight()
    {
        var user = await fx.CreateUserAsync(fx.Unique("conc"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user, edit: t => t with { ConcurrencyLimit = 1 });
        using var http = fx.Client(key);
        using var first = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = RelayFixture.Json("""{"model":"slow-model","stream":true,"messages":[]}"""),
        };
        var open = await http.SendAsync(first, HttpCompletionOption.ResponseHeadersRead);   // stalls upstream, stays in flight
        var second = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        open.Dispose();
    }

    [Fact]
    public async Task ModelRequestRateLimit_CountsEveryRequestPerUser()
    {
        await fx.SetOptionAsync("ModelRequestRateLimitGroup", """{"limited":[2,100]}""");
        await fx.SetOptionAsync("GroupRatio", """{"default":1,"limited":1}""");
        await fx.SetOptionAsync("ModelRequestRateLimitEnabled", "true");
        try
        {
            var user = await fx.CreateUserAsync(fx.Unique("mrl"), 100_000, group: "limited");
            await fx.CreateChannelAsync("limit-model", group: "limited");
            var (_, key) = await fx.CreateTokenAsync(user);
            using var http = fx.Client(key);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
            var refused = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body));
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains("2次", await refused.Content.ReadAsStringAsync());
        }
        finally
        {
            await fx.SetOptionAsync("ModelRequestRateLimitEnabled", "false");
        }
    }
}

/// <summary>A graceful stop writes what the ledger still holds: the batch interval here is far longer than the test.</summary>
public sealed class ShutdownFlushTests : IAsyncLifetime
{
    private sealed class SlowBatches : RelayFixture
    {
        protected override void ConfigureConfig(GatewayConfig config) => config.Relay.BatchInterval = 600;
    }

    private readonly SlowBatches _fx = new();

    public ValueTask InitializeAsync() => _fx.InitializeAsync();
    public ValueTask DisposeAsync() => _fx.DisposeAsync();

    [Fact]
    public async Task GracefulStop_CommitsQueuedSettlements()
    {
        await _fx.SetOptionAsync("ModelRatio", """{"stop-model":2}""");
        await _fx.SetOptionAsync("CompletionRatio", """{"stop-model":3}""");
        await _fx.CreateChannelAsync("stop-model");
        var user = await _fx.CreateUserAsync("stopper", 100_000);
        var (_, key) = await _fx.CreateTokenAsync(user);
        using (var http = _fx.Client(key))
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"stop-model","messages":[]}"""))).StatusCode);
        Assert.Equal(1, await _fx.ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));   // still queued
        await _fx.App.StopAsync();
        Assert.Equal((100_000L - 54, 54L, 1L), await _fx.UserAsync(user));
        Assert.Equal(0, await _fx.ScalarAsync("SELECT COUNT(*) FROM quota_reservations"));
        Assert.Single(await _fx.LogsAsync(user));
    }
}
