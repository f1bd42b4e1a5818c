using Microsoft.AspNetCore.Http;
using NewApi.Common;
using NewApi.Storage.Users;

namespace NewApi.Auth;

/// <summary>
/// Management auth (new-api's UserAuth/AdminAuth/RootAuth): session cookie or system access token, plus the
/// New-Api-User header. Unlike New API, role and status are re-read from the database on every request, so a
/// disabled, demoted or deleted user loses access at once instead of when the 30-day cookie expires.
/// </summary>
public sealed class UserAuthenticator(SessionService sessions, UserRepository users)
{
    public readonly record struct Result(CurrentUser? User, int Status, string Message)
    {
        public bool Ok => User is not null;
    }

    public async Task<Result> AuthenticateAsync(HttpContext ctx, Role required, CancellationToken ct)
    {
        var session = sessions.Read(ctx);
        UserRow? user = null;
        var viaToken = false;
        if (session.UserId > 0)
        {
            user = await users.FindAsync(session.UserId, ct);
            if (user is null)
            {
                sessions.Clear(ctx);
                return new(null, StatusCodes.Status401Unauthorized, AuthTexts.NotLoggedIn);
            }
        }
        else
        {
            var header = ctx.Request.Headers.Authorization.ToString();
            if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) header = header[7..];
            header = header.Trim();
            if (header.Length == 0) return new(null, StatusCodes.Status401Unauthorized, AuthTexts.NotLoggedIn);
            if (header.StartsWith("sk-", StringComparison.Ordinal) || header.Length > 128)
                return new(null, StatusCodes.Status200OK, AuthTexts.InvalidAccessToken);
            user = await users.FindByAccessTokenHashAsync(SecretBox.Sha256Hex(header), ct);
            if (user is null) return new(null, StatusCodes.Status200OK, AuthTexts.InvalidAccessToken);
            viaToken = true;
        }

        var idHeader = ctx.Request.Headers["New-Api-User"].ToString();
        if (idHeader.Length == 0) return new(null, StatusCodes.Status401Unauthorized, AuthTexts.NewApiUserMissing);
        if (!long.TryParse(idHeader, out var claimed)) return new(null, StatusCodes.Status401Unauthorized, AuthTexts.NewApiUserInvalid);
        if (claimed != user.Id) return new(null, StatusCodes.Status401Unauthorized, AuthTexts.NewApiUserMismatch);
        if (user.Status != UserStatus.Enabled) return new(null, StatusCodes.Status200OK, AuthTexts.UserBanned);
        if (user.Role < required) return new(null, StatusCodes.Status200OK, AuthTexts.InsufficientRole);
        if (user.Role is not (Role.User or Role.Admin or Role.Root)) return new(null, StatusCodes.Status200OK, AuthTexts.InsufficientRole);
        return new(new CurrentUser(user.Id, user.Username, user.Role, user.Group, viaToken), 200, "");
    }
}

public static class AuthTexts
{
    public const string NotLoggedIn = "Unauthorized: not logged in and no access token provided";
    public const string InvalidAccessToken = "Unauthorized: invalid access token";
    public const string NewApiUserMissing = "Unauthorized: New-Api-User header not provided";
    public const string NewApiUserInvalid = "Unauthorized: New-Api-User header format error";
    public const string NewApiUserMismatch = "Unauthorized: New-Api-User header does not match the logged-in user";
    public const string UserBanned = "User has been banned";
    public const string InsufficientRole = "Unauthorized: insufficient privileges";
}
