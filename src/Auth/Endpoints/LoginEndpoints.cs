using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth.Registration;
using NewApi.Common;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Logs;
using NewApi.Storage.Options;
using NewApi.Storage.TwoFactor;
using NewApi.Storage.Users;

namespace NewApi.Auth.Endpoints;

/// <summary>POST /api/user/login (with the 2FA hand-off) and GET /api/user/logout.</summary>
public static class LoginEndpoints
{
    public const string WrongCredentials = "用户名或密码错误，或用户已被封禁";

    public static RouteGroupBuilder MapLogin(this RouteGroupBuilder api)
    {
        api.MapPost("/user/login", LoginAsync).RateLimited(RateLimitKind.Critical).RequireTurnstile();
        api.MapGet("/user/logout", Logout);
        return api;
    }

    private static async Task<IResult> LoginAsync(HttpContext ctx, OptionsStore options, UserRepository users,
        PasswordHasher hasher, TwoFactorRepository twoFa, SessionService sessions, LoginRecorder recorder, CancellationToken ct)
    {
        if (!options.Current.GetBool("PasswordLoginEnabled"))
            return Results.Json(Api.Fail("管理员关闭了密码登录"), Json.AdminJson.Default.Reply);
        var body = await Json.JsonBody.ReadAsync(ctx.Request, Json.AdminJson.Default.LoginRequest, ct);
        var username = body?.Username?.Trim() ?? "";
        var password = body?.Password ?? "";
        if (username.Length == 0 || password.Length == 0) return Results.Json(Api.Fail("无效的参数"), Json.AdminJson.Default.Reply);

        var user = await users.FindForLoginAsync(username, ct);
        // Same answer for unknown user, wrong password, password-less (OAuth) account and disabled user: no enumeration.
        if (user is null || !hasher.Verify(password, user.PasswordHash, out var rehash) || user.Status != UserStatus.Enabled)
            return Results.Json(Api.Fail(WrongCredentials), Json.AdminJson.Default.Reply);
        if (rehash) await users.UpdatePasswordAsync(user.Id, hasher.Hash(password), ct);

        if (await twoFa.IsEnabledAsync(user.Id, ct))
        {
            var pending = sessions.Read(ctx);
            pending.UserId = 0;
            pending.PendingUserId = user.Id;
            pending.PendingUsername = user.Username;
            pending.PendingAt = recorder.Now();
            sessions.Write(ctx, pending);
            return Results.Json(Api.Ok(new Require2FaView(true), "请输入两步验证码"), Json.AdminJson.Default.EnvelopeRequire2FaView);
        }
        return Results.Json(Api.Ok(await recorder.CompleteLoginAsync(ctx, user, "password", ct)), Json.AdminJson.Default.EnvelopeLoginView);
    }

    private static Reply Logout(HttpContext ctx, SessionService sessions)
    {
        sessions.Clear(ctx);
        return Api.Ok();
    }
}

/// <summary>Establishes the session after any successful sign-in method and writes the login log (type 7).</summary>
public sealed class LoginRecorder(SessionService sessions, UserRepository users, LogRepository logs, ClientIpResolver ips, TimeProvider time)
{
    public long Now() => time.GetUtcNow().ToUnixTimeSeconds();

    public async Task<LoginView> CompleteLoginAsync(HttpContext ctx, UserRow user, string method, CancellationToken ct)
    {
        var session = new SessionData { UserId = user.Id, IssuedAt = Now(), Aff = null };
        sessions.Write(ctx, session);
        await users.TouchLoginAsync(user.Id, Now(), ct);
        var ua = ctx.Request.Headers.UserAgent.ToString();
        var other = new System.Text.Json.Nodes.JsonObject
        {
            ["login_method"] = method,
            ["user_agent"] = ua.Length > 256 ? ua[..256] : ua,
            ["op"] = new System.Text.Json.Nodes.JsonObject { ["action"] = "login", ["params"] = new System.Text.Json.Nodes.JsonObject { ["method"] = method } },
        };
        await logs.InsertAsync(new LogRow
        {
            UserId = user.Id, Username = user.Username, CreatedAt = Now(), Type = LogType.Login,
            Content = $"Logged in successfully via {method}", Ip = ips.ResolveString(ctx), Other = other.ToJsonString(),
        }, ct);
        return new LoginView(user.Id, user.Username, user.DisplayName, (int)user.Role, (int)user.Status, user.Group);
    }
}
