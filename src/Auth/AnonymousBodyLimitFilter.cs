using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using NewApi.Common;
using NewApi.Config;
using NewApi.Json;

namespace NewApi.Auth;

/// <summary>
/// new-api AnonymousRequestBodyLimit: unauthenticated POST bodies (setup, register, login, reset, binds, webhooks)
/// are capped at ANONYMOUS_REQUEST_BODY_LIMIT_KB (512 KB) → 413. Runs as middleware, before the body is bound.
/// </summary>
public static class AnonymousBodyLimit
{
    private static readonly string[] Paths =
    [
        "/api/setup", "/api/user/register", "/api/user/login", "/api/user/login/2fa", "/api/user/reset",
        "/api/user/passkey/login/begin", "/api/user/passkey/login/finish", "/api/oauth/email/bind", "/api/oauth/wechat/bind",
        "/api/stripe/webhook", "/api/user/epay/notify", "/api/creem/webhook", "/api/waffo/webhook",
    ];

    public static Task InvokeAsync(HttpContext ctx, RequestDelegate next, RelaySection relay)
    {
        if (!HttpMethods.IsPost(ctx.Request.Method) || !Matches(ctx.Request.Path)) return next(ctx);
        var limit = relay.AnonymousRequestBodyLimitKb * 1024L;
        if (ctx.Request.ContentLength > limit)
        {
            ctx.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return ctx.Response.WriteAsJsonAsync(Api.Fail($"请求体过大（上限 {relay.AnonymousRequestBodyLimitKb} KB）"), AdminJson.Default.Reply);
        }
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } f) f.MaxRequestBodySize = limit;
        return next(ctx);
    }

    private static bool Matches(PathString path)
    {
        var p = (path.Value ?? "").TrimEnd('/');
        foreach (var candidate in Paths)
            if (string.Equals(p, candidate, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
