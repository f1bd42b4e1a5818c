using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Storage.Users;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Auth;

/// <summary>Telegram, WeChat and e-mail binding/sign-in (New API's bind routes without a session panicked; here: 401).</summary>
public sealed class BindTests(OAuthFixture gw) : IClassFixture<OAuthFixture>
{
    private const string BotToken = "123456:telegram-bot-token";

    private string TelegramQuery(string id, long? authDate = null, string? token = null, bool tamper = false)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["id"] = id, ["first_name"] = "Tele", ["username"] = "tele_" + id,
            ["auth_date"] = (authDate ?? gw.Time.GetUtcNow().ToUnixTimeSeconds()).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var check = string.Join('\n', fields.Select(kv => kv.Key + "=" + kv.Value));
        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(SHA256.HashData(Encoding.UTF8.GetBytes(token ?? BotToken)), Encoding.UTF8.GetBytes(check)));
        if (tamper) fields["first_name"] = "Mallory";
        return string.Join('&', fields.Select(kv => kv.Key + "=" + Uri.EscapeDataString(kv.Value))) + "&hash=" + hash;
    }

    [Fact]
    public async Task BindRoutes_WithoutASession_Answer401Envelopes()
    {
        using var anon = gw.Anonymous();
        foreach (var resp in new[]
        {
            await anon.PostAsync("/api/oauth/email/bind", JsonContent.Create(new { email = "a@b.c", code = "x" })),
            await anon.PostAsync("/api/oauth/wechat/bind", JsonContent.Create(new { code = "x" })),
            await anon.GetAsync("/api/oauth/telegram/bind?" + TelegramQuery("42")),
        })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, resp.StatusCode);
            JsonAssert.Failure(await TestClient.ReadAsync(resp));
        }
    }

    [Fact]
    public async Task Telegram_BindThenLogin_HashAndFreshnessChecked()
    {
        using var user = await gw.UserAsync("tg_user");
        using var raw = gw.RawNoRedirect(user.Cookies);
        var bind = await raw.GetAsync("/api/oauth/telegram/bind?" + TelegramQuery("5001"));
        Assert.Equal(HttpStatusCode.Redirect, bind.StatusCode);
        Assert.Equal("/console/personal", bind.Headers.Location!.ToString());
        Assert.Equal("5001", (await user.GetAsync("/api/user/self")).GetProperty("data").GetProperty("telegram_id").GetString());

        using var anon = new TestClient(gw.BaseAddress);
        var login = await anon.GetAsync("/api/oauth/telegram/login?" + TelegramQuery("5001"));
        JsonAssert.Success(login);
        Assert.Equal(user.UserId, login.GetProperty("data").GetProperty("id").GetInt64());

        Assert.Equal("无效的请求", (await anon.GetAsync("/api/oauth/telegram/login?" + TelegramQuery("5001", tamper: true))).GetProperty("message").GetString());
        Assert.Equal("无效的请求", (await anon.GetAsync("/api/oauth/telegram/login?" + TelegramQuery("5001", token: "other:token"))).GetProperty("message").GetString());
        // NewApi: New API never checked auth_date, so an old signed link signed in forever.
        var stale = await anon.GetAsync("/api/oauth/telegram/login?" + TelegramQuery("5001", gw.Time.GetUtcNow().ToUnixTimeSeconds() - 86_401));
        JsonAssert.Failure(stale);
        Assert.Contains("过期", stale.GetProperty("message").GetString());
        JsonAssert.Failure(await anon.GetAsync("/api/oauth/telegram/login?" + TelegramQuery("5999")));

        // NewApi: New API signed a disabled user in through Telegram.
        await gw.Services.GetRequiredService<UserRepository>().SetStatusAsync(user.UserId, UserStatus.Disabled);
        JsonAssert.Failure(await anon.GetAsync("/api/oauth/telegram/login?" + TelegramQuery("5001")));
    }

    [Fact]
    public async Task WeChat_SignUp_Bind_AndTokenOnlyToTheConfiguredServer()
    {
        using var anon = new TestClient(gw.BaseAddress);
        var first = await anon.GetAsync("/api/oauth/wechat?code=alpha");
        JsonAssert.Success(first);
        Assert.StartsWith("wechat_", first.GetProperty("data").GetProperty("username").GetString());
        var call = gw.Fake.Last("/wechat/api/wechat/user")!;
        Assert.Equal(gw.Fake.WeChatToken, call.Authorization);
        Assert.Equal("?code=alpha", call.Query);
        using var again = new TestClient(gw.BaseAddress);
        Assert.Equal(first.GetProperty("data").GetProperty("id").GetInt64(),
            (await again.GetAsync("/api/oauth/wechat?code=alpha")).GetProperty("data").GetProperty("id").GetInt64());

        using var user = await gw.UserAsync("wx_binder");
        JsonAssert.Success(await user.PostAsync("/api/oauth/wechat/bind", new { code = "beta" }));
        Assert.Equal("wx-beta", (await user.GetAsync("/api/user/self")).GetProperty("data").GetProperty("wechat_id").GetString());
        JsonAssert.Failure(await user.PostAsync("/api/oauth/wechat/bind", new { code = "alpha" }));

        // A server address that answers with a redirect: the answer is refused and the token never follows the redirect.
        await gw.SetOptionAsync("WeChatServerAddress", gw.Fake.BaseUrl + "/wechat-redirect");
        try
        {
            var before = gw.Fake.Requests.Count(r => r.Path == "/wechat/api/wechat/user");
            JsonAssert.Failure(await anon.GetAsync("/api/oauth/wechat?code=gamma"));
            var forwarded = gw.Fake.Requests.Where(r => r.Path == "/wechat/api/wechat/user").Skip(before).ToList();
            Assert.All(forwarded, r => Assert.NotEqual(gw.Fake.WeChatToken, r.Authorization));
        }
        finally
        {
            await gw.SetOptionAsync("WeChatServerAddress", gw.Fake.BaseUrl + "/wechat");
        }
    }

    [Fact]
    public async Task EmailBind_ChecksTheHashedSingleUseCode()
    {
        var codes = gw.Services.GetRequiredService<NewApi.Auth.Email.VerificationCodes>();
        using var user = await gw.UserAsync("mail_binder");
        var first = await codes.IssueAsync(NewApi.Auth.Email.VerificationCodes.EmailVerification, "bind@example.com", CancellationToken.None);
        JsonAssert.Failure(await user.PostAsync("/api/oauth/email/bind", new { email = "bind@example.com", code = "wrong1" }));
        JsonAssert.Success(await user.PostAsync("/api/oauth/email/bind", new { email = "Bind@Example.com", code = first.ToUpperInvariant() }));
        Assert.Equal("bind@example.com", (await user.GetAsync("/api/user/self")).GetProperty("data").GetProperty("email").GetString());
        using var other = await gw.UserAsync("mail_binder2");
        JsonAssert.Failure(await other.PostAsync("/api/oauth/email/bind", new { email = "bind@example.com", code = first }));
        var second = await codes.IssueAsync(NewApi.Auth.Email.VerificationCodes.EmailVerification, "second@example.com", CancellationToken.None);
        JsonAssert.Success(await other.PostAsync("/api/oauth/email/bind", new { email = "second@example.com", code = second }));
        JsonAssert.Failure(await other.PostAsync("/api/oauth/email/bind", new { email = "second@example.com", code = second }));
        // The older GET form from New API's API list works the same way.
        var third = await codes.IssueAsync(NewApi.Auth.Email.VerificationCodes.EmailVerification, "third@example.com", CancellationToken.None);
        JsonAssert.Failure(await other.GetAsync("/api/oauth/email/bind?email=third@example.com&code=wrong1"));
        JsonAssert.Success(await other.GetAsync("/api/oauth/email/bind?email=third@example.com&code=" + third));
        Assert.Equal("third@example.com", (await other.GetAsync("/api/user/self")).GetProperty("data").GetProperty("email").GetString());
    }
}
