using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth.TwoFactor;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Passkeys;
using NewApi.Storage.TwoFactor;

namespace NewApi.Auth.Verification;

/// <summary>POST /api/verify: 2FA code or a just-completed passkey assertion marks the session verified for 300 s.</summary>
public static class VerifyEndpoints
{
    public static RouteGroupBuilder MapVerify(this RouteGroupBuilder api)
    {
        api.MapPost("/verify", VerifyAsync).RequireRole(Role.User).RateLimited(RateLimitKind.Critical);
        return api;
    }

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);

    private static async Task<IResult> VerifyAsync(HttpContext ctx, SessionService sessions, TwoFactorRepository twoFaRepo,
        TwoFactorService twoFa, PasskeyRepository passkeys, SecurityLog log, TimeProvider time, CancellationToken ct)
    {
        var me = ctx.CurrentUser();
        // The mark lives in the session cookie: an access-token caller has none to carry it (New API answers the same).
        if (me.ViaAccessToken) return Fail("当前认证方式不支持安全验证");
        var body = await JsonBody.ReadAsync(ctx.Request, SecurityJson.Default.VerifyRequest, ct);
        if (body is null) return Fail("参数错误");
        var has2Fa = await twoFaRepo.IsEnabledAsync(me.Id, ct);
        var hasPasskey = await passkeys.FindByUserAsync(me.Id, ct) is not null;
        if (!has2Fa && !hasPasskey) return Fail("用户未启用2FA或Passkey");
        var session = sessions.Read(ctx);
        var now = time.UnixSeconds();
        string method;
        switch (body.Method)
        {
            case "2fa":
                if (!has2Fa) return Fail(TwoFactorService.NotEnabled);
                if (string.IsNullOrWhiteSpace(body.Code)) return Fail("验证码不能为空");
                var result = await twoFa.VerifyAsync(me.Id, body.Code, allowBackup: true, ct);
                if (!result.Ok) return Fail(result.Message);
                method = "2fa";
                break;
            case "passkey":
                if (!hasPasskey) return Fail("用户未启用Passkey");
                // NewApi: early New API trusted this call without any assertion; here the passkey verify ceremony must
                // have finished in this session within the last 60 s, and the mark is used up.
                if (!ConsumePasskeyReady(session, now)) return Fail("Passkey 验证已过期，请重新验证");
                method = "passkey";
                break;
            default:
                return Fail("不支持的验证方式: " + body.Method);
        }
        session.SecureVerifiedAt = now;
        session.SecureVerifiedMethod = method;
        sessions.Write(ctx, session);
        await log.WriteAsync(ctx, me.Id, me.Username, $"通用安全验证成功 (验证方式: {method})", ct);
        return Results.Json(Api.Ok(new VerifyView(true, now + SecureVerification.ValidSeconds), "验证成功"), SecurityJson.Default.EnvelopeVerifyView);
    }

    private static bool ConsumePasskeyReady(SessionData session, long now)
    {
        if (session.Extra is null || !session.Extra.Remove(SecureVerification.PasskeyReadyKey, out var raw)) return false;
        if (session.Extra.Count == 0) session.Extra = null;
        return long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var at)
               && now - at >= 0 && now - at <= SecureVerification.PasskeyReadySeconds;
    }
}
