using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Storage;
using NewApi.Tests.Support;
using OtpNet;
using static NewApi.Tests.Integration.Admin.ChannelTestKit;

namespace NewApi.Tests.Integration.Admin;

/// <summary>POST /api/channel/{id}/key: Root only, identity re-proved, no-store, never cached.</summary>
public sealed class ChannelKeyRevealTests(GatewayFixture gw) : IClassFixture<GatewayFixture>
{
    private const string Password = "user-password-123";

    private async Task<(TestClient Root, long ChannelId, string Key)> SetupAsync(string suffix)
    {
        var root = await gw.UserAsync("kr_root_" + suffix, Role.Root);
        var key = "sk-reveal-" + suffix + "-0123456789";
        var id = await CreateAsync(root, "kr-" + suffix, key);
        return (root, id, key);
    }

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> RevealAsync(TestClient c, long id, object? body)
    {
        var resp = body is null ? await c.Http.PostAsync($"/api/channel/{id}/key", null) : await c.Http.PostAsJsonAsync($"/api/channel/{id}/key", body);
        return (resp, await TestClient.ReadAsync(resp));
    }

    [Fact]
    public async Task AdminIsRefused_RootNeedsProof()
    {
        var (root, id, key) = await SetupAsync("gate");
        using var admin = await gw.UserAsync("kr_admin", Role.Admin);
        var (_, refused) = await RevealAsync(admin, id, new { password = Password });
        JsonAssert.Failure(refused);
        NoKey(refused, key);

        var (resp, body) = await RevealAsync(root, id, null);
        Assert.Equal(HttpStatusCode.Forbidden, resp.StatusCode);
        Assert.Equal("VERIFICATION_REQUIRED", body.GetProperty("code").GetString());
        Assert.Contains("no-store", resp.Headers.CacheControl?.ToString());
        NoKey(body, key);
        root.Dispose();
    }

    [Fact]
    public async Task WithoutTwoFactor_PasswordProvesIdentity()
    {
        var (root, id, key) = await SetupAsync("pwd");
        var (bad, badBody) = await RevealAsync(root, id, new { password = "wrong" });
        Assert.Equal(HttpStatusCode.Forbidden, bad.StatusCode);
        Assert.Equal("VERIFICATION_INVALID", badBody.GetProperty("code").GetString());

        var (ok, body) = await RevealAsync(root, id, new { password = Password });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        JsonAssert.Success(body);
        Assert.Equal("获取成功", body.GetProperty("message").GetString());
        Assert.Equal(key, body.GetProperty("data").GetProperty("key").GetString());
        Assert.Contains("no-store", ok.Headers.CacheControl?.ToString());
        Assert.Equal("no-cache", ok.Headers.Pragma.ToString());

        await using var conn = await gw.Services.GetRequiredService<SqliteDb>().OpenAsync();
        var audit = await conn.ScalarLongAsync("SELECT COUNT(*) FROM logs WHERE type = 3 AND user_id = $u AND content LIKE '%查看渠道密钥%'", null, default, ("$u", root.UserId));
        Assert.Equal(1, audit);
        var (_, missing) = await RevealAsync(root, 999999, new { password = Password });
        Assert.Equal("渠道不存在", missing.GetProperty("message").GetString());
        root.Dispose();
    }

    [Fact]
    public async Task WithTwoFactor_TotpOnce_BackupCodeOnce_PasswordNotEnough()
    {
        var (root, id, key) = await SetupAsync("tfa");
        var secret = KeyGeneration.GenerateRandomKey(20);
        var box = gw.Services.GetRequiredService<SecretBox>();
        var hasher = gw.Services.GetRequiredService<PasswordHasher>();
        var db = gw.Services.GetRequiredService<SqliteDb>();
        await db.WriteAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync("INSERT INTO two_fas(user_id, secret, is_enabled) VALUES ($u, $s, 1)", tx, default,
                ("$u", root.UserId), ("$s", box.Encrypt(Base32Encoding.ToString(secret))));
            await conn.ExecuteAsync("INSERT INTO two_fa_backup_codes(user_id, code_hash) VALUES ($u, $h)", tx, default,
                ("$u", root.UserId), ("$h", BCrypt.Net.BCrypt.HashPassword("ABCD1234")));
            await conn.ExecuteAsync("INSERT INTO two_fa_backup_codes(user_id, code_hash) VALUES ($u, $h)", tx, default,
                ("$u", root.UserId), ("$h", hasher.Hash("WXYZ9876")));
        });

        var (resp, body) = await RevealAsync(root, id, new { password = Password });
        Assert.Equal(HttpStatusCode.Forbidden, resp.StatusCode);                // with 2FA the password is not a proof
        Assert.Equal("VERIFICATION_REQUIRED", body.GetProperty("code").GetString());

        var code = new Totp(secret).ComputeTotp(DateTime.UtcNow);
        var (_, first) = await RevealAsync(root, id, new { code });
        Assert.Equal(key, first.GetProperty("data").GetProperty("key").GetString());
        var (replay, replayBody) = await RevealAsync(root, id, new { code });
        Assert.Equal(HttpStatusCode.Forbidden, replay.StatusCode);               // a TOTP step works once
        Assert.Equal("VERIFICATION_INVALID", replayBody.GetProperty("code").GetString());

        JsonAssert.Success((await RevealAsync(root, id, new { code = "abcd-1234" })).Body);   // bcrypt (imported) backup code
        JsonAssert.Success((await RevealAsync(root, id, new { code = "WXYZ9876" })).Body);    // our PBKDF2 backup code
        Assert.Equal(HttpStatusCode.Forbidden, (await RevealAsync(root, id, new { code = "ABCD1234" })).Response.StatusCode);
        root.Dispose();
    }

    [Fact]
    public async Task RecentSecureVerification_IsEnough_ExpiredIsReported()
    {
        var (root, id, key) = await SetupAsync("sess");
        var sessions = gw.Services.GetRequiredService<SessionService>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        void SetSession(long verifiedAt) => root.Cookies.Add(gw.BaseAddress, new Cookie(SessionService.CookieName,
            sessions.Encode(new SessionData { UserId = root.UserId, IssuedAt = now, SecureVerifiedAt = verifiedAt, SecureVerifiedMethod = "2fa" })));

        SetSession(now - 10);
        var (ok, body) = await RevealAsync(root, id, null);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(key, body.GetProperty("data").GetProperty("key").GetString());

        SetSession(now - 301);
        var (expired, expiredBody) = await RevealAsync(root, id, null);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Equal("VERIFICATION_EXPIRED", expiredBody.GetProperty("code").GetString());
        root.Dispose();
    }

    [Fact]
    public async Task WrongCodes_LockTwoFactor_LikeEverywhereElse()
    {
        var (root, id, _) = await SetupAsync("lock");
        var secret = KeyGeneration.GenerateRandomKey(20);
        var box = gw.Services.GetRequiredService<SecretBox>();
        await gw.Services.GetRequiredService<SqliteDb>().WriteAsync((conn, tx) => conn.ExecuteAsync(
            "INSERT INTO two_fas(user_id, secret, is_enabled) VALUES ($u, $s, 1)", tx, default,
            ("$u", root.UserId), ("$s", box.Encrypt(Base32Encoding.ToString(secret)))));
        var good = new Totp(secret).ComputeTotp(DateTime.UtcNow);
        var wrong = good == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Forbidden, (await RevealAsync(root, id, new { code = wrong })).Response.StatusCode);
        // NewApi: the reveal route counts failures with the 2FA service, so six digits cannot be guessed here either.
        var (locked, body) = await RevealAsync(root, id, new { code = good });
        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode);
        Assert.Equal("VERIFICATION_INVALID", body.GetProperty("code").GetString());
        root.Dispose();
    }
}
