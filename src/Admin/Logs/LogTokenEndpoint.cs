using Microsoft.AspNetCore.Http;
using NewApi.Admin.Tokens;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Storage.Logs;
using NewApi.Storage.Tokens;
using NewApi.Storage.Users;

namespace NewApi.Admin.Logs;

/// <summary>
/// GET /api/log/token: the latest rows of the API key in <c>Authorization: Bearer sk-…</c>, in the user view. Same key
/// rules as /api/usage/token: expired or exhausted keys may still read, disabled keys and banned owners may not.
/// </summary>
public static class LogTokenEndpoint
{
    /// <summary>New API's MaxRecentItems.</summary>
    public const int MaxRows = 1000;

    public static async Task<IResult> GetAsync(HttpContext ctx, TokenRepository tokens, UserRepository users, SecretBox box,
        LogQueryRepository logs, CancellationToken ct)
    {
        var token = await ReadOnlyKeyAuth.FindAsync(ctx, tokens, box, ct);
        if (token is null) return Unauthorized("无效的令牌");
        if (token.Status == TokenStatus.Disabled) return Unauthorized("该令牌已被禁用");
        var owner = await users.FindAsync(token.UserId, ct);
        if (owner is null || owner.Status != UserStatus.Enabled)
            return Results.Json(Api.Fail("用户已被封禁"), AdminJson.Default.Reply, statusCode: StatusCodes.Status403Forbidden);
        var rows = await logs.LatestForTokenAsync(token.Id, MaxRows, ct);
        return Results.Json(Api.Ok(LogFormatter.ForUser(rows, 0)), LogJson.Default.EnvelopeListLogView);
    }

    private static IResult Unauthorized(string message) =>
        Results.Json(Api.Fail(message), AdminJson.Default.Reply, statusCode: StatusCodes.Status401Unauthorized);
}
