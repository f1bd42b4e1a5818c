using System.Globalization;
using Microsoft.Data.Sqlite;

namespace NewApi.Storage.TwoFactor;

/// <summary>
/// two_fas and two_fa_backup_codes. The secret column holds ciphertext; callers encrypt/decrypt. Times are stored as
/// ISO-8601 UTC text (New API's columns are datetimes). Every "use" is a conditional UPDATE so two requests racing with
/// the same TOTP step or backup code cannot both succeed.
/// </summary>
public sealed class TwoFactorRepository(SqliteDb db)
{
    public sealed record TwoFaRow(long Id, long UserId, string SecretEnc, bool IsEnabled, int FailedAttempts, string? LockedUntil, long LastUsedStep)
    {
        public DateTimeOffset? LockedUntilTime =>
            LockedUntil is { Length: > 0 } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

        public bool IsLocked(DateTimeOffset now) => LockedUntilTime is { } t && now < t;
    }

    public sealed record BackupCode(long Id, string Hash);

    private const string SelectRow =
        "SELECT id, user_id, secret, is_enabled, failed_attempts, locked_until, last_used_step FROM two_fas WHERE user_id = $u AND deleted_at IS NULL";

    public async Task<TwoFaRow?> FindAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync(SelectRow, null,
            r => new TwoFaRow(r.Long(0), r.Long(1), r.Str(2), r.Bool(3), r.Int(4), r.StrOrNull(5), r.Long(6)), ct, ("$u", userId));
    }

    public async Task<bool> IsEnabledAsync(long userId, CancellationToken ct = default) =>
        (await FindAsync(userId, ct))?.IsEnabled == true;

    /// <summary>Replaces any earlier (pending) record and all backup codes with a new, not yet enabled secret.</summary>
    public Task CreatePendingAsync(long userId, string secretEnc, IReadOnlyList<string> codeHashes, DateTimeOffset now, CancellationToken ct = default) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync("DELETE FROM two_fas WHERE user_id = $u", tx, ct, ("$u", userId));
            await conn.ExecuteAsync("""
                INSERT INTO two_fas(user_id, secret, is_enabled, failed_attempts, last_used_step, created_at, updated_at)
                VALUES ($u, $s, 0, 0, 0, $t, $t)
                """, tx, ct, ("$u", userId), ("$s", secretEnc), ("$t", Iso(now)));
            await ReplaceCodesAsync(conn, tx, userId, codeHashes, now, ct);
        }, ct);

    public Task<bool> EnableAsync(long userId, DateTimeOffset now, CancellationToken ct = default) =>
        db.WriteAsync(async (conn, tx) => await conn.ExecuteAsync(
            "UPDATE two_fas SET is_enabled = 1, failed_attempts = 0, locked_until = NULL, updated_at = $t WHERE user_id = $u AND is_enabled = 0",
            tx, ct, ("$u", userId), ("$t", Iso(now))) == 1, ct);

    /// <summary>new-api: disabling hard-deletes the record and every backup code.</summary>
    public Task<bool> DeleteAsync(long userId, CancellationToken ct = default) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync("DELETE FROM two_fa_backup_codes WHERE user_id = $u", tx, ct, ("$u", userId));
            return await conn.ExecuteAsync("DELETE FROM two_fas WHERE user_id = $u", tx, ct, ("$u", userId)) > 0;
        }, ct);

    /// <summary>Accepts a TOTP step once: succeeds only when the step is newer than the last one used.</summary>
    public Task<bool> TryUseStepAsync(long userId, long step, DateTimeOffset now, CancellationToken ct = default) =>
        db.WriteAsync(async (conn, tx) => await conn.ExecuteAsync("""
            UPDATE two_fas SET last_used_step = $s, failed_attempts = 0, locked_until = NULL, last_used_at = $t, updated_at = $t
            WHERE user_id = $u AND last_used_step < $s
            """, tx, ct, ("$u", userId), ("$s", step), ("$t", Iso(now))) == 1, ct);

    /// <summary>Counts a failed attempt; the attempt that reaches <paramref name="maxAttempts"/> locks until now + lock.</summary>
    public Task RecordFailureAsync(long userId, DateTimeOffset now, int maxAttempts, TimeSpan lockFor, CancellationToken ct = default) =>
        db.WriteAsync((conn, tx) => conn.ExecuteAsync("""
            UPDATE two_fas SET failed_attempts = failed_attempts + 1,
                locked_until = CASE WHEN failed_attempts + 1 >= $max THEN $lock ELSE locked_until END, updated_at = $t
            WHERE user_id = $u
            """, tx, ct, ("$u", userId), ("$max", maxAttempts), ("$lock", Iso(now + lockFor)), ("$t", Iso(now))), ct);

    public Task RecordSuccessAsync(long userId, DateTimeOffset now, CancellationToken ct = default) =>
        db.WriteAsync((conn, tx) => conn.ExecuteAsync(
            "UPDATE two_fas SET failed_attempts = 0, locked_until = NULL, last_used_at = $t, updated_at = $t WHERE user_id = $u",
            tx, ct, ("$u", userId), ("$t", Iso(now))), ct);

    public async Task<List<BackupCode>> UnusedBackupCodesAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QueryAsync("SELECT id, code_hash FROM two_fa_backup_codes WHERE user_id = $u AND is_used = 0 AND deleted_at IS NULL",
            null, r => new BackupCode(r.Long(0), r.Str(1)), ct, ("$u", userId));
    }

    /// <summary>Marks a backup code used; false when another request used it first.</summary>
    public Task<bool> TryUseBackupCodeAsync(long codeId, DateTimeOffset now, CancellationToken ct = default) =>
        db.WriteAsync(async (conn, tx) => await conn.ExecuteAsync(
            "UPDATE two_fa_backup_codes SET is_used = 1, used_at = $t WHERE id = $id AND is_used = 0",
            tx, ct, ("$id", codeId), ("$t", Iso(now))) == 1, ct);

    public Task ReplaceBackupCodesAsync(long userId, IReadOnlyList<string> codeHashes, DateTimeOffset now, CancellationToken ct = default) =>
        db.WriteAsync((conn, tx) => ReplaceCodesAsync(conn, tx, userId, codeHashes, now, ct), ct);

    public async Task<long> CountUnusedBackupCodesAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ScalarLongAsync("SELECT COUNT(1) FROM two_fa_backup_codes WHERE user_id = $u AND is_used = 0 AND deleted_at IS NULL",
            null, ct, ("$u", userId));
    }

    /// <summary>new-api counts every user row (soft-deleted too) against enabled 2FA records.</summary>
    public async Task<(long Total, long Enabled)> StatsAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        var total = await conn.ScalarLongAsync("SELECT COUNT(1) FROM users", null, ct);
        var enabled = await conn.ScalarLongAsync("SELECT COUNT(1) FROM two_fas WHERE is_enabled = 1 AND deleted_at IS NULL", null, ct);
        return (total, enabled);
    }

    private static async Task ReplaceCodesAsync(SqliteConnection conn, SqliteTransaction tx, long userId, IReadOnlyList<string> hashes,
        DateTimeOffset now, CancellationToken ct)
    {
        await conn.ExecuteAsync("DELETE FROM two_fa_backup_codes WHERE user_id = $u", tx, ct, ("$u", userId));
        foreach (var h in hashes)
            await conn.ExecuteAsync("INSERT INTO two_fa_backup_codes(user_id, code_hash, is_used, created_at) VALUES ($u, $h, 0, $t)",
                tx, ct, ("$u", userId), ("$h", h), ("$t", Iso(now)));
    }

    private static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
