using System.Net;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// SSE keep-alive: with general_setting.ping_interval_enabled, a stream whose upstream goes silent gets ": PING"
/// comments (relay.md §2.13), on the OpenAI pass-through and on converted streams alike; the request is still billed
/// for what was delivered when the client leaves.
/// </summary>
public sealed class KeepAliveTests(KeepAliveTests.Fixture fx) : IClassFixture<KeepAliveTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"ka-model":2}""");
            await SetOptionAsync("general_setting.ping_interval_enabled", "true");
            await SetOptionAsync("general_setting.ping_interval_seconds", "1");
            await CreateChannelAsync("ka-model", key: "key-stall");
        }
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"ka-model","stream":true,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/messages", """{"model":"ka-model","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}""")]
    public async Task SilentUpstream_GetsPingComments_AfterTheFirstChunks(string path, string body)
    {
        var user = await fx.CreateUserAsync(fx.Unique("ka"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = RelayFixture.Json(body) };
        using var resp = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        using var reader = new StreamReader(await resp.Content.ReadAsStreamAsync());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var sawData = false;
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal)) sawData = true;
            if (line == ": PING") break;
        }
        Assert.True(sawData, "the chunks before the stall arrive first");
        Assert.False(deadline.IsCancellationRequested);
        resp.Dispose();
        await fx.WaitSettledAsync(user, 1);
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.True(log.Quota > 0);
        Assert.Contains("\"end_reason\":\"client_gone\"", log.Other);
    }
}
