using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Common;
using NewApi.Json;
using NewApi.Storage.OAuth;
using NewApi.Storage.Options;
using NewApi.Storage.Users;

namespace NewApi.Auth.OAuth;

/// <summary>GET /api/oauth/wechat (sign-in or sign-up) and POST /api/oauth/wechat/bind (signed-in users only).</summary>
public static class WeChatEndpoints
{
    private const string Disabled = "管理员未开启通过微信登录以及注册";

    public static RouteGroupBuilder MapWeChat(this RouteGroupBuilder api)
    {
        api.MapGet("/oauth/wechat", LoginAsync).RateLimited(RateLimitKind.Critical);
        // NewApi: New API's bind routes had no auth and panicked without a session; here they need a signed-in user (401).
        api.MapPost("/oauth/wechat/bind", BindAsync).RequireRole(Role.User).RateLimited(RateLimitKind.Critical);
        // The older GET ?code= form, still in New API's API list.
        api.MapGet("/oauth/wechat/bind", BindFromQueryAsync).RequireRole(Role.User).RateLimited(RateLimitKind.Critical);
        return api;
    }

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);

    private static async Task<IResult> LoginAsync(HttpContext ctx, OptionsStore options, WeChatClient wechat, ExternalIdentityRepository identities,
        UserRepository users, Endpoints.LoginRecorder recorder, CancellationToken ct)
    {
        var o = options.Current;
        if (!o.GetBool("WeChatAuthEnabled")) return Fail(Disabled);
        var (wechatId, error) = await wechat.ResolveAsync(o, ctx.Request.Query["code"].ToString(), ct);
        if (wechatId is null) return Fail(error);
        var user = await identities.FindAsync(ExternalIdColumn.WeChat, wechatId, ct);
        if (user is null)
        {
            if (!o.GetBool("RegisterEnabled")) return Fail("管理员关闭了新用户注册");
            var id = await identities.CreateUserAsync(new ExternalIdentityRepository.NewExternalUser("", "wechat_", "WeChat User", "",
                o.GetLong("QuotaForNewUser"), 0, RandomStrings.Alnum(4), ExternalIdColumn.WeChat, 0, wechatId), recorder.Now(), ct);
            user = await users.FindAsync(id, ct);
            if (user is null) return Fail("User registration failed");
        }
        if (user.DeletedAt is not null) return Fail("用户已注销");
        if (user.Status != UserStatus.Enabled) return Fail("用户已被封禁");
        return Results.Json(Api.Ok(await recorder.CompleteLoginAsync(ctx, user, "wechat", ct)), AdminJson.Default.EnvelopeLoginView);
    }

    private static async Task<IResult> BindAsync(HttpContext ctx, OptionsStore options, WeChatClient wechat, ExternalIdentityRepository identities,
        CancellationToken ct)
    {
        var o = options.Current;
        if (!o.GetBool("WeChatAuthEnabled")) return Fail(Disabled);
        var body = await JsonBody.ReadAsync(ctx.Request, SecurityJson.Default.CodeRequest, ct);
        if (body is null) return Fail("无效的请求");
        return await BindCoreAsync(ctx, o, body.Code, wechat, identities, ct);
    }

    private static Task<IResult> BindFromQueryAsync(HttpContext ctx, OptionsStore options, WeChatClient wechat, ExternalIdentityRepository identities,
        CancellationToken ct) =>
        options.Current.GetBool("WeChatAuthEnabled")
            ? BindCoreAsync(ctx, options.Current, ctx.Request.Query["code"].ToString(), wechat, identities, ct)
            : Task.FromResult(Fail(Disabled));

    private static async Task<IResult> BindCoreAsync(HttpContext ctx, OptionsSnapshot o, string? code, WeChatClient wechat,
        ExternalIdentityRepository identities, CancellationToken ct)
    {
        var (wechatId, error) = await wechat.ResolveAsync(o, code, ct);
        if (wechatId is null) return Fail(error);
        if (await identities.FindAsync(ExternalIdColumn.WeChat, wechatId, ct) is not null) return Fail("该微信账号已被绑定");
        await identities.SetAsync(ctx.CurrentUser().Id, ExternalIdColumn.WeChat, wechatId, ct);
        return Results.Json(Api.Ok(), AdminJson.Default.Reply);
    }
}
