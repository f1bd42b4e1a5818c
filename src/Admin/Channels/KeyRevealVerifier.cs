using Microsoft.AspNetCore.Http;
using NewApi.Auth;
using NewApi.Auth.TwoFactor;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.TwoFactor;
using NewApi.Storage.Users;

namespace NewApi.Admin.Channels;

internal enum RevealProof { Verified, Required, Expired, Invalid }

/// <summary>
/// The identity re-proof POST /api/channel/{id}/key demands: a secure verification (POST /api/verify) in this session
/// within the last 300 s; or a TOTP / backup code in the body when the caller has 2FA; or, only when the caller has no
/// 2FA, the caller's password. A TOTP step is accepted once and a backup code is used up.
/// </summary>
internal sealed class KeyRevealVerifier(SessionService sessions, TwoFactorService twoFactor, TwoFactorRepository twoFactorRows, PasswordHasher hasher,
    UserRepository users, TimeProvider time)
{
    public const long SecureVerificationSeconds = 300;

    public async Task<RevealProof> VerifyAsync(HttpContext ctx, long userId, ChannelKeyRequest? body, CancellationToken ct)
    {
        var session = sessions.Read(ctx);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var verifiedAt = session.UserId == userId ? session.SecureVerifiedAt : 0;
        if (verifiedAt > 0 && now - verifiedAt <= SecureVerificationSeconds && verifiedAt <= now + 5) return RevealProof.Verified;

        var code = body?.Code?.Trim() ?? "";
        var password = body?.Password ?? "";
        var tfa = await twoFactorRows.FindAsync(userId, ct);
        if (tfa is { IsEnabled: true })
        {
            if (code.Length == 0) return verifiedAt > 0 ? RevealProof.Expired : RevealProof.Required;
            // The 2FA service: a TOTP step works once, a backup code is used up, and 5 failures lock 2FA for 300 s.
            return (await twoFactor.VerifyAsync(userId, code, allowBackup: true, ct)).Ok ? RevealProof.Verified : RevealProof.Invalid;
        }
        if (password.Length == 0) return verifiedAt > 0 ? RevealProof.Expired : RevealProof.Required;
        var user = await users.FindAsync(userId, ct);
        return user is not null && hasher.Verify(password, user.PasswordHash, out _) ? RevealProof.Verified : RevealProof.Invalid;
    }
}
