using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Billing.Tokens;

namespace NewApi.Tests.Integration.Relay;

/// <summary>
/// GET /v1/realtime: the WebSocket proxy. Events cross both ways, every response.done is charged once (with the audio
/// formula) before it reaches the client, a disconnect loses nothing, a spent balance ends the session, and every
/// failure before the upgrade is an HTTP error.
/// </summary>
public sealed class RealtimeTests(RealtimeTests.Fixture fx) : IClassFixture<RealtimeTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public long Banned;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"rt-model":2}""");
            await SetOptionAsync("CompletionRatio", """{"rt-model":3}""");
            await SetOptionAsync("AudioRatio", """{"rt-model":4}""");
            await SetOptionAsync("AudioCompletionRatio", """{"rt-model":2}""");
            await CreateChannelAsync("rt-model");
            await SetOptionAsync("ModelRatio", """{"rt-model":2,"rt-banned":2}""");
            await SetOptionAsync("AutomaticDisableChannelEnabled", "true");
            Banned = await CreateChannelAsync("rt-banned", key: "key-401");
            await SetOptionAsync("ModelRatio", """{"rt-model":2,"rt-banned":2,"rt-headers":2}""");
            await CreateChannelAsync("rt-headers", edit: c => c with
            {
                HeaderOverride = """{"X-Org":"org-{api_key}","X-Trace":"{client_header:X-Client-Trace}","Host":"ignored.example"}""",
            });
        }
    }

    // input 100 (60 audio), output 50 (40 audio): (40 + 10 × 3 + 60 × 4 + 40 × 4 × 2) × 2
    private const long PerResponse = 1260;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private async Task<ClientWebSocket> ConnectAsync(string key, bool keyAsProtocol = false, string model = "rt-model",
        Action<ClientWebSocketOptions>? options = null)
    {
        var ws = new ClientWebSocket();
        options?.Invoke(ws.Options);
        ws.Options.CollectHttpResponseDetails = true;
        if (keyAsProtocol)
        {
            ws.Options.AddSubProtocol("realtime");
            ws.Options.AddSubProtocol("openai-insecure-api-key." + key);
            ws.Options.AddSubProtocol("openai-beta.realtime-v1");
        }
        else ws.Options.SetRequestHeader("Authorization", "Bearer " + key);
        var uri = new UriBuilder(fx.BaseAddress) { Scheme = "ws", Path = "/v1/realtime", Query = model.Length > 0 ? "model=" + model : "" }.Uri;
        await ws.ConnectAsync(uri, CancellationToken.None).WaitAsync(Wait);
        return ws;
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket ws)
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Wait);
            if (result.MessageType == WebSocketMessageType.Close) return default;
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            if (result.EndOfMessage) return RelayFixture.Parse(text.ToString());
        }
    }

    private static Task SendAsync(ClientWebSocket ws, string json) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(Wait);

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    private async Task<(long User, long Token, string Key)> CallerAsync(long quota = 100_000)
    {
        var user = await fx.CreateUserAsync(fx.Unique("rt"), quota);
        var (tokenId, key) = await fx.CreateTokenAsync(user);
        return (user, tokenId, key);
    }

    private async Task WaitNoReservationAsync(long user)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (await fx.ScalarAsync("SELECT COUNT(*) FROM quota_reservations WHERE user_id = $u", ("$u", user)) > 0 && DateTime.UtcNow < deadline)
        {
            await fx.FlushAsync();
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task HeaderKey_RelaysEventsBothWays_AndChargesEveryResponseOnce()
    {
        var (user, token, key) = await CallerAsync();
        using var ws = await ConnectAsync(key);
        Assert.Equal("session.created", Type(await ReceiveAsync(ws)));
        await SendAsync(ws, """{"type":"session.update","session":{"instructions":"be brief"}}""");
        Assert.Equal("session.update", (await ReceiveAsync(ws)).GetProperty("received").GetString());
        for (var i = 0; i < 2; i++)
        {
            await SendAsync(ws, """{"type":"response.create"}""");
            Assert.Equal("response.created", Type(await ReceiveAsync(ws)));
            var done = await ReceiveAsync(ws);
            Assert.Equal("response.done", Type(done));
            Assert.Equal(150, done.GetProperty("response").GetProperty("usage").GetProperty("total_tokens").GetInt32());
        }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(Wait);
        var headers = fx.Upstream.LastRealtimeHeaders!;
        Assert.Equal("Bearer key-ok", headers["Authorization"]);
        Assert.Equal("realtime=v1", headers["openai-beta"]);
        Assert.Equal("/v1/realtime?model=rt-model", fx.Upstream.LastRealtimePath);

        var logs = await RelayAssert.LogsAsync(fx, user, count: 2);
        Assert.Equal(2, logs.Count);
        foreach (var log in logs)
        {
            Assert.Equal((PerResponse, 100L, 50L, "rt-model"), (log.Quota, log.PromptTokens, log.CompletionTokens, log.ModelName));
            var other = RelayAssert.Other(log.Other);
            Assert.True(other.GetProperty("ws").GetBoolean());
            Assert.Equal(60, other.GetProperty("audio_input").GetInt64());
            Assert.Equal(40, other.GetProperty("audio_output").GetInt64());
        }
        await WaitNoReservationAsync(user);
        Assert.Equal((100_000 - 2 * PerResponse, 2 * PerResponse, 2), await fx.UserAsync(user));
        Assert.Equal(2 * PerResponse, (await fx.TokenAsync(token)).Used);
    }

    [Fact]
    public async Task ChannelHeaderOverride_AppliesToTheHandshake()
    {
        var (_, _, key) = await CallerAsync();
        using var ws = await ConnectAsync(key, model: "rt-headers", options: o => o.SetRequestHeader("X-Client-Trace", "trace-7"));
        Assert.Equal("session.created", Type(await ReceiveAsync(ws)));
        var headers = fx.Upstream.LastRealtimeHeaders!;
        Assert.Equal("org-key-ok", headers["X-Org"]);
        Assert.Equal("trace-7", headers["X-Trace"]);
        Assert.Equal("Bearer key-ok", headers["Authorization"]);
        Assert.NotEqual("ignored.example", headers["Host"]);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).WaitAsync(Wait);
    }

    [Fact]
    public async Task SubprotocolKey_IsAccepted_AndTheUpstreamGetsTheChannelKeyInstead()
    {
        var (_, _, key) = await CallerAsync();
        using var ws = await ConnectAsync(key, keyAsProtocol: true);
        Assert.Equal("realtime", ws.SubProtocol);
        Assert.Equal("session.created", Type(await ReceiveAsync(ws)));
        var protocols = fx.Upstream.LastRealtimeHeaders!["Sec-WebSocket-Protocol"];
        Assert.Contains("openai-insecure-api-key.key-ok", protocols);
        Assert.DoesNotContain(key[3..], protocols);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).WaitAsync(Wait);
    }

    [Fact]
    public async Task ClientDisconnect_AfterAResponse_KeepsItsCharge_AndReturnsTheReservation()
    {
        var (user, _, key) = await CallerAsync();
        var ws = await ConnectAsync(key);
        await ReceiveAsync(ws);
        await SendAsync(ws, """{"type":"response.create"}""");
        await ReceiveAsync(ws);
        Assert.Equal("response.done", Type(await ReceiveAsync(ws)));
        ws.Abort();
        ws.Dispose();
        Assert.Equal(PerResponse, Assert.Single(await RelayAssert.LogsAsync(fx, user)).Quota);
        await WaitNoReservationAsync(user);
        Assert.Equal((100_000 - PerResponse, PerResponse, 1), await fx.UserAsync(user));
    }

    [Fact]
    public async Task SpentBalance_EndsTheSession_WithAnErrorEvent()
    {
        var (user, _, key) = await CallerAsync(quota: 1_500);   // 1 000 reserved up front; the second response overdraws
        using var ws = await ConnectAsync(key);
        await ReceiveAsync(ws);
        for (var i = 0; i < 2; i++)
        {
            await SendAsync(ws, """{"type":"response.create"}""");
            Assert.Equal("response.created", Type(await ReceiveAsync(ws)));
            Assert.Equal("response.done", Type(await ReceiveAsync(ws)));
        }
        var error = await ReceiveAsync(ws);
        Assert.Equal("error", Type(error));
        Assert.Equal("insufficient_user_quota", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Undefined, (await ReceiveAsync(ws)).ValueKind);   // then the close
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(2, (await RelayAssert.LogsAsync(fx, user, count: 2)).Count);
        await WaitNoReservationAsync(user);
        Assert.Equal(1_500 - 2 * PerResponse, (await fx.UserAsync(user)).Quota);
    }

    [Fact]
    public async Task ResponseWithoutUsage_IsBilledOnWhatCrossedTheSocket()
    {
        var (user, _, key) = await CallerAsync();
        using var ws = await ConnectAsync(key);
        await ReceiveAsync(ws);
        await SendAsync(ws, """{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi there"}]}}""");
        await ReceiveAsync(ws);
        await SendAsync(ws, "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Convert.ToBase64String(new byte[96_000]) + "\"}");
        await ReceiveAsync(ws);
        await SendAsync(ws, """{"type":"response.create","response":{"metadata":{"nousage":"1"}}}""");
        while (Type(await ReceiveAsync(ws)) != "response.done") { }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).WaitAsync(Wait);
        var counter = fx.Services.GetRequiredService<TokenCounter>();
        var textIn = counter.Count("rt-model", "hi there\n");
        var textOut = counter.Count("rt-model", "Hello there");
        const long audioIn = 56, audioOut = 14;   // 2 s in at 100/0.06 per minute, 1 s out at 200/0.24 per minute
        var log = Assert.Single(await RelayAssert.LogsAsync(fx, user));
        Assert.Equal((textIn + audioIn, textOut + audioOut), (log.PromptTokens, log.CompletionTokens));
        Assert.Equal((textIn + textOut * 3 + audioIn * 4 + audioOut * 4 * 2) * 2, log.Quota);
        Assert.Equal("上游无计费信息", log.Content);
    }

    [Theory]
    [InlineData("sk-not-a-key", "rt-model", HttpStatusCode.Unauthorized)]
    [InlineData(null, "", HttpStatusCode.BadRequest)]
    [InlineData(null, "no-such-model", HttpStatusCode.ServiceUnavailable)]
    public async Task FailuresBeforeTheUpgrade_AreHttpErrors(string? key, string model, HttpStatusCode status)
    {
        key ??= (await CallerAsync()).Key;
        var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        ws.Options.SetRequestHeader("Authorization", "Bearer " + key);
        var uri = new UriBuilder(fx.BaseAddress) { Scheme = "ws", Path = "/v1/realtime", Query = model.Length > 0 ? "model=" + model : "" }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(uri, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(status, ws.HttpStatusCode);
    }

    [Fact]
    public async Task PlainGet_Is400()
    {
        var (_, _, key) = await CallerAsync();
        using var http = fx.Client(key);
        await RelayAssert.ErrorAsync(await http.GetAsync("/v1/realtime?model=rt-model"), HttpStatusCode.BadRequest, "WebSocket upgrade is required");
    }

    [Fact]
    public async Task RefusedHandshake_DisablesTheChannel_LikeAnyOtherRoute()
    {
        var (user, _, key) = await CallerAsync();
        var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        ws.Options.SetRequestHeader("Authorization", "Bearer " + key);
        var uri = new UriBuilder(fx.BaseAddress) { Scheme = "ws", Path = "/v1/realtime", Query = "model=rt-banned" }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(uri, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(HttpStatusCode.Unauthorized, ws.HttpStatusCode);
        Assert.Equal(NewApi.Common.ChannelStatus.AutoDisabled, (await fx.ChannelAsync(fx.Banned)).Status);
        await WaitNoReservationAsync(user);
        Assert.Equal(100_000, (await fx.UserAsync(user)).Quota);
    }
}
