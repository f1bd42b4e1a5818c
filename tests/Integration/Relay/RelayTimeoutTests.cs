using System.Net;
using NewApi.Config;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// RELAY_TIMEOUT bounds a whole attempt (relay.md §0), whatever the first-byte and streaming timeouts allow: a stream
/// still flowing past it ends with an error event (never a fake [DONE]) and is billed for what was delivered; an
/// answer that does not come in time is a 504 in the caller's format and costs nothing.
/// </summary>
public sealed class RelayTimeoutTests(RelayTimeoutTests.Fixture fx) : IClassFixture<RelayTimeoutTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        protected override void ConfigureConfig(GatewayConfig config)
        {
            config.Relay.RelayTimeout = 1;
            config.Relay.FirstByteTimeout = 300;
            config.Relay.StreamingTimeout = 300;
        }

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            Upstream.SlowDelay = TimeSpan.FromSeconds(5);
            await SetOptionAsync("ModelRatio", """{"rt-stall":2,"rt-slow":2}""");
            await CreateChannelAsync("rt-stall", key: "key-stall");
            await CreateChannelAsync("rt-slow", key: "key-slow");
        }
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"rt-stall","stream":true,"messages":[{"role":"user","content":"hi"}]}""", "[DONE]")]
    [InlineData("/v1/messages", """{"model":"rt-stall","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", "message_stop")]
    public async Task StreamPastTheDeadline_EndsWithAnErrorEvent(string path, string body, string normalEnding)
    {
        var user = await fx.CreateUserAsync(fx.Unique("rt"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        var started = DateTime.UtcNow;
        var resp = await http.PostAsync(path, RelayFixture.Json(body));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60));
        Assert.Contains("timed out", text);
        Assert.DoesNotContain(normalEnding, text);
        await fx.WaitSettledAsync(user, 1);
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.True(log.Quota > 0);
        Assert.Contains("\"end_reason\":\"timeout\"", log.Other);
    }

    [Fact]
    public async Task NoAnswerBeforeTheDeadline_Is504_AndFree()
    {
        var user = await fx.CreateUserAsync(fx.Unique("rt"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"rt-slow","messages":[{"role":"user","content":"hi"}]}"""));
        await RelayAssert.ErrorAsync(resp, HttpStatusCode.GatewayTimeout, "in time");
        await fx.WaitReleasedAsync(user);
        Assert.Equal((100_000L, 0L, 0L), await fx.UserAsync(user));
    }
}
