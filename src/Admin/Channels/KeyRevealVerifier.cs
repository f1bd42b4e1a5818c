using Microsoft.AspNetCore.Http;
using NewApi.Auth;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage;
using NewApi.Storage.TwoFactor;
using NewApi.Storage.Users;
using OtpNet;

namespace NewApi.Admin.Channels;

internal enum RevealProof { Verified, Required, Expired, Invalid }

/// <summary>
/// The identity re-proof POST /api/channel/{id}/key demands: a secure verification (POST /api/verify) in this session
/// within the last 300 s; or a TOTP / backup code in the body when the caller has 2FA; or, only when the caller has no
/// 2FA, the caller's password. A TOTP step is accepted once and a backup code is used up.
/// </summary>
internal sealed class KeyRevealVerifier(SessionService sessions, TwoFactorRepository twoFactor, SecretBox box, PasswordHasher hasher,
    UserRepository users, SqliteDb db, TimeProvider time)
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
        var tfa = await twoFactor.FindAsync(userId, ct);
        if (tfa is { IsEnabled: true })
        {
            if (code.Length == 0) return verifiedAt > 0 ? RevealProof.Expired : RevealProof.Required;
            return await VerifyTotpAsync(tfa, code, ct) || await UseBackupCodeAsync(userId, code, ct) ? RevealProof.Verified : RevealProof.Invalid;
        }
        if (password.Length == 0) return verifiedAt > 0 ? RevealProof.Expired : RevealProof.Required;
        var user = await users.FindAsync(userId, ct);
        return user is not null && hasher.Verify(password, user.PasswordHash, out _) ? RevealProof.Verified : RevealProof.Invalid;
    }

    private async Task<bool> VerifyTotpAsync(TwoFactorRepository.TwoFaRow tfa, string code, CancellationToken ct)
    {
        if (code.Length != 6 || !code.All(char.IsAsciiDigit)) return false;
        var totp = new Totp(Base32Encoding.ToBytes(box.Decrypt(tfa.SecretEnc)));
        if (!totp.VerifyTotp(time.GetUtcNow().UtcDateTime, code, out var step, VerificationWindow.RfcSpecifiedNetworkDelay)) return false;
        // Conditional update: a code (time step) works once, even for two requests racing with it.
        return await db.WriteAsync((conn, tx) => conn.ExecuteAsync(
            "UPDATE two_fas SET last_used_step = $s, failed_attempts = 0 WHERE id = $id AND last_used_step < $s",
            tx, ct, ("$s", step), ("$id", tfa.Id)), ct) == 1;
    }

    private async Task<bool> UseBackupCodeAsync(long userId, string code, CancellationToken ct)
    {
        // new-api: backup codes are compared case-insensitively without separators, against bcrypt (or our PBKDF2) hashes.
        var normalized = code.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (normalized.Length is < 6 or > 32) return false;
        await using var conn = await db.OpenAsync(ct);
        var unused = await conn.QueryAsync("SELECT id, code_hash FROM two_fa_backup_codes WHERE user_id = $u AND is_used = 0 AND deleted_at IS NULL",
            null, r => (Id: r.Long(0), Hash: r.Str(1)), ct, ("$u", userId));
        foreach (var (id, hash) in unused)
        {
            if (!hasher.Verify(normalized, hash, out _) && !hasher.Verify(code, hash, out _)) continue;
            var stamp = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            return await db.WriteAsync((c, tx) => c.ExecuteAsync(
                "UPDATE two_fa_backup_codes SET is_used = 1, used_at = $t WHERE id = $id AND is_used = 0", tx, ct, ("$t", stamp), ("$id", id)), ct) == 1;
        }
        return false;
    }
}
