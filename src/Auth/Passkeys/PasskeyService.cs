using System.Formats.Cbor;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NewApi.Storage.Passkeys;
using NewApi.Storage.Users;

namespace NewApi.Auth.Passkeys;

/// <summary>Registration and assertion ceremonies against passkey_credentials (one passkey per user, like New API).</summary>
public sealed class PasskeyService(PasskeyRepository repo, TimeProvider time)
{
    public const string VerifyFailed = "Passkey 验证失败，请重试或联系管理员";
    public const string NotBound = "该用户尚未绑定 Passkey";

    public long Now => time.GetUtcNow().ToUnixTimeSeconds();

    public async Task<JsonObject> BeginRegistrationAsync(SessionData session, UserRow user, PasskeyRp rp, CancellationToken ct)
    {
        var existing = await repo.FindByUserAsync(user.Id, ct);
        var challenge = PasskeyCeremony.Begin(session, PasskeyCeremony.Register, user.Id, Now);
        var exclude = existing is null ? null : Base64Url.Encode(Convert.FromBase64String(existing.CredentialId));
        return PasskeyOptions.Creation(rp, challenge, user.Id, user.Username, user.DisplayName, exclude);
    }

    /// <summary>Verifies and stores a new credential; returns an error message or null.</summary>
    public async Task<string?> FinishRegistrationAsync(SessionData session, long userId, JsonElement credential, PasskeyRp rp, CancellationToken ct)
    {
        var challenge = PasskeyCeremony.Take(session, PasskeyCeremony.Register, userId, Now);
        if (challenge is null) return "Passkey 注册会话已过期，请重新开始";
        RegisteredCredential reg;
        try
        {
            reg = WebAuthnVerifier.VerifyRegistration(credential, challenge, rp);
        }
        catch (Exception e) when (IsCeremonyError(e))
        {
            return "Passkey 注册失败: " + e.Message;
        }
        var row = new PasskeyRow
        {
            UserId = userId, CredentialId = Convert.ToBase64String(reg.CredentialId), PublicKey = Convert.ToBase64String(reg.CosePublicKey),
            AttestationType = reg.AttestationType, Aaguid = Convert.ToBase64String(reg.Aaguid), SignCount = reg.SignCount,
            UserPresent = reg.AuthData.UserPresent, UserVerified = reg.AuthData.UserVerified, BackupEligible = reg.AuthData.BackupEligible,
            BackupState = reg.AuthData.BackupState, Transports = reg.Transports, Attachment = reg.Attachment,
        };
        return await repo.ReplaceForUserAsync(row, time.GetUtcNow(), ct) ? null : "该 Passkey 已被其他账户使用";
    }

    public JsonObject BeginAssertion(SessionData session, string kind, long userId, PasskeyRp rp, PasskeyRow? allow)
    {
        var challenge = PasskeyCeremony.Begin(session, kind, userId, Now);
        return PasskeyOptions.Request(rp, challenge, allow is null ? null : Base64Url.Encode(Convert.FromBase64String(allow.CredentialId)));
    }

    /// <summary>
    /// Verifies an assertion for the ceremony <paramref name="kind"/> started by <paramref name="userId"/> (0 = sign-in).
    /// Returns the credential used, or null with an error. A counter that does not grow marks the credential as a
    /// possible clone and refuses it.
    /// </summary>
    public async Task<(PasskeyRow? Row, string Error)> FinishAssertionAsync(SessionData session, string kind, long userId, JsonElement credential,
        PasskeyRp rp, CancellationToken ct)
    {
        var challenge = PasskeyCeremony.Take(session, kind, userId, Now);
        if (challenge is null) return (null, "Passkey 验证会话已过期，请重新开始");
        if (WebAuthnVerifier.ClaimedCredentialId(credential) is not { } claimed) return (null, VerifyFailed);
        var row = await repo.FindByCredentialIdAsync(Convert.ToBase64String(claimed), ct);
        if (row is null || (userId != 0 && row.UserId != userId)) return (null, VerifyFailed);
        if (WebAuthnVerifier.UserHandle(credential) is { Length: > 0 } handle
            && Encoding.UTF8.GetString(handle) != row.UserId.ToString(CultureInfo.InvariantCulture))
            return (null, "用户句柄与凭证不匹配");
        VerifiedAssertion result;
        try
        {
            result = WebAuthnVerifier.VerifyAssertion(credential, challenge, rp, Convert.FromBase64String(row.PublicKey));
        }
        catch (Exception e) when (IsCeremonyError(e))
        {
            return (null, VerifyFailed);
        }
        if ((row.SignCount != 0 || result.SignCount != 0) && result.SignCount <= row.SignCount)
        {
            // NewApi: go-webauthn only flagged the clone and let the sign-in through; a non-increasing counter is refused.
            await repo.MarkCloneWarningAsync(row.Id, time.GetUtcNow(), ct);
            return (null, VerifyFailed);
        }
        await repo.RecordUseAsync(row.Id, result.SignCount, result.AuthData.UserVerified, result.AuthData.BackupState, time.GetUtcNow(), ct);
        return (row, "");
    }

    private static bool IsCeremonyError(Exception e) =>
        e is WebAuthnException or CborContentException or InvalidOperationException or CryptographicException or FormatException;
}
