using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Common;
using NewApi.Json;
using NewApi.Storage.OAuth;
using NewApi.Storage.Users;

namespace NewApi.Auth.OAuth;

/// <summary>
/// POST /api/oauth/email/bind <c>{email, code}</c>: the code mailed by /api/verification (purpose "v"). The older
/// <c>GET ?email=&amp;code=</c> form (New API's API list still names it) is answered the same way.
/// </summary>
public static class EmailBindEndpoints
{
    public static RouteGroupBuilder MapEmailBind(this RouteGroupBuilder api)
    {
        // NewApi: New API had no auth here and panicked without a session; a signed-in user is required (401 otherwise).
        api.MapPost("/oauth/email/bind", BindAsync).RequireRole(Role.User).RateLimited(RateLimitKind.Critical);
        api.MapGet("/oauth/email/bind", BindFromQueryAsync).RequireRole(Role.User).RateLimited(RateLimitKind.Critical);
        return api;
    }

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);

    private static async Task<IResult> BindAsync(HttpContext ctx, UserRepository users, ExternalIdentityRepository identities,
        NewApi.Auth.Email.VerificationCodes codes, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, SecurityJson.Default.EmailBindRequest, ct);
        return await BindCoreAsync(ctx, body?.Email, body?.Code, users, identities, codes, ct);
    }

    private static Task<IResult> BindFromQueryAsync(HttpContext ctx, UserRepository users, ExternalIdentityRepository identities,
        NewApi.Auth.Email.VerificationCodes codes, CancellationToken ct) =>
        BindCoreAsync(ctx, ctx.Request.Query["email"].ToString(), ctx.Request.Query["code"].ToString(), users, identities, codes, ct);

    private static async Task<IResult> BindCoreAsync(HttpContext ctx, string? emailIn, string? codeIn, UserRepository users,
        ExternalIdentityRepository identities, NewApi.Auth.Email.VerificationCodes codes, CancellationToken ct)
    {
        var email = emailIn?.Trim().ToLowerInvariant() ?? "";
        var code = codeIn?.Trim() ?? "";
        if (email.Length is 0 or > 50 || code.Length == 0 || !IsEmail(email)) return Fail("无效的参数");
        var me = ctx.CurrentUser();
        var current = await users.FindAsync(me.Id, ct);
        if (current is null) return Fail("用户不存在");
        if (!string.Equals(current.Email, email, StringComparison.OrdinalIgnoreCase) && await users.EmailExistsAsync(email, ct))
            return Fail("邮箱地址已被占用");
        if (await codes.ConsumeAsync(NewApi.Auth.Email.VerificationCodes.EmailVerification, email, code, ct) != NewApi.Storage.Verification.CodeCheck.Ok)
            return Fail("验证码错误或已过期");
        await identities.SetEmailAsync(me.Id, email, ct);
        return Results.Json(Api.Ok(), AdminJson.Default.Reply);
    }

    private static bool IsEmail(string s)
    {
        var at = s.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == s.LastIndexOf('@') && s.IndexOf('.', at) > at + 1 && !s.EndsWith('.') && !s.Any(char.IsWhiteSpace);
    }
}
