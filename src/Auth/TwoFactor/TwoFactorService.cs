using System.Globalization;
using NewApi.Storage.TwoFactor;

namespace NewApi.Auth.TwoFactor;

/// <summary>
/// Checks 2FA codes with New API's rules (TOTP or single-use backup code; 5 failures lock for 300 s) and two
/// NewApi additions: a TOTP step is accepted once (two_fas.last_used_step), and the clock window is ±1 step.
/// </summary>
public sealed class TwoFactorService(TwoFactorRepository repo, SecretBox box, TimeProvider time)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(300);
    public const string InvalidCode = "验证码或备用码错误，请重试";
    public const string NotEnabled = "用户未启用2FA";

    public enum Outcome { Ok, Invalid, Locked, NotEnabled }

    public readonly record struct Result(Outcome Outcome, string Message)
    {
        public bool Ok => Outcome == Outcome.Ok;
    }

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Verifies a code for an enabled record (login, disable, /api/verify, backup-code regeneration).</summary>
    public async Task<Result> VerifyAsync(long userId, string? code, bool allowBackup, CancellationToken ct)
    {
        var row = await repo.FindAsync(userId, ct);
        if (row is not { IsEnabled: true }) return new(Outcome.NotEnabled, NotEnabled);
        return await VerifyRowAsync(row, code, allowBackup, ct);
    }

    /// <summary>Verifies the first TOTP code of a pending (not yet enabled) record.</summary>
    public Task<Result> VerifyPendingAsync(TwoFactorRepository.TwoFaRow row, string? code, CancellationToken ct) =>
        VerifyRowAsync(row, code, allowBackup: false, ct);

    private async Task<Result> VerifyRowAsync(TwoFactorRepository.TwoFaRow row, string? code, bool allowBackup, CancellationToken ct)
    {
        var now = Now;
        if (row.IsLocked(now)) return Locked(row.LockedUntilTime!.Value);
        if (Totp.CleanCode(code) is { } digits && Totp.Matches(box.Decrypt(row.SecretEnc), digits, now, out var step))
        {
            // NewApi: New API accepted the same code again inside its window; a replayed step counts as a failure.
            if (await repo.TryUseStepAsync(row.UserId, step, now, ct)) return new(Outcome.Ok, "");
        }
        else if (allowBackup && BackupCodes.Normalize(code) is { } backup && await TryBackupAsync(row.UserId, backup, now, ct))
        {
            await repo.RecordSuccessAsync(row.UserId, now, ct);
            return new(Outcome.Ok, "");
        }
        await repo.RecordFailureAsync(row.UserId, now, MaxFailures, LockDuration, ct);
        var after = await repo.FindAsync(row.UserId, ct);
        return after is not null && after.IsLocked(now) ? Locked(after.LockedUntilTime!.Value) : new(Outcome.Invalid, InvalidCode);
    }

    private async Task<bool> TryBackupAsync(long userId, string normalized, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var code in await repo.UnusedBackupCodesAsync(userId, ct))
            if (BackupCodes.Verify(normalized, code.Hash))
                return await repo.TryUseBackupCodeAsync(code.Id, now, ct);
        return false;
    }

    private static Result Locked(DateTimeOffset until) =>
        new(Outcome.Locked, $"账户已被锁定，请在{until.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} (UTC)后重试");

    /// <summary>Creates a new pending secret and backup codes; returns (secret, backup codes) to show once.</summary>
    public async Task<(string Secret, List<string> Codes)> CreatePendingAsync(long userId, CancellationToken ct)
    {
        var secret = Totp.NewSecret();
        var codes = BackupCodes.Generate();
        await repo.CreatePendingAsync(userId, box.Encrypt(secret), codes.Select(BackupCodes.Hash).ToList(), Now, ct);
        return (secret, codes);
    }

    public async Task<List<string>> RegenerateBackupCodesAsync(long userId, CancellationToken ct)
    {
        var codes = BackupCodes.Generate();
        await repo.ReplaceBackupCodesAsync(userId, codes.Select(BackupCodes.Hash).ToList(), Now, ct);
        return codes;
    }
}
