using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Config;
using NewApi.Json;
using NewApi.Storage.Options;

namespace NewApi.Auth.Registration;

/// <summary>POST /api/user/register (critical rate limit, Turnstile).</summary>
public static class RegistrationEndpoints
{
    public static RouteGroupBuilder MapRegistration(this RouteGroupBuilder api)
    {
        api.MapPost("/user/register", RegisterAsync).RateLimited(RateLimitKind.Critical).RequireTurnstile();
        return api;
    }

    private static async Task<Reply> RegisterAsync(HttpContext ctx, OptionsStore options, AccountCreator creator, SessionService sessions,
        ServerSection server, CancellationToken ct)
    {
        var o = options.Current;
        if (!o.GetBool("RegisterEnabled")) return Api.Fail("管理员关闭了新用户注册");
        if (!o.GetBool("PasswordRegisterEnabled")) return Api.Fail("管理员关闭了通过密码进行注册，请使用第三方账户验证的形式进行注册");
        var body = await JsonBody.ReadAsync(ctx.Request, AccountJson.Default.RegisterRequest, ct);
        var username = body?.Username?.Trim() ?? "";
        if (body is null || username.Length == 0) return Api.Fail("无效的参数");
        var password = body.Password ?? "";
        if ((AccountRules.Username(username) ?? AccountRules.Password(password)) is { } invalid)
            return Api.Fail(AccountRules.InvalidInput + " " + invalid);

        var email = "";
        string? code = null;
        if (o.GetBool("EmailVerificationEnabled"))
        {
            email = (body.Email ?? "").Trim().ToLowerInvariant();
            code = (body.VerificationCode ?? "").Trim();
            if (email.Length == 0 || code.Length == 0) return Api.Fail("管理员开启了邮箱验证，请输入邮箱地址和验证码");
            if (!AccountRules.IsEmail(email)) return Api.Fail("无效的邮箱地址");
        }
        var aff = (body.AffCode ?? "").Trim();
        if (aff.Length == 0) aff = sessions.Read(ctx).Aff ?? "";   // OAuth flows carry the invite code in the session

        var (id, error) = await creator.CreateAsync(new AccountDraft(username, password, username, Role.User, email, aff, code), ct);
        if (error is not null) return Api.Fail(error);
        if (server.GenerateDefaultToken && ctx.RequestServices.GetService<IDefaultTokenIssuer>() is { } issuer
            && await issuer.IssueAsync(id, username, ct) is not null)
            return Api.Fail("创建默认令牌失败");
        return Api.Ok();
    }
}
