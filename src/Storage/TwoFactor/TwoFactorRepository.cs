namespace NewApi.Storage.TwoFactor;

/// <summary>two_fas and two_fa_backup_codes. The secret column holds ciphertext; callers encrypt/decrypt.</summary>
public sealed class TwoFactorRepository(SqliteDb db)
{
    public sealed record TwoFaRow(long Id, long UserId, string SecretEnc, bool IsEnabled, int FailedAttempts, string? LockedUntil, long LastUsedStep);

    public async Task<TwoFaRow?> FindAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync(
            "SELECT id, user_id, secret, is_enabled, failed_attempts, locked_until, last_used_step FROM two_fas WHERE user_id = $u AND deleted_at IS NULL",
            null, r => new TwoFaRow(r.Long(0), r.Long(1), r.Str(2), r.Bool(3), r.Int(4), r.StrOrNull(5), r.Long(6)), ct, ("$u", userId));
    }

    public async Task<bool> IsEnabledAsync(long userId, CancellationToken ct = default) =>
        (await FindAsync(userId, ct))?.IsEnabled == true;
}
