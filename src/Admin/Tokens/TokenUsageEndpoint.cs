using Microsoft.AspNetCore.Http;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Tokens;
using NewApi.Storage.Users;

namespace NewApi.Admin.Tokens;

/// <summary>
/// GET /api/usage/token (new-api TokenAuthReadOnly): the key from <c>Authorization: Bearer sk-…</c> only; expired or
/// exhausted tokens may still read their usage, disabled ones may not.
/// </summary>
public static class TokenUsageEndpoint
{
    public static async Task<IResult> GetAsync(HttpContext ctx, TokenRepository tokens, UserRepository users, SecretBox box, CancellationToken ct)
    {
        var token = await ReadOnlyKeyAuth.FindAsync(ctx, tokens, box, ct);
        if (token is null) return Unauthorized("无效的令牌");
        if (token.Status == TokenStatus.Disabled) return Unauthorized("该令牌已被禁用");
        var owner = await users.FindAsync(token.UserId, ct);
        if (owner is null || owner.Status != UserStatus.Enabled)
            return Results.Json(Api.Fail("用户已被封禁"), AdminJson.Default.Reply, statusCode: 403);
        var limits = token.ModelLimits.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct().ToDictionary(m => m, _ => true);
        var view = new TokenUsageView
        {
            Name = token.Name, TotalGranted = token.RemainQuota + token.UsedQuota, TotalUsed = token.UsedQuota,
            TotalAvailable = token.RemainQuota, UnlimitedQuota = token.UnlimitedQuota, ModelLimits = limits,
            ModelLimitsEnabled = token.ModelLimitsEnabled, ExpiresAt = token.ExpiredTime == -1 ? 0 : token.ExpiredTime,
        };
        return Results.Json(new TokenUsageEnvelope(true, "ok", view), TokenJson.Default.TokenUsageEnvelope);
    }

    private static IResult Unauthorized(string message) => Results.Json(Api.Fail(message), AdminJson.Default.Reply, statusCode: 401);
}

/// <summary>Key lookup for the read-only key routes (/api/usage/token, /api/log/token).</summary>
public static class ReadOnlyKeyAuth
{
    public static async Task<TokenRow?> FindAsync(HttpContext ctx, TokenRepository tokens, SecretBox box, CancellationToken ct)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return null;
        var key = header[7..].Trim();
        if (key.StartsWith("sk-", StringComparison.Ordinal)) key = key[3..];
        key = key.Split('-')[0];
        if (key.Length is 0 or > 128) return null;
        return await tokens.FindByHashAsync(box.LookupHash(key), ct);
    }
}
