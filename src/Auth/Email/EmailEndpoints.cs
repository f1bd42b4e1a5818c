using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth.Registration;
using NewApi.Common;
using NewApi.Json;
using NewApi.Storage;
using NewApi.Storage.Options;
using NewApi.Storage.Users;
using NewApi.Storage.Verification;

namespace NewApi.Auth.Email;

/// <summary>GET /api/verification, GET /api/reset_password and POST /api/user/reset (New API §8.2).</summary>
public static class EmailEndpoints
{
    public const string BadResetLink = "重置链接非法或已过期";

    public static RouteGroupBuilder MapEmail(this RouteGroupBuilder api)
    {
        api.MapGet("/verification", SendVerificationAsync).EmailRateLimited().RequireTurnstile();
        api.MapGet("/reset_password", SendResetAsync).RateLimited(RateLimitKind.Critical).RequireTurnstile();
        api.MapPost("/user/reset", ResetAsync).RateLimited(RateLimitKind.Critical);
        return api;
    }

    private static async Task<Reply> SendVerificationAsync(HttpContext ctx, OptionsStore options, SqliteDb db, VerificationCodes codes,
        EmailSender sender, CancellationToken ct)
    {
        var email = ctx.Request.Query["email"].ToString().Trim().ToLowerInvariant();
        if (!AccountRules.IsEmail(email)) return Api.Fail("无效的参数");
        var o = options.Current;
        if (AccountRules.EmailPolicy(email, o) is { } refused) return Api.Fail(refused);
        await using (var conn = await db.OpenAsync(ct))
            if (await UserRepository.EmailTakenAsync(conn, null, email, 0, ct)) return Api.Fail(AccountCreator.EmailTaken);
        var code = await codes.IssueAsync(VerificationCodes.EmailVerification, email, ct);
        var site = WebUtility.HtmlEncode(o.Get("SystemName", "New API"));
        var html = $"<p>您好，你正在进行{site}邮箱验证。</p><p>您的验证码为: <strong>{code}</strong></p>"
                   + $"<p>验证码 {VerificationCodes.ValidMinutes} 分钟内有效，如果不是本人操作，请忽略。</p>";
        return await sender.SendAsync(email, o.Get("SystemName", "New API") + "邮箱验证邮件", html, ct) is { } error ? Api.Fail(error) : Api.Ok();
    }

    /// <summary>Always the same success reply, whether or not an account uses the address (no user enumeration).</summary>
    private static async Task<Reply> SendResetAsync(HttpContext ctx, OptionsStore options, UserRepository users, VerificationCodes codes,
        MailOutbox outbox, CancellationToken ct)
    {
        var email = ctx.Request.Query["email"].ToString().Trim().ToLowerInvariant();
        if (!AccountRules.IsEmail(email)) return Api.Fail("无效的参数");
        if (await users.FindByEmailAsync(email, ct) is not [_]) return Api.Ok();
        var o = options.Current;
        var token = await codes.IssueAsync(VerificationCodes.PasswordReset, email, ct);
        var link = $"{o.Get("ServerAddress").TrimEnd('/')}/user/reset?email={Uri.EscapeDataString(email)}&token={token}";
        var site = WebUtility.HtmlEncode(o.Get("SystemName", "New API"));
        var html = $"<p>您好，你正在进行{site}密码重置。</p><p>点击 <a href='{WebUtility.HtmlEncode(link)}'>此处</a> 进行密码重置。</p>"
                   + $"<p>如果链接无法点击，请尝试点击下面的链接或将其复制到浏览器中打开：<br> {WebUtility.HtmlEncode(link)} </p>"
                   + $"<p>重置链接 {VerificationCodes.ValidMinutes} 分钟内有效，如果不是本人操作，请忽略。</p>";
        outbox.Enqueue(email, o.Get("SystemName", "New API") + "密码重置", html);
        return Api.Ok();
    }

    /// <summary>
    /// Consumes the reset token and sets a generated password, returned in <c>data</c> as New API does (its console
    /// shows it). The token is single-use and attempt-limited; the new password is 16 random alphanumerics.
    /// </summary>
    private static async Task<IResult> ResetAsync(HttpContext ctx, SqliteDb db, UserRepository users, VerificationCodes codes,
        PasswordHasher hasher, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, AccountJson.Default.PasswordResetRequest, ct);
        var email = body?.Email?.Trim().ToLowerInvariant() ?? "";
        var token = body?.Token?.Trim() ?? "";
        if (email.Length == 0 || token.Length == 0) return Fail("无效的参数");
        // The token is consumed before the (deliberately slow) password hash, so invalid tokens cost no hashing.
        var userId = await db.WriteAsync(async (c, tx) =>
            await codes.ConsumeAsync(c, tx, VerificationCodes.PasswordReset, email, token, ct) == CodeCheck.Ok
            && await UserRepository.FindOneByEmailAsync(c, tx, email, ct) is { } user ? user.Id : 0L, ct);
        if (userId == 0) return Fail(BadResetLink);
        var password = RandomStrings.Alnum(16);
        await users.UpdatePasswordAsync(userId, hasher.Hash(password), ct);
        return Results.Json(Api.Ok(password), AdminJson.Default.EnvelopeString);
    }

    private static IResult Fail(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply);
}
