using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NewApi.Common;
using NewApi.Tests.Support;
using OtpNet;

namespace NewApi.Tests.Integration.Auth;

public sealed class TwoFactorTests(SecurityFixture gw) : IClassFixture<SecurityFixture>
{
    private string Code(string secret, int stepOffset = 0) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(gw.Time.GetUtcNow().UtcDateTime.AddSeconds(stepOffset * 30));

    private void NextStep() => gw.Time.Advance(TimeSpan.FromSeconds(30));

    private async Task<(string Secret, List<string> Backup)> EnableAsync(TestClient user)
    {
        var setup = await user.PostAsync("/api/user/2fa/setup", new { });
        JsonAssert.Success(setup);
        var data = setup.GetProperty("data");
        var secret = data.GetProperty("secret").GetString()!;
        Assert.StartsWith("otpauth://totp/", data.GetProperty("qr_code_data").GetString());
        var backup = data.GetProperty("backup_codes").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(4, backup.Count);
        Assert.All(backup, c => Assert.Matches("^[A-Z0-9]{4}-[A-Z0-9]{4}$", c));
        JsonAssert.Success(await user.PostAsync("/api/user/2fa/enable", new { code = Code(secret) }));
        NextStep();
        return (secret, backup);
    }

    private async Task<JsonElement> SecondStepAsync(string username, string code)
    {
        var (client, first) = await gw.PasswordStepAsync(username);
        JsonAssert.Success(first);
        Assert.True(first.GetProperty("data").GetProperty("require_2fa").GetBoolean());
        return await client.PostAsync("/api/user/login/2fa", new { code });
    }

    [Fact]
    public async Task SetupEnableLogin_ReplayRefused_BackupOnce_Disable()
    {
        using var user = await gw.UserAsync("tfa_flow");
        var (secret, backup) = await EnableAsync(user);

        var status = await user.GetAsync("/api/user/2fa/status");
        Assert.True(status.GetProperty("data").GetProperty("enabled").GetBoolean());
        Assert.Equal(4, status.GetProperty("data").GetProperty("backup_codes_remaining").GetInt64());
        Assert.DoesNotContain(secret, status.GetRawText());

        var code = Code(secret);
        var ok = await SecondStepAsync("tfa_flow", code);
        JsonAssert.Success(ok);
        Assert.Equal(user.UserId, ok.GetProperty("data").GetProperty("id").GetInt64());

        // NewApi: New API accepted the same code again inside its window.
        JsonAssert.Failure(await SecondStepAsync("tfa_flow", code));

        var typed = backup[0].Replace("-", "").ToLowerInvariant();
        JsonAssert.Success(await SecondStepAsync("tfa_flow", typed));
        JsonAssert.Failure(await SecondStepAsync("tfa_flow", backup[0]));
        Assert.Equal(3, (await user.GetAsync("/api/user/2fa/status")).GetProperty("data").GetProperty("backup_codes_remaining").GetInt64());

        NextStep();
        JsonAssert.Success(await user.PostAsync("/api/user/2fa/disable", new { code = Code(secret) }));
        Assert.False((await user.GetAsync("/api/user/2fa/status")).GetProperty("data").GetProperty("enabled").GetBoolean());
        var (_, plain) = await gw.PasswordStepAsync("tfa_flow");
        Assert.Equal(user.UserId, plain.GetProperty("data").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task ClockSkew_OneStepEitherWay_IsAccepted_TwoIsNot()
    {
        using var user = await gw.UserAsync("tfa_skew");
        var (secret, _) = await EnableAsync(user);
        JsonAssert.Failure(await SecondStepAsync("tfa_skew", Code(secret, -2)));
        JsonAssert.Success(await SecondStepAsync("tfa_skew", Code(secret, 1)));
    }

    [Fact]
    public async Task FiveFailures_Lock_For300Seconds()
    {
        using var user = await gw.UserAsync("tfa_lock");
        var (secret, _) = await EnableAsync(user);
        for (var i = 0; i < 5; i++) JsonAssert.Failure(await SecondStepAsync("tfa_lock", "000000"));
        var locked = await SecondStepAsync("tfa_lock", Code(secret));
        JsonAssert.Failure(locked);
        Assert.Contains("锁定", locked.GetProperty("message").GetString());
        Assert.True((await user.GetAsync("/api/user/2fa/status")).GetProperty("data").GetProperty("locked").GetBoolean());
        gw.Time.Advance(TimeSpan.FromSeconds(301));
        JsonAssert.Success(await SecondStepAsync("tfa_lock", Code(secret)));
    }

    [Fact]
    public async Task PendingLogin_ExpiresAfterFiveMinutes_AndNeedsThePasswordStep()
    {
        using var user = await gw.UserAsync("tfa_pending");
        var (secret, _) = await EnableAsync(user);
        var (client, _) = await gw.PasswordStepAsync("tfa_pending");
        gw.Time.Advance(TimeSpan.FromSeconds(301));
        var late = await client.PostAsync("/api/user/login/2fa", new { code = Code(secret) });
        Assert.Equal("会话已过期，请重新登录", late.GetProperty("message").GetString());
        using var anon = new TestClient(gw.BaseAddress);
        JsonAssert.Failure(await anon.PostAsync("/api/user/login/2fa", new { code = Code(secret) }));
    }

    [Fact]
    public async Task SetupTwice_WhileEnabled_IsRefused_AndSecretNeverShownAgain()
    {
        using var user = await gw.UserAsync("tfa_twice");
        var (secret, _) = await EnableAsync(user);
        var again = await user.PostAsync("/api/user/2fa/setup", new { });
        JsonAssert.Failure(again);
        Assert.DoesNotContain(secret, again.GetRawText());
        var regen = await user.PostAsync("/api/user/2fa/backup_codes", new { code = Code(secret) });
        JsonAssert.Success(regen);
        Assert.Equal(4, regen.GetProperty("data").GetProperty("backup_codes").GetArrayLength());
        Assert.DoesNotContain(secret, regen.GetRawText());
    }

    [Fact]
    public async Task Verify_With2fa_MarksSessionFor300Seconds()
    {
        using var user = await gw.UserAsync("tfa_verify");
        JsonAssert.Failure(await user.PostAsync("/api/verify", new { method = "2fa", code = "123456" }));
        var (secret, _) = await EnableAsync(user);
        JsonAssert.Failure(await user.PostAsync("/api/verify", new { method = "2fa", code = "000000" }));
        JsonAssert.Failure(await user.PostAsync("/api/verify", new { method = "sms", code = "000000" }));
        var ok = await user.PostAsync("/api/verify", new { method = "2fa", code = Code(secret) });
        JsonAssert.Success(ok);
        Assert.True(ok.GetProperty("data").GetProperty("verified").GetBoolean());
        Assert.Equal(gw.Time.GetUtcNow().ToUnixTimeSeconds() + 300, ok.GetProperty("data").GetProperty("expires_at").GetInt64());
        using var anon = gw.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.PostAsync("/api/verify", JsonContent.Create(new { method = "2fa" }))).StatusCode);
    }

    [Fact]
    public async Task AdminRoutes_StatsAndForceDisable_FollowTheTargetRoleRule()
    {
        await gw.RootAsync();
        using var admin = await gw.UserAsync("tfa_admin", Role.Admin);
        using var other = await gw.UserAsync("tfa_admin2", Role.Admin);
        using var user = await gw.UserAsync("tfa_target");
        await EnableAsync(user);
        await EnableAsync(other);
        var stats = await admin.GetAsync("/api/user/2fa/stats");
        JsonAssert.Success(stats);
        Assert.True(stats.GetProperty("data").GetProperty("enabled_users").GetInt64() >= 2);
        Assert.EndsWith("%", stats.GetProperty("data").GetProperty("enabled_rate").GetString());

        JsonAssert.Failure(await admin.DeleteAsync($"/api/user/{other.UserId}/2fa"));
        JsonAssert.Success(await admin.DeleteAsync($"/api/user/{user.UserId}/2fa"));
        Assert.False((await user.GetAsync("/api/user/2fa/status")).GetProperty("data").GetProperty("enabled").GetBoolean());
        JsonAssert.Failure(await admin.DeleteAsync($"/api/user/{user.UserId}/2fa"));
    }
}
