using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Relay.Auth;
using NewApi.Storage;
using NewApi.Storage.Tokens;
using NewApi.Storage.Users;

namespace NewApi.Tests.Integration.Relay;

/// <summary>Every key form (relay.md §2.1) and every token/user check, from the in-memory caches with invalidation.</summary>
public sealed class AuthTests(AuthTests.Fixture fx) : IClassFixture<AuthTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"auth-model":1,"other-model":1,"vip-model":1}""");
            await SetOptionAsync("GroupRatio", """{"default":1,"vip":2}""");
            await CreateChannelAsync("auth-model,other-model");
            await CreateChannelAsync("vip-model", group: "vip");
        }
    }

    private const string Body = """{"model":"auth-model","messages":[{"role":"user","content":"x"}]}""";

    private async Task<(long User, long Token, string Key)> NewKeyAsync(Func<TokenRow, TokenRow>? edit = null, long quota = 100_000)
    {
        var user = await fx.CreateUserAsync(fx.Unique("auth"), quota);
        var (token, key) = await fx.CreateTokenAsync(user, edit: edit);
        return (user, token, key);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage req)
    {
        using var http = new HttpClient { BaseAddress = fx.BaseAddress };
        return await http.SendAsync(req);
    }

    private static HttpRequestMessage Chat(string path = "/v1/chat/completions") => new(HttpMethod.Post, path) { Content = RelayFixture.Json(Body) };

    [Fact]
    public async Task Bearer_WithAndWithoutSkPrefix()
    {
        var (_, _, key) = await NewKeyAsync();
        var withPrefix = Chat();
        withPrefix.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(withPrefix)).StatusCode);
        var bare = Chat();
        bare.Headers.TryAddWithoutValidation("Authorization", "bearer " + key[3..]);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(bare)).StatusCode);
    }

    [Fact]
    public async Task OtherHeaders_AreAcceptedWhereNewApiAcceptsThem()
    {
        var (_, _, key) = await NewKeyAsync();
        var models = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        models.Headers.Add("x-api-key", key);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(models)).StatusCode);
        var google = new HttpRequestMessage(HttpMethod.Get, "/v1beta/openai/models");
        google.Headers.Add("x-goog-api-key", key);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(google)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1beta/openai/models?key=" + key))).StatusCode);
        var mj = Chat();
        mj.Headers.Add("mj-api-secret", key);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(mj)).StatusCode);
        var ws = Chat();
        ws.Headers.Add("Sec-WebSocket-Protocol", "realtime, openai-insecure-api-key." + key);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(ws)).StatusCode);
        var xapiOnChat = Chat();
        xapiOnChat.Headers.Add("x-api-key", key);   // not a chat-completions key form
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(xapiOnChat)).StatusCode);
    }

    [Fact]
    public async Task UnknownKey_Is401InOpenAiShape_WithTheRequestId()
    {
        var req = Chat();
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-doesnotexist-12");
        var resp = await SendAsync(req);
        Assert.Equal(HttpStatusCode.Unauthorized, resp.StatusCode);
        var error = RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("error");
        Assert.StartsWith("Invalid token (request id: ", error.GetProperty("message").GetString());
        Assert.Equal("new_api_error", error.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(Chat())).StatusCode);   // no key at all
    }

    [Fact]
    public async Task DisabledExpiredAndExhaustedTokens_AreRefused_AndAdminChangesApplyAtOnce()
    {
        var (_, tokenId, key) = await NewKeyAsync();
        using var http = fx.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
        var repo = fx.Services.GetRequiredService<TokenRepository>();
        var row = (await repo.FindAnyAsync(tokenId))!;
        await repo.SetStatusAsync(tokenId, row.UserId, TokenStatus.Disabled);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
        await repo.SetStatusAsync(tokenId, row.UserId, TokenStatus.Enabled);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);

        var (_, expiredId, expiredKey) = await NewKeyAsync(t => t with { ExpiredTime = 1000 });
        using var expired = fx.Client(expiredKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await expired.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
        Assert.Equal(TokenStatus.Expired, (await repo.FindAnyAsync(expiredId))!.Status);

        var (_, emptyId, emptyKey) = await NewKeyAsync(t => t with { UnlimitedQuota = false, RemainQuota = 0 });
        using var empty = fx.Client(emptyKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await empty.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
        Assert.Equal(TokenStatus.Exhausted, (await repo.FindAnyAsync(emptyId))!.Status);
    }

    [Fact]
    public async Task OutOfProcessWrites_ArePickedUpThroughTheCacheEpoch()
    {
        var (_, tokenId, key) = await NewKeyAsync();
        using var http = fx.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
        // What the CLI does: write directly, then bump the epoch (no in-process event).
        var cache = fx.Services.GetRequiredService<RelayIdentityCache>();
        var clears = cache.ClearCount;
        await fx.Db.WriteAsync((c, tx) => c.ExecuteAsync("UPDATE tokens SET status = 2 WHERE id = $id", tx, default, ("$id", tokenId)));
        await fx.Services.GetRequiredService<CacheEpoch>().BumpAsync();
        // The signal: the watcher (polling once a second) dropped the identity cache.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (cache.ClearCount == clears) await tick.WaitForNextTickAsync(wait.Token);
        var status = (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode;
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task BannedUser_Is403()
    {
        var (user, _, key) = await NewKeyAsync();
        await fx.Services.GetRequiredService<UserRepository>().SetStatusAsync(user, UserStatus.Disabled);
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body));
        Assert.Equal(HttpStatusCode.Forbidden, resp.StatusCode);
    }

    [Fact]
    public async Task ModelAllowList_IpAllowList_AndGroups()
    {
        var (_, _, limited) = await NewKeyAsync(t => t with { ModelLimitsEnabled = true, ModelLimits = "other-model" });
        using (var http = fx.Client(limited))
        {
            var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body));
            Assert.Equal(HttpStatusCode.Forbidden, resp.StatusCode);
            Assert.Contains("This token has no access to model auth-model", await resp.Content.ReadAsStringAsync());
        }
        var (_, _, ipKey) = await NewKeyAsync(t => t with { AllowIps = "10.0.0.0/8\n192.168.1.1" });
        using (var http = fx.Client(ipKey))
        {
            var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body));
            Assert.Equal(HttpStatusCode.Forbidden, resp.StatusCode);
            Assert.Equal("access_denied", RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("code").GetString());
        }
        var (_, _, loopback) = await NewKeyAsync(t => t with { AllowIps = "127.0.0.1" });
        using (var http = fx.Client(loopback))
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
        var (_, _, vip) = await NewKeyAsync(t => t with { Group = "vip" });   // vip is usable by default users (UserUsableGroups)
        using (var http = fx.Client(vip))
        {
            var ok = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"vip-model","messages":[]}"""));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            var wrongGroup = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, wrongGroup.StatusCode);
            Assert.Contains("under group vip", await wrongGroup.Content.ReadAsStringAsync());
        }
        var (_, _, forbidden) = await NewKeyAsync(t => t with { Group = "svip" });
        using (var http = fx.Client(forbidden))
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
    }

    [Fact]
    public async Task PinnedAdminKey_StillHonoursTheTokenModelAllowList()
    {
        var admin = await fx.CreateUserAsync(fx.Unique("adm"), 100_000, Role.Admin);
        var (_, key) = await fx.CreateTokenAsync(admin, edit: t => t with { ModelLimitsEnabled = true, ModelLimits = "other-model" });
        var channel = await fx.CreateChannelAsync("auth-model");
        using var http = fx.Client($"{key}-{channel}");
        // NewApi: New API skipped the token's model limits for sk-KEY-<channel> (management.md §12.13).
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body))).StatusCode);
    }

    [Fact]
    public async Task InsufficientQuota_Is403_AndNothingIsHeld()
    {
        var (user, _, key) = await NewKeyAsync(quota: 0);
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Body));
        Assert.Equal(HttpStatusCode.Forbidden, resp.StatusCode);
        Assert.Equal("insufficient_user_quota", RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("code").GetString());
        var (poorUser, poorToken, poorKey) = await NewKeyAsync(t => t with { UnlimitedQuota = false, RemainQuota = 10 });
        using var poor = fx.Client(poorKey);
        var refused = await poor.PostAsync("/v1/chat/completions", RelayFixture.Json(Body));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("pre_consume_token_quota_failed", await refused.Content.ReadAsStringAsync());
        Assert.Equal(100_000, (await fx.UserAsync(poorUser)).Quota);
        Assert.Equal(10, (await fx.TokenAsync(poorToken)).Remain);
        Assert.Equal(0, await fx.ScalarAsync("SELECT COUNT(*) FROM quota_reservations WHERE user_id = $u", ("$u", user)));
    }
}
