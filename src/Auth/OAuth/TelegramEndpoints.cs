using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Common;
using NewApi.Json;
using NewApi.Storage.OAuth;
using NewApi.Storage.Options;
using NewApi.Storage.Users;

namespace NewApi.Auth.OAuth;

/// <summary>GET /api/oauth/telegram/login (bound users only) and /bind (browser redirect from the widget; needs a session).</summary>
public static class TelegramEndpoints
{
    private const string Disabled = "管理员未开启通过 Telegram 登录以及注册";

    public static RouteGroupBuilder MapTelegram(this RouteGroupBuilder api)
    {
        api.MapGet("/oauth/telegram/login", LoginAsync).RateLimited(RateLimitKind.Critical);
        api.MapGet("/oauth/telegram/bind", BindAsync).RateLimited(RateLimitKind.Critical);
        return api;
    }

    private static IResult Fail(string message, int status = 200) => Results.Json(Api.Fail(message), AdminJson.Default.Reply, statusCode: status);

    private static IResult? Check(HttpContext ctx, OptionsSnapshot o, TimeProvider time, out string telegramId)
    {
        telegramId = "";
        if (!o.GetBool("TelegramOAuthEnabled")) return Fail(Disabled);
        return TelegramLogin.Verify(ctx.Request.Query, o.Get("TelegramBotToken"), time.UnixSeconds(), out telegramId) switch
        {
            TelegramLogin.Check.Ok => null,
            TelegramLogin.Check.Stale => Fail("Telegram 登录信息已过期，请重新登录"),
            _ => Fail("无效的请求"),
        };
    }

    private static async Task<IResult> LoginAsync(HttpContext ctx, OptionsStore options, TimeProvider time, ExternalIdentityRepository identities,
        Endpoints.LoginRecorder recorder, CancellationToken ct)
    {
        if (Check(ctx, options.Current, time, out var telegramId) is { } refused) return refused;
        var user = await identities.FindAsync(ExternalIdColumn.Telegram, telegramId, ct);
        if (user is null) return Fail("该 Telegram 账户未绑定");
        if (user.DeletedAt is not null) return Fail("用户已注销");
        // NewApi: New API signed disabled users in through Telegram; they are refused like everywhere else.
        if (user.Status != UserStatus.Enabled) return Fail("用户已被封禁");
        return Results.Json(Api.Ok(await recorder.CompleteLoginAsync(ctx, user, "telegram", ct)), AdminJson.Default.EnvelopeLoginView);
    }

    private static async Task<IResult> BindAsync(HttpContext ctx, OptionsStore options, TimeProvider time, SessionService sessions, UserRepository users,
        ExternalIdentityRepository identities, CancellationToken ct)
    {
        // NewApi: New API read the session user without checking it and panicked (500) when there was none.
        var session = sessions.Read(ctx);
        var me = session.UserId > 0 ? await users.FindAsync(session.UserId, ct) : null;
        if (me is null || me.Status != UserStatus.Enabled) return Fail(AuthTexts.NotLoggedIn, StatusCodes.Status401Unauthorized);
        var o = options.Current;
        if (Check(ctx, o, time, out var telegramId) is { } refused) return refused;
        if (await identities.FindAsync(ExternalIdColumn.Telegram, telegramId, ct) is not null) return Fail("该 Telegram 账户已被绑定");
        await identities.SetAsync(me.Id, ExternalIdColumn.Telegram, telegramId, ct);
        return Results.Redirect(o.Get("theme.frontend", "classic") == "default" ? "/profile" : "/console/personal");
    }
}
