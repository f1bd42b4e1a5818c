using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Common;
using NewApi.Tests.Support;
using OtpNet;

namespace NewApi.Tests.Integration.Auth;

public sealed class PasskeyFixture : SecurityFixture
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await SetOptionAsync("passkey.enabled", "true");
        await SetOptionAsync("passkey.rp_id", "passkey.test");
        await SetOptionAsync("passkey.origins", "https://passkey.test");
    }
}

public sealed class PasskeyTests(PasskeyFixture gw) : IClassFixture<PasskeyFixture>
{
    private static async Task<JsonElement> PostRawAsync(HttpClient http, string path, JsonObject body) =>
        await TestClient.ReadAsync(await http.PostAsync(path, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json")));

    private static async Task RegisterAsync(TestClient user, SoftwareAuthenticator key, bool packed = false)
    {
        var begin = await user.PostAsync("/api/user/passkey/register/begin", new { });
        JsonAssert.Success(begin);
        var pk = begin.GetProperty("data").GetProperty("options").GetProperty("publicKey");
        Assert.Equal("passkey.test", pk.GetProperty("rp").GetProperty("id").GetString());
        JsonAssert.Success(await PostRawAsync(user.Http, "/api/user/passkey/register/finish", key.Register(begin, packed)));
    }

    private async Task<(TestClient Client, JsonElement Reply)> LoginAsync(SoftwareAuthenticator key, bool incrementCounter = true)
    {
        var client = new TestClient(gw.BaseAddress);
        var begin = await client.PostAsync("/api/user/passkey/login/begin", new { });
        JsonAssert.Success(begin);
        var reply = await PostRawAsync(client.Http, "/api/user/passkey/login/finish", key.Assert(begin, incrementCounter));
        return (client, reply);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Register_ThenSignIn_WithEs256AndRs256(bool rsa, bool packed)
    {
        using var user = await gw.UserAsync($"pk_{(rsa ? "rsa" : "ec")}_{(packed ? "p" : "n")}");
        using var key = new SoftwareAuthenticator(rsa);
        await RegisterAsync(user, key, packed);
        Assert.True((await user.GetAsync("/api/user/passkey")).GetProperty("data").GetProperty("enabled").GetBoolean());

        var (client, reply) = await LoginAsync(key);
        using (client)
        {
            JsonAssert.Success(reply);
            Assert.Equal(user.UserId, reply.GetProperty("data").GetProperty("id").GetInt64());
            SecurityFixture.UseIdentity(client, user.UserId);
            JsonAssert.Success(await client.GetAsync("/api/user/self"));
        }
    }

    [Fact]
    public async Task Challenge_IsSingleUse_AndBoundToTheSession()
    {
        using var user = await gw.UserAsync("pk_single");
        using var key = new SoftwareAuthenticator();
        await RegisterAsync(user, key);
        using var client = new TestClient(gw.BaseAddress);
        var begin = await client.PostAsync("/api/user/passkey/login/begin", new { });
        var assertion = key.Assert(begin);
        using var other = new TestClient(gw.BaseAddress);
        JsonAssert.Failure(await PostRawAsync(other.Http, "/api/user/passkey/login/finish", assertion));
        JsonAssert.Success(await PostRawAsync(client.Http, "/api/user/passkey/login/finish", assertion));
        key.Counter++;
        JsonAssert.Failure(await PostRawAsync(client.Http, "/api/user/passkey/login/finish", assertion));
    }

    [Fact]
    public async Task Challenge_Expires_AfterTwoMinutes()
    {
        using var user = await gw.UserAsync("pk_expire");
        using var key = new SoftwareAuthenticator();
        await RegisterAsync(user, key);
        using var client = new TestClient(gw.BaseAddress);
        var begin = await client.PostAsync("/api/user/passkey/login/begin", new { });
        gw.Time.Advance(TimeSpan.FromSeconds(121));
        JsonAssert.Failure(await PostRawAsync(client.Http, "/api/user/passkey/login/finish", key.Assert(begin)));
    }

    [Fact]
    public async Task CounterThatDoesNotGrow_IsRefusedAsClone()
    {
        using var user = await gw.UserAsync("pk_clone");
        using var key = new SoftwareAuthenticator();
        await RegisterAsync(user, key);
        var (c1, first) = await LoginAsync(key);
        c1.Dispose();
        JsonAssert.Success(first);
        var (c2, second) = await LoginAsync(key, incrementCounter: false);
        c2.Dispose();
        JsonAssert.Failure(second);
    }

    [Fact]
    public async Task WrongOriginOrRpId_IsRefused()
    {
        using var user = await gw.UserAsync("pk_origin");
        using var key = new SoftwareAuthenticator { Origin = "https://evil.test" };
        var begin = await user.PostAsync("/api/user/passkey/register/begin", new { });
        JsonAssert.Failure(await PostRawAsync(user.Http, "/api/user/passkey/register/finish", key.Register(begin)));
        using var key2 = new SoftwareAuthenticator { RpId = "evil.test" };
        begin = await user.PostAsync("/api/user/passkey/register/begin", new { });
        JsonAssert.Failure(await PostRawAsync(user.Http, "/api/user/passkey/register/finish", key2.Register(begin)));
        Assert.False((await user.GetAsync("/api/user/passkey")).GetProperty("data").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task VerifyCeremony_FeedsApiVerify_Once()
    {
        using var user = await gw.UserAsync("pk_verify");
        using var key = new SoftwareAuthenticator();
        await RegisterAsync(user, key);
        JsonAssert.Failure(await user.PostAsync("/api/verify", new { method = "passkey" }));
        var begin = await user.PostAsync("/api/user/passkey/verify/begin", new { });
        JsonAssert.Success(await PostRawAsync(user.Http, "/api/user/passkey/verify/finish", key.Assert(begin)));
        var ok = await user.PostAsync("/api/verify", new { method = "passkey" });
        JsonAssert.Success(ok);
        Assert.True(ok.GetProperty("data").GetProperty("verified").GetBoolean());
        JsonAssert.Failure(await user.PostAsync("/api/verify", new { method = "passkey" }));
    }

    [Fact]
    public async Task RegisteringOrDeleting_WithASecondFactor_NeedsRecentVerification()
    {
        using var user = await gw.UserAsync("pk_needs_verify");
        var setup = await user.PostAsync("/api/user/2fa/setup", new { });
        var secret = setup.GetProperty("data").GetProperty("secret").GetString()!;
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        JsonAssert.Success(await user.PostAsync("/api/user/2fa/enable", new { code = totp.ComputeTotp(gw.Time.GetUtcNow().UtcDateTime) }));
        var denied = await user.Http.PostAsync("/api/user/passkey/register/begin", JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("VERIFICATION_REQUIRED", (await TestClient.ReadAsync(denied)).GetProperty("code").GetString());

        gw.Time.Advance(TimeSpan.FromSeconds(30));
        JsonAssert.Success(await user.PostAsync("/api/verify", new { method = "2fa", code = totp.ComputeTotp(gw.Time.GetUtcNow().UtcDateTime) }));
        using var key = new SoftwareAuthenticator();
        await RegisterAsync(user, key);

        gw.Time.Advance(TimeSpan.FromSeconds(301));
        var expired = await user.Http.DeleteAsync("/api/user/passkey");
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Equal("VERIFICATION_EXPIRED", (await TestClient.ReadAsync(expired)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Delete_AndAdminReset_FollowTheRules()
    {
        await gw.RootAsync();
        using var admin = await gw.UserAsync("pk_admin", Role.Admin);
        using var peer = await gw.UserAsync("pk_peer", Role.Admin);
        using var user = await gw.UserAsync("pk_reset");
        using var key = new SoftwareAuthenticator();
        await RegisterAsync(user, key);
        using var peerKey = new SoftwareAuthenticator();
        await RegisterAsync(peer, peerKey);
        JsonAssert.Failure(await admin.DeleteAsync($"/api/user/{peer.UserId}/reset_passkey"));
        JsonAssert.Success(await admin.DeleteAsync($"/api/user/{user.UserId}/reset_passkey"));
        Assert.False((await user.GetAsync("/api/user/passkey")).GetProperty("data").GetProperty("enabled").GetBoolean());
        var (c, reply) = await LoginAsync(key);
        c.Dispose();
        JsonAssert.Failure(reply);
    }

    [Fact]
    public async Task Disabled_ByOption_RefusesCeremonies()
    {
        await gw.SetOptionAsync("passkey.enabled", "false");
        try
        {
            using var anon = new TestClient(gw.BaseAddress);
            var r = await anon.PostAsync("/api/user/passkey/login/begin", new { });
            Assert.Equal("管理员未启用 Passkey 登录", r.GetProperty("message").GetString());
        }
        finally
        {
            await gw.SetOptionAsync("passkey.enabled", "true");
        }
    }
}
