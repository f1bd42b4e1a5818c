using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage.Channels;

namespace NewApi.Tests.Integration.Relay;

/// <summary>Retry across priority tiers (relay.md §2.4, §2.18), with RetryTimes = 2.</summary>
public sealed class RetryTests(RetryTests.Fixture fx) : IClassFixture<RetryTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public long High500, Mid429, LowOk, PinnedOk, OnlyFailing, DefaultFailing, VipOk;

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("RetryTimes", "2");
            High500 = await CreateChannelAsync("tiered", key: "key-500", priority: 10);
            Mid429 = await CreateChannelAsync("tiered", key: "key-429", priority: 5);
            LowOk = await CreateChannelAsync("tiered", key: "key-ok", priority: 0);
            OnlyFailing = await CreateChannelAsync("lonely", key: "key-500");
            await CreateChannelAsync("bad-request", key: "key-400", priority: 10);
            await CreateChannelAsync("bad-request", key: "key-ok", priority: 0);
            PinnedOk = await CreateChannelAsync("pin-model", key: "key-500");
            await SetOptionAsync("AutoGroups", """["default","vip"]""");
            await SetOptionAsync("ModelRatio", """{"tiered":2,"lonely":2,"bad-request":2,"pin-model":2,"xgroup":2}""");
            await SetOptionAsync("CompletionRatio", """{"tiered":3,"lonely":3,"bad-request":3,"pin-model":3,"xgroup":3}""");
            DefaultFailing = await CreateChannelAsync("xgroup", key: "key-500", group: "default");
            VipOk = await CreateChannelAsync("xgroup", key: "key-ok", group: "vip");
        }
    }

    [Fact]
    public async Task FailingTiers_AreTriedInPriorityOrder_AndOnlyTheServingChannelIsBilled()
    {
        var user = await fx.CreateUserAsync(fx.Unique("retry"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        fx.Upstream.Reset();
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"tiered","messages":[{"role":"user","content":"x"}]}"""));
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        Assert.Equal(new[] { "Bearer key-500", "Bearer key-429", "Bearer key-ok" }, fx.Upstream.Requests.Select(r => r.Header("Authorization") ?? ""));
        await fx.WaitSettledAsync(user, 1);
        Assert.Equal(100_000 - 54, (await fx.UserAsync(user)).Quota);
        var log = Assert.Single(await fx.LogsAsync(user));
        Assert.Equal(fx.LowOk, log.ChannelId);
        Assert.Contains($"\"use_channel\":[\"{fx.High500}\",\"{fx.Mid429}\",\"{fx.LowOk}\"]", log.Other);
        Assert.Equal(54, (await fx.ChannelAsync(fx.LowOk)).UsedQuota);
        Assert.Equal(0, (await fx.ChannelAsync(fx.High500)).UsedQuota);
    }

    [Fact]
    public async Task AFailedChannel_IsNotPickedAgain_WhenNoOtherChannelExists()
    {
        var user = await fx.CreateUserAsync(fx.Unique("retry"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        fx.Upstream.Reset();
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"lonely","messages":[{"role":"user","content":"x"}]}"""));
        Assert.Equal(HttpStatusCode.InternalServerError, resp.StatusCode);
        // NewApi: New API could re-pick the channel that just failed; a request never tries one channel twice.
        Assert.Single(fx.Upstream.Requests);
        await fx.WaitReleasedAsync(user);
        Assert.Equal(100_000, (await fx.UserAsync(user)).Quota);
    }

    [Fact]
    public async Task A400_IsNotRetried()
    {
        var user = await fx.CreateUserAsync(fx.Unique("retry"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        fx.Upstream.Reset();
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"bad-request","messages":[{"role":"user","content":"x"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        Assert.Single(fx.Upstream.Requests);
        var error = RelayFixture.Parse(await resp.Content.ReadAsStringAsync()).GetProperty("error");
        Assert.Equal("bad parameter", error.GetProperty("message").GetString());   // upstream error objects are relayed without a request id
        // The whole error object reaches the client: type, code and the upstream's param (it used to arrive empty).
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("bad_param", error.GetProperty("code").GetString());
        Assert.Equal("messages", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task PinnedChannel_IsUsedByAdmins_AndNeverRetried()
    {
        var admin = await fx.CreateUserAsync(fx.Unique("admin"), 100_000, Role.Admin);
        var (_, key) = await fx.CreateTokenAsync(admin);
        using var http = fx.Client($"{key}-{fx.PinnedOk}");
        fx.Upstream.Reset();
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"tiered","messages":[{"role":"user","content":"x"}]}"""));
        Assert.Equal(HttpStatusCode.InternalServerError, resp.StatusCode);
        Assert.Single(fx.Upstream.Requests);

        var user = await fx.CreateUserAsync(fx.Unique("plain"), 100_000);
        var (_, userKey) = await fx.CreateTokenAsync(user);
        using var userHttp = fx.Client($"{userKey}-{fx.PinnedOk}");
        var refused = await userHttp.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"tiered","messages":[]}"""));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith("普通用户不支持指定渠道", RelayFixture.Parse(await refused.Content.ReadAsStringAsync()).GetProperty("error").GetProperty("message").GetString());

        // An empty channel part is a pin attempt too (it was ignored): refused for a common user, invalid for an admin.
        foreach (var suffix in new[] { "-", "--" })
        {
            using var emptyPin = fx.Client(userKey + suffix);
            var emptyRefused = await emptyPin.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"tiered","messages":[]}"""));
            Assert.Equal(HttpStatusCode.Forbidden, emptyRefused.StatusCode);
        }
        using var adminEmptyPin = fx.Client(key + "-");
        var invalid = await adminEmptyPin.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"tiered","messages":[{"role":"user","content":"x"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task StatusCodeMapping_ChangesWhatTheClientSees()
    {
        var repo = fx.Services.GetRequiredService<ChannelRepository>();
        var id = await fx.CreateChannelAsync("mapped", key: "key-429", edit: c => c with { StatusCodeMapping = """{"429":"503"}""" });
        await fx.SetOptionAsync("ModelRatio", """{"tiered":2,"lonely":2,"bad-request":2,"pin-model":2,"mapped":1,"xgroup":2}""");
        var user = await fx.CreateUserAsync(fx.Unique("map"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user);
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"mapped","messages":[{"role":"user","content":"x"}]}"""));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, resp.StatusCode);
        Assert.Equal(ChannelStatus.Enabled, (await repo.FindAsync(id))!.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AutoToken_WithCrossGroupRetry_MovesToTheNextAutoGroup(bool crossGroup)
    {
        var user = await fx.CreateUserAsync(fx.Unique("xg"), 100_000);
        var (_, key) = await fx.CreateTokenAsync(user, edit: t => t with { Group = "auto", CrossGroupRetry = crossGroup });
        using var http = fx.Client(key);
        var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json("""{"model":"xgroup","messages":[{"role":"user","content":"x"}]}"""));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.StatusCode != HttpStatusCode.BadRequest, text);
        if (!crossGroup)
        {
            // New API's default: an auto token stays in the first group that serves the model.
            Assert.Equal(HttpStatusCode.InternalServerError, resp.StatusCode);
            await fx.WaitReleasedAsync(user);
            Assert.Equal(100_000, (await fx.UserAsync(user)).Quota);
            return;
        }
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        await fx.WaitSettledAsync(user, 1);
        var log = Assert.Single(await fx.LogsAsync(user));
        Assert.Equal(fx.VipOk, log.ChannelId);
        Assert.Equal("vip", log.Group);
        Assert.Contains($"\"use_channel\":[\"{fx.DefaultFailing}\",\"{fx.VipOk}\"]", log.Other);
        Assert.Equal(100_000 - 54, (await fx.UserAsync(user)).Quota);
    }
}
